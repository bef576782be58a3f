"""Equal treatment over time: near ties of the score go to the people who waited longest.

The extension ``rounds_waited`` never enters the score; after the exact solve the aggregated model is
solved once more with the same tables and a score that gives up at most ``NEAR_TIE`` of the skill term,
seating those who waited longest (:func:`solver.swarm.model.break_ties`). Tiny instances where the score
ties exactly, or nearly.
"""

from __future__ import annotations

import numpy as np
import pytest

from solver.control import SolveControl, SolveOptions, run_cp_sat
from solver.formats import InvalidInstance
from solver.swarm import model as aggregated
from solver.swarm import parse_instance
from solver.swarm.eligibility import Eligibility
from solver.swarm.people import greedy_plan
from tests.solver.swarm.builders import instance, person, request

HALL = (0, 0)  # (slot am, venue hall)
OPTIONS = SolveOptions(time_limit=5, workers=1, seed=0)


def tied(waits: dict[str, int], fairness: int = 5, **weights) -> dict:
    """A table of two in the hall and three people the score cannot tell apart."""
    people = [person(pid, rounds_waited=w) if w is not None else person(pid) for pid, w in waits.items()]
    return instance(
        [request("r", size=(2, 2), venues=["hall"])],
        people,
        weights={"fairness": fairness, **weights},
    )


def solve(doc: dict, tie_break: bool = True) -> tuple[set[str], int, int]:
    """Who sits at the table, the plan's score, and the score of the proved optimum."""
    inst = parse_instance(doc)
    elig = Eligibility(inst)
    pairs = {HALL: np.flatnonzero(elig.eligible(0, HALL))}
    agg = aggregated.build(elig, {(0, HALL): pairs[HALL]})
    solved = run_cp_sat(agg.model, OPTIONS, SolveControl())
    assert solved.optimal
    optimum = round(solved.solver.objective_value)
    value = (
        aggregated.break_ties(agg, solved, OPTIONS, SolveControl(), 5)[0]
        if tie_break
        else solved.solver.value
    )
    plan = agg.extract(value)
    seated = {inst.professionals[p].id for p in plan[HALL][0]}
    return seated, aggregated.plan_value(elig, plan), optimum


@pytest.mark.parametrize(
    ("waits", "expected"),
    [
        ({"p1": 1, "p2": 6, "p3": 3}, {"p2", "p3"}),
        ({"p1": 6, "p2": 1, "p3": 3}, {"p1", "p3"}),
        ({"p1": 3, "p2": 1, "p3": 6}, {"p1", "p3"}),
    ],
)
def test_a_tie_goes_to_the_people_who_waited_longest(waits, expected):
    seated, score, optimum = solve(tied(waits))
    assert seated == expected
    assert score == optimum  # the tie-break never costs score


def test_the_tie_break_keeps_the_score_when_there_is_no_skill_term_to_give():
    # p3 waited longest but lives 3 km away: seating p3 would cost 3 points; without needs the skill
    # term is 0, so a near tie is an exact tie and p1 and p2 stay
    doc = tied({"p1": 1, "p2": 1, "p3": 12})
    doc["professionals"][2]["lat"] += 0.027  # about 3 km north of the hall
    seated, score, optimum = solve(doc)
    assert seated == {"p1", "p2"}
    assert score == optimum


def skilled(north: float) -> dict:
    """Three lawyers (level 3) for a table of two; p3 waited longest and lives ``north`` degrees away.
    The skill term is 2 people x 2 rounds x 30 = 120, so a near tie may give up 3 points."""
    people = [person(f"p{i}", {"law": 3}, rounds_waited=wait) for i, wait in ((1, 1), (2, 1), (3, 12))]
    people[2]["lat"] += north
    needs = [{"skill": "law", "min": 1}]
    return instance(
        [request("r", size=(2, 2), needs=needs, venues=["hall"])], people, weights={"fairness": 5}
    )


def test_a_near_tie_seats_the_longest_wait_when_it_costs_less_than_the_share_of_the_skill_term():
    seated, score, optimum = solve(skilled(0.018))  # about 2 km: 2 points
    assert "p3" in seated
    assert optimum - 3 <= score < optimum


def test_a_wait_that_costs_more_than_the_share_of_the_skill_term_is_no_near_tie():
    seated, score, optimum = solve(skilled(0.045))  # about 5 km: 5 points
    assert seated == {"p1", "p2"}
    assert score == optimum


def test_the_engine_returns_the_near_tie_and_reports_its_own_score():
    from solver.swarm import solve as solve_instance
    from solver.swarm import to_document
    from tests.solver.swarm_checker import check_schedule

    doc = skilled(0.018)
    result = to_document(solve_instance(parse_instance(doc), OPTIONS, SolveControl()))
    seated = {p for table in result["sessions"][0]["tables"] for r in table["rounds"] for p in r}
    assert "p3" in seated
    assert check_schedule(doc, result) == []  # valid; its score is what it seats, under its bound


def test_the_near_tie_floor_is_a_share_of_the_skill_term():
    assert aggregated.near_tie_floor(10_000, 120) == 10_000 - 3
    assert aggregated.near_tie_floor(10_000, 0) == 10_000
    assert aggregated.near_tie_floor(-50, 400) == -60


def test_without_waits_or_at_fairness_weight_0_nothing_changes():
    for doc in (tied({"p1": None, "p2": None, "p3": None}), tied({"p1": 1, "p2": 6, "p3": 3}, fairness=0)):
        inst = parse_instance(doc)
        elig = Eligibility(inst)
        agg = aggregated.build(elig, {(0, HALL): np.flatnonzero(elig.eligible(0, HALL))})
        assert agg.waits() == []
        assert agg.to_tie_break(lambda var: 0, 0) is False
    seated, _, _ = solve(tied({"p1": 1, "p2": 6, "p3": 3}, fairness=0))
    assert seated == solve(tied({"p1": 1, "p2": 6, "p3": 3}, fairness=0), tie_break=False)[0]


@pytest.mark.parametrize(
    ("waits", "expected"), [({"p1": 1, "p2": 6, "p3": 3}, [1, 2]), ({"p1": 6, "p2": 1, "p3": 3}, [0, 2])]
)
def test_the_hand_made_plan_breaks_ties_the_same_way(waits, expected):
    elig = Eligibility(parse_instance(tied(waits)))
    plan = greedy_plan(elig, {(0, HALL): np.arange(3)}, {0: HALL})
    assert sorted(plan[HALL][0]) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, r"professionals\[1\]\.rounds_waited: must be at least 0"),
        (2.5, r"professionals\[1\]\.rounds_waited: expected an integer"),
        ("3", r"professionals\[1\]\.rounds_waited: expected an integer"),
    ],
)
def test_a_bad_wait_is_refused_naming_the_field(value, message):
    doc = tied({"p1": 1, "p2": 1, "p3": 1})
    doc["professionals"][1]["rounds_waited"] = value
    with pytest.raises(InvalidInstance, match=message):
        parse_instance(doc)


def test_a_wait_is_read_and_defaults_to_0():
    inst = parse_instance(tied({"p1": 4, "p2": None, "p3": 0}))
    assert [p.rounds_waited for p in inst.professionals] == [4, 0, 0]


def test_the_tie_break_gives_the_same_seats_every_time():
    # twelve people, two tables, waits and homes spread: one worker and a seed give one answer
    people = [
        person(f"p{i}", {"law": 1 + i % 3}, rounds_waited=i % 5, lat=52.0 + 0.001 * (i % 4))
        for i in range(1, 13)
    ]
    doc = instance(
        [
            request("r1", size=(3, 4), needs=[{"skill": "law", "min": 1}], venues=["hall"]),
            request("r2", size=(3, 4), venues=["hall"]),
        ],
        people,
    )
    inst = parse_instance(doc)
    elig = Eligibility(inst)
    plans = []
    for _ in range(2):
        agg = aggregated.build(elig, {(r, HALL): np.flatnonzero(elig.eligible(r, HALL)) for r in (0, 1)})
        solved = run_cp_sat(agg.model, OPTIONS, SolveControl())
        value, floor = aggregated.break_ties(agg, solved, OPTIONS, SolveControl(), 5)
        plans.append(agg.extract(value))
        assert floor <= aggregated.plan_value(elig, plans[-1]) <= round(solved.solver.objective_value)
    assert plans[0] == plans[1]


# --- the region's policy: a guaranteed turn (extension policy.guaranteed_turn) -------------------------


def with_turn(doc: dict, after: int = 6, percent: int = 10) -> dict:
    return {**doc, "policy": {"guaranteed_turn": {"after_rounds": after, "max_skill_percent": percent}}}


def test_a_guaranteed_turn_seats_who_waited_when_it_costs_less_than_its_share_of_the_skill_term():
    # 5 km cost 5 points: more than the near tie's 3 (2.5 % of 120), less than the turn's 12 (10 %)
    seated, score, optimum = solve(with_turn(skilled(0.045)))
    assert "p3" in seated
    assert optimum - 12 <= score < optimum


def test_a_guaranteed_turn_that_costs_more_than_its_share_is_not_granted():
    # about 20 km: 20 points, more than 10 % of the skill term
    seated, score, optimum = solve(with_turn(skilled(0.18)))
    assert seated == {"p1", "p2"}
    assert score == optimum


def test_a_guaranteed_turn_is_due_only_after_the_rounds_the_policy_names():
    seated, _, optimum = solve(with_turn(skilled(0.045), after=13))  # p3 waited 12
    assert seated == {"p1", "p2"}


def test_the_policy_is_read_and_refused_with_its_path():
    inst = parse_instance(with_turn(skilled(0.0), after=4, percent=8))
    assert (inst.guaranteed_turn.after_rounds, inst.guaranteed_turn.max_skill_percent) == (4, 8)
    assert parse_instance(skilled(0.0)).guaranteed_turn is None  # old instances stay valid
    with pytest.raises(InvalidInstance, match=r"policy\.guaranteed_turn\.max_skill_percent"):
        parse_instance(with_turn(skilled(0.0), percent=101))
    with pytest.raises(InvalidInstance, match=r"policy\.lottery"):
        parse_instance({**skilled(0.0), "policy": {"lottery": True}})
