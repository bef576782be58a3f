"""Solve runs record when retention reduced their snapshot (the professionals taken out of input and result).

Revision ID: 0004_solve_snapshot_retention
Revises: 0003_erase_stored_copies
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_solve_snapshot_retention"
down_revision: str | None = "0003_erase_stored_copies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("solve_runs") as batch_op:
        batch_op.add_column(sa.Column("snapshot_reduced_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("solve_runs") as batch_op:
        batch_op.drop_column("snapshot_reduced_at")
