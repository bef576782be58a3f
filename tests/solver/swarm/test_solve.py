"""End to end on tiny instances: valid, exactly scored, bounded, operable (progress, stop, seed)."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from solver.control import SolveControl, SolveOptions
from solver.swarm import parse_instance, solve, to_document
from solver.swarm.evaluate import score, violations
from tests.solver.swarm.builders import crowd, instance, person, request
from tests.solver.swarm_checker import check_schedule, spec_score


def three_requests() -> dict:
    people = [
        person("a", {"law": 3}),
        person("b", {"law": 1, "ict": 2}, availability={"am": "maybe", "pm": "yes"}),
        person("c", {"ict": 3}, recent_invitations=2),
        person("d", lat=52.05),
        person("e", {"care": 2}, lat=52.1, max_travel_km=20),
        *crowd(3),
    ]
    return instance(
        [
            request("law", needs=[{"skill": "law", "min": 1, "min_level": 2}], priority=2),
            request("ict", size=(2, 3), needs=[{"skill": "ict", "min": 1}]),
            request(
                "care",
                slots=["am", "pm"],
                venues=["hall"],
                needs=[{"skill": "care", "min": 1}],
                max_travel_km=5,
            ),
        ],
        people,
        rounds=3,
    )


def test_a_tiny_instance_is_solved_to_proved_optimality():
    d = three_requests()
    result = solve(parse_instance(d), SolveOptions(time_limit=10, workers=1))
    out = to_document(result)
    assert check_schedule(d, out) == []
    assert out["score"] == spec_score(d, out) == score(result.instance, result.sessions)
    assert sum(out["breakdown"].values()) == out["score"]
    assert out["status"] == "optimal" and out["bound"] == out["score"]
    listed = [t["request"] for s in out["sessions"] for t in s["tables"]] + [
        u["request"] for u in out["unscheduled"]
    ]
    assert sorted(listed) == ["care", "ict", "law"]


def test_the_bound_is_never_below_the_score_and_reasons_name_the_cause():
    d = three_requests()
    out = to_document(solve(parse_instance(d), SolveOptions(time_limit=5, workers=1)))
    # "care" needs e, who lives 11 km away and the request allows 5 km
    (care,) = [u for u in out["unscheduled"] if u["request"] == "care"]
    assert "within 5 km" in care["reason"]
    assert out["bound"] is None or out["bound"] >= out["score"]


def test_same_seed_and_one_worker_give_the_same_result():
    d = three_requests()
    runs = [
        to_document(solve(parse_instance(d), SolveOptions(time_limit=5, workers=1, seed=7))) for _ in range(2)
    ]
    for out in runs:
        out.pop("solve_seconds")
    assert runs[0] == runs[1]


def test_progress_reports_scores_bounds_and_elapsed():
    seen = []
    solve(parse_instance(three_requests()), SolveOptions(time_limit=5, workers=1), SolveControl(seen.append))
    reported = [p for p in seen if p.score is not None]
    assert reported and all(p.elapsed >= 0 for p in reported)
    assert any(p.bound is not None for p in reported)


def test_every_invitation_says_why():
    d = three_requests()
    out = to_document(solve(parse_instance(d), SolveOptions(time_limit=5, workers=1)))
    invited = {i["professional"]: i["reasons"] for i in out["invitations"]}
    participants = {p for s in out["sessions"] for t in s["tables"] for r in t["rounds"] for p in r}
    assert set(invited) == participants
    assert any("covers law (level 3)" in reason for reason in invited["a"])
    assert all(any("km" in r or "online" in r for r in reasons) for reasons in invited.values())


def big_enough() -> dict:
    """Enough choice that a solve takes a while: many people, several requests and slots."""
    people = [
        person(
            f"p{i}",
            {"law": 1 + i % 3, "ict": 1 + (i // 3) % 3},
            lat=52.0 + (i % 7) * 0.01,
            recent_invitations=i % 4,
        )
        for i in range(60)
    ]
    requests = [
        request(f"r{k}", size=(3, 5), slots=["am", "pm"], needs=[{"skill": "law", "min": 1, "min_level": 2}])
        for k in range(4)
    ]
    d = instance(requests, people, rounds=3)
    d["venues"][0]["capacity"] = 40
    d["venues"][1]["capacity"] = 40
    return d


def test_a_stop_from_another_thread_returns_a_valid_schedule_soon():
    d = big_enough()
    control = SolveControl()
    threading.Timer(0.5, control.request_stop).start()
    started = time.monotonic()
    result = solve(parse_instance(d), SolveOptions(time_limit=60, workers=1), control)
    assert time.monotonic() - started < 10
    out = to_document(result)
    assert check_schedule(d, out) == []
    assert out["score"] == spec_score(d, out)


def test_the_time_limit_holds_overall():
    d = big_enough()
    started = time.monotonic()
    result = solve(parse_instance(d), SolveOptions(time_limit=1.5, workers=1))
    assert time.monotonic() - started < 6
    assert not violations(result.instance, result.sessions)


@pytest.mark.parametrize("rounds", [1, 2, 4])
def test_any_number_of_rounds(rounds):
    d = three_requests()
    d["rounds"] = rounds
    out = to_document(solve(parse_instance(d), SolveOptions(time_limit=5, workers=1)))
    assert check_schedule(d, out) == []
    assert all(len(t["rounds"]) == rounds for s in out["sessions"] for t in s["tables"])


def test_no_bound_ever_fell_below_a_schedule():
    for d in (three_requests(), big_enough()):
        result = solve(parse_instance(d), SolveOptions(time_limit=3, workers=1))
        assert "bound_conflicts" not in result.stages
        assert "invalid_schedules" not in result.stages
        assert result.bound is not None and result.bound >= result.score


def test_nobody_with_max_sessions_zero_is_invited():
    d = three_requests()
    for p in d["professionals"]:
        p["max_sessions"] = 0
    result = solve(parse_instance(d), SolveOptions(time_limit=3, workers=1))
    assert result.sessions == [] and "invalid_schedules" not in result.stages


def test_the_model_objective_equals_the_evaluated_score_of_the_rotated_schedule():
    from ortools.sat.python import cp_model

    from solver.swarm.eligibility import Eligibility
    from solver.swarm.model import build, plan_value
    from solver.swarm.rotation import rotate

    inst = parse_instance(three_requests())
    elig = Eligibility(inst)
    pairs = {
        (r, s): np.flatnonzero(elig.eligible(r, s))
        for r in range(len(inst.requests))
        for s in elig.allowed_sessions(r)
        if elig.staffable(r, s)
    }
    agg = build(elig, pairs)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(agg.model) == cp_model.OPTIMAL
    plan = agg.extract(solver.value)
    sessions = [rotate(elig, s, tables, SolveOptions(workers=1), None, 2.0) for s, tables in plan.items()]
    assert not violations(inst, sessions)
    assert score(inst, sessions) == round(solver.objective_value) == plan_value(elig, plan)


def test_an_early_stop_in_the_decomposed_route_still_returns_a_schedule(monkeypatch):
    from solver.swarm import engine

    monkeypatch.setattr(engine, "EXACT_MAX_SEATS", 0)  # force the decomposed route
    d = three_requests()
    control = SolveControl()
    control.request_stop()
    out = to_document(solve(parse_instance(d), SolveOptions(time_limit=30, workers=1), control))
    assert out["sessions"] and check_schedule(d, out) == []


def test_the_decomposed_route_reports_progress_while_it_searches(monkeypatch):
    from solver.swarm import engine

    monkeypatch.setattr(engine, "EXACT_MAX_SEATS", 0)  # force the decomposed route
    seen = []
    d = big_enough()
    out = to_document(
        solve(parse_instance(d), SolveOptions(time_limit=5, workers=1), SolveControl(seen.append))
    )
    searching = [p for p in seen if p.stage == "repack"]
    assert searching, [p.stage for p in seen]
    assert all(p.score is not None and p.score <= out["score"] for p in searching)
    assert [p.elapsed for p in seen] == sorted(p.elapsed for p in seen)
