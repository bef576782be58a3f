"""Stored reasons take the app's one shape: ``{"code", "facts"}`` (``swarm/domain/reasons.py``).

Invitation reasons were flat (``{"code": "skill", "skill": ..., "level": ...}``); they become
``{"code": "skill", "facts": {"skill": ..., "level": ...}}``. Assignment reasons could be plain sentences: the
coordinator's choice becomes the code ``chosen_by_coordinator``, an engine's sentence without details a reason
with no code and that sentence as its ``text``. Reasons already in the new shape stay as they are.

Data only; the downgrade turns them back into the earlier shapes.

Revision ID: 0005_reasons_code_and_facts
Revises: 0004_solve_snapshot_retention
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0005_reasons_code_and_facts"
down_revision: str | None = "0004_solve_snapshot_retention"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns this reads and writes, as they are at this revision.
invitations = sa.table("invitations", sa.column("id", sa.Integer), sa.column("reasons", sa.JSON))
assignments = sa.table("assignments", sa.column("id", sa.Integer), sa.column("reasons", sa.JSON))

CHOSEN = "chosen by the coordinator"  # the sentence the services stored before the code


def _up(reason: Any) -> Any:
    if isinstance(reason, str):
        if reason == CHOSEN:
            return {"code": "chosen_by_coordinator", "facts": {}}
        return {"code": "", "facts": {}, "text": reason}
    if isinstance(reason, dict) and "code" in reason and not isinstance(reason.get("facts"), dict):
        return {"code": reason["code"], "facts": {k: v for k, v in reason.items() if k != "code"}}
    return reason


def _down(reason: Any) -> Any:
    if not (isinstance(reason, dict) and isinstance(reason.get("facts"), dict)):
        return reason
    if reason.get("code") == "chosen_by_coordinator":
        return CHOSEN
    if not reason.get("code") and reason.get("text"):
        return reason["text"]
    if reason.get("code") in ("skill", "availability", "travel", "turns"):
        return {"code": reason["code"], **reason["facts"]}
    return reason  # an engine's reason: this shape already before


def _rewrite(table: sa.TableClause, change: Callable[[Any], Any]) -> None:
    bind = op.get_bind()
    last = 0
    while True:  # in batches by id, so a large table is never read whole
        rows = bind.execute(
            sa.select(table.c.id, table.c.reasons).where(table.c.id > last).order_by(table.c.id).limit(1000)
        ).all()
        if not rows:
            return
        for row_id, reasons in rows:
            if isinstance(reasons, list) and reasons:
                changed = [change(reason) for reason in reasons]
                if changed != reasons:
                    bind.execute(sa.update(table).where(table.c.id == row_id).values(reasons=changed))
        last = rows[-1][0]


def upgrade() -> None:
    _rewrite(invitations, _up)
    _rewrite(assignments, _up)


def downgrade() -> None:
    _rewrite(invitations, _down)
    _rewrite(assignments, _down)
