"""Invitations people can answer: a decline's reason and one-time answer links in the mail.

- ``invitations.decline_reason``: what the professional wrote when declining (at most 500 characters), shown to
  the organizer;
- ``invitation_links``: one-time accept/decline links (hash of the secret only), valid for one invitation
  version until the session ends.

Revision ID: 0013_invitation_answers
Revises: 0012_guaranteed_turn
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_invitation_answers"
down_revision: str | None = "0012_guaranteed_turn"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invitations") as batch_op:
        batch_op.add_column(
            sa.Column("decline_reason", sa.String(length=500), nullable=False, server_default="")
        )
    op.create_table(
        "invitation_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_invitation_links_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitation_links_token_hash")),
    )
    with op.batch_alter_table("invitation_links") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invitation_links_invitation_id"), ["invitation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("invitation_links") as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitation_links_invitation_id"))
    op.drop_table("invitation_links")
    with op.batch_alter_table("invitations") as batch_op:
        batch_op.drop_column("decline_reason")
