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
from solver.shell.bound import FLOAT_SLACK, decompose
from solver.shell.eligibility import Arrays, Candidates, eligible_pairs
from solver.shell.greedy import greedy_plan, role_slices
from solver.shell.improve import improve, improve_linked
from solver.shell.instance import ShellInstance
from solver.shell.model import build_cp_sat, pinned
from solver.shell.rules import plan_problems
from solver.shell.score import score_breakdown

# Up to this many useful pairs CP-SAT sees them all (its own bound is then global); above, the
# Lagrangian bound by projects, local search and a CP-SAT polish over the most promising pairs.
DIRECT_PAIRS = 60_000
# Share of the time limit for the bound; pairs per role (best by priced value) CP-SAT polishes over
# (fewer pairs let its neighbourhood search move faster: large 5 beat 8, and 8 beat 12).
BOUND_TIME_SHARE = 0.4
POLISH_PER_ROLE = 5
# Above this many pairs the bound's multipliers come from subgradient steps, not the master LP.
MASTER_LP_PAIRS = 200_000
# Share of the time limit for a first local search (before the bound, which it steers).
QUICK_LOCAL_SHARE = 0.12
# ... and at least this share of the time left after the greedy plan: the bound's subgradient target
# depends on the incumbent (regional large 101 at load 10: after a greedy plan of 484 M the bound reached
# 504.5 M, after the local search's 492 M 503.8 M; that search takes 1-2 s, and under load the eligible
# pairs and the greedy plan alone took more than the 12 %).
QUICK_LOCAL_MIN_SHARE = 0.04
# Share of the time left after the bound for the local search by projects (improve.py); it levels off
# within seconds (large: +3 k in 5 s) while the neighbourhoods after it still gain.
LOCAL_TIME_SHARE = 0.05
# Share of the time left after that for the neighbourhoods along the bound's priced choices (improve.py,
# run_linked: large +75 k to +380 k in 20 s, against +45 k in 30 s for the CP-SAT polish alone). The polish
# gets only what they leave when they run out of improvements: on the large instances of both families it
# found no plan in the 6-7 s it had after them (status UNKNOWN, regional 101 and bench 1, load 7-11).
LINKED_TIME_SHARE = 1.0
# Time kept back for stopping CP-SAT and checking the plan: a share of the limit plus a little.
RESERVE_SHARE = 0.02
RESERVE_SECONDS = 0.3
# Reading the instance before the solve and writing the plan document after it take time as well, in
# proportion to the eligible pairs (large, 1.2 M pairs: 0.4 s to parse and 0.35 s for the document on a
# quiet machine, up to twice that under load); this much is kept back for them per eligible pair, so a
# caller's parse + solve + document stays within the time limit. When parsing took longer than that (a busy
# machine: large at load 12, 3.4 s to parse and 3.4 s for the document), twice the parse time is kept back.
DOCUMENT_SECONDS_PER_PAIR = 1e-6
# CP-SAT is not started with less than this many seconds left (per 10 000 pairs, plus this).
MIN_CP_SAT_SECONDS = 0.5
# Budgets make CP-SAT's default relaxation weak; level 2 closes it (medium: proved optimal). Over all
# pairs one worker with that relaxation proves faster than the 2-worker portfolio (measured on medium).
CP_SAT_PARAMETERS = {"linearization_level": 2}


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
    search = _Search(instance, eligible_pairs(instance, Arrays(instance)), control)
    # kept back for the caller: parsing (done) and the plan document, which takes about as long
    document = max(DOCUMENT_SECONDS_PER_PAIR * len(search.all_cands), 2 * instance.parse_seconds)
    deadline = started + options.time_limit * (1 - RESERVE_SHARE) - document
    search.stats["pairs"] = len(search.cands)

    search.offer(greedy_plan(instance, search.cands, search.objective), "greedy")
    proved = False
    if control.stop_requested:
        pass
    elif len(search.cands) <= direct_pairs:
        proved = search.cp_sat(np.arange(len(search.cands)), options, deadline, global_bound=True)
    else:
        proved = _decomposed(search, options, started, deadline)

    pairs = search.best_pairs()
    breakdown = score_breakdown(instance, pairs)
    score = sum(breakdown.values())
    problems = plan_problems(instance, pairs)
    if problems or score != search.value + search.offset:
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


def _decomposed(search: _Search, options: SolveOptions, started: float, deadline: float) -> bool:
    """Lagrangian bound by projects, a plan rounded from its master LP, then CP-SAT to polish it."""
    instance, cands, objective = search.instance, search.cands, search.objective
    # A quick local search first: a good incumbent steers the bound's subgradient steps.
    # (at least a little of it when reading the instance took longer than planned, as under load)
    quick = max(
        started + QUICK_LOCAL_SHARE * (deadline - started),
        time.monotonic() + QUICK_LOCAL_MIN_SHARE * (deadline - time.monotonic()),
    )
    search.offer(
        improve(instance, cands, objective, search.best, quick, search.control, clusters=False), "local"
    )
    bound_deadline = min(deadline - RESERVE_SECONDS, started + BOUND_TIME_SHARE * (deadline - started))
    found = decompose(
        instance,
        cands,
        objective,
        bound_deadline,
        stop=lambda: search.control.stop_requested,
        on_bound=search.bound_found,
        incumbent=lambda: float(search.value),
        master_lp=len(cands) <= MASTER_LP_PAIRS,
    )
    if found is None:
        return False
    search.stats["bound_rounds"] = found.rounds
    search.stats["bound_converged"] = int(found.converged)
    master = found.master
    # patterns added after the last master solve have no LP value yet
    weight = np.zeros(len(master.patterns))
    weight[: len(found.values)] = found.values
    order = sorted(range(len(master.patterns)), key=lambda k: -weight[k])
    first = [i for k in order for i in master.patterns[k][1] if weight[k] > 1e-6]
    first += [i for choice in found.pricing.choices for i in choice.chosen]
    if search.control.stop_requested:
        return False
    search.offer(greedy_plan(instance, cands, objective, first=np.array(first, dtype=np.int64)), "rounding")
    local_deadline = time.monotonic() + LOCAL_TIME_SHARE * (deadline - time.monotonic() - RESERVE_SECONDS)
    if local_deadline > time.monotonic():
        search.offer(
            improve(instance, cands, objective, search.best, local_deadline, search.control), "local"
        )
    linked_deadline = time.monotonic() + LINKED_TIME_SHARE * (deadline - time.monotonic() - RESERVE_SECONDS)
    if linked_deadline > time.monotonic() and not search.control.stop_requested:
        priced = [(choice.value, choice.chosen) for choice in found.pricing.choices]
        search.offer(
            improve_linked(
                instance,
                cands,
                objective,
                search.best,
                priced,
                found.pricing.adjusted,
                linked_deadline,
                search.control,
            ),
            "linked",
        )
    if search.control.stop_requested or time.monotonic() > deadline - RESERVE_SECONDS:
        return False
    slices = role_slices(cands)
    adjusted = found.pricing.adjusted
    top = [idx[np.argsort(-adjusted[idx], kind="stable")[:POLISH_PER_ROLE]] for idx in slices.values()]
    in_patterns = np.array([i for _, chosen in master.patterns for i in chosen], dtype=np.int64)
    kept = np.unique(
        np.concatenate([*top, in_patterns, np.flatnonzero(search.best), pinned(instance, cands)])
    )
    search.stats["polish_pairs"] = len(kept)
    search.cp_sat(kept, options, deadline, global_bound=len(kept) == len(cands))
    return False


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
        self.report(stage)

    @property
    def value(self) -> int:
        """The incumbent's objective value (a plan is offered before anything asks)."""
        assert self.best_value is not None, "no plan offered yet"
        return self.best_value

    def bound_found(self, bound: int) -> None:
        self.tighten(bound)
        self.report("bound")

    def tighten(self, bound: int) -> None:
        if self.bound is None or bound < self.bound:
            self.bound = bound

    def report(self, stage: str) -> None:
        bound = None if self.bound is None else self.bound + self.offset
        self.control.report(self.value + self.offset, bound, stage)

    def cp_sat(self, kept: np.ndarray, options: SolveOptions, deadline: float, *, global_bound: bool) -> bool:
        """CP-SAT over the candidates ``kept``; True when that proves the incumbent optimal overall."""
        # Building the model takes time too (seconds for large ones): skip when little is left.
        if deadline - time.monotonic() - RESERVE_SECONDS < MIN_CP_SAT_SECONDS * (1 + len(kept) / 10_000):
            return False
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
            parameters={**CP_SAT_PARAMETERS, **({"num_workers": 1} if global_bound else {})},
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
                self.tighten(max(self.value, cp_bound))
        return global_bound and run.optimal

    def best_pairs(self) -> tuple[tuple[int, int], ...]:
        idx = np.flatnonzero(self.best)
        return tuple(sorted(zip(self.cands.role[idx].tolist(), self.cands.pro[idx].tolist(), strict=True)))


__all__ = ["ShellResult", "solve"]
