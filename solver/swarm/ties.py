"""Near ties on the decomposed route: each session of the final plan seats, among the near ties of
its own seating, the people who waited longest (the exact route does this for the whole schedule in
:func:`solver.swarm.model.break_ties`; docs/solver-swarm.md, "Equal treatment over time").

A session keeps its tables; the people the other sessions hold stay where they are. Each session
may give up at most ``NEAR_TIE`` of its own skill term, so the schedule gives up at most that share
of its whole skill term.
"""

from __future__ import annotations

import time

import numpy as np

from solver.control import SolveControl, SolveOptions
from solver.swarm import model as aggregated
from solver.swarm.eligibility import Eligibility, Session
from solver.swarm.model import Plan
from solver.swarm.repack import free_for

# Per table, the free people with the longest waits brought into its tie-break beside those seated:
# a large region has hundreds eligible per table, and only a few can take a seat.
WAITING_PER_TABLE = 30


def waiting_people(elig: Eligibility) -> bool:
    """Whether any near tie can be broken: a fairness weight above 0 and someone with a wait bonus."""
    inst = elig.instance
    return any(aggregated.wait_bonus(inst, p) for p in range(elig.n))


def seat_longest_waits(
    elig: Eligibility,
    plan: Plan,
    options: SolveOptions,
    control: SolveControl,
    deadline: float,
    allowance: int | None = None,
) -> tuple[Plan, int]:
    """``plan`` with each session re-seated among its near ties (while time is left before
    ``deadline``), and the score that gave up in all: never more than ``allowance`` when given (what is
    left of the round's share after the turns' session choice, :mod:`solver.swarm.turns`)."""
    if not waiting_people(elig) or (allowance is not None and allowance <= 0):
        return plan, 0
    plan = dict(plan)
    given_up = 0
    order = sorted(plan)
    for i, session in enumerate(order):
        left = deadline - time.monotonic()
        if left < 0.05:
            break
        budget = left / (len(order) - i)  # run_tie_break caps it at TIE_SECONDS
        left_over = None if allowance is None else allowance - given_up
        found = _session_ties(elig, plan, session, options, control, budget, left_over)
        if found is not None:
            plan[session], margin = found
            given_up += margin
    return plan, given_up


def _session_ties(elig, plan: Plan, session: Session, options, control, time_limit: float, allowance=None):
    """One session's tie-break: its seating and the score it gave up, or None without a solution."""
    inst = elig.instance
    free = free_for(elig, plan, session)
    part = {}
    for r, seats in sorted(plan[session].items()):
        waiting = [p for p in np.flatnonzero(free & elig.eligible(r, session)).tolist() if p not in seats]
        waiting.sort(key=lambda p: (-aggregated.wait_bonus(inst, p), -int(elig.skill_values[r][p]), p))
        part[r, session] = np.array(sorted([*seats, *waiting[:WAITING_PER_TABLE]]), np.int64)
    agg = aggregated.build(elig, part)
    agg.hint({session: plan[session]})
    proto = agg.model.proto.solution_hint
    hinted = dict(zip(proto.vars, proto.values, strict=True))

    def value(var) -> int:
        return hinted.get(var.index, 0)

    score = agg.score_of(value)
    at_least = None if allowance is None else score - max(0, allowance)
    found = aggregated.seat_near_ties(agg, value, score, options, control, time_limit, at_least)
    if found is None:
        return None
    solution, _ = found
    return agg.extract(solution).get(session, {}), score - agg.score_of(solution)
