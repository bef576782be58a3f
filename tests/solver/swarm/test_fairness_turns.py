"""The guaranteed turn that may choose sessions: someone due a turn who fits only a request's other slot
moves that table there when it costs at most the policy's share of the skill term, and not above it.

One hall, two slots; p1 and p2 (law 3) can come in both, p3 (law 2, waited 12 rounds) only in the
afternoon. The best table of two sits in the morning with p1 and p2 (skill term 2 people x 2 rounds x 30 =
120); in the afternoon with p3 it is worth 20 less (16.7 % of 120). With the tables fixed p3 has no turn.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from solver.control import SolveControl, SolveOptions, run_cp_sat
from solver.swarm import engine, parse_instance, solve, ties, to_document, turns
from solver.swarm import model as aggregated
from solver.swarm.eligibility import Eligibility
from tests.solver.swarm.builders import instance, person, request
from tests.solver.swarm_checker import check_schedule

AM, PM = (0, 0), (1, 0)  # (slot, venue hall)
OPTIONS = SolveOptions(time_limit=5, workers=1, seed=0)
PLAN_A = {AM: {0: {0: 2, 1: 2}}}  # the morning table: p1 and p2 both rounds
PLAN_B = {PM: {0: {0: 2, 2: 2}}}  # the afternoon table: p1 and p3


def region(percent: int | None = 20, after: int = 6, wait: int = 12) -> dict:
    people = [
        person("p1", {"law": 3}, rounds_waited=0),
        person("p2", {"law": 3}, rounds_waited=0),
        person("p3", {"law": 2}, rounds_waited=wait, availability={"pm": "yes"}),
    ]
    needs = [{"skill": "law", "min": 1}]
    doc = instance(
        [request("r", size=(2, 2), needs=needs, slots=["am", "pm"], venues=["hall"])],
        people,
        weights={"fairness": 5},
    )
    if percent is not None:
        doc["policy"] = {"guaranteed_turn": {"after_rounds": after, "max_skill_percent": percent}}
    return doc


def exact(doc: dict) -> tuple[dict, int, int]:
    """The exact route's solve and its tie-break: the plan, its score, and the proved optimum."""
    elig = Eligibility(parse_instance(doc))
    pairs = {(0, s): np.flatnonzero(elig.eligible(0, s)) for s in (AM, PM)}
    agg = aggregated.build(elig, pairs)
    solved = run_cp_sat(agg.model, OPTIONS, SolveControl())
    assert solved.optimal
    value, floor = aggregated.break_ties(agg, solved, OPTIONS, SolveControl(), 5)
    plan = agg.extract(value)
    assert floor <= aggregated.plan_value(elig, plan)
    return plan, aggregated.plan_value(elig, plan), round(solved.solver.objective_value)


def test_the_turn_moves_the_table_to_where_someone_due_fits_within_its_share():
    plan, score, optimum = exact(region(percent=20))  # 20 points of a 24-point share
    assert list(plan) == [PM] and 2 in plan[PM][0]
    assert score == optimum - 20


def test_the_turn_does_not_move_a_table_above_its_share():
    plan, score, optimum = exact(region(percent=10))  # 20 points, more than 12
    assert plan == PLAN_A
    assert score == optimum


def test_a_table_moves_only_when_that_seats_someone_due():
    plan, score, optimum = exact(region(percent=20, after=13))  # p3 waited 12: not due yet
    assert plan == PLAN_A and score == optimum
    plan, score, optimum = exact(region(percent=None))  # no policy: the near tie alone (3 points)
    assert plan == PLAN_A and score == optimum


def test_the_turn_weighs_the_longest_wait_most():
    inst = parse_instance(region(percent=20, after=3, wait=9))
    assert aggregated.turn_weight(inst, 2) == aggregated.wait_bonus(inst, 2) == 64
    assert aggregated.turn_weight(inst, 0) == 0  # waited 0 rounds: not due
    assert aggregated.turn_weight(parse_instance(region(percent=20, after=10, wait=9)), 2) == 0


# --- the decomposed route: a second session choice (solver.swarm.turns) -----------------------------


def elig_of(doc: dict) -> Eligibility:
    return Eligibility(parse_instance(doc))


def test_the_shaded_costs_lower_only_the_people_due_and_leave_the_instance_alone():
    elig = elig_of(region())
    before = elig.session_cost(PM).copy()
    shaded = turns.Shaded.of(elig, turns.due(elig), 40)
    assert shaded.session_cost(PM).tolist() == (before - np.array([0, 0, 40])).tolist()
    assert elig.session_cost(PM).tolist() == before.tolist()


@pytest.mark.parametrize(("percent", "chosen"), [(20, PLAN_B), (10, PLAN_A)])
def test_the_second_plan_is_taken_only_within_the_share(percent, chosen):
    elig = elig_of(region(percent=percent))
    plan, given_up, granted = turns.pick(elig, PLAN_A, PLAN_B)
    assert plan == chosen
    assert (given_up, granted) == ((20, 121) if chosen is PLAN_B else (0, 0))  # p3: (12 - 1)^2


def test_the_second_plan_is_not_taken_when_it_seats_nobody_more_who_is_due():
    elig = elig_of(region(percent=20, after=13))
    assert turns.pick(elig, PLAN_A, PLAN_B) == (PLAN_A, 0, 0)


@pytest.mark.parametrize(("percent", "moves"), [(20, True), (5, False)])
def test_the_session_choice_moves_the_table_for_the_turn(percent, moves):
    elig = elig_of(region(percent=percent))
    plan, given_up, _ = turns.choose_sessions(
        elig, {0: AM}, PLAN_A, OPTIONS, SolveControl(), time.monotonic() + 3
    )
    if moves:
        assert list(plan) == [PM] and 2 in plan[PM][0] and given_up == 20
    else:
        assert plan == PLAN_A and given_up == 0


def test_the_near_ties_after_the_session_choice_keep_within_what_is_left():
    elig = elig_of(region(percent=20))
    assert ties.seat_longest_waits(elig, PLAN_A, OPTIONS, SolveControl(), time.monotonic() + 3, 0) == (
        PLAN_A,
        0,
    )


def test_the_decomposed_route_grants_the_turn_valid_and_the_same_every_time(monkeypatch):
    monkeypatch.setattr(engine, "EXACT_MAX_SEATS", 0)  # the small region takes the large regions' route
    doc = region(percent=20)
    results = [to_document(solve(parse_instance(doc), OPTIONS, SolveControl())) for _ in range(2)]
    assert results[0]["sessions"] == results[1]["sessions"]
    assert check_schedule(doc, results[0]) == []
    (session,) = results[0]["sessions"]
    assert session["slot"] == "pm"
    assert "p3" in {p for table in session["tables"] for r in table["rounds"] for p in r}


def test_a_turn_granted_is_explained_to_whom_it_was_granted():
    out = to_document(solve(parse_instance(region(percent=20)), OPTIONS, SolveControl()))
    why = {i["professional"]: i["reason_details"] for i in out["invitations"]}
    assert {d["code"]: d["facts"] for d in why["p3"]}["guaranteed_turn"] == {
        "rounds_waited": 12,
        "after_rounds": 6,
    }
    assert "guaranteed_turn" not in [d["code"] for d in why["p1"]]  # waited 0 rounds
