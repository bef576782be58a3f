"""The hard rules of spec section 2, checked on a concrete plan in plain Python.

The CP-SAT model (model.py) states the same rules as constraints; these checks read a finished
plan, validate pins and guard every result before it leaves the solver.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from solver.formats import distance_km, within_limit

if TYPE_CHECKING:
    from solver.shell.instance import ShellInstance


def pair_km(instance: ShellInstance, role: int, professional: int) -> float:
    project = instance.projects[instance.roles[role].project]
    pro = instance.professionals[professional]
    return distance_km(pro.lat, pro.lon, project.lat, project.lon)


def pair_problem(instance: ShellInstance, role: int, professional: int) -> str | None:
    """Rule 2 for one pair: qualified, not excluded, skill level, travel. None when it holds."""
    r = instance.roles[role]
    project = instance.projects[r.project]
    pro = instance.professionals[professional]
    if not pro.qualified:
        return f'"{pro.id}" is not qualified'
    if pro.id in project.excluded:
        return f'"{pro.id}" is excluded by project "{project.id}"'
    level = pro.skills.get(r.skill, 0)
    if level < r.min_level:
        return f'"{pro.id}" has {r.skill} level {level}, role "{r.id}" needs {r.min_level}'
    km = pair_km(instance, role, professional)
    if not within_limit(km, pro.max_travel_km):
        return (
            f'"{pro.id}" lives {km:.1f} km from project "{project.id}", beyond their {pro.max_travel_km:g} km'
        )
    return None


def plan_problems(instance: ShellInstance, pairs: Iterable[tuple[int, int]]) -> list[str]:
    """Every hard rule broken by the plan ``pairs`` of (role, professional) indexes."""
    pairs = list(pairs)
    problems = []
    holder: dict[int, int] = {}
    per_project: dict[tuple[int, int], int] = {}
    load: dict[int, list[int]] = defaultdict(lambda: [0] * len(instance.weeks))
    cost: dict[int, int] = defaultdict(int)
    for role, pro in pairs:
        r = instance.roles[role]
        pro_id = instance.professionals[pro].id
        if role in holder:  # rule 1
            problems.append(f'role "{r.id}" has two professionals')
        holder[role] = pro
        key = (pro, r.project)
        if key in per_project:  # rule 1
            problems.append(f'"{pro_id}" holds two roles in project "{instance.projects[r.project].id}"')
        per_project[key] = role
        problem = pair_problem(instance, role, pro)  # rule 2
        if problem:
            problems.append(problem)
        for week in range(r.first, r.last + 1):
            load[pro][week] += r.hours_per_week
        cost[r.project] += instance.professionals[pro].hourly_rate * r.hours
    for pro, hours in load.items():  # rule 3
        capacity = instance.professionals[pro].capacity
        for week, used in enumerate(hours):
            if used > capacity[week]:
                problems.append(
                    f'"{instance.professionals[pro].id}" works {used} h in week {instance.weeks[week]}, '
                    f"capacity {capacity[week]} h"
                )
    for project, spent in cost.items():  # rule 4
        budget = instance.projects[project].budget
        if budget is not None and spent > budget:
            problems.append(f'project "{instance.projects[project].id}" costs {spent}, budget {budget}')
    return problems
