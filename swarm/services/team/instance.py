"""Rows -> ``shell-instance/1`` for a set of projects, and ``shell-plan/1`` -> proposed assignments.

Ids: projects ``project-<id>``, roles ``role-<id>`` (unique across projects), professionals ``p-<id>``.
Pinned or accepted assignments go in as ``pins``; other current proposals as ``previous``, so that a new
proposal changes only what it must.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from solver.formats import SHELL_INSTANCE, SHELL_PLAN
from swarm.domain.enums import AssignmentStatus, ProjectStance
from swarm.domain.errors import N_, ValidationError
from swarm.domain.reasons import reason
from swarm.domain.refs import parse_ref, professional_ref, project_ref, role_ref
from swarm.domain.rules import qualification_on
from swarm.domain.timeutil import Clock, iso_week, iso_weeks_between, parse_iso_week, system_clock
from swarm.persistence.models import (
    Assignment,
    Municipality,
    Professional,
    ProfessionalSkill,
    Project,
    ProjectPreference,
    ProjectRole,
    Region,
    Skill,
    WeekCapacity,
)
from swarm.services.lookup import approved_documents, unconfirmed_professionals


def existing_projects(session: Session, project_ids: Sequence[int]) -> list[Project]:
    """The projects with these ids, by id; a field error when one of them does not exist."""
    projects = list(
        session.exec(select(Project).where(Project.id.in_(list(project_ids))).order_by(Project.id))
    )
    if not projects or len(projects) != len(set(project_ids)):
        raise ValidationError("project_ids", N_("Pick existing projects."))
    return projects


def region_of_projects(session: Session, projects: Sequence[Project]) -> Region:
    """The one region of these projects' municipalities; a field error when they lie in several."""
    regions = set(
        session.exec(
            select(Municipality.region_id).where(Municipality.id.in_([p.municipality_id for p in projects]))
        )
    )
    if len(regions) != 1:
        raise ValidationError("project_ids", N_("Pick projects of one region."))
    return session.get(Region, regions.pop())


def _projects(session: Session, project_ids: Sequence[int]) -> tuple[list[Project], Region]:
    projects = existing_projects(session, project_ids)
    return projects, region_of_projects(session, projects)


NO_ROLES = N_("The projects have no roles to fill yet.")
RESULT_DOES_NOT_FIT = N_("The planner's result does not fit: %(problem)s")


def require_roles(session: Session, project_ids: Sequence[int]) -> None:
    """A field error when none of the projects has a role (one cheap query: a web request asks it)."""
    if (
        session.exec(select(ProjectRole.id).where(ProjectRole.project_id.in_(list(project_ids)))).first()
        is None
    ):
        raise ValidationError("roles", NO_ROLES)


def build_shell_instance(session: Session, project_ids: Sequence[int]) -> dict:
    """The projects' roles and the region's professionals who could fill one of them, as ``shell-instance/1``.

    Capacity per week is the professional's hours (or their ``WeekCapacity``) minus the hours of accepted roles
    in other projects; ``qualified`` is judged on the Monday of the first week; ``recent_assignments`` counts
    accepted roles of other projects that ended within the region's history window before that Monday.
    """
    projects, region = _projects(session, project_ids)
    ids = [p.id for p in projects]
    roles = list(
        session.exec(select(ProjectRole).where(ProjectRole.project_id.in_(ids)).order_by(ProjectRole.id))
    )
    if not roles:
        raise ValidationError("roles", NO_ROLES)
    codes = {s.id: s.code for s in session.exec(select(Skill))}
    first = min(parse_iso_week(r.first_week) for r in roles)
    last = max(parse_iso_week(r.last_week) for r in roles)
    weeks = iso_weeks_between(iso_week(first), iso_week(last))

    marks = defaultdict(lambda: {ProjectStance.PREFERRED: [], ProjectStance.EXCLUDED: []})
    for mark in session.exec(select(ProjectPreference).where(ProjectPreference.project_id.in_(ids))):
        marks[mark.project_id][ProjectStance(mark.stance)].append(professional_ref(mark.professional_id))
    current = list(
        session.exec(select(Assignment).where(Assignment.project_role_id.in_([r.id for r in roles])))
    )
    named = {parse_ref(ref, "p") for m in marks.values() for refs in m.values() for ref in refs}
    named |= {a.professional_id for a in current}
    chosen = _candidates(session, region, roles, named)
    municipalities = {m.id: m.name for m in session.exec(select(Municipality))}
    document = {
        "format": SHELL_INSTANCE,
        "id": f"{region.slug}-projects-{'-'.join(str(i) for i in ids)}",
        "weeks": weeks,
        "weights": region.shell_weight_values(),
        "projects": [
            _project(p, municipalities, marks[p.id], [r for r in roles if r.project_id == p.id], codes)
            for p in projects
        ],
        "professionals": _professionals(session, region, chosen, ids, weeks, first, codes),
    }
    known = {p["id"] for p in document["professionals"]}
    for item in document[
        "projects"
    ]:  # marks on people outside the instance (erased, moved away) would not resolve
        item["excluded"] = [ref for ref in item["excluded"] if ref in known]
        item["preferred"] = [ref for ref in item["preferred"] if ref in known]
    pins = [a for a in current if (a.pinned or a.status == AssignmentStatus.ACCEPTED)]
    proposals = [a for a in current if a not in pins]
    document["pins"] = [
        {"role": role_ref(a.project_role_id), "professional": professional_ref(a.professional_id)}
        for a in pins
        if professional_ref(a.professional_id) in known
    ]
    if proposals:
        document["previous"] = {
            "format": SHELL_PLAN,
            "assignments": [
                {"role": role_ref(a.project_role_id), "professional": professional_ref(a.professional_id)}
                for a in proposals
            ],
        }
    return document


def _project(
    project: Project, municipalities: dict, marks: dict, roles: list[ProjectRole], codes: dict
) -> dict:
    item = {
        "id": project_ref(project.id),
        "municipality": municipalities[project.municipality_id],
        "title": project.title,
        "lat": project.lat,
        "lon": project.lon,
        "excluded": sorted(marks[ProjectStance.EXCLUDED]),
        "preferred": sorted(marks[ProjectStance.PREFERRED]),
        "roles": [
            {
                "id": role_ref(r.id),
                "name": r.name,
                "skill": codes[r.skill_id],
                "min_level": r.min_level,
                "hours_per_week": r.hours_per_week,
                "first_week": r.first_week,
                "last_week": r.last_week,
            }
            for r in roles
        ],
    }
    if project.budget is not None:
        item["budget"] = project.budget
    return item


def _candidates(
    session: Session, region: Region, roles: list[ProjectRole], named: set[int]
) -> sa.ColumnElement:
    """Professionals of the region with a role's skill at its level (nobody else could be assigned), plus the named.

    A condition, not a list of ids: a region may hold tens of thousands of people.
    """
    lowest: dict[int, int] = {}  # per skill the lowest level a role asks: one term per skill, not per role
    for role in roles:  # (a term per role made SQLite refuse a project of 1,000 roles: expression too deep)
        lowest[role.skill_id] = min(role.min_level, lowest.get(role.skill_id, role.min_level))
    fits = sa.or_(
        *(
            sa.and_(ProfessionalSkill.skill_id == skill_id, ProfessionalSkill.level >= level)
            for skill_id, level in sorted(lowest.items())
        )
    )
    skilled = select(ProfessionalSkill.professional_id).where(fits)
    return sa.and_(
        Professional.region_id == region.id,
        Professional.anonymised_at.is_(None),
        Professional.lat.is_not(None),
        Professional.id.not_in(unconfirmed_professionals()),
        sa.or_(Professional.id.in_(skilled), Professional.id.in_(sorted(named))),
    )


def _professionals(session, region, chosen, project_ids, weeks, first_monday, codes) -> list[dict]:
    people = list(session.exec(select(Professional).where(chosen).order_by(Professional.id)))
    ids = select(Professional.id).where(chosen)
    skills = defaultdict(dict)
    for row in session.exec(select(ProfessionalSkill).where(ProfessionalSkill.professional_id.in_(ids))):
        skills[row.professional_id][codes[row.skill_id]] = row.level
    documents = approved_documents(session, ids)
    own_weeks = defaultdict(dict)
    for row in session.exec(select(WeekCapacity).where(WeekCapacity.professional_id.in_(ids))):
        own_weeks[row.professional_id][row.week] = row.hours
    committed = defaultdict(lambda: defaultdict(int))
    recent = defaultdict(int)
    since = first_monday - timedelta(weeks=region.shell_history_weeks)
    elsewhere = session.exec(
        select(Assignment, ProjectRole)
        .join(ProjectRole, ProjectRole.id == Assignment.project_role_id)
        .where(
            Assignment.professional_id.in_(ids),
            Assignment.status == AssignmentStatus.ACCEPTED,
            ProjectRole.project_id.not_in(list(project_ids)),
        )
    )
    week_set = set(weeks)
    for assignment, role in elsewhere:
        for week in iso_weeks_between(role.first_week, role.last_week):
            if week in week_set:
                committed[assignment.professional_id][week] += role.hours_per_week
        if since <= parse_iso_week(role.last_week) < first_monday:
            recent[assignment.professional_id] += 1
    result = []
    for person in people:
        capacity = {}
        for week in weeks:
            hours = own_weeks[person.id].get(week, person.hours_per_week) - committed[person.id][week]
            if hours != person.hours_per_week:
                capacity[week] = max(0, hours)
        qualified = qualification_on(
            first_monday, documents.get(person.id, []), agreement_signed_on=person.agreement_signed_on
        ).qualified
        result.append(
            {
                "id": professional_ref(person.id),  # no name: the solver needs none, the web looks it up
                "lat": person.lat,
                "lon": person.lon,
                "max_travel_km": person.travel_radius_km,
                "skills": dict(sorted(skills[person.id].items())),
                "hourly_rate": person.hourly_rate,
                "hours_per_week": person.hours_per_week,
                "capacity": capacity,
                "qualified": qualified,
                "recent_assignments": recent[person.id],
            }
        )
    return result


def store_shell_plan(
    session: Session,
    project_ids: Sequence[int],
    document: dict,
    *,
    solve_run_id: int | None = None,
    clock: Clock = system_clock,
) -> list[Assignment]:
    """The plan's assignments become proposals; pinned and accepted assignments stay as they are."""
    projects, _ = _projects(session, project_ids)
    if not isinstance(document, dict) or document.get("format") != SHELL_PLAN:
        raise ValidationError("result", RESULT_DOES_NOT_FIT, problem=f'format: expected "{SHELL_PLAN}"')
    roles = {
        r.id: r
        for r in session.exec(select(ProjectRole).where(ProjectRole.project_id.in_([p.id for p in projects])))
    }
    planned: dict[int, tuple[int, list]] = {}
    for i, item in enumerate(document.get("assignments") or []):
        role_id, person_id = (
            parse_ref(item.get("role", ""), "role"),
            parse_ref(item.get("professional", ""), "p"),
        )
        if role_id not in roles:
            raise ValidationError(
                "result",
                RESULT_DOES_NOT_FIT,
                problem=f'assignments[{i}].role: unknown role "{item.get("role")}"',
            )
        if person_id is None or session.get(Professional, person_id) is None:
            raise ValidationError(
                "result",
                RESULT_DOES_NOT_FIT,
                problem=f'assignments[{i}].professional: unknown "{item.get("professional")}"',
            )
        planned[role_id] = (person_id, _stored_reasons(item))
    current = {
        a.project_role_id: a
        for a in session.exec(select(Assignment).where(Assignment.project_role_id.in_(list(roles))))
    }
    kept = {r for r, a in current.items() if a.pinned or a.status == AssignmentStatus.ACCEPTED}
    for role_id, assignment in current.items():
        if role_id not in kept:
            session.delete(assignment)
    session.flush()
    now = clock()
    stored = [current[r] for r in sorted(kept)]
    for role_id, (person_id, reasons) in sorted(planned.items()):
        if role_id in kept:
            continue
        row = Assignment(
            project_role_id=role_id,
            professional_id=person_id,
            solve_run_id=solve_run_id,
            reasons=reasons,
            created_at=now,
        )
        session.add(row)
        stored.append(row)
    session.flush()
    return stored


def _stored_reasons(item: dict) -> list[dict]:
    """An assignment's reasons as stored: code, facts and the engine's English ``text`` each, so the web can
    word them in the reader's language and fall back on the English for a code it does not know. A plan
    without ``reason_details`` gives its sentences with no code."""
    sentences = [str(s) for s in item.get("reasons") or []]
    details = item.get("reason_details")
    if not isinstance(details, list) or len(details) != len(sentences):
        details = [None] * len(sentences)
    return [
        reason(str(d.get("code", "")), text, **dict(d.get("facts") or {}))
        if isinstance(d, dict)
        else reason("", text)
        for d, text in zip(details, sentences, strict=True)
    ]
