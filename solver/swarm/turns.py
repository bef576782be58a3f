"""Guaranteed turns that may choose sessions (decomposed route; docs/solver-swarm.md, "The region's
policy: a guaranteed turn").

On a large region most of the people due a turn (:func:`solver.swarm.model.turn_due`) fit only requests
that the schedule holds at another slot or venue, so seating them with the tables fixed
(:func:`solver.swarm.model.seat_near_ties`) cannot grant their turn. Here the session choice sees them:

1. the search as always gives plan A (requests to sessions, then people);
2. a second pass searches again from A's sessions with every seat of someone due worth
   ``BONUS_PER_PERCENT`` × ``max_skill_percent`` more (:class:`Shaded`: their attendance cost lowered by it), so a table moves to a slot and venue
   where due people fit when what it loses there is less than the turns it grants; people are seated on
   the same shaded values, giving plan B;
3. B replaces A only when it seats more people due *and* its spec score is at most the policy's share
   (``max_skill_percent`` % of A's skill term) below A's. Otherwise A stays: the turn is refused.

The bonus never reaches the score: B is valued with the instance's own terms (:func:`plan_value`).
"""

from __future__ import annotations

import copy
import math
import time

import numpy as np

from solver.control import SolveControl, SolveOptions
from solver.swarm import candidates, repack
from solver.swarm.eligibility import Eligibility, Session
from solver.swarm.model import NEAR_TIE, Plan, plan_value, turn_due, turn_weight

# What one seat of someone due weighs in the due-aware session choice, in score units per percent of the
# policy's share (``max_skill_percent``): a region that lets its turns cost more weighs them more. On
# shape t5 (rounds 1-5, 8 s a solve) a bonus of 60 at 10 % seated 19 -> 51 people due but gave up 2.7 times
# the share (refused); 20 seated 18 -> 33 for 31 points of a 231-point share.
BONUS_PER_PERCENT = 2
KEEP = 40  # candidates per need and pair, as the engine's decomposed route keeps
SEAT_KEEP = 20  # candidates per need and table when the chosen sessions are seated
SEARCH_SHARE = 0.6  # of the pass's time, for the local search over sessions (the rest seats people)


def due(elig: Eligibility) -> np.ndarray:
    """Per person whether the region's guaranteed turn asks to seat them this round."""
    inst = elig.instance
    return np.fromiter((turn_due(inst, p) for p in range(elig.n)), bool, elig.n)


def wanted(elig: Eligibility) -> bool:
    """Whether the pass may run: a guaranteed turn, a fairness weight above 0, someone due, and no
    previous schedule (a repair keeps the round's places where it can; moving tables for turns would
    undo that)."""
    inst = elig.instance
    if inst.guaranteed_turn is None or not inst.weights.fairness or inst.previous is not None:
        return False
    return bool(due(elig).any())


def weights(elig: Eligibility) -> np.ndarray:
    """Per person the weight of their turn (:func:`solver.swarm.model.turn_weight`; 0 when not due)."""
    inst = elig.instance
    return np.fromiter((turn_weight(inst, p) for p in range(elig.n)), np.int64, elig.n)


def seated(elig: Eligibility, plan: Plan) -> np.ndarray:
    """Per person whether the plan seats them anywhere."""
    found = np.zeros(elig.n, bool)
    for tables in plan.values():
        for seats in tables.values():
            found[list(seats)] = True
    return found


def skill_points(elig: Eligibility, plan: Plan) -> int:
    """The plan's skill term (per seat-round, the person's skill value at that table)."""
    values = elig.skill_values
    return sum(
        int(values[r][p]) * n
        for tables in plan.values()
        for r, seats in tables.items()
        for p, n in seats.items()
    )


def allowance(elig: Eligibility, plan: Plan) -> int:
    """The score the policy lets a round give up for its turns: ``max_skill_percent`` % of the skill term."""
    turn = elig.instance.guaranteed_turn
    return 0 if turn is None else turn.max_skill_percent * abs(skill_points(elig, plan)) // 100


def round_share(elig: Eligibility, plan: Plan) -> int:
    """What a round may give up in all for turns and near ties: the larger of the policy's share and the
    near-tie share of the plan's skill term (docs/solver-swarm.md)."""
    skill = abs(skill_points(elig, plan))
    return max(allowance(elig, plan), math.floor(NEAR_TIE * skill))


class Shaded(Eligibility):
    """An instance's eligibility in which attending is ``bonus`` cheaper for the people marked: every
    stage of the search (candidates, packing, session values, seating) then weighs their seats more.
    Only for choosing; scores are always taken with the instance's own :class:`Eligibility`."""

    base: Eligibility
    bonus: np.ndarray

    @classmethod
    def of(cls, elig: Eligibility, marked: np.ndarray, bonus: int) -> Shaded:
        shaded = copy.copy(elig)  # shares the per-person arrays and caches that do not depend on cost
        shaded.__class__ = cls
        assert isinstance(shaded, Shaded)
        shaded.base = elig
        shaded.bonus = np.where(marked, bonus, 0).astype(np.int64)
        shaded._costs = {}
        shaded._cheapest = {}
        return shaded

    def session_cost(self, session: Session) -> np.ndarray:
        if session not in self._costs:
            self._costs[session] = self.base.session_cost(session) - self.bonus
        return self._costs[session]


def choose_sessions(
    elig: Eligibility,
    chosen: dict[int, Session],
    plan: Plan,
    options: SolveOptions,
    control: SolveControl,
    deadline: float,
) -> tuple[Plan, int, int]:
    """Plan B of the module's steps when it grants more turns within the policy's share, else ``plan``;
    the score that B gives up against ``plan`` and the turns it grants beyond ``plan``'s (0 and 0 when
    ``plan`` stays). ``chosen`` is ``plan``'s request -> session."""
    if not wanted(elig) or not chosen:
        return plan, 0, 0
    marked = due(elig)
    if not (marked & ~seated(elig, plan)).any():
        return plan, 0, 0
    turn = elig.instance.guaranteed_turn
    assert turn is not None  # wanted() checked it
    shaded = Shaded.of(elig, marked, BONUS_PER_PERCENT * turn.max_skill_percent)
    pairs, _ = candidates.survey(shaded, KEEP)
    hint = {r: s for r, s in chosen.items() if (r, s) in pairs}
    left = deadline - time.monotonic()
    if left < 0.2:
        return plan, 0, 0
    found, guide = repack.search(shaded, pairs, hint, options, control, left * SEARCH_SHARE)
    values = repack.SessionValues(shaded, options, control, SEAT_KEEP)
    other = repack.seat(shaded, values, found, deadline, guide)
    return pick(elig, plan, other)


def pick(elig: Eligibility, plan: Plan, other: Plan) -> tuple[Plan, int, int]:
    """``other`` when it seats more people due a turn than ``plan`` and scores at most the policy's
    share of ``plan``'s skill term below it (with the score it gives up and the turns it adds), else
    ``plan`` (and 0, 0)."""
    weight = weights(elig)
    more = int(weight[seated(elig, other)].sum()) - int(weight[seated(elig, plan)].sum())
    given_up = plan_value(elig, plan) - plan_value(elig, other)
    if more > 0 and given_up <= allowance(elig, plan):
        return other, max(0, given_up), more
    return plan, 0, 0
