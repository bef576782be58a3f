"""User accounts: one role each, tied to exactly the municipality, professional or region it acts for (an
administrator acts for none); their one-time links; login throttling."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from swarm.domain.enums import TokenPurpose, UserRole
from swarm.persistence.columns import UTCDateTime, created, enum_type, fk, id_field, when

_ONE_SCOPE = (
    "(role = 'coordinator' AND municipality_id IS NOT NULL AND professional_id IS NULL AND region_id IS NULL)"
    " OR (role = 'professional' AND professional_id IS NOT NULL AND municipality_id IS NULL AND region_id IS NULL)"
    " OR (role = 'organizer' AND region_id IS NOT NULL AND municipality_id IS NULL AND professional_id IS NULL)"
    " OR (role = 'administrator' AND region_id IS NULL AND municipality_id IS NULL AND professional_id IS NULL)"
)


class User(SQLModel, table=True):
    """A login. ``session_version`` is part of every login session: raising it signs the user out everywhere.

    ``password_hash`` is empty until an invited staff member sets a password (or for good, with single sign-on).
    ``email_confirmed_at``: a self-registered professional cannot log in nor be invited before it is set.
    """

    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint(_ONE_SCOPE, name="one_scope"),)

    id: int | None = id_field()
    email: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=300)
    name: str = Field(default="", max_length=200)
    role: UserRole = Field(sa_type=enum_type(UserRole))
    municipality_id: int | None = fk("municipalities.id", nullable=True)
    professional_id: int | None = Field(
        default=None, foreign_key="professionals.id", unique=True, nullable=True, ondelete="CASCADE"
    )
    region_id: int | None = fk("regions.id", nullable=True)
    locale: str = Field(default="nl", max_length=8)
    session_version: int = 1
    active: bool = True
    created_at: datetime = created()
    last_login_at: datetime | None = when()
    email_confirmed_at: datetime | None = when()


class AccountToken(SQLModel, table=True):
    """A one-time link sent by mail: only the SHA-256 of its secret is stored; used once, then ``used_at``."""

    __tablename__ = "account_tokens"

    id: int | None = id_field()
    user_id: int = fk("users.id")
    purpose: TokenPurpose = Field(sa_type=enum_type(TokenPurpose))
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = created()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = when()


class LoginThrottle(SQLModel, table=True):
    """Counted attempts of one account or one client address (a hash of it, never the address itself)."""

    __tablename__ = "login_throttles"

    key_hash: str = Field(max_length=64, primary_key=True)
    attempts: int = 0
    window_started_at: datetime = Field(sa_type=UTCDateTime)
    locked_until: datetime | None = when(index=True)
