"""The one shape of a reason in the app: a code and the facts it rests on, worded only at the edge.

The web words reasons in the reader's language (``swarm/webapp/reasons.py``), the calendars in the attendee's
(``swarm/services/ops/session_calendar.py``). The engines write the same shape beside their English sentence
(``solver/reasons.py``, docs/formats.md); a stored engine reason keeps that sentence as ``text``, which is what
an edge shows for a code it does not know.
"""

from __future__ import annotations

from typing import Any

# The app's own codes (invitation reasons written by swarm/services/plan/draft.py and the coordinator's choice);
# the engines' codes are listed in docs/solver-swarm.md and docs/solver-shell.md.
SKILL = "skill"  # facts: request, skill, level, min_level
AVAILABILITY = "availability"  # facts: answer (yes, maybe)
TRAVEL = "travel"  # facts: km
TURNS = "turns"  # facts: recent_invitations, window_rounds, rounds_waited
CHOSEN_BY_COORDINATOR = "chosen_by_coordinator"  # no facts


def reason(code: str, text: str = "", **facts: Any) -> dict[str, Any]:
    """A reason as stored: ``{"code", "facts"}``, with ``text`` when there is an English wording to fall back on."""
    item: dict[str, Any] = {"code": code, "facts": facts}
    if text:
        item["text"] = text
    return item
