"""Reasons for unscheduled requests on instances built to fail in known ways."""

from __future__ import annotations

import pytest

from solver.control import SolveOptions
from solver.swarm import parse_instance, solve, to_document
from solver.swarm.explain import _BLOCKED, _LIMITS, SENTENCES
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


# --- Reason codes: each code (and each variant of its clause) on an instance built to produce it ---

HALL_AM = {
    "slot": "am",
    "slot_start": "2027-01-12T09:00",
    "venue": "hall",
    "venue_name": "Hall",
    "online": False,
}
WEB_AM = {
    "slot": "am",
    "slot_start": "2027-01-12T09:00",
    "venue": "web",
    "venue_name": "Online",
    "online": True,
}


def entry(d, ident="r") -> dict:
    out = to_document(solve(parse_instance(d), FAST))
    return {u["request"]: u for u in out["unscheduled"]}[ident]


def with_am2(requests, people) -> dict:
    """Adds slot am2 (10:00-13:00), which overlaps am."""
    d = instance(requests, people)
    d["slots"].append({"id": "am2", "start": "2027-01-12T10:00", "end": "2027-01-12T13:00"})
    return d


def _unavailable(d, venue="hall", slots=("am",)):
    d["venues"][0 if venue == "hall" else 1]["unavailable_slots"] = list(slots)
    return d


PEOPLE_AM2 = [person(f"p{i}", availability={"am": "yes", "am2": "yes"}) for i in range(4)]

CASES = {
    "no_slots": (lambda: instance([request("r", slots=[])], crowd(3)), "r", {}),
    "need_exceeds_table": (
        lambda: instance([request("r", needs=[{"skill": "law", "min": 3}])], crowd(3)),
        "r",
        {"skill": "law", "count": 3, "table_max": 2},
    ),
    "fixed_session_unavailable": (
        lambda: _unavailable(
            instance(
                [request("r")], crowd(3), fixed_sessions=[{"request": "r", "slot": "am", "venue": "hall"}]
            )
        ),
        "r",
        HALL_AM,
    ),
    "venues_too_small": (
        lambda: instance(
            [request("r", size=(5, 6))],
            crowd(8),
            venues=[{"id": "hall", "name": "Hall", "lat": 52.0, "lon": 6.0, "capacity": 4, "tables": 2}],
        ),
        "r",
        {"table_min": 5, "venues": 1},
    ),
    "no_venue_available": (
        lambda: _unavailable(instance([request("r", venues=["hall"])], crowd(3))),
        "r",
        {},
    ),
    "pin_cannot_attend": (
        lambda: instance(
            [request("r")],
            [person("a", name="Anna", availability={"am": "no", "pm": "yes"}), *crowd(3)],
            pins=[{"request": "r", "professional": "a"}],
        ),
        "r",
        {"professional": "a"},
    ),
    "no_slot_with_need": (
        lambda: instance(
            [request("r", needs=[{"skill": "jeugdzorg", "min": 2, "min_level": 2}], max_travel_km=30)],
            [person("a", {"jeugdzorg": 2}), person("b", {"jeugdzorg": 1}), *crowd(4)],
        ),
        "r",
        {
            "skill": "jeugdzorg",
            "count": 2,
            "min_level": 2,
            "max_km": 30,
            "found": 1,
            **HALL_AM,
            "limit": None,
        },
    ),
    "no_slot_with_need/excluded": (
        lambda: instance(
            [request("r", needs=[{"skill": "law", "min": 1}], excluded=["a"])],
            [person("a", {"law": 3}), *crowd(3)],
        ),
        "r",
        {"skill": "law", "count": 1, "min_level": 1, "found": 0, "limit": "excluded", "limit_count": 1},
    ),
    "no_slot_with_need/travel": (
        lambda: instance(
            [request("r", venues=["hall"], max_travel_km=5, needs=[{"skill": "law", "min": 1}])],
            [person("a", {"law": 1}, lat=52.1), *crowd(3)],
        ),
        "r",
        {"max_km": 5, "found": 0, **HALL_AM, "limit": "travel", "limit_count": 1},
    ),
    "no_slot_with_need/unavailable": (
        lambda: instance(
            [request("r", needs=[{"skill": "law", "min": 1}])],
            [person("a", {"law": 2}, availability={"am": "no", "pm": "yes"}), *crowd(3)],
        ),
        "r",
        {"found": 0, "limit": "unavailable", "limit_count": 1},
    ),
    "no_slot_with_people": (
        lambda: instance([request("r", size=(5, 6))], crowd(3)),
        "r",
        {"count": 5, "max_km": None, "found": 3, **HALL_AM, "limit": None},
    ),
    "crowded_out/tables_taken": (
        lambda: instance(
            [
                request("a", priority=5, venues=["hall"]),
                request("b", priority=4, venues=["hall"]),
                request("lo", priority=1, venues=["hall"]),
            ],
            crowd(6),
        ),
        "lo",
        {**HALL_AM, "places": 1, "blocked": "tables_taken", "tables": 2, "priority": 1},
    ),
    "crowded_out/seats_taken": (
        lambda: instance(
            [
                request("a", (4, 4), priority=5, venues=["hall"]),
                request("lo", (4, 4), priority=1, venues=["hall"]),
            ],
            crowd(8),
            venues=[{"id": "hall", "name": "Hall", "lat": 52.0, "lon": 6.0, "capacity": 6, "tables": 2}],
        ),
        "lo",
        {**HALL_AM, "blocked": "seats_taken", "capacity": 6},
    ),
    "crowded_out/tables_unfit": (
        lambda: instance(
            [request("hi", priority=5, venues=["hall"]), request("lo", priority=1, venues=["hall"])], crowd(2)
        ),
        "lo",
        {**HALL_AM, "blocked": "tables_unfit"},
    ),
    "crowded_out/venue_busy": (
        lambda: with_am2(
            [
                request("hi", priority=5, venues=["hall"]),
                request("lo", priority=1, venues=["hall"], slots=["am2"]),
            ],
            PEOPLE_AM2,
        ),
        "lo",
        {"slot": "am2", "slot_start": "2027-01-12T10:00", "venue": "hall", "blocked": "venue_busy"},
    ),
    "crowded_out/parallel_limit": (
        lambda: instance(
            [request("hi", priority=5, venues=["hall"]), request("lo", priority=1, venues=["web"])],
            crowd(4),
            max_parallel_sessions=1,
        ),
        "lo",
        {**WEB_AM, "blocked": "parallel_limit", "max_parallel": 1},
    ),
    "crowded_out/needed_elsewhere": (
        lambda: instance(
            [request("hi", priority=5, venues=["hall"]), request("lo", priority=1, venues=["web"])], crowd(2)
        ),
        "lo",
        {**WEB_AM, "blocked": "needed_elsewhere", "priority": 1},
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_reason_code_with_facts_that_match_the_data(case):
    build, ident, facts = CASES[case]
    item = entry(build(), ident)
    assert item["code"] == case.split("/")[0]
    assert {key: item["facts"].get(key) for key in facts} == facts
    assert item["reason"] == SENTENCES[item["code"]](item["facts"])  # one wording, from code and facts


def test_every_unscheduled_code_and_clause_is_covered():
    invitation_codes = {
        "covers_need",
        "fills_seat",
        "online_venue",
        "venue_km",
        "slot_answer",
        "recent_invitations",
        "guaranteed_turn",
    }
    assert {case.split("/")[0] for case in CASES} == set(SENTENCES) - invitation_codes
    assert {case.split("/")[1] for case in CASES if case.startswith("crowded_out/")} == set(_BLOCKED)
    assert {case.split("/")[1] for case in CASES if "/" in case and "with_need" in case} | {None} == set(
        _LIMITS
    )


def test_the_spec_example_reads_as_before():
    item = entry(CASES["no_slot_with_need"][0]())
    assert item["reason"] == (
        "no candidate slot has 2 people with jeugdzorg level 2 or more within 30 km; "
        "the nearest fit is slot am at hall with 1"
    )


def test_invitation_reasons_carry_codes_and_facts():
    people = [
        person("a", {"law": 2}, availability={"am": "maybe"}, recent_invitations=2),
        person("b", recent_invitations=3),
    ]
    out = to_document(
        solve(parse_instance(instance([request("r", needs=[{"skill": "law", "min": 1}])], people)), FAST)
    )
    by_person = {i["professional"]: i for i in out["invitations"]}
    a = by_person["a"]
    assert [d["code"] for d in a["reason_details"]] == [
        "covers_need",
        "venue_km",
        "slot_answer",
        "recent_invitations",
    ]
    assert a["reason_details"][0]["facts"] == {
        "skill": "law",
        "level": 2,
        "min_level": 1,
        "request": "r",
        "rounds": 2,
    }
    assert a["reason_details"][1]["facts"] == {"km": 0, "venue": "hall", "venue_name": "Hall"}
    assert a["reason_details"][2]["facts"] == {"answer": "maybe"}
    assert a["reason_details"][3]["facts"] == {"count": 2, "more": 1, "pool": 2}
    assert [d["code"] for d in by_person["b"]["reason_details"]][0] == "fills_seat"
    online = to_document(solve(parse_instance(instance([request("r", venues=["web"])], crowd(2))), FAST))
    assert "online_venue" in [d["code"] for d in online["invitations"][0]["reason_details"]]
    for item in out["invitations"] + online["invitations"]:
        assert item["reasons"] == [SENTENCES[d["code"]](d["facts"]) for d in item["reason_details"]]
