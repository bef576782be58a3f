"""Reasons a coordinator can act on, computed from the data and the finished plan.

For an unfilled role: the first hard rule (in the order skill, qualification, exclusion, travel,
free hours, one role per project, budget) that no professional gets past, with the nearest miss;
or that every remaining candidate would lower the score. For an assignment: level, cost and its
rank among the eligible, preferred, distance, recent work, and pin/previous status. Each reason is
a code plus its facts (``solver.reasons``); the English sentences below are the only wording of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver.formats import LIMIT_EPSILON, km_int
from solver.reasons import Reason, Sentences, km
from solver.shell.eligibility import Arrays
from solver.shell.greedy import role_slices
from solver.shell.rules import pair_km
from solver.shell.score import pair_terms
from solver.shell.solve import ShellResult

SENTENCES = Sentences()
sentence = SENTENCES.register


@dataclass(frozen=True)
class Explanation:
    reasons: dict[int, list[Reason]]  # assigned role -> why this professional
    unfilled: dict[int, Reason]  # unfilled role -> why nobody


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


# --- Why this professional ------------------------------------------------------------------------


@sentence("level")
def _level(f):
    return f"{f['skill']} level {f['level']} (role needs {f['min_level']})"


@sentence("cost")
def _cost(f):
    rank = "cheapest" if f["rank"] == 1 else f"rate rank {f['rank']}"
    return f"EUR {f['rate']}/h x {f['hours']} h = EUR {f['cost']}; {rank} of {f['eligible']} eligible"


@sentence("preferred")
def _preferred(f):
    return "preferred by the project (took part in its swarm session)"


@sentence("project_km")
def _project_km(f):
    return f"{f['km']} km from the project"


@sentence("recent_assignments")
def _recent(f):
    return f"{f['count']} recent assignment(s)"


@sentence("pinned")
def _pinned(f):
    return "pinned"


@sentence("kept")
def _kept(f):
    return "kept from the previous plan"


@sentence("adds_score")
def _adds(f):
    return f"adds {f['value']} to the score"


def _assignment_reasons(
    result: ShellResult, arrays: Arrays, role_i: int, pro_i: int, eligible: np.ndarray
) -> list[Reason]:
    instance = result.instance
    role = instance.roles[role_i]
    pro = instance.professionals[pro_i]
    terms = pair_terms(instance, role_i, pro_i)
    rates = arrays.rate[result.eligible.pro[eligible]]
    reasons = [
        SENTENCES.reason(
            "level", skill=role.skill, level=pro.skills.get(role.skill, 0), min_level=role.min_level
        ),
        SENTENCES.reason(
            "cost",
            rate=pro.hourly_rate,
            hours=role.hours,
            cost=pro.hourly_rate * role.hours,
            rank=1 + int((rates < pro.hourly_rate).sum()),
            eligible=len(eligible),
        ),
    ]
    if terms["preferred"]:
        reasons.append(SENTENCES.reason("preferred"))
    reasons.append(SENTENCES.reason("project_km", km=km_int(pair_km(instance, role_i, pro_i))))
    if pro.recent_assignments:
        reasons.append(SENTENCES.reason("recent_assignments", count=pro.recent_assignments))
    if any(p.role == role_i and p.professional == pro_i for p in instance.pins):
        reasons.append(SENTENCES.reason("pinned"))
    elif any(p.role == role_i and p.professional == pro_i for p in instance.previous):
        reasons.append(SENTENCES.reason("kept"))
    reasons.append(SENTENCES.reason("adds_score", value=sum(terms.values())))
    return reasons


# --- Why nobody ------------------------------------------------------------------------------------


def _who(f) -> str:
    return f"{f['skill']} >= {f['min_level']}"


def _weeks(f) -> str:
    first, last = f["first_week"], f["last_week"]
    return f"week {first}" if first == last else f"each of weeks {first}..{last}"


@sentence("no_skill")
def _no_skill(f):
    return f"no professional has {_who(f)}"


@sentence("not_qualified")
def _not_qualified(f):
    return f"{f['count']} professional(s) have {_who(f)} but none is qualified"


@sentence("all_excluded")
def _all_excluded(f):
    return f'every qualified professional with {_who(f)} is excluded by project "{f["project"]}"'


@sentence("too_far")
def _too_far(f):
    return (
        f'no qualified {_who(f)} lives within their travel distance of project "{f["project"]}"; '
        f'nearest: "{f["professional"]}" at {f["km"]} km (travels up to {km(f["max_km"])} km)'
    )


@sentence("no_free_hours")
def _no_free_hours(f):
    text = (
        f"no qualified {_who(f)} within travel distance has {f['hours_per_week']} free hours in "
        f'{_weeks(f)}; most free: {f["most_free"]} h ("{f["professional"]}")'
    )
    if f["without_others"]:
        text += f"; {f['without_others']} would have without their other assignments"
    return text


@sentence("holds_other_role")
def _holds_other_role(f):
    return f'every eligible {_who(f)} with free hours already holds another role in project "{f["project"]}"'


@sentence("over_budget")
def _over_budget(f):
    return (
        f'budget of project "{f["project"]}" would be exceeded: cheapest eligible ("{f["professional"]}") '
        f"costs {f['cost']}, remaining {f['remaining']} of {f['budget']}"
    )


@sentence("lowers_score")
def _lowers_score(f):
    return (
        f'filling it would lower the score: best candidate "{f["professional"]}" adds {f["value"]} '
        "(cost and travel outweigh the filled hours)"
    )


@sentence("search_stopped")
def _search_stopped(f):
    return (
        f'"{f["professional"]}" could fill it (adds {f["value"]}); '
        "the search stopped before the plan was proved optimal"
    )


def _unfilled_reason(result, arrays: Arrays, load, spent, holders, role_i: int) -> Reason:
    instance = result.instance
    role = instance.roles[role_i]
    project = instance.projects[role.project]
    who = {"skill": role.skill, "min_level": role.min_level}
    where = {"project": project.id, "project_title": project.title}

    def person(p: int) -> dict:  # the id only: a reader looks the name up (and finds none once erased)
        return {"professional": str(arrays.ids[p])}

    skilled = arrays.levels[role.skill] >= role.min_level
    if not skilled.any():
        return SENTENCES.reason("no_skill", **who)
    ok = skilled & arrays.qualified
    if not ok.any():
        return SENTENCES.reason("not_qualified", **who, count=int(skilled.sum()))
    for pid in project.excluded:
        ok[instance.professional_index[pid]] = False
    if not ok.any():
        return SENTENCES.reason("all_excluded", **who, **where)
    idx = np.flatnonzero(ok)
    distances = arrays.distances(idx, project.lat, project.lon)
    reach = distances <= arrays.max_km[idx] + LIMIT_EPSILON
    if not reach.any():
        nearest = int(np.argmin(distances - arrays.max_km[idx]))
        return SENTENCES.reason(
            "too_far",
            **who,
            **where,
            **person(int(idx[nearest])),
            km=int(round(float(distances[nearest]))),
            max_km=float(arrays.max_km[idx[nearest]]),
        )
    idx = idx[reach]
    span = slice(role.first, role.last + 1)
    free = (arrays.capacity[idx, span] - load[idx, span]).min(axis=1)
    fits = free >= role.hours_per_week
    if not fits.any():
        most = int(np.argmax(free))
        return SENTENCES.reason(
            "no_free_hours",
            **who,
            hours_per_week=role.hours_per_week,
            first_week=instance.weeks[role.first],
            last_week=instance.weeks[role.last],
            most_free=max(0, int(free[most])),
            **person(int(idx[most])),
            without_others=int((arrays.capacity[idx, span].min(axis=1) >= role.hours_per_week).sum()),
        )
    idx = idx[fits]
    idx = idx[~np.isin(idx, np.fromiter(holders[role.project], dtype=np.int64))]
    if len(idx) == 0:
        return SENTENCES.reason("holds_other_role", **who, **where)
    cost = arrays.rate[idx] * role.hours
    if project.budget is not None:
        remaining = project.budget - spent[role.project]
        cheapest = int(np.argmin(cost))
        if cost[cheapest] > remaining:
            return SENTENCES.reason(
                "over_budget",
                **where,
                **person(int(idx[cheapest])),
                cost=int(cost[cheapest]),
                remaining=int(remaining),
                budget=int(project.budget),
            )
        idx = idx[cost <= remaining]
    values = [(sum(pair_terms(instance, role_i, int(p)).values()), int(p)) for p in idx]
    best_value, best = max(values, key=lambda vp: (vp[0], -vp[1]))
    code = "lowers_score" if best_value <= 0 else "search_stopped"
    return SENTENCES.reason(code, **person(best), value=int(best_value))
