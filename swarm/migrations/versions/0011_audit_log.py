"""The audit log: ``audit_records``, append-only.

Who did what and when (login failures and lockouts, account changes, staff invitations, document checks, policy
changes, pins, solves, publications, declines and repairs, personal data exported or erased). No foreign keys: a
record outlives what it names. A trigger refuses every UPDATE on both databases; DELETE stays possible for the
retention purge (SWARM_AUDIT_RETENTION_DAYS).

Revision ID: 0011_audit_log
Revises: 0010_api_tokens_and_webhooks
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_audit_log"
down_revision: str | None = "0010_api_tokens_and_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of swarm.domain.enums.AuditKind at this revision (migrations never import the code they migrate).
AUDIT_KINDS = (
    "login_failed",
    "login_locked",
    "account_created",
    "account_switched_off",
    "account_switched_on",
    "password_changed",
    "staff_invited",
    "staff_invitation_resent",
    "document_approved",
    "document_rejected",
    "document_recorded",
    "policy_changed",
    "pin_set",
    "pin_removed",
    "solve_started",
    "solve_stopped",
    "round_published",
    "invitation_declined",
    "repair_published",
    "data_exported",
    "data_erased",
)
REFUSAL = "audit records are append-only"


def upgrade() -> None:
    op.create_table(
        "audit_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                *AUDIT_KINDS,
                name="audit_kind",
                native_enum=False,
                create_constraint=True,
                length=max(len(kind) for kind in AUDIT_KINDS),
            ),
            nullable=False,
        ),
        sa.Column("subject_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=True),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_records")),
    )
    with op.batch_alter_table("audit_records") as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_records_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_records_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_records_kind"), ["kind"], unique=False)
        batch_op.create_index("ix_audit_records_region_id_at", ["region_id", "at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_records_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_records_append_only BEFORE UPDATE ON audit_records "
            "FOR EACH ROW EXECUTE FUNCTION audit_records_refuse_update()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_records_append_only BEFORE UPDATE ON audit_records "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        )


def downgrade() -> None:
    op.execute(
        "DROP TRIGGER IF EXISTS audit_records_append_only"
        + (" ON audit_records" if op.get_bind().dialect.name == "postgresql" else "")
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_records_refuse_update()")
    op.drop_table("audit_records")
