"""Subgradient steps on the capacity multipliers, for instances where the master LP is too slow.

Each step moves y against the overload of the projects' current choices (Polyak step towards a target
that stays as far below the best bound as the given target was below the first) and re-prices only the
projects that have a candidate whose multipliers changed.
Every L(y) along the way is a valid bound (bound.py); the lowest is kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from solver.shell.eligibility import Candidates
from solver.shell.greedy import role_slices
from solver.shell.instance import ShellInstance
from solver.shell.model import pair_cost, pinned
from solver.shell.projects import ProjectChoice, best_choice, shortlist

if TYPE_CHECKING:
    from solver.shell.bound import Pricing

# Step scale: start, halve after this many steps without a lower bound, stop below the minimum.
STEP_START = 1.0
STEP_PATIENCE = 4
STEP_MINIMUM = 1e-3
# Share of the previous direction kept in the next (deflected subgradient): damps the zig-zag.
DEFLECTION = 0.5


def subgradient(
    instance: ShellInstance,
    cands: Candidates,
    objective: np.ndarray,
    duals: dict[tuple[int, int], float],
    start: Pricing,
    target: float,
    deadline: float,
    stop: Callable[[], bool],
    on_bound: Callable[[int], None],
) -> Pricing:
    from solver.shell.bound import Pricing, integer_bound

    n_pros, n_weeks = len(instance.professionals), len(instance.weeks)
    capacity = np.array([p.capacity for p in instance.professionals], dtype=np.float64).reshape(
        n_pros, n_weeks
    )
    y = np.zeros((n_pros, n_weeks))
    for (p, w), value in duals.items():
        y[p, w] = value
    first = np.array([r.first for r in instance.roles], dtype=np.int64)[cands.role]
    last = np.array([r.last for r in instance.roles], dtype=np.int64)[cands.role]
    weekly = np.array([r.hours_per_week for r in instance.roles], dtype=np.float64)[cands.role]
    cost = pair_cost(instance, cands)
    slices = role_slices(cands)
    forced_at = {int(cands.role[i]): int(i) for i in pinned(instance, cands).tolist()}
    by_pro = np.argsort(cands.pro, kind="stable")
    pro_start = np.searchsorted(cands.pro[by_pro], np.arange(n_pros + 1))

    def adjust(index: np.ndarray) -> None:
        prefix = np.zeros((n_pros, n_weeks + 1))
        np.cumsum(y, axis=1, out=prefix[:, 1:])
        pros = cands.pro[index]
        adjusted[index] = objective[index] - weekly[index] * (
            prefix[pros, last[index] + 1] - prefix[pros, first[index]]
        )

    def role_list(role: int) -> np.ndarray:
        spec = instance.projects[instance.roles[role].project]
        idx = slices.get(role, np.zeros(0, dtype=np.int64))
        return shortlist(adjusted, cost, idx, len(spec.roles), spec.budget is not None)

    def choose(project: int) -> ProjectChoice:
        spec = instance.projects[project]
        forced = [forced_at.get(r) for r in spec.roles]
        return best_choice([lists[r] for r in spec.roles], forced, adjusted, cost, cands.pro, spec.budget)

    if stop():
        return start
    adjusted = objective.astype(np.float64)
    adjust(np.arange(len(cands)))
    lists = {r: role_list(r) for r in range(len(instance.roles))}
    choices = [choose(j) for j in range(len(instance.projects))]
    best = start
    below = max(start.bound - target, 1.0)
    scale, stalled = STEP_START, 0
    direction = np.zeros((n_pros, n_weeks))
    while time.monotonic() < deadline and not stop() and scale > STEP_MINIMUM:
        bound = float((y * capacity).sum()) + sum(c.value for c in choices)
        if bound < best.bound:
            best = Pricing(bound, list(choices), adjusted.copy(), y=y)
            on_bound(integer_bound(best))
            stalled = 0
        else:
            stalled += 1
            if stalled >= STEP_PATIENCE:
                scale, stalled = scale / 2, 0
        chosen = np.array([i for c in choices for i in c.chosen], dtype=np.int64)
        load = np.zeros((n_pros, n_weeks + 1))
        np.add.at(load, (cands.pro[chosen], first[chosen]), weekly[chosen])
        np.add.at(load, (cands.pro[chosen], last[chosen] + 1), -weekly[chosen])
        slack = capacity - np.cumsum(load, axis=1)[:, :n_weeks]
        moving = (y > 0) | (slack < 0)
        if not (slack[moving] != 0).any():
            break  # the choices fit everywhere and complementary slackness holds: L is exact
        direction = np.where(moving, slack + DEFLECTION * direction, 0.0)
        norm = float((direction**2).sum())
        if norm == 0:
            break
        # the target keeps its distance below the best bound: a fixed one can lie above the optimum (an
        # incumbent close to the bound), and the steps then shrink to nothing before the bound gets there
        step = scale * max(bound - (best.bound - below), 1.0) / norm
        new_y = np.where(moving, np.maximum(0.0, y - step * direction), y)
        changed = np.flatnonzero((new_y != y).any(axis=1))
        y = new_y
        index = np.concatenate(
            [by_pro[pro_start[p] : pro_start[p + 1]] for p in changed] or [np.zeros(0, dtype=np.int64)]
        )
        adjust(index)
        touched = np.unique(cands.role[index]).tolist()
        for r in touched:
            lists[r] = role_list(r)
        for j in sorted({instance.roles[r].project for r in touched}):
            choices[j] = choose(j)
    return best
