"""User accounts: one role each, tied to exactly the municipality, professional or region it acts for."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from swarm.domain.enums import UserRole
from swarm.persistence.columns import created, enum_type, fk, id_field, when

_ONE_SCOPE = (
    "(role = 'coordinator' AND municipality_id IS NOT NULL AND professional_id IS NULL AND region_id IS NULL)"
    " OR (role = 'professional' AND professional_id IS NOT NULL AND municipality_id IS NULL AND region_id IS NULL)"
    " OR (role = 'organizer' AND region_id IS NOT NULL AND municipality_id IS NULL AND professional_id IS NULL)"
)


class User(SQLModel, table=True):
    """A login. ``session_version`` is part of every login session: raising it signs the user out everywhere."""

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
