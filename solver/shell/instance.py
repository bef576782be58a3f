"""The ``shell-instance/1`` format as frozen dataclasses, validated with JSON paths.

Every check names the place of the problem (``projects[2].roles[0].first_week: unknown week "x"``).
Extensions beyond the spec (``pins``, ``previous``, ``weights.change``) are read here too; see
docs/solver-shell.md.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from solver.formats import (
    SHELL_INSTANCE,
    SHELL_PLAN,
    SHELL_WEIGHTS,
    At,
    as_bool,
    as_int,
    as_list,
    as_number,
    as_object,
    as_string,
    read_header,
    reference,
    unique_ids,
)
from solver.formats import (
    field as json_field,
)
from solver.shell.rules import pair_problem, plan_problems

DEFAULT_WEIGHTS = SHELL_WEIGHTS  # declared with the formats (``change`` is our extension)
LEVELS = (1, 2, 3)


@dataclass(frozen=True)
class Weights:
    filled_hour: int = DEFAULT_WEIGHTS["filled_hour"]
    euro: int = DEFAULT_WEIGHTS["euro"]
    level: int = DEFAULT_WEIGHTS["level"]
    preferred: int = DEFAULT_WEIGHTS["preferred"]
    travel_km: int = DEFAULT_WEIGHTS["travel_km"]
    fairness: int = DEFAULT_WEIGHTS["fairness"]
    change: int = DEFAULT_WEIGHTS["change"]


@dataclass(frozen=True)
class Role:
    id: str
    project: int  # index into ShellInstance.projects
    skill: str
    min_level: int
    hours_per_week: int
    first: int  # index into ShellInstance.weeks
    last: int

    @property
    def weeks(self) -> int:
        return self.last - self.first + 1

    @property
    def hours(self) -> int:
        """``H`` of the spec: hours per week times the number of weeks the role runs."""
        return self.hours_per_week * self.weeks


@dataclass(frozen=True)
class Project:
    id: str
    municipality: str
    title: str
    lat: float
    lon: float
    budget: int | None
    excluded: frozenset[str]
    preferred: frozenset[str]
    roles: tuple[int, ...]  # indexes into ShellInstance.roles


@dataclass(frozen=True)
class Professional:
    id: str
    name: str
    lat: float
    lon: float
    max_travel_km: float | None
    skills: Mapping[str, int]
    hourly_rate: int
    hours_per_week: int
    capacity: tuple[int, ...]  # hours per entry of ShellInstance.weeks
    qualified: bool
    recent_assignments: int


@dataclass(frozen=True)
class Pair:
    """A (role, professional) pair by index, used for pins and previous assignments."""

    role: int
    professional: int
    keep: int = 0  # weight for keeping a previous assignment (``previous`` only)


@dataclass(frozen=True)
class ShellInstance:
    id: str
    weeks: tuple[str, ...]
    weights: Weights
    projects: tuple[Project, ...]
    roles: tuple[Role, ...]
    professionals: tuple[Professional, ...]
    pins: tuple[Pair, ...] = ()
    previous: tuple[Pair, ...] = ()
    # the keep weights of previous assignments whose role or professional left the instance: always lost
    gone_penalty: int = 0
    role_index: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    professional_index: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)
    # how long parse_instance took: the plan document takes about as long again, and both count against
    # a caller's time limit (solve.py keeps that much back)
    parse_seconds: float = field(default=0.0, compare=False, repr=False)


def parse_instance(document: Any) -> ShellInstance:
    """Validate a ``shell-instance/1`` document; raises :class:`solver.formats.InvalidInstance`."""
    started = time.perf_counter()
    root = At()
    doc, ident = read_header(document, SHELL_INSTANCE)

    weeks_raw, weeks_at = json_field(doc, "weeks", root)
    weeks = tuple(as_string(w, weeks_at.index(i)) for i, w in enumerate(as_list(weeks_raw, weeks_at)))
    week_index: dict[str, int] = {}
    for i, week in enumerate(weeks):
        if week in week_index:
            weeks_at.index(i).fail(f'duplicate week "{week}"')
        week_index[week] = i

    weights = _weights(doc, root)

    pros_raw, pros_at = json_field(doc, "professionals", root)
    pros_list = [as_object(p, pros_at.index(i)) for i, p in enumerate(as_list(pros_raw, pros_at))]
    pro_ids = unique_ids(pros_list, pros_at)
    professionals = tuple(
        _professional(p, pros_at.index(i), week_index, len(weeks)) for i, p in enumerate(pros_list)
    )
    pro_index = {pid: i for i, pid in enumerate(pro_ids)}

    projects_raw, projects_at = json_field(doc, "projects", root)
    project_list = [
        as_object(p, projects_at.index(i)) for i, p in enumerate(as_list(projects_raw, projects_at))
    ]
    unique_ids(project_list, projects_at)
    projects: list[Project] = []
    roles: list[Role] = []
    role_ids: set[str] = set()
    for j, raw in enumerate(project_list):
        at = projects_at.index(j)
        roles_raw, roles_at = json_field(raw, "roles", at, [])
        role_list = [as_object(r, roles_at.index(k)) for k, r in enumerate(as_list(roles_raw, roles_at))]
        # role ids are unique across all projects
        unique_ids(role_list, roles_at, seen=role_ids)
        first_role = len(roles)
        roles.extend(_role(r, roles_at.index(k), j, week_index) for k, r in enumerate(role_list))
        projects.append(_project(raw, at, pro_index, tuple(range(first_role, len(roles)))))
    role_index = {role.id: i for i, role in enumerate(roles)}

    instance = ShellInstance(
        id=ident,
        weeks=weeks,
        weights=weights,
        projects=tuple(projects),
        roles=tuple(roles),
        professionals=professionals,
        role_index=MappingProxyType(role_index),
        professional_index=MappingProxyType(pro_index),
    )
    pins = _pins(instance, doc.get("pins"), root.key("pins"))
    previous, gone = _previous(instance, doc.get("previous"), root.key("previous"))
    return replace(
        instance,
        pins=pins,
        previous=previous,
        gone_penalty=gone,
        parse_seconds=time.perf_counter() - started,
    )


def _pins(instance: ShellInstance, raw: Any, at: At) -> tuple[Pair, ...]:
    """Extension: assignments that must stay; each must be valid alone and all together."""
    if raw is None:
        return ()
    pins: list[Pair] = []
    roles_seen: set[int] = set()
    for i, item in enumerate(as_list(raw, at)):
        pair = _pair(instance, as_object(item, at.index(i)), at.index(i), strict=True)
        assert pair is not None  # strict: an unknown role or professional has failed already
        if pair.role in roles_seen:
            at.index(i).key("role").fail(f'role "{instance.roles[pair.role].id}" is pinned twice')
        roles_seen.add(pair.role)
        problem = pair_problem(instance, pair.role, pair.professional)
        if problem:
            at.index(i).fail(f"cannot pin: {problem}")
        pins.append(pair)
        problems = plan_problems(instance, [(p.role, p.professional) for p in pins])
        if problems:
            at.index(i).fail(f"cannot pin together with the pins before it: {problems[0]}")
    return tuple(pins)


def _previous(instance: ShellInstance, raw: Any, at: At) -> tuple[tuple[Pair, ...], int]:
    """Extension: an earlier ``shell-plan/1``; losing one of its assignments costs its keep weight."""
    if raw is None:
        return (), 0
    doc = as_object(raw, at)
    fmt, fmt_at = json_field(doc, "format", at, SHELL_PLAN)
    if as_string(fmt, fmt_at) != SHELL_PLAN:
        fmt_at.fail(f'expected "{SHELL_PLAN}", got "{fmt}"')
    items_raw, items_at = json_field(doc, "assignments", at, [])
    kept: list[Pair] = []
    gone = 0
    roles_seen: set[str] = set()
    for i, item in enumerate(as_list(items_raw, items_at)):
        obj = as_object(item, items_at.index(i))
        keep_raw, keep_at = json_field(obj, "keep", items_at.index(i), instance.weights.change)
        keep = as_int(keep_raw, keep_at, minimum=0)
        role_raw, role_at = json_field(obj, "role", items_at.index(i))
        role_id = as_string(role_raw, role_at)
        if role_id in roles_seen:
            role_at.fail(f'role "{role_id}" is assigned twice')
        roles_seen.add(role_id)
        pair = _pair(instance, obj, items_at.index(i), strict=False)
        if pair is None:
            gone += keep  # its role or professional left: the assignment cannot be kept
        else:
            kept.append(Pair(pair.role, pair.professional, keep))
    return tuple(kept), gone


def _pair(instance: ShellInstance, obj: dict[str, Any], at: At, *, strict: bool) -> Pair | None:
    role_raw, role_at = json_field(obj, "role", at)
    pro_raw, pro_at = json_field(obj, "professional", at)
    role_id, pro_id = as_string(role_raw, role_at), as_string(pro_raw, pro_at)
    if strict:
        reference(role_id, role_at, instance.role_index, "role")
        reference(pro_id, pro_at, instance.professional_index, "professional")
    elif role_id not in instance.role_index or pro_id not in instance.professional_index:
        return None
    return Pair(instance.role_index[role_id], instance.professional_index[pro_id])


def _weights(doc: dict[str, Any], root: At) -> Weights:
    raw, at = json_field(doc, "weights", root, {})
    raw = as_object(raw, at)
    values = {}
    for name in DEFAULT_WEIGHTS:
        value, where = json_field(raw, name, at, DEFAULT_WEIGHTS[name])
        values[name] = as_int(value, where, minimum=0)
    return Weights(**values)


def _coordinates(obj: dict[str, Any], at: At) -> tuple[float, float]:
    lat, lat_at = json_field(obj, "lat", at)
    lon, lon_at = json_field(obj, "lon", at)
    return as_number(lat, lat_at, minimum=-90, maximum=90), as_number(lon, lon_at, minimum=-180, maximum=180)


def _id_set(obj: dict[str, Any], name: str, at: At, known: Mapping[str, int], kind: str) -> frozenset[str]:
    raw, where = json_field(obj, name, at, [])
    items = as_list(raw, where)
    return frozenset(reference(item, where.index(i), known, kind) for i, item in enumerate(items))


def _project(raw: dict[str, Any], at: At, pro_index: Mapping[str, int], roles: tuple[int, ...]) -> Project:
    lat, lon = _coordinates(raw, at)
    budget, budget_at = json_field(raw, "budget", at, None)
    municipality, m_at = json_field(raw, "municipality", at, "")
    title, t_at = json_field(raw, "title", at, "")
    return Project(
        id=raw["id"],
        municipality=as_string(municipality, m_at, nonempty=False),
        title=as_string(title, t_at, nonempty=False),
        lat=lat,
        lon=lon,
        budget=None if budget is None else as_int(budget, budget_at, minimum=0),
        excluded=_id_set(raw, "excluded", at, pro_index, "professional"),
        preferred=_id_set(raw, "preferred", at, pro_index, "professional"),
        roles=roles,
    )


def _role(raw: dict[str, Any], at: At, project: int, week_index: Mapping[str, int]) -> Role:
    skill, skill_at = json_field(raw, "skill", at)
    level, level_at = json_field(raw, "min_level", at, 1)
    hours, hours_at = json_field(raw, "hours_per_week", at)
    first, first_at = json_field(raw, "first_week", at)
    last, last_at = json_field(raw, "last_week", at)
    first_i = week_index[reference(first, first_at, week_index, "week")]
    last_i = week_index[reference(last, last_at, week_index, "week")]
    if first_i > last_i:
        last_at.fail(f'"{last}" comes before first_week "{first}" in weeks')
    return Role(
        id=raw["id"],
        project=project,
        skill=as_string(skill, skill_at),
        min_level=as_int(level, level_at, minimum=LEVELS[0], maximum=LEVELS[-1]),
        hours_per_week=as_int(hours, hours_at, minimum=0),
        first=first_i,
        last=last_i,
    )


def _professional(raw: dict[str, Any], at: At, week_index: Mapping[str, int], n_weeks: int) -> Professional:
    lat, lon = _coordinates(raw, at)
    travel, travel_at = json_field(raw, "max_travel_km", at, None)
    skills_raw, skills_at = json_field(raw, "skills", at, {})
    skills = {
        as_string(name, skills_at, nonempty=True): as_int(
            level, skills_at.key(name), minimum=LEVELS[0], maximum=LEVELS[-1]
        )
        for name, level in as_object(skills_raw, skills_at).items()
    }
    rate, rate_at = json_field(raw, "hourly_rate", at)
    hours, hours_at = json_field(raw, "hours_per_week", at)
    weekly = as_int(hours, hours_at, minimum=0)
    capacity = [weekly] * n_weeks
    cap_raw, cap_at = json_field(raw, "capacity", at, {})
    for week, value in as_object(cap_raw, cap_at).items():
        hours_that_week = as_int(value, cap_at.key(week), minimum=0)
        if week in week_index:  # a week not in ``weeks`` is ignored (spec)
            capacity[week_index[week]] = hours_that_week
    qualified, q_at = json_field(raw, "qualified", at, True)
    recent, recent_at = json_field(raw, "recent_assignments", at, 0)
    name, name_at = json_field(raw, "name", at, "")
    return Professional(
        id=raw["id"],
        name=as_string(name, name_at, nonempty=False),
        lat=lat,
        lon=lon,
        max_travel_km=None if travel is None else as_number(travel, travel_at, minimum=0),
        skills=MappingProxyType(skills),
        hourly_rate=as_int(rate, rate_at, minimum=0),
        hours_per_week=weekly,
        capacity=tuple(capacity),
        qualified=as_bool(qualified, q_at),
        recent_assignments=as_int(recent, recent_at, minimum=0),
    )


__all__ = [
    "DEFAULT_WEIGHTS",
    "SHELL_PLAN",
    "Pair",
    "Professional",
    "Project",
    "Role",
    "ShellInstance",
    "Weights",
    "parse_instance",
]
