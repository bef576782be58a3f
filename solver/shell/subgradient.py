"""Subgradient steps on the capacity multipliers, for instances where the master LP is too slow.

Each step moves y against the overload of the projects' current choices (Polyak step towards the
incumbent's score) and re-prices only the projects that have a candidate whose multipliers changed.
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

if TYPE_CHECKING:
    from solver.shell.bound import Pricing

# Step scale: start, halve after this many steps without a lower bound, stop below the minimum.
STEP_START = 0.1
STEP_PATIENCE = 4
STEP_MINIMUM = 1e-3


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
    from solver.shell.bound import Pricing, integer_bound, project_choice

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
    project_of = np.array([r.project for r in instance.roles], dtype=np.int64)[cands.role]
    cost = pair_cost(instance, cands)
    slices = role_slices(cands)
    forced_at = {int(cands.role[i]): int(i) for i in pinned(instance, cands).tolist()}
    by_pro = np.argsort(cands.pro, kind="stable")
    pro_start = np.searchsorted(cands.pro[by_pro], np.arange(n_pros + 1))

    def adjust(index: np.ndarray) -> None:
        prefix = np.zeros((len(index), n_weeks + 1))
        np.cumsum(y[cands.pro[index]], axis=1, out=prefix[:, 1:])
        rows = np.arange(len(index))
        adjusted[index] = objective[index] - weekly[index] * (
            prefix[rows, last[index] + 1] - prefix[rows, first[index]]
        )

    adjusted = objective.astype(np.float64)
    adjust(np.arange(len(cands)))
    choices = [
        project_choice(instance, j, adjusted, cost, cands.pro, slices, forced_at)
        for j in range(len(instance.projects))
    ]
    best = start
    scale, stalled = STEP_START, 0
    while time.monotonic() < deadline and not stop() and scale > STEP_MINIMUM:
        bound = float((y * capacity).sum()) + sum(c.value for c in choices)
        if bound < best.bound:
            best = Pricing(bound, list(choices), adjusted.copy())
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
        norm = float((slack[moving] ** 2).sum())
        if norm == 0:
            break  # the choices fit everywhere and complementary slackness holds: L is exact
        step = scale * max(bound - target, 1.0) / norm
        new_y = np.where(moving, np.maximum(0.0, y - step * slack), y)
        changed = np.flatnonzero((new_y != y).any(axis=1))
        y = new_y
        index = np.concatenate(
            [by_pro[pro_start[p] : pro_start[p + 1]] for p in changed] or [np.zeros(0, dtype=np.int64)]
        )
        adjust(index)
        for j in np.unique(project_of[index]).tolist():
            choices[j] = project_choice(instance, j, adjusted, cost, cands.pro, slices, forced_at)
    return best
