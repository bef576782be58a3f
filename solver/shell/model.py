"""The hard rules as linear rows over candidate pairs, and the CP-SAT model built from them.

Rule 2 (eligibility) is structural: only eligible pairs are variables (eligibility.py). The other rules
are one function each returning :class:`Row` objects, so the CP-SAT model and the LP bound (bound.py)
state exactly the same constraints. Rows that can never bind are left out: a weekly capacity row exists
only where the roles a professional could hold together exceed that week's hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from solver.shell.eligibility import Candidates
from solver.shell.instance import ShellInstance


@dataclass(frozen=True)
class Row:
    """``sum(coefs[i] * x[pairs[i]]) <= rhs`` for the rule ``rule`` at ``key``."""

    rule: str
    key: tuple[int, ...]
    pairs: np.ndarray
    coefs: np.ndarray
    rhs: int


def _groups(keys: np.ndarray, minimum: int = 2) -> list[tuple[int, np.ndarray]]:
    """Indexes of equal ``keys``, for keys that occur at least ``minimum`` times."""
    if len(keys) == 0:
        return []
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    return [(int(sorted_keys[s]), order[s:e]) for s, e in zip(starts, ends, strict=True) if e - s >= minimum]


def one_professional_per_role(instance: ShellInstance, cands: Candidates) -> list[Row]:
    """Rule 1: a role has at most one professional."""
    return [
        Row("role", (key,), idx, np.ones(len(idx), dtype=np.int64), 1) for key, idx in _groups(cands.role)
    ]


def one_role_per_project(instance: ShellInstance, cands: Candidates) -> list[Row]:
    """Rule 1: a professional holds at most one role per project."""
    project_of = np.array([r.project for r in instance.roles], dtype=np.int64)
    keys = cands.pro.astype(np.int64) * len(instance.projects) + project_of[cands.role]
    n = len(instance.projects)
    return [
        Row("project", (key // n, key % n), idx, np.ones(len(idx), dtype=np.int64), 1)
        for key, idx in _groups(keys)
    ]


def weekly_capacity(instance: ShellInstance, cands: Candidates) -> list[Row]:
    """Rule 3: in every week the hours of a professional's running roles fit that week's capacity.

    Only the weeks where the candidate roles could exceed the capacity get a row, and of weeks whose
    running roles are a subset of another row's with no smaller capacity, none.
    """
    first = np.array([r.first for r in instance.roles], dtype=np.int64)
    last = np.array([r.last for r in instance.roles], dtype=np.int64)
    weekly = np.array([r.hours_per_week for r in instance.roles], dtype=np.int64)
    weeks = np.arange(len(instance.weeks))
    rows = []
    for pro, idx in _groups(cands.pro.astype(np.int64)):
        roles = cands.role[idx]
        capacity = np.asarray(instance.professionals[pro].capacity, dtype=np.int64)
        hours = weekly[roles]
        running = (first[roles][:, None] <= weeks[None, :]) & (weeks[None, :] <= last[roles][:, None])
        load = hours @ running
        over = np.flatnonzero(load > capacity)
        if len(over) == 0:
            continue
        tightest: dict[bytes, tuple[int, int]] = {}  # running set -> (capacity, week)
        for over_week in over:
            key = running[:, over_week].tobytes()
            if key not in tightest or capacity[over_week] < tightest[key][0]:
                tightest[key] = (int(capacity[over_week]), int(over_week))
        kept: list[tuple[np.ndarray, int, int]] = []
        for key, (cap, week) in sorted(tightest.items(), key=lambda item: -sum(item[0])):
            members = np.frombuffer(key, dtype=bool)
            if any(cap >= c and not np.any(members & ~m) for m, c, _ in kept):
                continue  # implied by a row over a superset with no more hours
            kept.append((members, cap, week))
        for members, cap, week in kept:
            rows.append(Row("capacity", (pro, week), idx[members], hours[members], cap))
    return rows


def project_budget(instance: ShellInstance, cands: Candidates) -> list[Row]:
    """Rule 4: a project's cost (hourly rate times role hours over its filled roles) fits its budget."""
    project_of = np.array([r.project for r in instance.roles], dtype=np.int64)[cands.role]
    cost = pair_cost(instance, cands)
    rows = []
    for project, idx in _groups(project_of, minimum=1):
        budget = instance.projects[project].budget
        if budget is None:
            continue
        most = sum(int(cost[idx[g]].max()) for _, g in _groups(cands.role[idx].astype(np.int64), minimum=1))
        if most > budget:
            rows.append(Row("budget", (project,), idx, cost[idx], budget))
    return rows


HARD_RULES = (one_professional_per_role, one_role_per_project, weekly_capacity, project_budget)


def pair_cost(instance: ShellInstance, cands: Candidates) -> np.ndarray:
    rate = np.array([p.hourly_rate for p in instance.professionals], dtype=np.int64)
    hours = np.array([r.hours for r in instance.roles], dtype=np.int64)
    return rate[cands.pro] * hours[cands.role]


def all_rows(instance: ShellInstance, cands: Candidates) -> list[Row]:
    return [row for rule in HARD_RULES for row in rule(instance, cands)]


def pinned(instance: ShellInstance, cands: Candidates) -> np.ndarray:
    """Indexes of the candidates that are pins (extension): they must be in the plan."""
    if not instance.pins:
        return np.zeros(0, dtype=np.int64)
    n = len(instance.professionals)
    keys = cands.role.astype(np.int64) * n + cands.pro
    wanted = np.array([p.role * n + p.professional for p in instance.pins], dtype=np.int64)
    return np.flatnonzero(np.isin(keys, wanted))


@dataclass
class CpSatModel:
    model: cp_model.CpModel
    x: list[cp_model.IntVar]
    objective: np.ndarray  # int64 per candidate: score terms plus keep weight


def build_cp_sat(
    instance: ShellInstance,
    cands: Candidates,
    objective: np.ndarray,
    hint: np.ndarray | None = None,
) -> CpSatModel:
    """Maximise ``objective @ x`` over the candidates subject to every hard rule and the pins."""
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in range(len(cands))]
    for row in all_rows(instance, cands):
        terms = [x[i] for i in row.pairs.tolist()]
        if row.rhs == 1 and bool(np.all(row.coefs == 1)):
            model.add_at_most_one(terms)
        else:
            model.add(cp_model.LinearExpr.weighted_sum(terms, row.coefs.tolist()) <= row.rhs)
    for i in pinned(instance, cands).tolist():
        model.add(x[i] == 1)
    model.maximize(cp_model.LinearExpr.weighted_sum(x, objective.tolist()))
    if hint is not None:
        for var, value in zip(x, hint.tolist(), strict=True):
            model.add_hint(var, bool(value))
    return CpSatModel(model, x, objective)
