"""Explanations on instances built to fail in known ways, and the reasons and breakdown of a plan."""

from __future__ import annotations

import dataclasses

import pytest

from solver.control import SolveOptions
from solver.shell import parse_instance, solve
from solver.shell.explain import SENTENCES, explain
from tests.solver.shell.builders import QUIET, instance, plan, professional, project, reasons, role


def reason_for(projects, pros, **extra) -> str:
    result = plan(instance(projects, pros, **extra))
    return reasons(result)["A/lead"]


def test_nobody_has_the_skill():
    text = reason_for([project("A", [role("A/lead", skill="jeugdzorg", min_level=2)])], [professional("p1")])
    assert text == "no professional has jeugdzorg >= 2"


def test_nobody_qualified():
    text = reason_for([project("A", [role("A/lead")])], [professional("p1", qualified=False)])
    assert "none is qualified" in text


def test_everyone_excluded():
    text = reason_for([project("A", [role("A/lead")], excluded=["p1"])], [professional("p1")])
    assert 'excluded by project "A"' in text


def test_too_far_names_the_nearest():
    pros = [
        professional("p1", lat=53.2, lon=6.57, max_travel_km=50),
        professional("p2", lat=52.37, lon=4.9, max_travel_km=60),
    ]
    text = reason_for([project("A", [role("A/lead")])], pros)
    assert 'nearest: "p2" at 105 km (travels up to 60 km)' in text  # fewest km short


def test_no_free_hours_names_the_most_free():
    projects = [
        project("A", [role("A/lead", hours=16, first=1)]),
        project("B", [role("B/lead", hours=30, last=2)]),
    ]
    pros = [professional("p1", hours=40)]
    result = plan(instance(projects, pros))
    text = reasons(result)["A/lead"]
    assert "has 16 free hours in each of weeks 2027-W02..2027-W04" in text
    assert 'most free: 10 h ("p1")' in text and "1 would have without their other assignments" in text


def test_budget_names_cheapest_and_remaining():
    roles = [role("A/lead", hours=10), role("A/law", skill="omgevingsrecht", hours=10)]
    pros = [professional("p1", rate=100), professional("p2", {"omgevingsrecht": 1}, rate=120)]
    result = plan(instance([project("A", roles, budget=5000)], pros))  # each role 4000 (p1) / 4800 (p2)
    assert reasons(result) == {
        "A/law": 'budget of project "A" would be exceeded: cheapest eligible ("p2") costs 4800, remaining 1000 of 5000'
    }


def test_not_worth_it():
    doc = instance([project("A", [role("A/lead")])], [professional("p1", rate=2000)])
    doc["weights"]["euro"] = 1
    assert "lower the score" in reasons(plan(doc))["A/lead"]


def test_assignment_reasons_and_breakdown():
    pros = [
        professional("p1", {"projectleiding": 3}, rate=90, recent_assignments=1),
        professional("p2", rate=95),
    ]
    doc = instance([project("A", [role("A/lead", min_level=2)], preferred=["p1"])], pros, weights={})
    result = plan(doc)
    (assignment,) = result["assignments"]
    assert assignment["professional"] == "p1"
    text = " | ".join(assignment["reasons"])
    assert "projectleiding level 3 (role needs 2)" in text
    assert "EUR 90/h x 64 h = EUR 5760; cheapest of 2 eligible" in text
    assert "preferred" in text and "1 km from the project" in text and "1 recent assignment" in text
    assert result["breakdown"] == {
        "filled_hour": 64000, "euro": -5760, "level": 300, "preferred": 2000, "travel_km": -5, "fairness": -50,
    }  # fmt: skip
    assert assignment["score"] == result["score"] == sum(result["breakdown"].values())


# --- Reason codes: each code on an instance built to produce it, with facts that match the data ---


LEAD = {"skill": "projectleiding", "min_level": 1}
TWO_WEEKS_BUSY = [
    project("A", [role("A/lead", hours=16, first=1)]),
    project("B", [role("B/lead", hours=30, last=2)]),
]

UNFILLED = {
    "no_skill": (
        lambda: instance(
            [project("A", [role("A/lead", skill="jeugdzorg", min_level=2)])], [professional("p1")]
        ),
        "A/lead",
        {"skill": "jeugdzorg", "min_level": 2},
    ),
    "not_qualified": (
        lambda: instance([project("A", [role("A/lead")])], [professional("p1", qualified=False)]),
        "A/lead",
        {**LEAD, "count": 1},
    ),
    "all_excluded": (
        lambda: instance(
            [project("A", [role("A/lead")], excluded=["p1"], title="Omgevingsplan")], [professional("p1")]
        ),
        "A/lead",
        {**LEAD, "project": "A", "project_title": "Omgevingsplan"},
    ),
    "too_far": (
        lambda: instance(
            [project("A", [role("A/lead")])],
            [
                professional("p1", lat=53.2, lon=6.57, max_travel_km=50),
                professional("p2", name="Piet", lat=52.37, lon=4.9, max_travel_km=60),
            ],
        ),
        "A/lead",
        {**LEAD, "project": "A", "professional": "p2", "km": 105, "max_km": 60},
    ),
    "no_free_hours": (
        lambda: instance(TWO_WEEKS_BUSY, [professional("p1", hours=40)]),
        "A/lead",
        {
            **LEAD,
            "hours_per_week": 16,
            "first_week": "2027-W02",
            "last_week": "2027-W04",
            "most_free": 10,
            "professional": "p1",
            "without_others": 1,
        },
    ),
    "holds_other_role": (
        lambda: instance(
            [project("A", [role("A/lead", hours=10), role("A/lead2", hours=10)])], [professional("p1")]
        ),
        None,  # either role may be the one left
        {**LEAD, "project": "A"},
    ),
    "over_budget": (
        lambda: instance(
            [
                project(
                    "A",
                    [role("A/lead", hours=10), role("A/law", skill="omgevingsrecht", hours=10)],
                    budget=5000,
                )
            ],
            [professional("p1", rate=100), professional("p2", {"omgevingsrecht": 1}, rate=120)],
        ),
        "A/law",
        {"project": "A", "professional": "p2", "cost": 4800, "remaining": 1000, "budget": 5000},
    ),
    "lowers_score": (
        lambda: instance(
            [project("A", [role("A/lead")])], [professional("p1", rate=2000)], weights={**QUIET, "euro": 1}
        ),
        "A/lead",
        {"professional": "p1", "value": 64 * 1000 - 64 * 2000},
    ),
}


@pytest.mark.parametrize("code", sorted(UNFILLED))
def test_each_unfilled_code_with_facts_that_match_the_data(code):
    build, role_id, facts = UNFILLED[code]
    result = plan(build())
    (item,) = (
        result["unfilled"] if role_id is None else [u for u in result["unfilled"] if u["role"] == role_id]
    )
    assert item["code"] == code
    assert {key: item["facts"].get(key) for key in facts} == facts
    assert item["reason"] == SENTENCES[code](item["facts"])


def test_a_role_the_search_did_not_fill_says_who_could():
    doc = instance([project("A", [role("A/lead")])], [professional("p1", name="Piet")])
    result = solve(parse_instance(doc), SolveOptions(time_limit=5, workers=1))
    stopped = dataclasses.replace(result, pairs=())  # as if the search had stopped before any assignment
    why = explain(stopped).unfilled
    (reason,) = why.values()
    assert reason.code == "search_stopped"
    assert reason.facts == {"professional": "p1", "value": 64 * 1000}
    assert (
        reason.text
        == '"p1" could fill it (adds 64000); the search stopped before the plan was proved optimal'
    )


def test_assignment_reason_codes_and_facts():
    pros = [
        professional("p1", {"projectleiding": 3}, rate=90, recent_assignments=1),
        professional("p2", rate=95),
    ]
    doc = instance([project("A", [role("A/lead", min_level=2)], preferred=["p1"])], pros, weights={})
    (assignment,) = plan(doc)["assignments"]
    details = {d["code"]: d["facts"] for d in assignment["reason_details"]}
    assert list(details) == ["level", "cost", "preferred", "project_km", "recent_assignments", "adds_score"]
    assert details["level"] == {"skill": "projectleiding", "level": 3, "min_level": 2}
    assert details["cost"] == {"rate": 90, "hours": 64, "cost": 5760, "rank": 1, "eligible": 2}
    assert details["project_km"] == {"km": 1}
    assert details["recent_assignments"] == {"count": 1}
    assert details["adds_score"] == {"value": assignment["score"]}
    assert assignment["reasons"] == [SENTENCES[d["code"]](d["facts"]) for d in assignment["reason_details"]]


def test_pinned_and_kept_assignments_say_so():
    projects = [project("A", [role("A/lead")]), project("B", [role("B/lead")])]
    pros = [professional("p1"), professional("p2")]
    previous = {"format": "shell-plan/1", "assignments": [{"role": "B/lead", "professional": "p2"}]}
    doc = instance(projects, pros, pins=[{"role": "A/lead", "professional": "p1"}], previous=previous)
    codes = {a["role"]: [d["code"] for d in a["reason_details"]] for a in plan(doc)["assignments"]}
    assert "pinned" in codes["A/lead"] and "kept" not in codes["A/lead"]
    assert "kept" in codes["B/lead"] and "pinned" not in codes["B/lead"]


def test_every_code_is_covered():
    assignment_codes = {
        "level",
        "cost",
        "preferred",
        "project_km",
        "recent_assignments",
        "pinned",
        "kept",
        "adds_score",
    }
    assert set(UNFILLED) | {"search_stopped"} | assignment_codes == set(SENTENCES)
