"""Near ties on the decomposed route: each session re-seated for the longest waits (solver/swarm/ties.py)."""

from __future__ import annotations

import time

from solver.control import SolveControl, SolveOptions
from solver.swarm import parse_instance, solve, to_document
from solver.swarm.eligibility import Eligibility
from solver.swarm.model import plan_value
from solver.swarm.ties import seat_longest_waits
from tests.solver.swarm.builders import instance, person, request
from tests.solver.swarm.test_fairness_ties import skilled
from tests.solver.swarm_checker import check_schedule

OPTIONS = SolveOptions(time_limit=5, workers=1, seed=0)
HALL, WEB = (0, 0), (0, 1)  # (slot am, venue)


def reseat(doc: dict, plan: dict) -> tuple[dict, int, int, Eligibility]:
    elig = Eligibility(parse_instance(doc))
    before = plan_value(elig, plan)
    found, given_up = seat_longest_waits(elig, plan, OPTIONS, SolveControl(), time.monotonic() + 5)
    return found, given_up, before, elig


def test_a_session_seats_the_longest_wait_within_its_share_of_the_skill_term():
    plan, given_up, before, elig = reseat(skilled(0.018), {HALL: {0: {0: 2, 1: 2}}})  # p1, p2 as seated
    assert 2 in plan[HALL][0]  # p3, who waited 12 rounds, 2 km away
    assert given_up == before - plan_value(elig, plan) == 2  # at most 3 (2.5 % of 120)


def test_a_wait_that_costs_more_than_the_sessions_share_is_no_near_tie():
    plan, given_up, before, elig = reseat(skilled(0.045), {HALL: {0: {0: 2, 1: 2}}})
    assert plan == {HALL: {0: {0: 2, 1: 2}}} and given_up == 0


def test_without_waits_nothing_is_solved():
    doc = skilled(0.018)
    doc["weights"]["fairness"] = 0
    plan = {HALL: {0: {0: 2, 1: 2}}}
    assert seat_longest_waits(
        Eligibility(parse_instance(doc)), plan, OPTIONS, SolveControl(), time.monotonic() + 5
    ) == (
        plan,
        0,
    )


def test_people_another_session_holds_at_the_same_time_stay_there():
    # p3 waited longest but sits online at the same time: the hall cannot take them
    people = [
        person(f"p{i}", {"law": 3}, rounds_waited=wait)
        for i, wait in ((1, 1), (2, 1), (3, 12), (4, 1), (5, 1))
    ]
    needs = [{"skill": "law", "min": 1}]
    doc = instance(
        [request("r", size=(2, 2), needs=needs, venues=["hall"]), request("s", size=(3, 3), venues=["web"])],
        people,
        weights={"fairness": 5},
    )
    held = {HALL: {0: {0: 2, 1: 2}}, WEB: {1: {2: 2, 3: 2, 4: 2}}}
    plan, _, _, _ = reseat(doc, held)
    assert plan[HALL] == {0: {0: 2, 1: 2}}


def test_the_decomposed_route_returns_the_near_tie(monkeypatch):
    from solver.swarm import engine

    monkeypatch.setattr(engine, "EXACT_MAX_SEATS", 0)  # force the decomposed route
    doc = skilled(0.018)
    result = to_document(solve(parse_instance(doc), OPTIONS, SolveControl()))
    seated = {p for table in result["sessions"][0]["tables"] for r in table["rounds"] for p in r}
    assert "p3" in seated
    assert check_schedule(doc, result) == []


def test_a_session_grants_a_guaranteed_turn_within_the_policys_share():
    # p3 is 5 km away: 5 points, more than the near tie's 3, within the turn's 10 % of 120
    doc = {**skilled(0.045), "policy": {"guaranteed_turn": {"after_rounds": 6, "max_skill_percent": 10}}}
    plan, given_up, before, elig = reseat(doc, {HALL: {0: {0: 2, 1: 2}}})
    assert 2 in plan[HALL][0]
    assert given_up == before - plan_value(elig, plan) == 5


def test_a_session_refuses_a_guaranteed_turn_above_the_policys_share():
    doc = {**skilled(0.18), "policy": {"guaranteed_turn": {"after_rounds": 6, "max_skill_percent": 10}}}
    plan, given_up, _, _ = reseat(doc, {HALL: {0: {0: 2, 1: 2}}})  # about 20 km: 20 points
    assert plan == {HALL: {0: {0: 2, 1: 2}}} and given_up == 0
