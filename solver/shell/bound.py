"""A proved upper bound over ALL eligible pairs, and the pairs that cannot improve a plan.

The LP relaxation is solved by column generation: GLOP on a subset of the pairs, then every pair is
priced with the duals. Whatever the duals, relaxing capacity, budget and one-role-per-project rows with
multipliers ``y >= 0`` leaves a problem where each role independently takes its best pair or none:

    L(y) = sum(y * rhs) + sum over roles of max(0, max over its pairs of reduced objective)

is an upper bound on every plan (Lagrangian duality); at the LP optimum it equals the LP value.
Forcing one pair (p, r) into the plan changes role r's term to that pair's reduced objective, so
when ``L - term_r + rc_pr < incumbent + 1`` no plan better than the incumbent uses the pair: it can be
dropped without losing optimality (reduced-cost fixing). The bound is computed by numpy from the
multipliers, never taken from the LP solver's own report.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp

from solver.shell.eligibility import Candidates
from solver.shell.greedy import role_slices
from solver.shell.instance import ShellInstance
from solver.shell.model import all_rows, pair_cost, pinned

# A pair enters the LP when its reduced objective exceeds this; per role and round at most COLUMNS_PER_ROUND.
PRICE_TOLERANCE = 1e-6
COLUMNS_PER_ROUND = 4
# Slack for the float arithmetic of the bound (scores are integers far below 1e15).
FLOAT_SLACK = 1e-4


@dataclass
class Multipliers:
    """Non-negative multipliers of the relaxed rows (dense for capacity, by key for the others)."""

    capacity: np.ndarray  # float64 [professional, week]
    budget: np.ndarray  # float64 [project]
    project: dict[tuple[int, int], float]  # (professional, project)


@dataclass
class Pricing:
    bound: float  # L(y)
    reduced: np.ndarray  # per candidate
    role_term: np.ndarray  # per role: its contribution to L


@dataclass
class LpResult:
    multipliers: Multipliers
    columns: np.ndarray  # candidate indexes in the last LP
    values: np.ndarray  # LP value of each of those columns
    pricing: Pricing
    rounds: int
    complete: bool  # no pair left with a positive reduced objective: L is the LP optimum


def price(instance: ShellInstance, cands: Candidates, objective: np.ndarray, y: Multipliers) -> Pricing:
    n_projects = len(instance.projects)
    first = np.array([r.first for r in instance.roles], dtype=np.int64)[cands.role]
    last = np.array([r.last for r in instance.roles], dtype=np.int64)[cands.role]
    weekly = np.array([r.hours_per_week for r in instance.roles], dtype=np.float64)[cands.role]
    project_of = np.array([r.project for r in instance.roles], dtype=np.int64)[cands.role]
    prefix = np.zeros((y.capacity.shape[0], y.capacity.shape[1] + 1))
    np.cumsum(y.capacity, axis=1, out=prefix[:, 1:])
    reduced = objective.astype(np.float64)
    reduced -= weekly * (prefix[cands.pro, last + 1] - prefix[cands.pro, first])
    reduced -= pair_cost(instance, cands) * y.budget[project_of]
    if y.project:
        keys = np.array([p * n_projects + j for p, j in y.project], dtype=np.int64)
        values = np.array(list(y.project.values()))
        order = np.argsort(keys)
        keys, values = keys[order], values[order]
        pair_keys = cands.pro.astype(np.int64) * n_projects + project_of
        at = np.minimum(np.searchsorted(keys, pair_keys), len(keys) - 1)
        reduced -= np.where(keys[at] == pair_keys, values[at], 0.0)
    capacity = np.array([p.capacity for p in instance.professionals], dtype=np.float64).reshape(
        y.capacity.shape
    )
    budgets = np.array([p.budget or 0 for p in instance.projects], dtype=np.float64)
    bound = float((y.capacity * capacity).sum() + (y.budget * budgets).sum() + sum(y.project.values()))
    best = np.full(len(instance.roles), -np.inf)
    np.maximum.at(best, cands.role, reduced)
    role_term = np.maximum(best, 0.0)
    for i in pinned(instance, cands).tolist():
        role_term[cands.role[i]] = reduced[i]  # a pinned role must take its pin
    return Pricing(bound + float(role_term.sum()), reduced, role_term)


def integer_bound(pricing: Pricing) -> int:
    return math.floor(pricing.bound + FLOAT_SLACK)


def solve_lp(
    instance: ShellInstance,
    cands: Candidates,
    objective: np.ndarray,
    start: np.ndarray,
    deadline: float,
    stop: Callable[[], bool] = lambda: False,
) -> LpResult | None:
    """Column generation from the candidate subset ``start``, until no pair prices out or time is up."""
    slices = role_slices(cands)
    columns = np.unique(np.concatenate([start, pinned(instance, cands)]))
    best: LpResult | None = None
    rounds = 0
    while time.monotonic() < deadline and not stop():
        rounds += 1
        solved = _glop(instance, cands, objective, columns, deadline)
        if solved is None:
            break
        y, values = solved
        pricing = price(instance, cands, objective, y)
        entering = _entering(pricing.reduced, slices, columns)
        result = LpResult(y, columns, values, pricing, rounds, complete=len(entering) == 0)
        if best is None or pricing.bound < best.pricing.bound or result.complete:
            best = result
        if result.complete:
            break
        columns = np.union1d(columns, entering)
    return best


def _entering(reduced: np.ndarray, slices: dict[int, np.ndarray], columns: np.ndarray) -> np.ndarray:
    outside = np.ones(len(reduced), dtype=bool)
    outside[columns] = False
    positive = outside & (reduced > PRICE_TOLERANCE)
    chosen = []
    for idx in slices.values():
        idx = idx[positive[idx]]
        if len(idx):
            chosen.append(idx[np.argsort(-reduced[idx], kind="stable")[:COLUMNS_PER_ROUND]])
    return np.concatenate(chosen) if chosen else np.zeros(0, dtype=np.int64)


def _glop(
    instance: ShellInstance, cands: Candidates, objective: np.ndarray, columns: np.ndarray, deadline: float
) -> tuple[Multipliers, np.ndarray] | None:
    sub = cands.select(columns)
    solver = pywraplp.Solver.CreateSolver("GLOP")
    solver.SetTimeLimit(max(1, int((deadline - time.monotonic()) * 1000)))
    forced = set(pinned(instance, sub).tolist())
    x = [solver.NumVar(1.0 if i in forced else 0.0, 1.0, "") for i in range(len(sub))]
    constraints = []
    for row in all_rows(instance, sub):
        ct = solver.Constraint(-solver.infinity(), float(row.rhs))
        for i, c in zip(row.pairs.tolist(), row.coefs.tolist(), strict=True):
            ct.SetCoefficient(x[i], float(c))
        constraints.append((row, ct))
    goal = solver.Objective()
    for var, c in zip(x, objective[columns].tolist(), strict=True):
        goal.SetCoefficient(var, float(c))
    goal.SetMaximization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    y = Multipliers(
        capacity=np.zeros((len(instance.professionals), len(instance.weeks))),
        budget=np.zeros(len(instance.projects)),
        project={},
    )
    for row, ct in constraints:
        dual = max(0.0, ct.dual_value())
        if dual == 0.0 or row.rule == "role":
            continue  # the role rows stay in the inner problem
        if row.rule == "capacity":
            y.capacity[row.key] = dual
        elif row.rule == "budget":
            y.budget[row.key[0]] = dual
        else:
            y.project[row.key] = dual
    return y, np.array([v.solution_value() for v in x])
