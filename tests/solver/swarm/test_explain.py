"""Reasons for unscheduled requests on instances built to fail in known ways."""

from __future__ import annotations

from solver.control import SolveOptions
from solver.swarm import parse_instance, solve, to_document
from tests.solver.swarm.builders import crowd, instance, person, request

FAST = SolveOptions(time_limit=3, workers=1)


def reason(d, ident="r") -> str:
    out = to_document(solve(parse_instance(d), FAST))
    return {u["request"]: u["reason"] for u in out["unscheduled"]}[ident]


def test_too_few_skilled_people_names_the_need_and_the_nearest_fit():
    people = [person("a", {"jeugdzorg": 2}), person("b", {"jeugdzorg": 1}), *crowd(4)]
    d = instance([request("r", needs=[{"skill": "jeugdzorg", "min": 2, "min_level": 2}])], people)
    text = reason(d)
    assert "no candidate slot has 2 people with jeugdzorg level 2 or more" in text
    assert "the nearest fit is slot am at hall with 1" in text


def test_travel_too_far_names_the_limit_and_who_lives_farther():
    people = [person("a", {"law": 1}, lat=52.1), *crowd(3)]
    d = instance([request("r", venues=["hall"], max_travel_km=5, needs=[{"skill": "law", "min": 1}])], people)
    text = reason(d)
    assert "within 5 km" in text and "1 more live farther than 5 km" in text


def test_everyone_who_fits_is_excluded():
    people = [person("a", {"law": 3}), *crowd(3)]
    d = instance([request("r", needs=[{"skill": "law", "min": 1}], excluded=["a"])], people)
    assert "1 more are excluded by the request" in reason(d)


def test_no_venue_seats_the_table():
    d = instance([request("r", size=(5, 6))], crowd(8))
    for venue in d["venues"]:
        venue["capacity"] = 4
    assert "every allowed venue seats fewer than 5 people" in reason(d)


def test_unavailable_people_are_counted():
    people = [person("a", {"law": 2}, availability={"am": "no", "pm": "yes"}), *crowd(3)]
    d = instance([request("r", needs=[{"skill": "law", "min": 1}])], people)
    assert "1 more are not available then" in reason(d)


def test_crowded_out_by_a_request_of_higher_priority():
    d = instance([request("low", priority=1), request("high", priority=5)], crowd(2), max_parallel_sessions=1)
    text = reason(d, "low")
    assert "could be held alone" in text and "priority is 1" in text
