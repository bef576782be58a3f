"""Projects staffed from the flexible shell: roles over ISO weeks, the team, the coordinator's adjustments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, select

from swarm.domain.actors import Actor
from swarm.domain.enums import AssignmentStatus, ProjectStance, SolveKind
from swarm.domain.errors import N_, ValidationError
from swarm.domain.reasons import CHOSEN_BY_COORDINATOR, reason
from swarm.domain.rules import require_level, require_range, require_role_weeks, require_text
from swarm.domain.timeutil import Clock, iso_weeks_between, system_clock
from swarm.persistence.models import (
    Assignment,
    Municipality,
    Professional,
    Project,
    ProjectPreference,
    ProjectRole,
    Role,
    Skill,
    SolveRun,
    SwarmRequest,
)
from swarm.services.lookup import get, place_for_field, skills_by_code


@dataclass(frozen=True)
class ProjectRoleInput:
    name: str
    skill: str  # skill code
    hours_per_week: int
    first_week: str  # 2027-W03
    last_week: str
    min_level: int = 1
    role_id: int | None = None  # the role-book entry it comes from


@dataclass(frozen=True)
class ProjectInput:
    municipality_id: int
    title: str
    place_id: int | None  # where the work is; from the list of places
    description: str = ""
    budget: int | None = None
    origin_request_id: int | None = None


def _check_role(session: Session, municipality_id: int, data: ProjectRoleInput, field: str) -> int:
    require_text(data.name, f"{field}.name", max_length=120)
    require_level(data.min_level, f"{field}.min_level")
    require_range(data.hours_per_week, f"{field}.hours_per_week", minimum=1, maximum=80)
    require_role_weeks(data.first_week, data.last_week, field)
    if data.role_id is not None and get(session, Role, data.role_id).municipality_id != municipality_id:
        raise ValidationError(f"{field}.role_id", N_("Pick a role from your own role book."))
    return skills_by_code(session, [data.skill], f"{field}.skill")[data.skill].id


def create_project(
    session: Session,
    data: ProjectInput,
    roles: Sequence[ProjectRoleInput] = (),
    *,
    actor: Actor,
    clock: Clock = system_clock,
) -> Project:
    municipality = get(session, Municipality, data.municipality_id)
    actor.require_municipality(municipality.id)
    title = require_text(data.title, "title")
    if data.budget is not None:
        require_range(data.budget, "budget", minimum=0, maximum=100_000_000)
    place = place_for_field(session, data.place_id, "place_id")
    origin = data.origin_request_id
    if origin is not None and get(session, SwarmRequest, origin).municipality_id != municipality.id:
        raise ValidationError("origin_request_id", N_("Pick a question of your own municipality."))
    skill_ids = [_check_role(session, municipality.id, role, f"roles[{i}]") for i, role in enumerate(roles)]
    project = Project(
        municipality_id=municipality.id,
        origin_request_id=data.origin_request_id,
        title=title,
        description=data.description.strip(),
        budget=data.budget,
        location_name=place.name,
        lat=place.lat,
        lon=place.lon,
        created_by_id=actor.user_id,
        created_at=clock(),
    )
    session.add(project)
    session.flush()
    for role, skill_id in zip(roles, skill_ids, strict=True):
        session.add(_role_row(project.id, role, skill_id))
    session.flush()
    return project


def _role_row(project_id: int, data: ProjectRoleInput, skill_id: int) -> ProjectRole:
    return ProjectRole(
        project_id=project_id,
        role_id=data.role_id,
        name=data.name.strip(),
        skill_id=skill_id,
        min_level=data.min_level,
        hours_per_week=data.hours_per_week,
        first_week=data.first_week,
        last_week=data.last_week,
    )


def set_project_preference(
    session: Session,
    project_id: int,
    professional_id: int,
    stance: ProjectStance | None,
    *,
    reason: str = "",
    actor: Actor,
) -> ProjectPreference | None:
    """Mark a professional preferred or excluded for the project's team proposal; None clears the mark."""
    project = get(session, Project, project_id)
    actor.require_municipality(project.municipality_id)
    get(session, Professional, professional_id)
    row = session.exec(
        select(ProjectPreference).where(
            ProjectPreference.project_id == project_id, ProjectPreference.professional_id == professional_id
        )
    ).first()
    if stance is None:
        if row is not None:
            session.delete(row)
            session.flush()
        return None
    row = row or ProjectPreference(project_id=project_id, professional_id=professional_id)
    row.stance, row.reason = ProjectStance(stance), reason.strip()
    session.add(row)
    session.flush()
    return row


def assign_professional(
    session: Session, project_role_id: int, professional_id: int | None, *, actor: Actor
) -> Assignment | None:
    """The coordinator's adjustment: put someone in a role and pin them (kept on the next proposal), or clear it."""
    role = get(session, ProjectRole, project_role_id)
    actor.require_municipality(get(session, Project, role.project_id).municipality_id)
    current = session.exec(select(Assignment).where(Assignment.project_role_id == role.id)).first()
    if professional_id is None:
        if current is not None:
            session.delete(current)
            session.flush()
        return None
    get(session, Professional, professional_id)
    same_project = session.exec(
        select(Assignment.id)
        .join(ProjectRole, ProjectRole.id == Assignment.project_role_id)
        .where(
            ProjectRole.project_id == role.project_id,
            Assignment.professional_id == professional_id,
            Assignment.project_role_id != role.id,
        )
    ).first()
    if same_project is not None:
        raise ValidationError(
            "professional_id", N_("This professional already has another role in the project.")
        )
    row = current or Assignment(project_role_id=role.id, professional_id=professional_id)
    row.professional_id = professional_id
    row.pinned = True
    row.status = AssignmentStatus.PROPOSED
    row.reasons = [reason(CHOSEN_BY_COORDINATOR)]
    session.add(row)
    session.flush()
    return row


def accept_team(
    session: Session, project_id: int, *, actor: Actor, clock: Clock = system_clock
) -> list[Assignment]:
    """The coordinator accepts the proposal: every assignment of the project becomes accepted."""
    project = get(session, Project, project_id)
    actor.require_municipality(project.municipality_id)
    rows = list(
        session.exec(
            select(Assignment)
            .join(ProjectRole, ProjectRole.id == Assignment.project_role_id)
            .where(ProjectRole.project_id == project.id)
        )
    )
    if not rows:
        raise ValidationError("assignments", N_("There is no team to accept yet."))
    now = clock()
    for row in rows:
        row.status, row.accepted_at = AssignmentStatus.ACCEPTED, row.accepted_at or now
        session.add(row)
    project.team_accepted_at = now
    session.add(project)
    session.flush()
    return rows


# -- reads for the pages --------------------------------------------------------------------------------------


def projects_of(session: Session, municipality_id: int) -> list[Project]:
    return list(
        session.exec(
            select(Project)
            .where(Project.municipality_id == municipality_id)
            .order_by(Project.created_at.desc())
        )
    )


def project_roles(
    session: Session, project_id: int
) -> list[tuple[ProjectRole, Skill, Assignment | None, Professional | None]]:
    rows = session.exec(
        select(ProjectRole, Skill, Assignment, Professional)
        .join(Skill, Skill.id == ProjectRole.skill_id)
        .join(Assignment, Assignment.project_role_id == ProjectRole.id, isouter=True)
        .join(Professional, Professional.id == Assignment.professional_id, isouter=True)
        .where(ProjectRole.project_id == project_id)
        .order_by(ProjectRole.id)
    )
    return list(rows.all())


def assignments_of(session: Session, professional_id: int) -> list[tuple[Assignment, ProjectRole, Project]]:
    rows = session.exec(
        select(Assignment, ProjectRole, Project)
        .join(ProjectRole, ProjectRole.id == Assignment.project_role_id)
        .join(Project, Project.id == ProjectRole.project_id)
        .where(Assignment.professional_id == professional_id)
        .order_by(ProjectRole.first_week)
    ).all()
    return list(rows)


def latest_team_run(session: Session, project_id: int) -> SolveRun | None:
    """The newest team proposal (flexible-shell solve) that included this project."""
    runs = session.exec(
        select(SolveRun)
        .where(SolveRun.kind == SolveKind.SHELL)
        .order_by(SolveRun.queued_at.desc(), SolveRun.id.desc())
        .limit(50)
    )
    return next((run for run in runs if project_id in (run.parameters or {}).get("project_ids", [])), None)


def team_chart(rows, budget: int | None) -> dict:
    """Week-by-week: who holds which role, the hours, and the cost per week and in total against the budget."""
    weeks = sorted({week for role, *_ in rows for week in iso_weeks_between(role.first_week, role.last_week)})
    lines, cost_per_week, total = [], dict.fromkeys(weeks, 0), 0
    for role, _skill, assignment, person in rows:
        active = set(iso_weeks_between(role.first_week, role.last_week))
        rate = person.hourly_rate if person else 0
        for week in active:
            cost_per_week[week] += role.hours_per_week * rate
        cost = role.hours_per_week * rate * len(active)
        total += cost
        lines.append(
            {"role": role, "person": person, "assignment": assignment, "active": active, "cost": cost}
        )
    return {"weeks": weeks, "lines": lines, "cost_per_week": cost_per_week, "total": total, "budget": budget}


def project_for(session: Session, project_id: int, *, actor: Actor) -> Project:
    """A project, for its municipality's coordinator."""
    project = get(session, Project, project_id)
    actor.require_municipality(project.municipality_id)
    return project
