"""From a ShellInstance to a proved-valid plan with a true bound.

Stages: eligible pairs (numpy) -> greedy plan -> either CP-SAT over all pairs (few pairs), or the LP
bound by column generation, an LP-guided greedy plan, reduced-cost fixing and CP-SAT over the pairs
that could still improve the plan. The reported score is recomputed from the plan (score.py) and the
plan is checked against every hard rule (rules.py) before it is returned.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from solver.control import SolveControl, SolveOptions, run_cp_sat
from solver.shell.bound import FLOAT_SLACK, Multipliers, integer_bound, price, solve_lp
from solver.shell.eligibility import Arrays, Candidates, eligible_pairs
from solver.shell.greedy import greedy_plan, role_slices
from solver.shell.instance import ShellInstance
from solver.shell.model import build_cp_sat, pinned
from solver.shell.rules import plan_problems
from solver.shell.score import score_breakdown

# Up to this many useful pairs CP-SAT sees them all, and its own bound is global.
DIRECT_PAIRS = 60_000
# The most pairs handed to CP-SAT after reduced-cost fixing; beyond it only the LP bound is claimed.
MAX_FIXED_PAIRS = 300_000
# Pairs per role that start the column generation, and its share of the time limit.
LP_START_PER_ROLE = 6
LP_TIME_SHARE = 0.45
# Time kept back for explanations and writing the result.
RESERVE_SECONDS = 0.3


@dataclass
class ShellResult:
    instance: ShellInstance
    pairs: tuple[tuple[int, int], ...]  # (role, professional) indexes, by role
    status: str  # "optimal" or "feasible"
    score: int
    bound: int | None
    solve_seconds: float
    breakdown: dict[str, int]
    eligible: Candidates  # every eligible pair, for the explanations
    stats: dict[str, float | int | str] = field(default_factory=dict)


def solve(
    instance: ShellInstance,
    options: SolveOptions | None = None,
    control: SolveControl | None = None,
    *,
    direct_pairs: int = DIRECT_PAIRS,
) -> ShellResult:
    options = options or SolveOptions()
    control = control or SolveControl()
    started = time.monotonic()
    deadline = started + options.time_limit
    search = _Search(instance, eligible_pairs(instance, Arrays(instance)), control)
    search.stats["pairs"] = len(search.cands)

    search.offer(greedy_plan(instance, search.cands, search.objective), "greedy")
    search.tighten(integer_bound(price(instance, search.cands, search.objective, _no_multipliers(instance))))
    proved = False
    if not control.stop_requested and len(search.cands) <= direct_pairs:
        proved = search.cp_sat(np.arange(len(search.cands)), options, deadline, global_bound=True)
    elif not control.stop_requested:
        proved = _decomposed(search, options, started, deadline)

    pairs = search.best_pairs()
    breakdown = score_breakdown(instance, pairs)
    score = sum(breakdown.values())
    problems = plan_problems(instance, pairs)
    if problems or score != search.best_value + search.offset:
        raise AssertionError(f"internal error: plan breaks {problems[:1]} or score {score} differs")
    bound = None if search.bound is None else search.bound + search.offset
    optimal = proved or bound == score
    return ShellResult(
        instance=instance,
        pairs=pairs,
        status="optimal" if optimal else "feasible",
        score=score,
        bound=score if optimal else bound,
        solve_seconds=round(time.monotonic() - started, 3),
        breakdown=breakdown,
        eligible=search.all_cands,
        stats=search.stats,
    )


def _no_multipliers(instance: ShellInstance) -> Multipliers:
    return Multipliers(
        np.zeros((len(instance.professionals), len(instance.weeks))), np.zeros(len(instance.projects)), {}
    )


def _decomposed(search: _Search, options: SolveOptions, started: float, deadline: float) -> bool:
    """LP bound over all pairs, then CP-SAT over the pairs that could beat the incumbent."""
    instance, cands, objective = search.instance, search.cands, search.objective
    start = np.concatenate(
        [idx[:LP_START_PER_ROLE] for idx in role_slices(cands).values()] + [np.flatnonzero(search.best)]
    )
    lp_deadline = min(deadline - RESERVE_SECONDS, started + LP_TIME_SHARE * (deadline - started))
    lp = solve_lp(instance, cands, objective, start, lp_deadline, stop=lambda: search.control.stop_requested)
    if lp is None:
        top = np.concatenate([start, pinned(instance, cands)])
        search.cp_sat(np.unique(top), options, deadline, global_bound=False)
        return False
    search.stats["lp_rounds"] = lp.rounds
    search.stats["lp_complete"] = int(lp.complete)
    search.tighten(integer_bound(lp.pricing))
    fractional = lp.columns[lp.values > 1e-6]
    first = fractional[np.lexsort((-objective[fractional], -lp.values[lp.values > 1e-6]))]
    search.offer(greedy_plan(instance, cands, objective, first=first), "lp-greedy")
    if search.control.stop_requested:
        return False
    # Pairs that can appear in a plan better than the incumbent (see bound.py).
    pricing = lp.pricing
    forced = pricing.bound - pricing.role_term[cands.role] + pricing.reduced
    improving = forced >= search.best_value + 1 - FLOAT_SLACK
    improving[search.best] = True
    improving[pinned(instance, cands)] = True
    kept = np.flatnonzero(improving)
    complete = len(kept) <= MAX_FIXED_PAIRS
    if not complete:
        kept = np.union1d(np.flatnonzero(search.best), kept[np.argsort(-forced[kept])[:MAX_FIXED_PAIRS]])
    search.stats["fixed_pairs"] = len(kept)
    return search.cp_sat(kept, options, deadline, global_bound=complete)


class _Search:
    """The incumbent plan (a mask over the useful candidates) and the best proved bound."""

    def __init__(self, instance: ShellInstance, eligible: Candidates, control: SolveControl):
        self.instance = instance
        self.control = control
        self.all_cands = eligible
        objective = eligible.value + eligible.keep
        useful = objective > 0
        useful[pinned(instance, eligible)] = True  # a pin stays even when it costs score
        self.cands = eligible.select(np.flatnonzero(useful))
        self.objective = objective[useful]
        self.offset = -sum(p.keep for p in instance.previous) - instance.gone_penalty
        self.best = np.zeros(len(self.cands), dtype=bool)  # replaced by the first plan offered
        self.best_value: int | None = None
        self.bound: int | None = None  # in objective units (without offset)
        self.stats: dict[str, float | int | str] = {}

    def offer(self, plan: np.ndarray, stage: str) -> None:
        value = int(self.objective[plan].sum())
        if self.best_value is None or value > self.best_value:
            self.best, self.best_value = plan, value
            self.stats["best_stage"] = stage
        self._report(stage)

    def tighten(self, bound: int) -> None:
        if self.bound is None or bound < self.bound:
            self.bound = bound

    def _report(self, stage: str) -> None:
        bound = None if self.bound is None else self.bound + self.offset
        self.control.report(self.best_value + self.offset, bound, stage)

    def cp_sat(self, kept: np.ndarray, options: SolveOptions, deadline: float, *, global_bound: bool) -> bool:
        """CP-SAT over the candidates ``kept``; True when that proves the incumbent optimal overall."""
        sub = self.cands.select(kept)
        model = build_cp_sat(self.instance, sub, self.objective[kept], hint=self.best[kept])
        remaining = deadline - time.monotonic() - RESERVE_SECONDS
        if remaining <= 0.01:
            return False
        run = run_cp_sat(
            model.model,
            options,
            self.control,
            time_limit=remaining,
            to_score=lambda value: round(value) + self.offset,
            stage="cp-sat",
        )
        self.stats["cp_sat_pairs"] = len(kept)
        self.stats["cp_sat_status"] = run.solver.status_name(run.status)
        if run.has_solution:
            plan = np.zeros(len(self.cands), dtype=bool)
            plan[kept] = [run.solver.boolean_value(x) for x in model.x]
            self.offer(plan, "cp-sat")
        if run.best_bound is not None and math.isfinite(run.best_bound):
            cp_bound = math.floor(run.best_bound + FLOAT_SLACK)
            # Every pair left out cannot beat the incumbent, so the optimum is the incumbent or within kept.
            if global_bound:
                self.tighten(max(self.best_value, cp_bound))
        return global_bound and run.optimal

    def best_pairs(self) -> tuple[tuple[int, int], ...]:
        idx = np.flatnonzero(self.best)
        return tuple(sorted(zip(self.cands.role[idx].tolist(), self.cands.pro[idx].tolist(), strict=True)))


__all__ = ["ShellResult", "solve"]
