"""Administrators, one-time account links, login throttling, confirmed e-mail addresses, a venue's place.

- ``users.role`` may be ``administrator`` (scope: none), so the role column and both of its checks change;
- ``users.email_confirmed_at``: accounts that exist are confirmed as of their creation (they were usable before);
- ``account_tokens``: invitation, password reset and e-mail confirmation links (hash only);
- ``login_throttles``: attempts per account and per client address;
- ``venues.place_id``: the place a venue was given from the list, so its form can show it again.

Revision ID: 0006_administrator_and_links
Revises: 0005_reasons_code_and_facts
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_administrator_and_links"
down_revision: str | None = "0005_reasons_code_and_facts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("coordinator", "professional", "organizer")
SCOPES = (
    "(role = 'coordinator' AND municipality_id IS NOT NULL AND professional_id IS NULL AND region_id IS NULL)"
    " OR (role = 'professional' AND professional_id IS NOT NULL AND municipality_id IS NULL AND region_id IS NULL)"
    " OR (role = 'organizer' AND region_id IS NOT NULL AND municipality_id IS NULL AND professional_id IS NULL)"
)
ADMINISTRATOR_SCOPE = " OR (role = 'administrator' AND region_id IS NULL AND municipality_id IS NULL AND professional_id IS NULL)"


def _role_type(roles: Sequence[str]) -> sa.Enum:
    return sa.Enum(
        *roles,
        name="user_role",
        native_enum=False,
        create_constraint=True,
        length=max(len(role) for role in roles),
    )


def _users(roles: Sequence[str], scopes: str) -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_constraint(op.f("ck_users_one_scope"), type_="check")
        batch_op.drop_constraint(op.f("ck_users_user_role"), type_="check")
        batch_op.alter_column(
            "role",
            existing_type=sa.String(length=12),
            type_=sa.String(length=max(len(role) for role in roles)),
            existing_nullable=False,
        )
        batch_op.create_check_constraint(op.f("ck_users_user_role"), sa.column("role").in_(roles))
        batch_op.create_check_constraint(op.f("ck_users_one_scope"), sa.text(scopes))


def upgrade() -> None:
    _users((*ROLES, "administrator"), SCOPES + ADMINISTRATOR_SCOPE)
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("email_confirmed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE users SET email_confirmed_at = created_at")

    op.create_table(
        "account_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "invite",
                "reset",
                "confirm",
                name="token_purpose",
                native_enum=False,
                create_constraint=True,
                length=7,
            ),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_account_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_tokens_token_hash")),
    )
    with op.batch_alter_table("account_tokens") as batch_op:
        batch_op.create_index(batch_op.f("ix_account_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "login_throttles",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_login_throttles")),
    )
    with op.batch_alter_table("login_throttles") as batch_op:
        batch_op.create_index(batch_op.f("ix_login_throttles_locked_until"), ["locked_until"], unique=False)

    with op.batch_alter_table("venues") as batch_op:
        batch_op.add_column(sa.Column("place_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_venues_place_id"), ["place_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_venues_place_id_places"), "places", ["place_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("venues") as batch_op:
        batch_op.drop_constraint(op.f("fk_venues_place_id_places"), type_="foreignkey")
        batch_op.drop_index(op.f("ix_venues_place_id"))
        batch_op.drop_column("place_id")
    op.drop_table("login_throttles")
    op.drop_table("account_tokens")
    # An administrator has no scope the earlier schema can hold: such accounts go.
    op.execute("DELETE FROM users WHERE role = 'administrator'")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("email_confirmed_at")
    _users(ROLES, SCOPES)
