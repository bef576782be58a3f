"""The independent swarm checker itself, on hand-built schedules: one valid, then each rule broken once."""

from __future__ import annotations

import copy

import pytest

from tests.solver.swarm_checker import check_schedule, great_circle_km, score_terms, spec_score

VENUE = (51.89, 6.378)
TEN_KM_NORTH = (51.98, 6.378)  # 10.007 km from the venue
THIRTY_KM_NORTH = (52.16, 6.378)  # 30.02 km


def person(pid, at=VENUE, skills=None, availability=None, **extra):
    return {"id": pid, "lat": at[0], "lon": at[1], "max_travel_km": 40, "skills": skills or {},
            "availability": {"am": "yes"} if availability is None else availability, **extra}  # fmt: skip


def base_instance() -> dict:
    return {
        "format": "swarm-instance/1",
        "id": "tiny",
        "timezone": "Europe/Amsterdam",
        "rounds": 2,
        "max_parallel_sessions": 1,
        "slots": [
            {"id": "am", "start": "2027-01-12T09:00", "end": "2027-01-12T12:00"},
            {"id": "day", "start": "2027-01-12T09:00", "end": "2027-01-12T17:00"},
            {"id": "pm", "start": "2027-01-12T13:00", "end": "2027-01-12T17:00"},
        ],
        "venues": [
            {
                "id": "ulft",
                "name": "Ulft",
                "lat": VENUE[0],
                "lon": VENUE[1],
                "capacity": 10,
                "tables": 2,
                "unavailable_slots": ["pm"],
            },  # fmt: skip
            {"id": "online", "name": "Online", "capacity": 10, "tables": 2, "online": True},
        ],
        "requests": [
            {
                "id": "r1",
                "slots": ["am", "day"],
                "venues": ["ulft"],
                "table_size": [2, 3],
                "priority": 3,
                "needs": [{"skill": "omgevingsrecht", "min": 1, "min_level": 2}],
                "max_travel_km": 20,
                "excluded": ["p6"],
            },  # fmt: skip
            {
                "id": "r2",
                "slots": ["am", "pm"],
                "table_size": [2, 3],
                "needs": [{"skill": "participatie", "min": 1}],
            },
        ],
        "professionals": [
            person("p1", skills={"omgevingsrecht": 3}),
            person(
                "p2",
                skills={"omgevingsrecht": 2, "participatie": 1},
                availability={"am": "maybe"},
                recent_invitations=2,
            ),  # fmt: skip
            person("p3", at=TEN_KM_NORTH, skills={"participatie": 2}, max_travel_km=15),
            person("p4", skills={"participatie": 1}),
            person("p5", skills={"participatie": 3}, qualified=False),
            person("p6", skills={"omgevingsrecht": 3}),
            person("p7", at=THIRTY_KM_NORTH, skills={"participatie": 2}),
            person(
                "p8", skills={"participatie": 1}, availability={"pm": "yes", "day": "yes"}, max_sessions=2
            ),
        ],
        "previous": None,
    }


def schedule(sessions, unscheduled=(), score=None, status="feasible", bound=None) -> dict:
    doc = {"format": "swarm-schedule/1", "instance": "tiny", "status": status, "score": score, "bound": bound,
           "sessions": sessions, "unscheduled": [{"request": r, "reason": "test"} for r in unscheduled]}  # fmt: skip
    return doc


def am_session(r1=(("p1", "p3"), ("p2", "p4")), r2=(("p2", "p4"), ("p1", "p3")), venue="ulft") -> dict:
    return {"slot": "am", "venue": venue,
            "tables": [{"request": "r1", "rounds": [list(x) for x in r1]},
                       {"request": "r2", "rounds": [list(x) for x in r2]}]}  # fmt: skip


def rules(inst, sched) -> list[str]:
    return check_schedule(inst, sched, claims=False)


def assert_only(violations: list[str], prefix: str) -> None:
    assert violations, f"expected a {prefix} violation"
    assert all(v.startswith(prefix) for v in violations), violations


def test_distance_follows_the_spec_formula():
    assert great_circle_km(*VENUE, *TEN_KM_NORTH) == pytest.approx(10.0075, abs=1e-3)
    assert great_circle_km(52.0, 6.0, 52.0, 6.0) == 0.0


def test_valid_schedule_has_no_violation_and_the_hand_computed_score():
    inst, sched = base_instance(), schedule([am_session()])
    assert rules(inst, sched) == []
    terms = score_terms(inst, sched)
    # scheduled 3 + 1 priorities; skill: r1 30+20, r2 10+10+20; p2 maybe and 2 recent; p3 10 km
    assert terms == {"scheduled": 4000, "skill": 90, "maybe": -15, "travel_km": -10, "fairness": -10,
                     "repeat_table": 0, "change": 0}  # fmt: skip
    assert spec_score(inst, sched) == 4055
    assert check_schedule(inst, {**sched, "score": 4055, "bound": 4100}) == []


def test_repeat_table_counts_rounds_beyond_the_first():
    sched = schedule([am_session(r1=(("p1", "p3"), ("p1", "p4")), r2=(("p2", "p4"), ("p2", "p3")))])
    inst = base_instance()
    assert rules(inst, sched) == []
    terms = score_terms(inst, sched)
    assert terms["repeat_table"] == -40 and terms["skill"] == 110
    assert spec_score(inst, sched) == 4035


def test_everything_unscheduled_is_valid_and_scores_zero():
    sched = schedule([], unscheduled=["r1", "r2"], score=0)
    assert check_schedule(base_instance(), sched) == []


def test_online_venue_has_no_travel_and_no_distance_limit():
    inst = base_instance()
    inst["professionals"][2]["max_travel_km"] = 5
    sched = schedule([{"slot": "am", "venue": "online", "tables": [{"request": "r2", "rounds": [["p3", "p7"]] * 2}]}],
                     unscheduled=["r1"])  # fmt: skip
    assert rules(inst, sched) == []
    assert score_terms(inst, sched)["travel_km"] == 0


def test_change_term_counts_moved_requests_and_participants():
    inst = base_instance()
    inst["previous"] = schedule([am_session()])
    assert score_terms(inst, schedule([am_session()]))["change"] == 0
    assert score_terms(inst, schedule([], unscheduled=["r1", "r2"]))["change"] == -600
    moved = schedule([{"slot": "am", "venue": "ulft", "tables": [{"request": "r1", "rounds": [["p1", "p2"]] * 2}]},
                      {"slot": "am", "venue": "online", "tables": [{"request": "r2", "rounds": [["p3", "p4"]] * 2}]}])  # fmt: skip
    # r2 moved (1), p3 and p4 left the ulft session (2); p1, p2 stayed.
    assert score_terms(inst, moved)["change"] == -300
    inst["previous"]["sessions"][0]["tables"].append({"request": "gone", "rounds": [["p1"], ["p1"]]})
    assert score_terms(inst, schedule([am_session()]))["change"] == -100


def test_rule1_venue_not_among_the_requests_venues():
    assert_only(rules(base_instance(), schedule([am_session(venue="online")])), "rule 1")


def test_rule1_slot_not_among_the_requests_slots():
    inst = base_instance()
    inst["requests"][1]["slots"] = ["pm"]
    assert_only(rules(inst, schedule([am_session()])), "rule 1")


def test_rule2_unavailable_venue():
    inst = base_instance()
    inst["venues"][0]["unavailable_slots"] = ["am"]
    assert_only(rules(inst, schedule([am_session()])), "rule 2")


def test_rule2_too_many_tables():
    inst = base_instance()
    inst["venues"][0]["tables"] = 1
    assert_only(rules(inst, schedule([am_session()])), "rule 2")


def test_rule2_over_capacity():
    inst = base_instance()
    inst["venues"][0]["capacity"] = 3
    assert_only(rules(inst, schedule([am_session()])), "rule 2")


def with_day_request(inst: dict, venue: str) -> tuple[dict, dict]:
    inst["requests"].append({"id": "r3", "slots": ["day"], "table_size": [1, 2]})
    return inst, {"slot": "day", "venue": venue, "tables": [{"request": "r3", "rounds": [["p8"], ["p8"]]}]}


def test_rule2_overlapping_sessions_at_one_venue():
    inst, day = with_day_request(base_instance(), "ulft")
    inst["max_parallel_sessions"] = 2
    assert_only(rules(inst, schedule([am_session(), day])), "rule 2")


def test_rule3_too_many_parallel_sessions():
    inst, day = with_day_request(base_instance(), "online")
    assert_only(rules(inst, schedule([am_session(), day])), "rule 3")
    inst["max_parallel_sessions"] = 2
    assert rules(inst, schedule([am_session(), day])) == []


def test_rule3_a_chain_counts_the_most_at_one_instant():
    inst, day = with_day_request(base_instance(), "online")
    inst["max_parallel_sessions"] = 2
    inst["venues"].append({"id": "online2", "name": "Online 2", "capacity": 5, "tables": 1, "online": True})
    inst["requests"].append({"id": "r4", "slots": ["pm"], "table_size": [1, 1]})
    pm = {"slot": "pm", "venue": "online2", "tables": [{"request": "r4", "rounds": [["p7"], ["p7"]]}]}
    inst["professionals"][6]["availability"] = {"pm": "yes"}
    # am-day and day-pm overlap, am-pm do not: at most 2 at once.
    assert rules(inst, schedule([am_session(), day, pm])) == []
    inst["max_parallel_sessions"] = 1
    assert_only(rules(inst, schedule([am_session(), day, pm])), "rule 3")


def test_rule4_unqualified():
    sched = schedule([am_session(r1=(("p1", "p3"), ("p2", "p5")), r2=(("p2", "p5"), ("p1", "p3")))])
    assert_only(rules(base_instance(), sched), "rule 4")


def test_rule4_excluded():
    sched = schedule([am_session(r1=(("p6", "p3"), ("p2", "p4")), r2=(("p2", "p4"), ("p6", "p3")))])
    assert_only(rules(base_instance(), sched), "rule 4")


def test_rule4_not_available():
    sched = schedule([am_session(r1=(("p1", "p3"), ("p2", "p8")), r2=(("p2", "p8"), ("p1", "p3")))])
    assert_only(rules(base_instance(), sched), "rule 4")


def test_rule4_beyond_own_travel_limit():
    inst = base_instance()
    inst["professionals"][2]["max_travel_km"] = 10  # lives 10.007 km away
    assert_only(rules(inst, schedule([am_session()])), "rule 4")


def test_rule4_beyond_a_requests_travel_limit_even_at_another_table():
    sched = schedule([am_session(r1=(("p1", "p4"), ("p2", "p7")), r2=(("p2", "p7"), ("p1", "p4")))])
    violations = rules(base_instance(), sched)
    assert_only(violations, "rule 4")
    assert any("limit 20 of r1" in v for v in violations)


def test_rule5_more_sessions_than_allowed():
    inst = base_instance()
    inst["requests"][1]["slots"] = ["pm"]
    inst["requests"].append({"id": "r3", "slots": ["am"], "table_size": [1, 1]})
    inst["professionals"][6]["availability"] = {"pm": "yes"}
    p8 = inst["professionals"][7]
    p8["availability"]["am"] = "yes"
    am = {"slot": "am", "venue": "online", "tables": [{"request": "r3", "rounds": [["p8"], ["p8"]]}]}
    pm = {
        "slot": "pm",
        "venue": "online",
        "tables": [{"request": "r2", "rounds": [["p8", "p7"], ["p8", "p7"]]}],
    }
    assert rules(inst, schedule([am, pm], unscheduled=["r1"])) == []  # p8 may attend 2
    p8["max_sessions"] = 1
    assert_only(rules(inst, schedule([am, pm], unscheduled=["r1"])), "rule 5")


def test_rule5_two_overlapping_sessions():
    inst, day = with_day_request(base_instance(), "online")
    inst["max_parallel_sessions"] = 2
    inst["professionals"][3].update(availability={"am": "yes", "day": "yes"}, max_sessions=2)
    day["tables"][0]["rounds"] = [["p4"], ["p4"]]
    assert_only(rules(inst, schedule([am_session(), day])), "rule 5")


def test_rule6_participant_missing_in_a_round():
    inst = base_instance()
    inst["professionals"].append(person("p9"))
    sched = schedule([am_session(r2=(("p2", "p4", "p9"), ("p1", "p3")))])
    violations = rules(inst, sched)
    assert_only(violations, "rule 6")
    assert any("p9 sits at 0 tables" in v for v in violations)


def test_rule6_sitting_at_two_tables_in_one_round():
    sched = schedule([am_session(r1=(("p1", "p3"), ("p2", "p4")), r2=(("p1", "p4", "p2"), ("p1", "p3")))])
    assert_only(rules(base_instance(), sched), "rule 6")


def test_rule6_table_size():
    sched = schedule([am_session(r1=(("p1", "p3"), ("p2",)), r2=(("p2", "p4"), ("p1", "p3", "p4")))])
    assert_only(rules(base_instance(), sched), "rule 6")


def test_rule6_need_not_met_in_a_round():
    sched = schedule([am_session(r1=(("p1", "p3"), ("p3", "p4")), r2=(("p2", "p4"), ("p1", "p2")))])
    violations = rules(base_instance(), sched)
    assert_only(violations, "rule 6")
    assert any("omgevingsrecht" in v for v in violations)


def test_every_request_exactly_once():
    assert any("r2: listed 0 times" in v for v in rules(base_instance(), schedule([], unscheduled=["r1"])))
    twice = schedule([am_session()], unscheduled=["r1"])
    assert any("r1: listed 2 times" in v for v in rules(base_instance(), twice))


def test_unknown_ids_are_reported():
    bad = copy.deepcopy(am_session())
    bad["tables"][0]["rounds"][0][0] = "p-nobody"
    assert any("unknown professional" in v for v in rules(base_instance(), schedule([bad])))
    assert any("unknown slot" in v for v in rules(base_instance(), schedule([{**am_session(), "slot": "x"}])))
    assert any(
        "unknown request" in v for v in rules(base_instance(), schedule([am_session()], unscheduled=["zz"]))
    )


def test_claims_wrong_score_bound_and_status():
    inst, sessions = base_instance(), [am_session()]
    assert any(v.startswith("score:") for v in check_schedule(inst, schedule(sessions, score=4000)))
    assert any(
        v.startswith("bound:") for v in check_schedule(inst, schedule(sessions, score=4055, bound=4054))
    )
    wrong_optimal = schedule(sessions, score=4055, bound=4100, status="optimal")
    assert any("optimal" in v for v in check_schedule(inst, wrong_optimal))
    assert check_schedule(inst, schedule(sessions, score=4055, bound=4055, status="optimal")) == []
