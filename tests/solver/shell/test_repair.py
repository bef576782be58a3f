"""Repair: re-plan after a change keeping the other assignments; pins; previous plans in the document."""

from __future__ import annotations

from solver.control import SolveOptions
from solver.shell import parse_instance, repair, solve, to_document, with_previous
from tests.solver.shell.builders import assigned, instance, plan, professional, project, role

OPTIONS = SolveOptions(time_limit=5, workers=1)


def team() -> dict:
    """Three projects; p1..p4 are interchangeable apart from small rate differences."""
    projects = [project(name, [role(f"{name}/lead", hours=16)]) for name in "ABC"]
    pros = [professional(f"p{i}", rate=100 + i, hours=16) for i in range(1, 5)]
    doc = instance(projects, pros)
    doc["weights"]["euro"] = 1
    return doc


def test_someone_drops_out_and_the_others_stay():
    first = plan(team())
    before = assigned(first)
    assert before == {"A/lead": "p1", "B/lead": "p2", "C/lead": "p3"}
    changed = team()
    changed["professionals"] = [p for p in changed["professionals"] if p["id"] != "p2"]
    # p1 would be just as good for B, but moving people costs the change weight
    after = assigned(to_document(repair(parse_instance(changed), first, OPTIONS)))
    assert after == {"A/lead": "p1", "B/lead": "p4", "C/lead": "p3"}


def test_without_a_keep_weight_the_cheapest_plan_may_reshuffle():
    first = plan(team())
    changed = team()
    changed["professionals"][0]["hourly_rate"] = 110  # p1 gets dearer than p4 (104)
    kept = assigned(to_document(repair(parse_instance(changed), first, OPTIONS)))
    free = assigned(to_document(repair(parse_instance(changed), first, OPTIONS, keep=0)))
    assert kept == {"A/lead": "p1", "B/lead": "p2", "C/lead": "p3"}
    assert free["A/lead"] != "p1"


def test_a_budget_change_keeps_what_still_fits():
    first = plan(team())
    changed = team()
    changed["projects"][1]["budget"] = 1000  # B can no longer pay anyone
    result = to_document(repair(parse_instance(changed), first, OPTIONS, pin=True))
    assert assigned(result) == {"A/lead": "p1", "C/lead": "p3"}
    assert result["breakdown"]["change"] == -changed["weights"].get("change", 20000)


def test_a_role_is_added_and_the_plan_stays():
    first = plan(team())
    changed = team()
    changed["projects"].append(project("D", [role("D/lead", hours=16)]))
    after = assigned(to_document(repair(parse_instance(changed), first, OPTIONS, pin=True)))
    assert after == {"A/lead": "p1", "B/lead": "p2", "C/lead": "p3", "D/lead": "p4"}


def test_pin_keeps_even_an_expensive_previous_assignment():
    first = plan(team())
    changed = team()
    changed["professionals"][0]["hourly_rate"] = 500
    pinned = with_previous(parse_instance(changed), first, pin=True, keep=0)
    assert [(p.role, p.professional) for p in pinned.pins] == [(0, 0), (1, 1), (2, 2)]
    assert assigned(to_document(solve(pinned, OPTIONS)))["A/lead"] == "p1"


def test_previous_in_the_document_with_its_keep_weight():
    doc = team()
    doc["professionals"][0]["hourly_rate"] = 110
    doc["previous"] = {"format": "shell-plan/1", "assignments": [{"role": "A/lead", "professional": "p1", "keep": 10},
                                                                  {"role": "Z/gone", "professional": "p1", "keep": 7}]}  # fmt: skip
    result = plan(doc)
    # keeping p1 on A is worth 10, less than the 6 x 64 h saved by moving: it is dropped
    assert assigned(result)["A/lead"] != "p1"
    assert result["breakdown"]["change"] == -17
    assert result["score"] == sum(result["breakdown"].values())
