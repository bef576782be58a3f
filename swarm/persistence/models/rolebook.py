"""A municipality's role book (rollenboek): roles with a purpose and the skills they need."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from swarm.persistence.columns import created, fk, id_field


class Role(SQLModel, table=True):
    __tablename__ = "roles"
    __table_args__ = (sa.UniqueConstraint("municipality_id", "name"),)

    id: int | None = id_field()
    municipality_id: int = fk("municipalities.id")
    name: str = Field(max_length=120)
    purpose: str = Field(default="", sa_type=sa.Text)
    responsibilities: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = created()


class RoleSkill(SQLModel, table=True):
    __tablename__ = "role_skills"
    __table_args__ = (
        sa.UniqueConstraint("role_id", "skill_id"),
        sa.CheckConstraint("min_level BETWEEN 1 AND 3", name="min_level"),
    )

    id: int | None = id_field()
    role_id: int = fk("roles.id")
    skill_id: int = fk("skills.id", ondelete="RESTRICT")
    min_level: int = Field(default=1)
