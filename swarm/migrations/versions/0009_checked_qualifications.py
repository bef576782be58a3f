"""Checked qualifications: uploaded documents with an organizer's outcome; one KvK number per professional.

- ``qualification_documents`` gains the uploaded file (``file_id`` in the document store, the cleaned
  ``file_name``, ``content_type``, ``size_bytes``, ``sha256``) and the check (``status``, ``checked_at``,
  ``checked_by_id``, ``rejection_reason``); ``expires_on`` may be empty (a document waiting for its check).
- **Existing documents are marked approved**, with ``checked_at`` = their upload time and no ``checked_by_id``
  (the mark of "approved without a check in this app"): before this, an expiry date typed in was enough, and a
  running region would otherwise lose every qualified professional overnight. They carry no file; organizers
  see them as approved without a check, and they count until their expiry date as before.
- **One KvK number per professional** (a unique index over the profiles not erased). Profiles that already share
  a number are resolved deterministically: the one registered first (lowest id) keeps it; each later one gets an
  empty KvK number (the profile form asks them for their own) and their KvK extract is marked rejected with a
  reason saying so, so they stop counting as qualified until they enter their own number and an organizer checks
  a new extract. The migration logs the ids involved (never the numbers). Erased profiles (all ``00000000``)
  and empty numbers are outside the index.

Downgrade: documents that were never approved (no expiry date) are deleted, their files stay in the store
folder; emptied KvK numbers stay empty.

Revision ID: 0009_checked_qualifications
Revises: 0008_pending_imports
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_checked_qualifications"
down_revision: str | None = "0008_pending_imports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

KVK_OWNED = "anonymised_at IS NULL AND kvk_number <> ''"
# A frozen copy of people.qualifications.KVK_NUMBER_SHARED (migrations import no service): stored in English
# like every reason the system gives, worded in the reader's language by the web app.
SHARED_KVK_REASON = (
    "Another profile registered this KvK number first. Enter your own KvK number in your profile and upload "
    "your KvK extract again."
)


STATUSES = ("pending", "approved", "rejected")


def upgrade() -> None:
    with op.batch_alter_table("qualification_documents") as batch_op:
        # the enum's CHECK is made by name below, so that the downgrade can drop it by name on both databases
        batch_op.add_column(
            sa.Column("status", sa.String(length=8), nullable=False, server_default="approved")
        )
        batch_op.add_column(sa.Column("file_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("file_name", sa.String(length=120), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("content_type", sa.String(length=40), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("size_bytes", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("sha256", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("checked_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("rejection_reason", sa.String(length=500), nullable=False, server_default="")
        )
        batch_op.alter_column("expires_on", existing_type=sa.Date(), nullable=True)
    op.execute("UPDATE qualification_documents SET checked_at = uploaded_at")
    with op.batch_alter_table("qualification_documents") as batch_op:
        # from now on a new row waits for its check unless it says otherwise
        batch_op.alter_column("status", existing_type=sa.String(length=8), server_default="pending")
        batch_op.create_check_constraint(
            op.f("ck_qualification_documents_document_status"), sa.column("status").in_(STATUSES)
        )
        batch_op.create_check_constraint(op.f("ck_qualification_documents_size_bytes"), "size_bytes >= 0")
        batch_op.create_unique_constraint(op.f("uq_qualification_documents_file_id"), ["file_id"])
        batch_op.create_index(batch_op.f("ix_qualification_documents_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_qualification_documents_checked_by_id"), ["checked_by_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_qualification_documents_checked_by_id_users"),
            "users",
            ["checked_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    _resolve_shared_kvk_numbers()
    op.create_index(
        "uq_professionals_kvk_number",
        "professionals",
        ["kvk_number"],
        unique=True,
        sqlite_where=sa.text(KVK_OWNED),
        postgresql_where=sa.text(KVK_OWNED),
    )


def _resolve_shared_kvk_numbers() -> None:
    """The first registration keeps a shared number; the later ones lose it and their KvK extract's approval."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(f"SELECT id, kvk_number FROM professionals WHERE {KVK_OWNED} ORDER BY id")
    ).all()
    first: dict[str, int] = {}
    later: list[tuple[int, int]] = []
    for professional_id, number in rows:
        if number in first:
            later.append((professional_id, first[number]))
        else:
            first[number] = professional_id
    now = connection.execute(sa.select(sa.func.current_timestamp())).scalar()
    for professional_id, keeper in later:
        log.warning(
            "professional %s had the KvK number of professional %s (registered earlier): number emptied, "
            "KvK extract marked rejected",
            professional_id,
            keeper,
        )
        connection.execute(
            sa.text("UPDATE professionals SET kvk_number = '' WHERE id = :id"), {"id": professional_id}
        )
        connection.execute(
            sa.text(
                "UPDATE qualification_documents SET status = 'rejected', rejection_reason = :reason, "
                "checked_at = :now, checked_by_id = NULL "
                "WHERE professional_id = :id AND kind = 'kvk_extract'"
            ),
            {"id": professional_id, "reason": SHARED_KVK_REASON, "now": now},
        )
    if later:
        log.warning("%d professional(s) shared a KvK number with an earlier registration", len(later))


def downgrade() -> None:
    op.drop_index(
        "uq_professionals_kvk_number",
        table_name="professionals",
        sqlite_where=sa.text(KVK_OWNED),
        postgresql_where=sa.text(KVK_OWNED),
    )
    op.execute("DELETE FROM qualification_documents WHERE expires_on IS NULL")
    with op.batch_alter_table("qualification_documents") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_qualification_documents_checked_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_qualification_documents_checked_by_id"))
        batch_op.drop_index(batch_op.f("ix_qualification_documents_status"))
        batch_op.drop_constraint(op.f("uq_qualification_documents_file_id"), type_="unique")
        batch_op.drop_constraint(op.f("ck_qualification_documents_size_bytes"), type_="check")
        batch_op.drop_constraint(op.f("ck_qualification_documents_document_status"), type_="check")
        batch_op.alter_column("expires_on", existing_type=sa.Date(), nullable=False)
        for column in (
            "rejection_reason",
            "checked_by_id",
            "checked_at",
            "sha256",
            "size_bytes",
            "content_type",
            "file_name",
            "file_id",
            "status",
        ):
            batch_op.drop_column(column)
