"""Importing role-book entries: matched by name within the municipality, checked and stored by the role book's
own service (``team.rolebook``)."""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import select

from swarm.domain.errors import N_, ValidationError
from swarm.persistence.models import Role, RoleSkill, Skill
from swarm.services.exchange.columns import CellProblem
from swarm.services.exchange.places import PlaceIndex, row_municipality
from swarm.services.exchange.report import ImportContext, Outcome, ParsedRow, RowResult, changed_headers
from swarm.services.exchange.skills import SkillIndex
from swarm.services.team.rolebook import RoleInput, check_role, create_role, update_role

FIELDS = {"name": "name", "skills": "skills", "purpose": "purpose", "responsibilities": "responsibilities"}


def check(context: ImportContext, rows: list[ParsedRow]) -> list[RowResult]:
    session = context.session
    places = PlaceIndex(session, context.scope.region_id)
    catalogue = SkillIndex(session)
    roles = {(role.municipality_id, role.name): role for role in session.exec(select(Role))}
    levels: dict[int, dict[str, int]] = defaultdict(dict)
    for role_id, code, level in session.exec(
        select(RoleSkill.role_id, Skill.code, RoleSkill.min_level).join(Skill, Skill.id == RoleSkill.skill_id)
    ):
        levels[role_id][code] = level
    seen: dict[tuple, int] = {}
    results = []
    for row in rows:
        label = row.get("name", "")
        municipality_id = row_municipality(context, row, places)
        skills = None
        if "skills" in row.values:
            try:
                skills = catalogue.levels(row.values["skills"])
            except CellProblem as problem:
                context.error(row, "skills", problem.message, **problem.params)
        if row.errors:
            results.append(RowResult(row.line, label, Outcome.ERROR, row.errors))
            continue
        existing = roles.get((municipality_id, label.strip()))

        def value(key: str, existing=existing, row=row):
            if key not in context.headers and existing is not None:
                return getattr(existing, key)
            return row.get(key, "")

        data = RoleInput(
            name=label,
            purpose=value("purpose"),
            responsibilities=value("responsibilities"),
            skills=skills if skills is not None else dict(levels.get(existing.id, {}) if existing else {}),
        )
        try:
            name, _skills = check_role(session, municipality_id, data, existing.id if existing else None)
        except ValidationError as error:
            context.service_error(row, error, FIELDS)
            results.append(RowResult(row.line, label, Outcome.ERROR, row.errors))
            continue
        key = (municipality_id, name)
        if key in seen:
            context.error(row, "name", N_("This role is also on line %(line)s."), line=seen[key])
            results.append(RowResult(row.line, label, Outcome.ERROR, row.errors))
            continue
        seen[key] = row.line
        if existing is None:
            results.append(RowResult(row.line, label, Outcome.NEW, payload=(municipality_id, None, data)))
            continue
        old = {"purpose": existing.purpose, "responsibilities": existing.responsibilities}
        new = {"purpose": data.purpose.strip(), "responsibilities": data.responsibilities.strip()}
        changed = changed_headers(context, old, new)
        if levels.get(existing.id, {}) != dict(data.skills):
            changed += (context.header("skills"),)
        outcome = Outcome.UPDATE if changed else Outcome.UNCHANGED
        results.append(
            RowResult(row.line, label, outcome, changed=changed, payload=(municipality_id, existing.id, data))
        )
    return results


def store(context: ImportContext, results: list[RowResult]) -> list[int]:
    stored = []
    for result in results:
        municipality_id, role_id, data = result.payload
        if result.outcome is Outcome.NEW:
            stored.append(create_role(context.session, municipality_id, data, actor=context.actor).id)
        elif result.outcome is Outcome.UPDATE:
            stored.append(update_role(context.session, role_id, data, actor=context.actor).id)
    return stored
