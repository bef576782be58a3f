"""An independent checker for `shell-plan/1`, written from docs/spec section 2 only.

It shares no code with ``solver/`` on purpose: its own distance, its own week spans, its own defaults,
so a misreading of the spec in the engine is not silently repeated here. Plain dicts in, plain values out.

- ``check_plan(instance, plan)``: every broken hard rule, unknown id or role not listed exactly once.
- ``check_claims(instance, plan)``: the plan's score, bound and status agree with the spec.
- ``spec_score(instance, plan)``: the spec's score of the plan's assignments.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

DEFAULT_WEIGHTS = {
    "filled_hour": 1000,
    "euro": 1,
    "level": 300,
    "preferred": 2000,
    "travel_km": 5,
    "fairness": 50,
}
LIMIT_SLACK = 1e-9


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The spec's formula, transcribed: haversine on a sphere of radius 6371.0 km."""
    phi1 = math.radians(lat1)
    phi2 = math.radians(lat2)
    delta_phi = phi2 - phi1
    delta_lambda = math.radians(lon2 - lon1)
    root = math.sqrt(
        math.sin(delta_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(delta_lambda / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(root)


def whole_km(km: float) -> int:
    return math.floor(km + 0.5)


class InstanceView:
    """The instance with the spec's defaults filled in and lookups by id."""

    def __init__(self, instance: dict):
        self.weeks: list[str] = list(instance["weeks"])
        self.weights = {**DEFAULT_WEIGHTS, **(instance.get("weights") or {})}
        self.projects = {p["id"]: p for p in instance["projects"]}
        self.people = {p["id"]: p for p in instance["professionals"]}
        self.roles: dict[str, dict] = {}
        self.project_of: dict[str, dict] = {}
        for project in instance["projects"]:
            for role in project["roles"]:
                self.roles[role["id"]] = role
                self.project_of[role["id"]] = project

    def role_weeks(self, role: dict) -> list[str]:
        """Entries of ``weeks`` from first_week to last_week inclusive, by position."""
        first = self.weeks.index(role["first_week"])
        last = self.weeks.index(role["last_week"])
        return self.weeks[first : last + 1]

    def role_hours(self, role: dict) -> int:
        return role["hours_per_week"] * len(self.role_weeks(role))

    def capacity(self, person: dict, week: str) -> int:
        return (person.get("capacity") or {}).get(week, person["hours_per_week"])

    def km(self, person: dict, project: dict) -> float:
        return great_circle_km(person["lat"], person["lon"], project["lat"], project["lon"])


def _listed_pairs(plan: dict, problems: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for i, entry in enumerate(plan.get("assignments") or []):
        if not isinstance(entry, dict) or "role" not in entry or "professional" not in entry:
            problems.append(f"assignments[{i}]: needs role and professional")
            continue
        pairs.append((entry["role"], entry["professional"]))
    return pairs


def check_plan(instance: dict, plan: dict) -> list[str]:
    """Every way the plan breaks the spec's hard rules or its listing rules; [] for a valid plan."""
    view = InstanceView(instance)
    problems: list[str] = []
    if plan.get("format") != "shell-plan/1":
        problems.append(f'format is {plan.get("format")!r}, expected "shell-plan/1"')
    if plan.get("instance") != instance.get("id"):
        problems.append(f"instance is {plan.get('instance')!r}, expected {instance.get('id')!r}")

    pairs = _listed_pairs(plan, problems)
    listed = Counter(role for role, _ in pairs)
    for i, entry in enumerate(plan.get("unfilled") or []):
        role = entry.get("role") if isinstance(entry, dict) else None
        reason = entry.get("reason") if isinstance(entry, dict) else None
        if not isinstance(reason, str) or not reason.strip():
            problems.append(f"unfilled[{i}]: role {role!r} has no reason")
        listed[role] += 1
    for role, count in listed.items():
        if role not in view.roles:
            problems.append(f"unknown role {role!r}")
        elif count > 1:
            problems.append(f"role {role!r} is listed {count} times")
    for role in view.roles:
        if listed[role] == 0:
            problems.append(f"role {role!r} is neither assigned nor unfilled")

    known = [(r, p) for r, p in pairs if r in view.roles and p in view.people]
    problems += [f"unknown professional {p!r} for role {r!r}" for r, p in pairs if p not in view.people]
    problems += _rule_one_role_per_project(view, known)
    problems += _rule_eligible(view, known)
    problems += _rule_weekly_capacity(view, known)
    problems += _rule_budget(view, known)
    return problems


def _rule_one_role_per_project(view: InstanceView, pairs: list[tuple[str, str]]) -> list[str]:
    """Rule 1: a role has at most one professional; a professional holds at most one role per project."""
    staffed = Counter(r for r, _ in pairs)
    held = Counter((view.project_of[r]["id"], p) for r, p in set(pairs))
    return [f"rule 1: role {r} has {n} professionals" for r, n in staffed.items() if n > 1] + [
        f"rule 1: {p} holds {n} roles in project {project}" for (project, p), n in held.items() if n > 1
    ]


def _rule_eligible(view: InstanceView, pairs: list[tuple[str, str]]) -> list[str]:
    """Rule 2: qualified, not excluded, skilled enough, within their own travel limit."""
    problems = []
    for role_id, person_id in pairs:
        role, person, project = view.roles[role_id], view.people[person_id], view.project_of[role_id]
        where = f"rule 2: {person_id} on {role_id}"
        if not person.get("qualified", True):
            problems.append(f"{where}: not qualified")
        if person_id in (project.get("excluded") or []):
            problems.append(f"{where}: excluded by {project['id']}")
        level = (person.get("skills") or {}).get(role["skill"], 0)
        if level < role.get("min_level", 1):
            problems.append(f"{where}: {role['skill']} level {level} < {role.get('min_level', 1)}")
        limit = person.get("max_travel_km")
        km = view.km(person, project)
        if limit is not None and not km <= limit + LIMIT_SLACK:
            problems.append(f"{where}: {km:.3f} km > max_travel_km {limit}")
    return problems


def _rule_weekly_capacity(view: InstanceView, pairs: list[tuple[str, str]]) -> list[str]:
    """Rule 3: per professional and week, the hours of their running roles fit that week's capacity."""
    load: dict[tuple[str, str], int] = defaultdict(int)
    for role_id, person_id in pairs:
        role = view.roles[role_id]
        for week in view.role_weeks(role):
            load[person_id, week] += role["hours_per_week"]
    return [
        f"rule 3: {p} works {hours} h in {week}, capacity {view.capacity(view.people[p], week)}"
        for (p, week), hours in sorted(load.items())
        if hours > view.capacity(view.people[p], week)
    ]


def _rule_budget(view: InstanceView, pairs: list[tuple[str, str]]) -> list[str]:
    """Rule 4: the cost of a project's filled roles stays within its budget."""
    cost: dict[str, int] = defaultdict(int)
    for role_id, person_id in pairs:
        cost[view.project_of[role_id]["id"]] += view.people[person_id]["hourly_rate"] * view.role_hours(
            view.roles[role_id]
        )
    return [
        f"rule 4: {project} costs {euros}, budget {view.projects[project]['budget']}"
        for project, euros in sorted(cost.items())
        if view.projects[project].get("budget") is not None and euros > view.projects[project]["budget"]
    ]


def assignment_score(instance: dict, role_id: str, person_id: str, view: InstanceView | None = None) -> int:
    """The score one filled role (person on role) contributes."""
    view = view or InstanceView(instance)
    w = view.weights
    role, person, project = view.roles[role_id], view.people[person_id], view.project_of[role_id]
    hours = view.role_hours(role)
    level = (person.get("skills") or {}).get(role["skill"], 0)
    return (
        w["filled_hour"] * hours
        - w["euro"] * person["hourly_rate"] * hours
        + w["level"] * (level - role.get("min_level", 1))
        + w["preferred"] * (person_id in (project.get("preferred") or []))
        - w["travel_km"] * whole_km(view.km(person, project))
        - w["fairness"] * person.get("recent_assignments", 0)
    )


def spec_score(instance: dict, plan: dict) -> int:
    """The spec's score of the plan, summed over its filled roles."""
    view = InstanceView(instance)
    return sum(
        assignment_score(instance, entry["role"], entry["professional"], view)
        for entry in plan.get("assignments") or []
    )


def check_claims(instance: dict, plan: dict) -> list[str]:
    """The plan's own score, bound and status must be true statements about it."""
    problems = []
    score, bound, status = plan.get("score"), plan.get("bound"), plan.get("status")
    expected = spec_score(instance, plan)
    if score != expected:
        problems.append(f"score {score} but the spec gives {expected}")
    if status not in ("optimal", "feasible"):
        problems.append(f"status {status!r} is neither optimal nor feasible")
    if bound is not None and not isinstance(bound, int):
        problems.append(f"bound {bound!r} is not an integer or null")
    elif bound is not None and isinstance(score, int) and bound < score:
        problems.append(f"bound {bound} is below the score {score}")
    if status == "optimal" and bound != score:
        problems.append(f"status optimal but bound {bound} != score {score}")
    return problems
