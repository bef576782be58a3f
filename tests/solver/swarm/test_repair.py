"""Repair: re-solving with ``previous`` changes little; pins and fixed sessions are honoured."""

from __future__ import annotations

from solver.control import SolveOptions
from solver.swarm import parse_instance, repair, solve, to_document
from tests.solver.swarm.builders import crowd, instance, person, request
from tests.solver.swarm_checker import check_schedule

FAST = SolveOptions(time_limit=5, workers=1)


def region() -> dict:
    people = [person(f"s{i}", {"law": 1 + i % 3}) for i in range(6)] + crowd(6)
    return instance(
        [
            request("r1", size=(2, 3), slots=["am", "pm"], needs=[{"skill": "law", "min": 1}]),
            request("r2", size=(2, 3), slots=["am", "pm"]),
        ],
        people,
    )


def where(out: dict) -> dict[str, tuple[str, str]]:
    return {t["request"]: (s["slot"], s["venue"]) for s in out["sessions"] for t in s["tables"]}


def test_repair_without_changes_keeps_the_schedule():
    inst = parse_instance(region())
    first = solve(inst, FAST)
    again = to_document(repair(inst, first, FAST))
    assert again["breakdown"]["change"] == 0
    assert where(again) == where(to_document(first))


def test_a_decline_moves_only_what_it_must():
    d = region()
    inst = parse_instance(d)
    first = to_document(solve(inst, FAST))
    declined = first["sessions"][0]["tables"][0]["rounds"][0][0]
    for p in d["professionals"]:
        if p["id"] == declined:
            p["availability"] = {}
    changed = parse_instance(d)
    again = to_document(repair(changed, first, FAST))
    d["previous"] = first
    assert check_schedule(d, again) == []
    assert again["breakdown"]["change"] == -100  # only the one who declined
    assert where(again) == where(first)


def test_pins_and_fixed_sessions_are_honoured():
    inst = parse_instance(region())
    out = to_document(repair(inst, None, FAST, pins=[("r1", "p6")], fixed_sessions=[("r2", "pm", "web")]))
    assert where(out)["r2"] == ("pm", "web")
    (session,) = [s for s in out["sessions"] if any(t["request"] == "r1" for t in s["tables"])]
    assert any("p6" in seats for t in session["tables"] for seats in t["rounds"])


def test_pins_in_the_instance_document():
    d = region()
    d["pins"] = [{"request": "r2", "professional": "s5"}]
    d["fixed_sessions"] = [{"request": "r1", "slot": "am", "venue": "hall"}]
    out = to_document(solve(parse_instance(d), FAST))
    assert where(out)["r1"] == ("am", "hall")
    (session,) = [s for s in out["sessions"] if any(t["request"] == "r2" for t in s["tables"])]
    assert any("s5" in seats for t in session["tables"] for seats in t["rounds"])


def test_a_repair_keeps_the_rounds_people_had():
    d = region()
    d["rounds"] = 3
    inst = parse_instance(d)
    first = to_document(solve(inst, FAST))
    again = to_document(repair(inst, first, FAST))
    assert again["sessions"] == first["sessions"]
