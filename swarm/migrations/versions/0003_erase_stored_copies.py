"""Erase the stored copies of people erased before erasure reached them, and the names in solve snapshots.

Solve snapshots (``solve_runs.input``) no longer carry professionals' names: the solver needs none and the web
looks names up by id. People anonymised by an earlier version still sit in stored runs, mails, drafts, feeds and
invitation reasons; this does for them what ``anonymise_professional`` (swarm/services/people/privacy.py) now
does at once. Their entry in a snapshot still holds the name they had, which is how it is found in the run's other
text. The erasure of a run's documents is a frozen copy below: this migration never changes with the service.

Data only; the downgrade leaves the data as it is (what is erased stays erased).

Revision ID: 0003_erase_stored_copies
Revises: 0002_outbox_reply_to
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003_erase_stored_copies"
down_revision: str | None = "0002_outbox_reply_to"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns this reads and writes, as they are at this revision.
professionals = sa.table("professionals", sa.column("id", sa.Integer), sa.column("anonymised_at"))
solve_runs = sa.table(
    "solve_runs",
    sa.column("id", sa.Integer),
    sa.column("status", sa.String),
    sa.column("input", sa.JSON),
    sa.column("result", sa.JSON),
    sa.column("parameters", sa.JSON),
    sa.column("error", sa.Text),
)
outbox_messages = sa.table(
    "outbox_messages",
    sa.column("id", sa.Integer),
    sa.column("idempotency_key", sa.String),
    sa.column("status", sa.String),
    sa.column("recipient", sa.String),
    sa.column("recipient_name", sa.String),
    sa.column("body_text", sa.Text),
    sa.column("ics_payload", sa.Text),
    sa.column("last_error", sa.Text),
)
sessions = sa.table("sessions", sa.column("id", sa.Integer), sa.column("status", sa.String))
seats = sa.table("seats", sa.column("professional_id", sa.Integer), sa.column("session_id", sa.Integer))
invitations = sa.table(
    "invitations",
    sa.column("professional_id", sa.Integer),
    sa.column("session_id", sa.Integer),
    sa.column("reasons", sa.JSON),
)
calendar_feeds = sa.table(
    "calendar_feeds", sa.column("owner_kind", sa.String), sa.column("owner_id", sa.Integer)
)

REF = re.compile(r"(?<![\w-])p-(\d+)(?![\w-])")


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def upgrade() -> None:
    bind = op.get_bind()
    erased = set(
        bind.execute(
            sa.select(professionals.c.id).where(professionals.c.anonymised_at.is_not(None))
        ).scalars()
    )
    for run_id in bind.execute(sa.select(solve_runs.c.id).order_by(solve_runs.c.id)).scalars().all():
        run = bind.execute(sa.select(solve_runs).where(solve_runs.c.id == run_id)).mappings().one()
        documents = {key: run[key] for key in ("input", "result", "parameters", "error")}
        entries = (
            (documents["input"] or {}).get("professionals") if isinstance(documents["input"], dict) else None
        )
        names = {}
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and "name" in entry:
                names[entry.get("id")] = entry.pop("name")
        changed = bool(names)
        mentioned = {int(n) for s in _strings(documents) for n in REF.findall(s)} & erased
        for person_id in sorted(mentioned):
            ref = f"p-{person_id}"
            name = names.get(ref)
            cleaned = erase_from_run(
                documents,
                ref,
                {name} if isinstance(name, str) else set(),
                set(),
                finished=run["status"] not in ("queued", "running"),
            )
            if cleaned is not None:
                documents, changed = cleaned, True
        if changed:  # a missing document stays SQL NULL (None would be written as JSON null)
            values = {key: value for key, value in documents.items() if value is not None}
            bind.execute(sa.update(solve_runs).where(solve_runs.c.id == run_id).values(**values))
    drafts = sa.select(sessions.c.id).where(sessions.c.status == "draft")
    for person_id in sorted(erased):
        addressed = sa.or_(
            outbox_messages.c.idempotency_key.like(f"%:p-{person_id}"),
            outbox_messages.c.idempotency_key.like(f"retention:{person_id}:%"),
            outbox_messages.c.recipient == f"anonymised-{person_id}@invalid",
        )
        bind.execute(sa.delete(outbox_messages).where(addressed, outbox_messages.c.status != "sent"))
        bind.execute(
            sa.update(outbox_messages)
            .where(addressed, outbox_messages.c.status == "sent")
            .values(
                recipient=f"anonymised-{person_id}@invalid",
                recipient_name="",
                body_text="",
                ics_payload=None,
                last_error="",
            )
        )
        for table in (seats, invitations):
            bind.execute(
                sa.delete(table).where(table.c.professional_id == person_id, table.c.session_id.in_(drafts))
            )
        bind.execute(
            sa.update(invitations).where(invitations.c.professional_id == person_id).values(reasons=[])
        )
        bind.execute(
            sa.delete(calendar_feeds).where(
                calendar_feeds.c.owner_kind == "professional", calendar_feeds.c.owner_id == person_id
            )
        )


def downgrade() -> None:
    pass  # what is erased stays erased; snapshots without names are valid for the earlier version too


# -- erase_from_run, frozen ---------------------------------------------------------------------------------------
# A copy of swarm.services.privacy.erase_from_run and its helpers as they were when this migration was written, so
# that this migration does the same whatever the service becomes. Do not change it.

ANONYMOUS_NAME = "Geanonimiseerd"
ERASED_PREFIX = "erased-"


def erase_from_run(
    documents: dict[str, Any], ref: str, names: set[str], emails: set[str], *, finished: bool
) -> dict[str, Any] | None:
    """The run's ``input``, ``result``, ``parameters`` and ``error`` with ``ref`` (``p-<id>``) as a new
    ``erased-<n>`` and the person's names and addresses gone; None when they do not name ``ref``.

    A finished run keeps an entry with only the new id; an unfinished one is to be solved without the person.
    Pure: the data migration for people erased before this existed uses it too.
    """
    # On the JSON text: one C-speed pass per pattern instead of a walk over every string of a big snapshot. Ids,
    # the new id and the replacement name need no JSON escaping; names and addresses are matched as JSON writes them.
    texts = {
        key: json.dumps(value, ensure_ascii=False) for key, value in documents.items() if value is not None
    }  # a missing document stays SQL NULL: writing None to a JSON column would store JSON null
    if not any(_whole_word_at(text, ref, dash_is_word=True) for text in texts.values()):
        return None
    taken = re.findall(rf"{ERASED_PREFIX}(\d+)", "\n".join(texts.values()))
    alias = f"{ERASED_PREFIX}{max(map(int, taken), default=0) + 1}"
    replacements = [(ref, alias, True)] + [
        (_escaped(n), ANONYMOUS_NAME, False) for n in sorted(names) if n.strip()
    ]
    cleaned = {}
    for key, text in texts.items():
        for word, replacement, dash_is_word in replacements:
            text = _replace_whole(text, word, replacement, dash_is_word=dash_is_word)
        for email in sorted(emails):
            if email.strip() and email.lower() in text.lower():
                text = re.sub(re.escape(_escaped(email)), ANONYMOUS_NAME, text, flags=re.IGNORECASE)
        cleaned[key] = json.loads(text)
    if "input" in cleaned:
        cleaned["input"] = (_id_only if finished else _without)(cleaned["input"], alias)
    return cleaned


def _whole_word_at(text: str, word: str, *, dash_is_word: bool, start: int = 0) -> int | None:
    """Where ``word`` next stands whole in JSON ``text``: not inside a longer word (``p-17`` in ``p-170``), but
    after a JSON escape such as ``\\n``. A plain search, then a look at each hit: a big snapshot holds few hits.
    """

    def inside(char: str) -> bool:
        return char.isalnum() or char == "_" or (dash_is_word and char == "-")

    at = text.find(word, start)
    while at != -1:
        end = at + len(word)
        before = text[at - 1] if at else ""
        after = text[end] if end < len(text) else ""
        escaped = at >= 2 and text[at - 2] == "\\" and before in "nrtbf"
        if (not inside(before) or escaped) and not inside(after):
            return at
        at = text.find(word, at + 1)
    return None


def _replace_whole(text: str, word: str, replacement: str, *, dash_is_word: bool) -> str:
    parts, start = [], 0
    while (at := _whole_word_at(text, word, dash_is_word=dash_is_word, start=start)) is not None:
        parts += [text[start:at], replacement]
        start = at + len(word)
    return "".join(parts) + text[start:]


def _escaped(text: str) -> str:
    """``text`` as it reads inside a JSON string."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _id_only(document: Any, alias: str) -> Any:
    """A finished run's instance with the erased person's entry reduced to their new id."""
    if isinstance(document, dict) and isinstance(document.get("professionals"), list):
        document["professionals"] = [
            {"id": alias} if isinstance(p, dict) and p.get("id") == alias else p
            for p in document["professionals"]
        ]
    return document


def _without(document: Any, alias: str) -> Any:
    """An instance still to be solved, without the erased person: every id in it still resolves."""
    if not isinstance(document, dict):
        return document

    def others(refs: Any) -> Any:
        return [r for r in refs if r != alias] if isinstance(refs, list) else refs

    if isinstance(document.get("professionals"), list):
        document["professionals"] = [
            p for p in document["professionals"] if not (isinstance(p, dict) and p.get("id") == alias)
        ]
    for item in [*(document.get("requests") or []), *(document.get("projects") or [])]:
        for key in ("excluded", "preferred"):
            if isinstance(item, dict) and key in item:
                item[key] = others(item[key])
    if isinstance(document.get("pins"), list):
        document["pins"] = [
            p for p in document["pins"] if not (isinstance(p, dict) and p.get("professional") == alias)
        ]
    return document  # ``previous`` keeps them: an earlier seat of someone gone is what it describes
