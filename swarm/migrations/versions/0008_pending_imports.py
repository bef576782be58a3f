"""Uploaded files waiting for their import to be confirmed: pending_imports.

Revision ID: 0009_pending_imports
Revises: 0007_rounds_that_keep_coming
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_pending_imports"
down_revision: str | None = "0007_rounds_that_keep_coming"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_pending_imports_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_pending_imports_region_id_regions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipalities.id"],
            name=op.f("fk_pending_imports_municipality_id_municipalities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_imports")),
        sa.UniqueConstraint("key", name=op.f("uq_pending_imports_key")),
    )
    with op.batch_alter_table("pending_imports") as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_imports_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_pending_imports_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pending_imports_region_id"), ["region_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pending_imports_municipality_id"), ["municipality_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("pending_imports")
