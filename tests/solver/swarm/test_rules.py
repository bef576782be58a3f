"""Each hard rule alone, in pairs (breaks / holds).

Model side: the aggregated CP-SAT variables with only the rule under test, the decision fixed, and
CP-SAT asked whether that is feasible. Schedule side: :func:`solver.swarm.evaluate.violations` on a
hand-built schedule, which is what guards every schedule the engine returns.
"""

from __future__ import annotations

import numpy as np
import pytest
from ortools.sat.python import cp_model

from solver.swarm import parse_instance
from solver.swarm.eligibility import Eligibility
from solver.swarm.evaluate import SessionPlan, Table, violations
from solver.swarm.model import AggregatedModel
from tests.solver.swarm.builders import crowd, instance, person, request

AM, PM, DAY = 0, 1, 2
HALL, WEB = 0, 1


def doc(requests, people, **extra):
    d = instance(requests, people, **extra)
    d["slots"].append({"id": "day", "start": "2027-01-12T09:00", "end": "2027-01-12T17:00"})
    for p in d["professionals"]:
        p["availability"]["day"] = "yes"
    return d


def model(d, pairs):
    """Variables for the given (request, session) pairs with every professional as a candidate."""
    elig = Eligibility(parse_instance(d))
    agg = AggregatedModel(elig)
    for r, session in pairs:
        agg.add_pair(r, session, np.arange(elig.n))
    return agg


def feasible(agg: AggregatedModel, fixed: dict) -> bool:
    for var, value in fixed.items():
        agg.model.add(var == value)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 5
    return solver.solve(agg.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


# --- rule 1 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("both", "expected"), [(True, False), (False, True)])
def test_rule1_a_request_sits_in_at_most_one_session(both, expected):
    agg = model(doc([request("r", slots=["am", "pm"])], crowd(2)), [(0, (AM, HALL)), (0, (PM, HALL))])
    agg.rule1_one_session_per_request()
    assert feasible(agg, {agg.z[0, (AM, HALL)]: 1, agg.z[0, (PM, HALL)]: int(both)}) is expected


@pytest.mark.parametrize(("slot", "broken"), [("pm", True), ("am", False)])
def test_rule1_the_session_slot_is_one_of_the_request_slots(slot, broken):
    inst = parse_instance(doc([request("r")], crowd(2)))
    s = inst.slot_index[slot]
    plan = SessionPlan(s, HALL, (Table(0, ((0, 1), (0, 1))),))
    assert any("rule 1" in v for v in violations(inst, [plan])) is broken


# --- rule 2 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("tables", "expected"), [(1, False), (2, True)])
def test_rule2_at_most_tables_requests_per_session(tables, expected):
    d = doc([request("r1"), request("r2")], crowd(4))
    d["venues"][0]["tables"] = tables
    agg = model(d, [(0, (AM, HALL)), (1, (AM, HALL))])
    agg.rule2_venues()
    assert feasible(agg, {agg.z[0, (AM, HALL)]: 1, agg.z[1, (AM, HALL)]: 1}) is expected


@pytest.mark.parametrize(("capacity", "expected"), [(2, False), (3, True)])
def test_rule2_at_most_capacity_participants(capacity, expected):
    d = doc([request("r", size=(3, 3))], crowd(3))
    d["venues"][0]["capacity"] = capacity
    agg = model(d, [(0, (AM, HALL))])
    agg.rule2_venues()
    assert feasible(agg, {agg.y[p, (AM, HALL)]: 1 for p in range(3)}) is expected


@pytest.mark.parametrize(("second", "expected"), [(DAY, False), (PM, True)])
def test_rule2_one_session_at_a_time_per_venue(second, expected):
    d = doc([request("r1", slots=["am"]), request("r2", slots=["pm", "day"])], crowd(4))
    agg = model(d, [(0, (AM, HALL)), (1, (second, HALL))])
    agg.rule2_venues()
    assert feasible(agg, {agg.z[0, (AM, HALL)]: 1, agg.z[1, (second, HALL)]: 1}) is expected


def test_rule2_never_in_an_unavailable_slot():
    d = doc([request("r")], crowd(2))
    d["venues"][0]["unavailable_slots"] = ["am"]
    inst = parse_instance(d)
    assert (AM, HALL) not in Eligibility(inst).allowed_sessions(0)
    plan = SessionPlan(AM, HALL, (Table(0, ((0, 1), (0, 1))),))
    assert any("rule 2" in v for v in violations(inst, [plan]))
    assert not violations(inst, [SessionPlan(AM, WEB, plan.tables)])


# --- rule 3 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("limit", "expected"), [(1, False), (2, True)])
def test_rule3_at_most_max_parallel_sessions(limit, expected):
    d = doc([request("r1"), request("r2")], crowd(4), max_parallel_sessions=limit)
    agg = model(d, [(0, (AM, HALL)), (1, (AM, WEB))])
    agg.rule3_parallel_sessions()
    assert feasible(agg, {agg.open[AM, HALL]: 1, agg.open[AM, WEB]: 1}) is expected


def test_rule3_a_chain_of_overlaps_counts_two():
    d = doc([request("r1"), request("r2", slots=["day"]), request("r3", slots=["pm"])], crowd(6))
    d["max_parallel_sessions"] = 2
    agg = model(d, [(0, (AM, HALL)), (1, (DAY, WEB)), (2, (PM, HALL))])
    agg.rule3_parallel_sessions()
    assert feasible(agg, {agg.open[AM, HALL]: 1, agg.open[DAY, WEB]: 1, agg.open[PM, HALL]: 1})


# --- rule 4 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("excluded", "expected"), [(["p1"], False), ([], True)])
def test_rule4_a_participant_fits_every_table_of_the_session(excluded, expected):
    d = doc([request("r1"), request("r2", excluded=excluded)], crowd(4))
    agg = model(d, [(0, (AM, HALL)), (1, (AM, HALL))])
    agg.rule4_fit_every_table()
    assert (
        feasible(agg, {agg.z[0, (AM, HALL)]: 1, agg.z[1, (AM, HALL)]: 1, agg.y[0, (AM, HALL)]: 1}) is expected
    )


@pytest.mark.parametrize(
    ("change", "broken"),
    [
        ({"qualified": False}, True),
        ({"availability": {"am": "no"}}, True),
        ({"availability": {"am": "maybe"}}, False),
        ({"lat": 52.5, "max_travel_km": 20}, True),
        ({"lat": 52.1, "max_travel_km": 20}, False),
    ],
)
def test_rule4_qualified_available_and_within_own_travel_limit(change, broken):
    people = crowd(2)
    people[0].update(change)
    inst = parse_instance(doc([request("r")], people))
    plan = SessionPlan(AM, HALL, (Table(0, ((0, 1), (0, 1))),))
    assert any("rule 4" in v for v in violations(inst, [plan])) is broken
    assert bool(Eligibility(inst).eligible(0, (AM, HALL))[0]) is not broken


@pytest.mark.parametrize(("limit", "broken"), [(10, True), (20, False)])
def test_rule4_within_the_travel_limit_of_every_request_unless_online(limit, broken):
    people = [person("p1", lat=52.1), person("p2")]  # p1 lives 11 km from the hall
    tables = (Table(0, ((0,), (1,))), Table(1, ((1,), (0,))))
    d = doc([request("r1", size=(1, 1)), request("r2", size=(1, 1), max_travel_km=limit)], people)
    inst = parse_instance(d)
    assert any("rule 4" in v for v in violations(inst, [SessionPlan(AM, HALL, tables)])) is broken
    assert not violations(inst, [SessionPlan(AM, WEB, tables)])


# --- rule 5 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("second", "expected"), [(DAY, False), (PM, True)])
def test_rule5_never_two_sessions_at_once(second, expected):
    d = doc([request("r1"), request("r2", slots=["pm", "day"])], [person("x1", max_sessions=2), *crowd(3)])
    agg = model(d, [(0, (AM, HALL)), (1, (second, WEB))])
    agg.rule5_person_sessions()
    assert feasible(agg, {agg.y[0, (AM, HALL)]: 1, agg.y[0, (second, WEB)]: 1}) is expected


@pytest.mark.parametrize(("limit", "expected"), [(1, False), (2, True)])
def test_rule5_at_most_max_sessions(limit, expected):
    d = doc([request("r1"), request("r2", slots=["pm"])], [person("x1", max_sessions=limit), *crowd(3)])
    agg = model(d, [(0, (AM, HALL)), (1, (PM, HALL))])
    agg.rule5_person_sessions()
    assert feasible(agg, {agg.y[0, (AM, HALL)]: 1, agg.y[0, (PM, HALL)]: 1}) is expected


# --- rule 6 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("people", "expected"), [(1, False), (2, True), (3, True), (4, False)])
def test_rule6_table_size_in_every_round(people, expected):
    agg = model(doc([request("r", size=(2, 3))], crowd(4)), [(0, (AM, HALL))])
    agg.rule6_tables()
    fixed = {agg.z[0, (AM, HALL)]: 1}
    fixed.update({agg.y[p, (AM, HALL)]: int(p < people) for p in range(4)})
    assert feasible(agg, fixed) is expected


@pytest.mark.parametrize(("skilled", "expected"), [(0, False), (1, True)])
def test_rule6_needs_met_at_the_table(skilled, expected):
    people = [person("p1", {"law": 2}), person("p2", {"law": 1}), person("p3")]
    needs = [{"skill": "law", "min": 1, "min_level": 2}]
    agg = model(doc([request("r", needs=needs)], people), [(0, (AM, HALL))])
    agg.rule6_tables()
    assert feasible(agg, {agg.z[0, (AM, HALL)]: 1, agg.y[0, (AM, HALL)]: skilled}) is expected


@pytest.mark.parametrize(
    ("rounds", "broken"),
    [
        (((0, 1), (0, 1)), False),
        (((0, 1), (0, 2)), True),  # p2 skips round 1, p3 skips round 0
        (((0,), (0, 1)), True),
    ],
)
def test_rule6_every_participant_at_exactly_one_table_per_round(rounds, broken):
    inst = parse_instance(doc([request("r", size=(1, 2))], crowd(3)))
    assert (
        any("rule 6" in v for v in violations(inst, [SessionPlan(AM, HALL, (Table(0, rounds),))])) is broken
    )


def test_rule6_needs_per_round_not_only_in_total():
    people = [person("p1", {"law": 1}), person("p2"), person("p3")]
    inst = parse_instance(doc([request("r", needs=[{"skill": "law", "min": 1}])], people))
    plan = SessionPlan(AM, HALL, (Table(0, ((0, 1), (1, 2))),))  # p1 only in round 0
    assert any("law" in v for v in violations(inst, [plan]))
