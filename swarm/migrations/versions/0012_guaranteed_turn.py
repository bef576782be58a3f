"""Regions keep the organizer's guaranteed-turn setting (solver extension ``policy.guaranteed_turn``).

Revision ID: 0012_guaranteed_turn
Revises: 0011_audit_log
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_guaranteed_turn"
down_revision: str | None = "0011_audit_log"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("regions") as batch_op:
        batch_op.add_column(sa.Column("guaranteed_turn_after_rounds", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("guaranteed_turn_max_skill_percent", sa.Integer(), nullable=False, server_default="3")
        )


def downgrade() -> None:
    with op.batch_alter_table("regions") as batch_op:
        batch_op.drop_column("guaranteed_turn_max_skill_percent")
        batch_op.drop_column("guaranteed_turn_after_rounds")
