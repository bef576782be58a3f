"""The solve: eligibility, a bound, sessions and people, rotation, and an exact score at the end.

Two routes share every part:

* **exact** (small instances): one round-aggregated CP-SAT model over every eligible person and
  every pair. It is a relaxation of the spec problem whose solutions are realisable, so its proved
  bound is a bound of the whole and a realised optimum is a proved optimum.
* **decomposed** (larger ones): stage 1 packs requests into sessions on estimated values, stage 2
  seats candidates with the same aggregated model restricted to those sessions; the bound comes from
  the LP of :mod:`solver.swarm.bound` and, beside the search in a process of its own, the sessions'
  Lagrangian bound of :mod:`solver.swarm.session_bound`.

Either way each session is rotated (:mod:`solver.swarm.rotation`), the schedule is checked against
the hard rules and scored from scratch (:mod:`solver.swarm.evaluate`), and the best schedule so far is
what a stop or the time limit returns.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from solver.control import SolveControl, SolveOptions, run_cp_sat
from solver.swarm import bound as lp
from solver.swarm import candidates, evaluate, packing, people, repack, ties, turns
from solver.swarm import model as aggregated
from solver.swarm.eligibility import Eligibility
from solver.swarm.evaluate import SessionPlan, Table
from solver.swarm.instance import Instance
from solver.swarm.model import NO_PRESOLVE, Plan
from solver.swarm.rotation import rotate
from solver.swarm.session_bound import BoundBeside

EXACT_MAX_SEATS = 6000  # x variables up to which the exact route is taken
PACKING_SHARE = 0.1  # of the time left, for stage 1
REPACK_SHARE = 0.85  # of the time left then, for the local search over the packing
# Share of the time left kept for the near ties and guaranteed turns (after the exact solve, or after the
# packing on the decomposed route) when someone waits (fairness weight above 0 and rounds_waited given): without it the repack search
# and the seating took all but 0.1-0.2 s of a 10 s solve on the fairness grid's regions, and no session's
# tie-break ran.
TIES_RESERVE = 0.25
# With a guaranteed turn and someone due, the decomposed route also chooses sessions a second time for
# them (:mod:`solver.swarm.turns`): half the time left after the packing is kept for that pass and the ties,
# and the pass takes TURNS_SHARE of what is left once people are seated.
TURNS_RESERVE = 0.5
TURNS_SHARE = 0.6
SEAT_KEEP = 20  # candidates per need and table when the chosen sessions are seated
KEEP = 40  # candidates per need and pair in the decomposed route
# The sessions' Lagrangian bound runs beside the search up to this many pairs (bench medium: ~1,100
# pairs, a pass over its sessions takes 0.3-1.6 s; bench large: ~12,000 pairs, a first pass takes
# minutes, but every selection within a pass is a bound too, so large instances get what it proved
# by the end; regional large: ~8,000 pairs).
SESSION_BOUND_PAIRS = 20000
# One LP-driven search without extra cuts proves small instances fastest (bench small seed 1: 3.7 s,
# against 8 s with the default cuts and no proof in 20 s with the portfolio of two workers).
EXACT_PARAMETERS = {"num_workers": 1, "interleave_search": False, "cut_level": 0}


@dataclass
class Outcome:
    """The engine's raw result, before explanations are added."""

    sessions: list[SessionPlan]
    score: int
    bound: int | None
    optimal: bool
    seconds: float
    elig: Eligibility
    stages: dict[str, float] = field(default_factory=dict)


class _Clock:
    def __init__(self, options: SolveOptions, control: SolveControl):
        self.start = time.monotonic()
        # keep a margin for rotating, checking and writing the result after the last stage
        self.limit = options.time_limit * 0.93 - 0.1
        self.control = control

    def left(self) -> float:
        return self.limit - (time.monotonic() - self.start)

    def share(self, fraction: float, reserve: float = 0.0) -> float:
        """``fraction`` of the time left, less ``reserve`` seconds kept for the stages after it."""
        return max(0.05, (self.left() - reserve) * fraction)

    @property
    def stopped(self) -> bool:
        return self.control.stop_requested or self.left() <= 0


def run(inst: Instance, options: SolveOptions, control: SolveControl | None = None) -> Outcome:
    control = control or SolveControl()
    clock = _Clock(options, control)
    stages: dict[str, float] = {}
    elig = Eligibility(inst)
    stages["eligibility"] = time.monotonic() - clock.start
    pairs, tables = candidates.survey(elig, KEEP)
    staffable = sorted(tables)
    stages["candidates"] = time.monotonic() - clock.start - stages["eligibility"]
    best = _Best(inst, control)
    seats = sum(int(elig.eligible(r, s).sum()) for r, s in staffable) if len(staffable) < 400 else None
    if seats is not None and seats <= EXACT_MAX_SEATS:
        _exact(elig, pairs, staffable, options, control, clock, best)
    else:
        _decomposed(elig, pairs, staffable, tables, options, control, clock, best, stages)
    if best.conflicts:
        stages["bound_conflicts"] = float(len(best.conflicts))
    if best.invalid:
        stages["invalid_schedules"] = float(len(best.invalid))
    return Outcome(
        best.sessions,
        best.score,
        best.bound,
        best.bound is not None and best.bound == best.score,
        round(time.monotonic() - clock.start, 3),
        elig,
        stages,
    )


class _Best:
    """The best valid schedule so far and the best proved bound, reported as they improve."""

    def __init__(self, inst: Instance, control: SolveControl):
        self.inst = inst
        self.control = control
        self.sessions: list[SessionPlan] = []
        self.score = evaluate.score(inst, [])
        self.bound: int | None = None
        self.conflicts: list[tuple[int, int]] = []
        self.invalid: list[list[str]] = []

    def offer(self, sessions: list[SessionPlan], stage: str, floor: int | None = None) -> None:
        """Keep ``sessions`` if they score more, or at least ``floor`` (the tie-break's choice among
        near ties, see :func:`model.break_ties`)."""
        sessions = [s for s in sessions if s.tables]
        problems = evaluate.violations(self.inst, sessions)
        if problems:  # never expected: such a schedule is not returned, and tests look here
            self.invalid.append(problems)
            return
        value = evaluate.score(self.inst, sessions)
        at_least = self.score + 1 if floor is None else min(floor, self.score + 1)
        if value >= at_least or (value == self.score and not self.sessions and sessions):
            self.sessions, self.score = sessions, value
        self._check_bound()
        self.control.report(self.score, self.bound, stage)

    def tighten(self, bound: int | None, stage: str) -> None:
        if bound is not None and (self.bound is None or bound < self.bound):
            self.bound = bound
            self._check_bound()
            self.control.report(self.score, self.bound, stage)

    def _check_bound(self) -> None:
        """A bound below a valid schedule's score would be a bug: never report it (tests look here)."""
        if self.bound is not None and self.bound < self.score:
            self.conflicts.append((self.bound, self.score))
            self.bound = None


def _exact(elig, candidate_pairs, staffable, options, control, clock, best: _Best) -> None:
    pairs = {(r, s): np.flatnonzero(elig.eligible(r, s)) for r, s in staffable}
    agg = aggregated.build(elig, pairs)
    quick = _quick_plan(elig, candidate_pairs)
    if quick:
        agg.hint(quick)
        best.offer(_static_sessions(elig, quick), "first schedule")
    if clock.stopped:
        return
    # for the tie-break after it (and the turns that may move tables)
    reserve = clock.left() * (TURNS_RESERVE if turns.wanted(elig) else TIES_RESERVE if agg.waits() else 0.0)
    result = run_cp_sat(
        agg.model,
        options,
        _quiet(control),
        time_limit=clock.share(0.9, reserve),
        stage="exact",
        parameters={**NO_PRESOLVE, **EXACT_PARAMETERS},
    )
    if result.has_solution:
        value: Callable[[Any], int] = result.solver.value
        floor: int | None = None
        if not clock.stopped:  # among near ties of this score, the people who waited longest
            value, floor = aggregated.break_ties(agg, result, options, _quiet(control), clock.share(0.8))
        plan = agg.extract(value)
        best.offer(_rotate_all(elig, plan, options, control, clock), "rotation", floor)
        if result.optimal:
            best.tighten(round(result.solver.objective_value), "exact")
        elif result.best_bound is not None:
            best.tighten(math.floor(result.best_bound + 1e-6), "exact")
    if not clock.stopped and (best.bound is None or best.bound > best.score):
        best.tighten(lp.lp_bound(elig, clock.share(0.5), staffable), "bound")


def _quick_plan(elig, pairs) -> Plan:
    """A first valid plan in no time: the greedy packing seated by hand (the exact search's hint)."""
    chosen = packing.greedy(elig, packing.estimates(pairs))
    return people.greedy_plan(elig, {key: pair.candidates for key, pair in pairs.items()}, chosen)


def _decomposed(elig, pairs, staffable, tables, options, control, clock, best: _Best, stages) -> None:
    t = time.monotonic()
    prices: dict[int, float] = {}
    if not clock.stopped:
        found, prices = lp.tables_lp(elig, clock.share(0.15), staffable, tables)
        if found is None:  # the LP found nothing in its share (a loaded machine): a bound without it
            found = lp.requests_bound(elig, staffable, tables)
        best.tighten(found, "bound")
    stages["bound"] = time.monotonic() - t
    beside = None
    if prices and len(staffable) <= SESSION_BOUND_PAIRS and not clock.stopped:
        try:
            beside = BoundBeside(elig.instance, staffable, prices, tables, time.monotonic() + clock.left())
        except OSError:  # no process could be started: the tables bound stands
            beside = None
    try:
        _search(elig, pairs, options, control, clock, best, stages, beside)
    finally:
        if beside is not None:
            best.tighten(beside.close(), "bound")
            stages["session_bound_improvements"] = float(beside.improvements)


def _search(elig, pairs, options, control, clock, best: _Best, stages, beside) -> None:
    """Sessions, people and rotation; a bound proved beside it is taken in at each heartbeat."""

    def heartbeat() -> None:
        if beside is not None:
            best.tighten(beside.best(), "bound")
        control.report(best.score, best.bound, "repack")

    values = packing.estimates(pairs)
    hint = packing.greedy(elig, values)
    # a first valid schedule in about a second, so that an early stop still returns something useful
    first = people.greedy_plan(elig, {key: pair.candidates for key, pair in pairs.items()}, hint)
    best.offer(_static_sessions(elig, first), "first schedule")
    t = time.monotonic()
    if not clock.stopped:
        hint, _ = packing.pack(elig, values, options, _quiet(control), clock.share(PACKING_SHARE), hint)
    stages["sessions"] = time.monotonic() - t
    t = time.monotonic()
    # the near ties and guaranteed turns need time after the seating (two small solves per session)
    with_turns = turns.wanted(elig)
    reserve = clock.left() * (
        TURNS_RESERVE if with_turns else TIES_RESERVE if ties.waiting_people(elig) else 0.0
    )
    guide = None
    if not clock.stopped:
        hint, guide = repack.search(
            elig,
            pairs,
            hint,
            options,
            _quiet(control),
            clock.share(REPACK_SHARE, reserve),
            heartbeat=heartbeat,
        )
    stages["repack"] = time.monotonic() - t
    if clock.stopped:
        return
    t = time.monotonic()
    seating = repack.SessionValues(elig, options, _quiet(control), SEAT_KEEP)
    plan = repack.seat(elig, seating, hint, t + clock.share(0.85, reserve), guide)
    stages["people"] = time.monotonic() - t
    turn_cost, share = 0, None
    if with_turns and not clock.stopped:
        t = time.monotonic()
        share = turns.round_share(elig, plan)  # the turns and near ties together give up at most this
        deadline = t + clock.share(TURNS_SHARE)
        plan, turn_cost, granted = turns.choose_sessions(elig, hint, plan, options, _quiet(control), deadline)
        stages["turns"] = time.monotonic() - t
        stages["turns_granted"] = float(granted)
    t = time.monotonic()
    left = None if share is None else share - turn_cost
    plan, given_up = ties.seat_longest_waits(elig, plan, options, _quiet(control), t + clock.share(0.8), left)
    given_up += turn_cost
    stages["ties"] = time.monotonic() - t
    t = time.monotonic()
    # the near ties may score up to what their sessions gave up below the schedule so far
    floor = best.score - given_up if given_up else None
    best.offer(_rotate_all(elig, plan, options, control, clock), "rotation", floor)
    stages["rotation"] = time.monotonic() - t


def _static_sessions(elig, plan: Plan) -> list[SessionPlan]:
    """Sessions of a plan where everyone sits at one table every round (no search needed)."""
    sessions = []
    for (slot, venue), tables in sorted(plan.items()):
        built = []
        for r, seats in sorted(tables.items()):
            if any(n != elig.rounds for n in seats.values()):
                return []
            built.append(Table(r, (tuple(sorted(seats)),) * elig.rounds))
        sessions.append(SessionPlan(slot, venue, tuple(built)))
    return sessions


def _rotate_all(elig, plan: Plan, options, control, clock) -> list[SessionPlan]:
    """Rotate every session; after a stop, tiny private solves still finish the schedule. A session
    whose rotation drops a table (its solves found nothing in time) keeps the hand-made plan of its
    tables where that scores more."""
    sessions = []
    for session in sorted(plan):
        if clock.stopped:  # finish quickly with private solves the stop does not reach
            rotated = rotate(elig, session, plan[session], options, SolveControl(), 0.2)
        else:
            budget = max(0.2, clock.left() / max(1, len(plan)))
            rotated = rotate(elig, session, plan[session], options, _quiet(control), min(budget, 5.0))
        if len(rotated.tables) < len(plan[session]):
            rotated = _by_hand_if_better(elig, plan, session, rotated)
        sessions.append(rotated)
    return sessions


def _by_hand_if_better(elig, plan: Plan, session, rotated: SessionPlan) -> SessionPlan:
    """The session's tables seated by hand (:func:`people.greedy_plan`, everyone at one table every
    round, so no rotation is needed) with the people the plan's other sessions leave free, if that
    session alone scores more than ``rotated`` and breaks no rule.

    Measured on regional medium seed 101 at load 8: the seating overran its share, each session's
    rotation had 0.2 s, and two sessions of 4 and 2 tables came back empty (a loss of 2 %)."""
    inst = elig.instance
    free = repack.free_for(elig, plan, session)
    part = {(r, session): np.flatnonzero(free & elig.eligible(r, session)) for r in plan[session]}
    tables = people.greedy_plan(elig, part, dict.fromkeys(plan[session], session))
    by_hand = _static_sessions(elig, tables)
    if not by_hand or evaluate.violations(inst, by_hand):
        return rotated
    alone = [s for s in (rotated,) if s.tables]
    if evaluate.score(inst, by_hand) > evaluate.score(inst, alone):
        return by_hand[0]
    return rotated


class _quiet(SolveControl):  # noqa: N801 - used like a function
    """A stage's own control: the caller's stop reaches it, its objective values are not reported.

    Stage objectives (estimates, one session's seating) are not spec scores of a whole schedule.
    """

    def __init__(self, parent: SolveControl):
        super().__init__(None)
        self._parent = parent

    @property
    def stop_requested(self) -> bool:
        return self._parent.stop_requested

    def _attach(self, solver) -> None:
        self._parent._attach(solver)

    def _detach(self, solver) -> None:
        self._parent._detach(solver)
