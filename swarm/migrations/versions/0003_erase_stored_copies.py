"""Erase the stored copies of people erased before erasure reached them, and the names in solve snapshots.

Solve snapshots (``solve_runs.input``) no longer carry professionals' names: the solver needs none and the web
looks names up by id. People anonymised by an earlier version still sit in stored runs, mails, drafts, feeds and
invitation reasons; this does for them what ``swarm.services.privacy.anonymise_professional`` now does at once.
Their entry in a snapshot still holds the name they had, which is how it is found in the run's other text.

Data only; the downgrade leaves the data as it is (what is erased stays erased).

Revision ID: 0003_erase_stored_copies
Revises: 0002_outbox_reply_to
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from swarm.services.privacy import erase_from_run

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
