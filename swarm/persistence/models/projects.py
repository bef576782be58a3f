"""Projects staffed from the flexible shell: roles over ISO weeks, budget, and the team (assignments)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from swarm.domain.enums import AssignmentStatus, ProjectStance
from swarm.persistence.columns import created, enum_type, fk, id_field, when


class Project(SQLModel, table=True):
    __tablename__ = "projects"
    __table_args__ = (sa.CheckConstraint("budget IS NULL OR budget >= 0", name="budget"),)

    id: int | None = id_field()
    municipality_id: int = fk("municipalities.id")
    origin_request_id: int | None = fk("swarm_requests.id", nullable=True, ondelete="SET NULL")
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=sa.Text)
    budget: int | None = None  # whole euros; None: no budget limit
    location_name: str = Field(default="", max_length=200)
    lat: float
    lon: float
    created_by_id: int | None = fk("users.id", nullable=True, ondelete="SET NULL")
    created_at: datetime = created()
    team_accepted_at: datetime | None = when()


class ProjectRole(SQLModel, table=True):
    """A role to fill for a span of ISO weeks by one professional (or left unfilled)."""

    __tablename__ = "project_roles"
    __table_args__ = (
        sa.CheckConstraint("min_level BETWEEN 1 AND 3", name="min_level"),
        sa.CheckConstraint("hours_per_week > 0", name="hours_per_week"),
    )

    id: int | None = id_field()
    project_id: int = fk("projects.id")
    role_id: int | None = fk("roles.id", nullable=True, ondelete="SET NULL")  # the role-book entry, if any
    name: str = Field(max_length=120)
    skill_id: int = fk("skills.id", ondelete="RESTRICT")
    min_level: int = 1
    hours_per_week: int
    first_week: str = Field(max_length=8)  # 2027-W03
    last_week: str = Field(max_length=8)


class ProjectPreference(SQLModel, table=True):
    """A coordinator's mark on a professional for a project: preferred (e.g. met at the swarm) or excluded."""

    __tablename__ = "project_preferences"
    __table_args__ = (sa.UniqueConstraint("project_id", "professional_id"),)

    id: int | None = id_field()
    project_id: int = fk("projects.id")
    professional_id: int = fk("professionals.id")
    stance: ProjectStance = Field(sa_type=enum_type(ProjectStance))
    reason: str = Field(default="", max_length=500)


class Assignment(SQLModel, table=True):
    """A professional in a project role: proposed by the shell engine (or the coordinator), then accepted.

    One per role; ``pinned`` ones are kept when the proposal is run again.
    """

    __tablename__ = "assignments"

    id: int | None = id_field()
    project_role_id: int = Field(foreign_key="project_roles.id", unique=True, ondelete="CASCADE")
    professional_id: int = fk("professionals.id")
    status: AssignmentStatus = Field(
        default=AssignmentStatus.PROPOSED, sa_type=enum_type(AssignmentStatus), index=True
    )
    pinned: bool = False
    solve_run_id: int | None = fk("solve_runs.id", nullable=True, ondelete="SET NULL")
    reasons: list = Field(default_factory=list, sa_type=sa.JSON)
    created_at: datetime = created()
    accepted_at: datetime | None = when()
