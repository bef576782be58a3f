"""One-time form tokens: a form sent twice creates nothing new.

- ``form_submissions``: the used token of a form that created something, its user and the page of the result;
  rows older than a day are removed by the app as new ones come in.

Revision ID: 0014_form_submissions
Revises: 0013_invitation_answers
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_form_submissions"
down_revision: str | None = "0013_invitation_answers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_submissions",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("location", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token"),
    )
    op.create_index("ix_form_submissions_created_at", "form_submissions", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_form_submissions_created_at", table_name="form_submissions")
    op.drop_table("form_submissions")
