"""Explanations on instances built to fail in known ways, and the reasons and breakdown of a plan."""

from __future__ import annotations

from tests.solver.shell.builders import instance, plan, professional, project, reasons, role


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
