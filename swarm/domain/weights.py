"""Default score weights and planning settings of a new region.

The weights are the solver formats' own defaults (``solver.formats``, docs/formats.md): declared once there, read
here. A region stores its own values (the organizer tunes the equal-treatment policy) and starts from these.
"""

from __future__ import annotations

from solver.formats import SHELL_WEIGHTS, SWARM_WEIGHTS

__all__ = [
    "DEFAULT_GUARANTEED_TURN_MAX_SKILL_PERCENT",
    "DEFAULT_HISTORY_WINDOW_ROUNDS",
    "DEFAULT_ROUNDS_PER_SESSION",
    "DEFAULT_SHELL_HISTORY_WEEKS",
    "SHELL_WEIGHTS",
    "SWARM_WEIGHTS",
]

DEFAULT_ROUNDS_PER_SESSION = 3
DEFAULT_HISTORY_WINDOW_ROUNDS = 4
DEFAULT_SHELL_HISTORY_WEEKS = 52
# The guaranteed turn is off in a new region; switched on, it gives up at most this share of the skill term
# (docs/solver-swarm.md, "Equal treatment over time"; measured in docs/benchmarks.md).
DEFAULT_GUARANTEED_TURN_MAX_SKILL_PERCENT = 3
