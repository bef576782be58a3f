"""Each score term alone: the schedule evaluation and the model term agree on a fixed decision."""

from __future__ import annotations

import numpy as np
import pytest
from ortools.sat.python import cp_model

from solver.swarm import parse_instance
from solver.swarm.eligibility import Eligibility
from solver.swarm.evaluate import SessionPlan, Table, breakdown
from solver.swarm.model import AggregatedModel
from tests.solver.swarm.builders import crowd, instance, person, request

AM, HALL = 0, 0
PREVIOUS = {
    "format": "swarm-schedule/1",
    "sessions": [
        {"slot": "pm", "venue": "hall", "tables": [{"request": "r", "rounds": [["p1", "x"], ["p1", "x"]]}]}
    ],
}


def one_table(people, previous=None, **request_fields):
    """Request r (size 2) at am@hall with p1 and p2 in both rounds: two rounds at one table."""
    return instance([request("r", **request_fields)], people, previous=previous)


def model_term(d, term: str, seats: dict[int, int]) -> int:
    inst = parse_instance(d)
    agg = AggregatedModel(Eligibility(inst))
    agg.add_pair(0, (AM, HALL), np.arange(len(inst.professionals)))
    getattr(agg, term)()
    agg.model.maximize(sum(c * v for c, v in agg.terms) + agg.offset)
    agg.model.add(agg.z[0, (AM, HALL)] == 1)
    for p in range(len(inst.professionals)):
        agg.model.add(agg.x[p, 0, (AM, HALL)] == seats.get(p, 0))
        agg.model.add(agg.y[p, (AM, HALL)] == int(p in seats))
    for key, rep in agg.repeat.items():
        agg.model.add(rep == max(0, seats.get(key[0], 0) - 1))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(agg.model) == cp_model.OPTIMAL
    return round(solver.objective_value)


def evaluated(d) -> dict[str, int]:
    inst = parse_instance(d)
    return breakdown(inst, [SessionPlan(AM, HALL, (Table(0, ((0, 1), (0, 1))),))])


CASES = {
    # name: (people, request fields, term, model function, expected)
    "scheduled": (crowd(2), {"priority": 3}, "scheduled", "score_scheduled", 3000),
    "skill counts level per round and need": (
        [person("p1", {"law": 2, "ict": 3}), person("p2", {"law": 1})],
        {"needs": [{"skill": "law", "min": 1, "min_level": 2}, {"skill": "ict", "min": 0}]},
        "skill",
        "score_skill",
        (2 + 3) * 10 * 2,
    ),
    "skill below min_level earns nothing": (
        [person("p1", {"law": 1}), person("p2")],
        {"needs": [{"skill": "law", "min": 0, "min_level": 2}]},
        "skill",
        "score_skill",
        0,
    ),
    "maybe": (
        [person("p1", availability={"am": "maybe"}), person("p2")],
        {},
        "maybe",
        "score_attendance",
        -15,
    ),
    "travel in whole km": ([person("p1", lat=52.1), person("p2")], {}, "travel_km", "score_attendance", -11),
    "fairness": ([person("p1", recent_invitations=3), person("p2")], {}, "fairness", "score_attendance", -15),
    "repeat": (crowd(2), {}, "repeat_table", "score_repeat", -2 * 20),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_score_term_alone(name):
    people, fields, term, function, expected = CASES[name]
    d = one_table(people, **fields)
    terms = evaluated(d)
    assert terms[term] == expected
    assert sum(v for k, v in terms.items() if k != term) == sum(terms.values()) - expected
    assert model_term(d, function, {0: 2, 1: 2}) == expected


@pytest.mark.parametrize(("previous_slot", "expected"), [("pm", -300), ("am", -100)])
def test_change_for_a_moved_request_and_a_participant_who_left(previous_slot, expected):
    previous = {**PREVIOUS, "sessions": [{**PREVIOUS["sessions"][0], "slot": previous_slot}]}
    d = one_table([person("p1"), person("p2"), person("x", availability={"am": "no"})], previous=previous)
    # previous at pm: the request moved, p1 and x left pm@hall (3 changes); at am only x left
    assert evaluated(d)["change"] == expected
    assert model_term(d, "score_change", {0: 2, 1: 2}) == expected


def test_change_for_a_request_gone_from_the_instance():
    previous = {"sessions": [{"slot": "am", "venue": "hall", "tables": [{"request": "old", "rounds": []}]}]}
    d = one_table(crowd(2), previous=previous)
    assert evaluated(d)["change"] == -100


def test_online_costs_no_travel():
    d = one_table([person("p1", lat=52.5), person("p2")])
    inst = parse_instance(d)
    terms = breakdown(inst, [SessionPlan(AM, 1, (Table(0, ((0, 1), (0, 1))),))])
    assert terms["travel_km"] == 0
