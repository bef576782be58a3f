"""A proved upper bound over ALL eligible pairs: weekly capacity priced out, projects solved exactly.

For multipliers ``y >= 0`` on the weekly capacity rows, every plan scores at most

    L(y) = sum(y[p, w] * capacity[p, w]) + sum over projects of best_j(y)

where ``best_j`` is the exact optimum of project j alone (roles, one role per professional, budget)
with each pair's value reduced by ``hours_per_week * sum(y[p, w] over the role's weeks)`` (projects.py).
This is Lagrangian duality; it is at least as tight as the LP relaxation because budgets and
one-role-per-project are kept integral. The multipliers come from a Dantzig-Wolfe master LP (GLOP) over
project patterns, with capacity rows added only where the master overloads someone. The bound itself
is always recomputed here from the multipliers, never taken from the LP solver.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import pywraplp

from solver.shell.eligibility import Candidates
from solver.shell.greedy import role_slices
from solver.shell.instance import ShellInstance
from solver.shell.model import pair_cost, pinned
from solver.shell.projects import ProjectChoice, best_choice, shortlist
from solver.shell.subgradient import subgradient

PRICE_TOLERANCE = 1e-6
# When one master LP solve takes more than this share of the bound's time, switch to subgradient steps.
SLOW_MASTER = 0.08
# The master LP is degenerate and simplex slow on it; first-order PDLP gives good duals fast, and any
# non-negative duals give a valid bound because L(y) is recomputed here.
MASTER_SOLVER = "GLOP"
# Subgradient target: this share of the way from the starting bound down to the incumbent.
TARGET_SHARE = 0.25
# Slack for the float arithmetic of the bound (scores are integers far below 1e15).
FLOAT_SLACK = 1e-4


@dataclass
class Pricing:
    bound: float  # L(y)
    choices: list[ProjectChoice]  # best pattern per project under y
    adjusted: np.ndarray  # per candidate: objective minus priced capacity
    duals: dict[tuple[int, int], float] = field(default_factory=dict)  # the multipliers y
    y: np.ndarray | None = None  # the same multipliers as a (professional, week) array (subgradient)


@dataclass(frozen=True)
class MasterSolution:
    values: np.ndarray  # per pattern
    duals: dict[tuple[int, int], float]  # per capacity row
    convexity: list[float]  # per project
    value: float


@dataclass
class Master:
    """The Dantzig-Wolfe master: patterns (sets of candidates, one project each) and capacity rows."""

    instance: ShellInstance
    cands: Candidates
    objective: np.ndarray
    solver: pywraplp.Solver = field(init=False)
    patterns: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)
    z: list[pywraplp.Variable] = field(default_factory=list)
    rows: dict[tuple[int, int], pywraplp.Constraint] = field(default_factory=dict)
    by_pro: dict[int, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))
    row_weeks: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    seen: set[tuple[int, ...]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.solver = pywraplp.Solver.CreateSolver(MASTER_SOLVER)
        inf = self.solver.infinity()
        pinned_projects = {self.instance.roles[p.role].project for p in self.instance.pins}
        self.convexity = [
            self.solver.Constraint(1.0 if j in pinned_projects else -inf, 1.0)
            for j in range(len(self.instance.projects))
        ]
        self.solver.Objective().SetMaximization()

    def add_pattern(self, project: int, chosen: tuple[int, ...]) -> None:
        if chosen in self.seen or not chosen:
            return
        self.seen.add(chosen)
        var = self.solver.NumVar(0.0, 1.0, "")
        self.solver.Objective().SetCoefficient(var, float(self.objective[list(chosen)].sum()))
        self.convexity[project].SetCoefficient(var, 1.0)
        k = len(self.z)
        self.z.append(var)
        self.patterns.append((project, chosen))
        for i in chosen:
            pro = int(self.cands.pro[i])
            self.by_pro[pro].append((k, i))
            for week in self.row_weeks.get(pro, ()):
                if self._runs(i, week):
                    self.rows[(pro, week)].SetCoefficient(var, float(self._weekly(i)))

    def add_row(self, pro: int, week: int) -> None:
        row = self.solver.Constraint(
            -self.solver.infinity(), float(self.instance.professionals[pro].capacity[week])
        )
        self.rows[(pro, week)] = row
        self.row_weeks[pro].append(week)
        for k, i in self.by_pro[pro]:
            if self._runs(i, week):
                row.SetCoefficient(self.z[k], float(self._weekly(i)))

    def _runs(self, i: int, week: int) -> bool:
        role = self.instance.roles[int(self.cands.role[i])]
        return role.first <= week <= role.last

    def _weekly(self, i: int) -> int:
        return self.instance.roles[int(self.cands.role[i])].hours_per_week

    def solve(self) -> MasterSolution | None:
        """Solve the master LP; read everything before the model changes again."""
        if self.solver.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        return MasterSolution(
            values=np.array([v.solution_value() for v in self.z]),
            duals={key: max(0.0, row.dual_value()) for key, row in self.rows.items()},
            convexity=[row.dual_value() for row in self.convexity],
            value=self.solver.Objective().Value(),
        )

    def overloads(self, values: np.ndarray) -> list[tuple[int, int]]:
        """(professional, week) where the master's fractional plan exceeds capacity and has no row yet.

        Of overloaded weeks with the same running roles only the one with the least capacity is
        returned: its row implies the others for the patterns at hand (fewer rows, faster LPs).
        """
        load: dict[tuple[int, int], float] = defaultdict(float)
        running: dict[tuple[int, int], set[int]] = defaultdict(set)
        for k, value in enumerate(values.tolist()):
            if value <= 1e-9:
                continue
            for i in self.patterns[k][1]:
                role_i = int(self.cands.role[i])
                role = self.instance.roles[role_i]
                for week in range(role.first, role.last + 1):
                    key = (int(self.cands.pro[i]), week)
                    load[key] += value * role.hours_per_week
                    running[key].add(role_i)
        pros = self.instance.professionals
        tightest: dict[tuple[int, frozenset[int]], tuple[int, int]] = {}
        for (pro, week), hours in load.items():
            capacity = pros[pro].capacity[week]
            if (pro, week) in self.rows or hours <= capacity + 1e-6:
                continue
            group = (pro, frozenset(running[(pro, week)]))
            if group not in tightest or capacity < tightest[group][0]:
                tightest[group] = (capacity, week)
        return [(pro, week) for (pro, _), (_, week) in sorted(tightest.items(), key=lambda item: item[1][1])]


def price(
    instance: ShellInstance,
    cands: Candidates,
    objective: np.ndarray,
    duals: dict[tuple[int, int], float],
    slices: dict[int, np.ndarray],
) -> Pricing:
    """L(y) and each project's best pattern, for multipliers ``duals`` on (professional, week)."""
    y = np.zeros((len(instance.professionals), len(instance.weeks) + 1))
    for (p, w), value in duals.items():
        y[p, w + 1] = value
    np.cumsum(y, axis=1, out=y)
    first = np.array([r.first for r in instance.roles], dtype=np.int64)[cands.role]
    last = np.array([r.last for r in instance.roles], dtype=np.int64)[cands.role]
    weekly = np.array([r.hours_per_week for r in instance.roles], dtype=np.float64)[cands.role]
    adjusted = objective - weekly * (y[cands.pro, last + 1] - y[cands.pro, first])
    cost = pair_cost(instance, cands)
    forced_at = {int(cands.role[i]): int(i) for i in pinned(instance, cands).tolist()}
    bound = sum(v * instance.professionals[p].capacity[w] for (p, w), v in duals.items())
    choices = []
    for j in range(len(instance.projects)):
        choice = project_choice(instance, j, adjusted, cost, cands.pro, slices, forced_at)
        choices.append(choice)
        bound += choice.value
    return Pricing(bound, choices, adjusted, dict(duals))


def project_choice(
    instance: ShellInstance,
    project: int,
    adjusted: np.ndarray,
    cost: np.ndarray,
    pro: np.ndarray,
    slices: dict[int, np.ndarray],
    forced_at: dict[int, int],
) -> ProjectChoice:
    """Project ``project``'s exact best choice for the values ``adjusted``."""
    spec = instance.projects[project]
    empty = np.zeros(0, dtype=np.int64)
    budgeted = spec.budget is not None
    layers = len(spec.roles)
    lists = [shortlist(adjusted, cost, slices.get(r, empty), layers, budgeted) for r in spec.roles]
    forced = [forced_at.get(r) for r in spec.roles]
    return best_choice(lists, forced, adjusted, cost, pro, spec.budget)


def integer_bound(pricing: Pricing) -> int:
    return math.floor(pricing.bound + FLOAT_SLACK)


@dataclass
class DecompositionResult:
    pricing: Pricing  # at the best (lowest) bound found
    master: Master
    values: np.ndarray  # master solution
    rounds: int
    converged: bool


def decompose(
    instance: ShellInstance,
    cands: Candidates,
    objective: np.ndarray,
    deadline: float,
    stop: Callable[[], bool] = lambda: False,
    on_bound: Callable[[int], None] = lambda bound: None,
    incumbent: Callable[[], float] | None = None,
    master_lp: bool = True,
) -> DecompositionResult | None:
    """Column and row generation until the master LP equals L(y), time runs out or a stop is requested.

    Without ``master_lp`` (or when it gets slow) the multipliers come from subgradient steps instead.
    """
    if stop():
        return None
    slices = role_slices(cands)
    master = Master(instance, cands, objective)
    pricing = price(instance, cands, objective, {}, slices)
    best = pricing
    on_bound(integer_bound(pricing))
    for j, choice in enumerate(pricing.choices):
        master.add_pattern(j, choice.chosen)
    pins_of: dict[int, list[int]] = defaultdict(list)
    for i in pinned(instance, cands).tolist():
        pins_of[instance.roles[int(cands.role[i])].project].append(i)
    for j, pins in pins_of.items():  # keeps the master feasible whatever rows are added
        master.add_pattern(j, tuple(sorted(pins)))
    rounds = 0
    values = np.zeros(0)
    converged = False
    budget = deadline - time.monotonic()
    while master_lp and time.monotonic() < deadline and not stop():
        rounds += 1
        lp_started = time.monotonic()
        solved = master.solve()
        if solved is None:
            return None
        values = solved.values
        if time.monotonic() - lp_started > SLOW_MASTER * budget:
            break  # the master LP is too slow for this size: continue with subgradient steps
        # Every round prices with the current duals (a valid bound whatever the rows) and adds both the
        # rows the master overloads and the patterns that price out.
        pricing = price(instance, cands, objective, solved.duals, slices)
        if pricing.bound < best.bound:
            best = pricing
            on_bound(integer_bound(pricing))
        overloaded = master.overloads(values)
        for pro, week in overloaded:
            master.add_row(pro, week)
        entering = [
            (j, c.chosen)
            for j, c in enumerate(pricing.choices)
            if c.value > solved.convexity[j] + PRICE_TOLERANCE
        ]
        if not overloaded and (not entering or best.bound <= solved.value + FLOAT_SLACK):
            converged = True
            break
        for j, chosen in entering:
            master.add_pattern(j, chosen)
    if not converged and time.monotonic() < deadline and not stop():
        # Polyak steps aim at a target below the bound; an early incumbent far below the optimum makes
        # every step too long (large regional 101, 15 s under load 8: aiming at a 492 M incumbent left the
        # bound at 504.4 M, aiming a quarter of the way from the 505.2 M bound down to it reached 503.6 M).
        if incumbent is None:
            target = best.bound - 0.01 * abs(best.bound)
        else:
            target = max(incumbent(), best.bound - TARGET_SHARE * (best.bound - incumbent()))
        best = subgradient(instance, cands, objective, best.duals, best, target, deadline, stop, on_bound)
    return DecompositionResult(best, master, values, rounds, converged)
