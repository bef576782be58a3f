"""Reasons a coordinator can act on, computed from the data and the finished plan.

For an unfilled role: the first hard rule (in the order skill, qualification, exclusion, travel,
free hours, one role per project, budget) that no professional gets past, with the nearest miss;
or that every remaining candidate would lower the score. For an assignment: level, cost and its
rank among the eligible, preferred, distance, recent work, and pin/previous status.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver.formats import LIMIT_EPSILON, km_int
from solver.shell.eligibility import Arrays
from solver.shell.greedy import role_slices
from solver.shell.rules import pair_km
from solver.shell.score import pair_terms
from solver.shell.solve import ShellResult


@dataclass(frozen=True)
class Explanation:
    reasons: dict[int, list[str]]  # assigned role -> why this professional
    unfilled: dict[int, str]  # unfilled role -> why nobody


def explain(result: ShellResult) -> Explanation:
    instance = result.instance
    arrays = Arrays(instance)
    load = np.zeros_like(arrays.capacity, dtype=np.int64)
    spent = [0] * len(instance.projects)
    holders: list[set[int]] = [set() for _ in instance.projects]
    for role_i, pro in result.pairs:
        role = instance.roles[role_i]
        load[pro, role.first : role.last + 1] += role.hours_per_week
        spent[role.project] += instance.professionals[pro].hourly_rate * role.hours
        holders[role.project].add(pro)
    assigned = dict(result.pairs)
    eligible = role_slices(result.eligible)
    reasons = {
        role: _assignment_reasons(result, arrays, role, pro, eligible.get(role, np.zeros(0, dtype=np.int64)))
        for role, pro in result.pairs
    }
    unfilled = {
        role: _unfilled_reason(result, arrays, load, spent, holders, role)
        for role in range(len(instance.roles))
        if role not in assigned
    }
    return Explanation(reasons, unfilled)


def _weeks(instance, role) -> str:
    first, last = instance.weeks[role.first], instance.weeks[role.last]
    return f"week {first}" if first == last else f"each of weeks {first}..{last}"


def _assignment_reasons(
    result: ShellResult, arrays: Arrays, role_i: int, pro_i: int, eligible: np.ndarray
) -> list[str]:
    instance = result.instance
    role = instance.roles[role_i]
    pro = instance.professionals[pro_i]
    terms = pair_terms(instance, role_i, pro_i)
    rates = arrays.rate[result.eligible.pro[eligible]]
    rank = 1 + int((rates < pro.hourly_rate).sum())
    reasons = [
        f"{role.skill} level {pro.skills.get(role.skill, 0)} (role needs {role.min_level})",
        f"EUR {pro.hourly_rate}/h x {role.hours} h = EUR {pro.hourly_rate * role.hours}; "
        + ("cheapest" if rank == 1 else f"rate rank {rank}")
        + f" of {len(eligible)} eligible",
    ]
    if terms["preferred"]:
        reasons.append("preferred by the project (took part in its swarm session)")
    reasons.append(f"{km_int(pair_km(instance, role_i, pro_i))} km from the project")
    if pro.recent_assignments:
        reasons.append(f"{pro.recent_assignments} recent assignment(s)")
    if any(p.role == role_i and p.professional == pro_i for p in instance.pins):
        reasons.append("pinned")
    elif any(p.role == role_i and p.professional == pro_i for p in instance.previous):
        reasons.append("kept from the previous plan")
    reasons.append(f"adds {sum(terms.values())} to the score")
    return reasons


def _unfilled_reason(result, arrays: Arrays, load, spent, holders, role_i: int) -> str:
    instance = result.instance
    role = instance.roles[role_i]
    project = instance.projects[role.project]
    who = f"{role.skill} >= {role.min_level}"
    skilled = arrays.levels[role.skill] >= role.min_level
    if not skilled.any():
        return f"no professional has {who}"
    ok = skilled & arrays.qualified
    if not ok.any():
        return f"{int(skilled.sum())} professional(s) have {who} but none is qualified"
    for pid in project.excluded:
        ok[instance.professional_index[pid]] = False
    if not ok.any():
        return f'every qualified professional with {who} is excluded by project "{project.id}"'
    idx = np.flatnonzero(ok)
    km = arrays.distances(idx, project.lat, project.lon)
    reach = km <= arrays.max_km[idx] + LIMIT_EPSILON
    if not reach.any():
        nearest = int(np.argmin(km - arrays.max_km[idx]))
        return (
            f'no qualified {who} lives within their travel distance of project "{project.id}"; '
            f'nearest: "{arrays.ids[idx[nearest]]}" at {km[nearest]:.0f} km (travels up to '
            f"{arrays.max_km[idx[nearest]]:g} km)"
        )
    idx = idx[reach]
    span = slice(role.first, role.last + 1)
    free = (arrays.capacity[idx, span] - load[idx, span]).min(axis=1)
    fits = free >= role.hours_per_week
    if not fits.any():
        most = int(np.argmax(free))
        alone = int((arrays.capacity[idx, span].min(axis=1) >= role.hours_per_week).sum())
        text = (
            f"no qualified {who} within travel distance has {role.hours_per_week} free hours in "
            f'{_weeks(instance, role)}; most free: {max(0, int(free[most]))} h ("{arrays.ids[idx[most]]}")'
        )
        if alone:
            text += f"; {alone} would have without their other assignments"
        return text
    idx = idx[fits]
    idx = idx[~np.isin(idx, np.fromiter(holders[role.project], dtype=np.int64))]
    if len(idx) == 0:
        return f'every eligible {who} with free hours already holds another role in project "{project.id}"'
    cost = arrays.rate[idx] * role.hours
    if project.budget is not None:
        remaining = project.budget - spent[role.project]
        cheapest = int(np.argmin(cost))
        if cost[cheapest] > remaining:
            return (
                f'budget of project "{project.id}" would be exceeded: cheapest eligible ("{arrays.ids[idx[cheapest]]}") '
                f"costs {int(cost[cheapest])}, remaining {remaining} of {project.budget}"
            )
        idx = idx[cost <= remaining]
    values = [(sum(pair_terms(instance, role_i, int(p)).values()), int(p)) for p in idx]
    best_value, best = max(values, key=lambda vp: (vp[0], -vp[1]))
    if best_value <= 0:
        return (
            f'filling it would lower the score: best candidate "{arrays.ids[best]}" adds {best_value} '
            "(cost and travel outweigh the filled hours)"
        )
    return (
        f'"{arrays.ids[best]}" could fill it (adds {best_value}); '
        f"the search stopped before the plan was proved optimal"
    )
