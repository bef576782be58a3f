"""The independent shell checker on hand-built plans, then the engine against it on generated instances.

Part 1 proves the checker can fail: one valid plan, then each hard rule broken once.
Part 2 runs the engine (solver.shell) on many small Hypothesis instances, on a benchmark instance and under
stop requests, and checks every plan and every claim (score, bound, status) with the checker.
"""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench import shell_instances as generator
from solver import control, shell
from tests.solver.shell_checker import check_claims, check_plan, great_circle_km, spec_score

WEEKS = ["2027-W01", "2027-W02", "2027-W03", "2027-W04"]


def hand_instance() -> dict:
    """Two projects near Doetinchem; p3 excluded, p4 unqualified, p5 lives in Groningen."""
    return {
        "format": "shell-instance/1",
        "id": "hand",
        "weeks": WEEKS,
        "projects": [
            {
                "id": "A",
                "lat": 51.89,
                "lon": 6.378,
                "budget": 20000,
                "excluded": ["p3"],
                "preferred": ["p1"],
                "roles": [
                    {"id": "A/lead", "skill": "projectleiding", "min_level": 2, "hours_per_week": 16,
                     "first_week": "2027-W01", "last_week": "2027-W02"},
                    {"id": "A/law", "skill": "omgevingsrecht", "hours_per_week": 8,
                     "first_week": "2027-W02", "last_week": "2027-W04"},
                ],
            },
            {
                "id": "B",
                "lat": 51.965,
                "lon": 6.289,
                "roles": [
                    {"id": "B/lead", "skill": "projectleiding", "hours_per_week": 24,
                     "first_week": "2027-W02", "last_week": "2027-W03"},
                ],
            },
        ],
        "professionals": [
            {"id": "p1", "lat": 51.96, "lon": 6.29, "max_travel_km": 40,
             "skills": {"projectleiding": 3, "omgevingsrecht": 2}, "hourly_rate": 100, "hours_per_week": 32,
             "capacity": {"2027-W03": 8, "2027-W30": 0}, "recent_assignments": 1},
            {"id": "p2", "lat": 51.9, "lon": 6.4, "max_travel_km": 20, "skills": {"projectleiding": 2},
             "hourly_rate": 80, "hours_per_week": 24},
            {"id": "p3", "lat": 51.9, "lon": 6.4, "skills": {"omgevingsrecht": 3}, "hourly_rate": 60,
             "hours_per_week": 40},
            {"id": "p4", "lat": 51.9, "lon": 6.4, "skills": {"projectleiding": 3}, "hourly_rate": 60,
             "hours_per_week": 40, "qualified": False},
            {"id": "p5", "lat": 53.2, "lon": 6.57, "max_travel_km": 30, "skills": {"projectleiding": 3},
             "hourly_rate": 60, "hours_per_week": 40},
        ],
    }  # fmt: skip


def plan(assignments: dict[str, str], unfilled: list[str] = (), **extra) -> dict:
    return {
        "format": "shell-plan/1",
        "instance": "hand",
        "status": "feasible",
        "score": 0,
        "bound": None,
        "assignments": [{"role": r, "professional": p} for r, p in assignments.items()],
        "unfilled": [{"role": r, "reason": "nobody fits"} for r in unfilled],
        **extra,
    }


VALID = {"A/lead": "p1", "B/lead": "p2"}


def broken(assignments: dict[str, str]) -> list[str]:
    roles = {"A/lead", "A/law", "B/lead"}
    return check_plan(hand_instance(), plan(assignments, sorted(roles - set(assignments))))


def test_valid_plan_has_no_violations():
    assert broken(VALID) == []
    assert broken({}) == []  # leaving every role unfilled is always valid


def test_valid_plan_scores_by_hand():
    # A/lead p1: H=32, 32000 - 3200 + 300*(3-2) + 2000 preferred - 5*10 km - 50*1 recent = 31000
    # B/lead p2: H=48, 48000 - 3840 + 300*(2-1) - 5*10 km = 44410
    assert spec_score(hand_instance(), plan(VALID, ["A/law"])) == 31000 + 44410


def test_spec_example_scores_45640():
    example = {
        "format": "shell-instance/1", "id": "achterhoek-2027h1", "weeks": ["2027-W03", "2027-W04", "2027-W05"],
        "weights": {"filled_hour": 1000, "euro": 1, "level": 300, "preferred": 2000, "travel_km": 5, "fairness": 50},
        "projects": [{"id": "oij-omgevingsplan", "lat": 51.89, "lon": 6.378, "budget": 60000, "preferred": ["p-0001"],
                      "roles": [{"id": "oij-omgevingsplan/projectleider", "skill": "projectleiding", "min_level": 2,
                                 "hours_per_week": 16, "first_week": "2027-W03", "last_week": "2027-W05"}]}],
        "professionals": [{"id": "p-0001", "lat": 51.96, "lon": 6.29, "max_travel_km": 40,
                           "skills": {"projectleiding": 3}, "hourly_rate": 95, "hours_per_week": 32,
                           "capacity": {"2027-W09": 0}, "qualified": True, "recent_assignments": 1}],
    }  # fmt: skip
    result = {"format": "shell-plan/1", "instance": "achterhoek-2027h1", "status": "optimal", "score": 45640,
              "bound": 45640, "assignments": [{"role": "oij-omgevingsplan/projectleider", "professional": "p-0001"}],
              "unfilled": []}  # fmt: skip
    assert check_plan(example, result) == []
    assert check_claims(example, result) == []


def test_distance_follows_the_spec_formula():
    assert great_circle_km(52.0, 5.0, 52.0, 5.0) == 0.0
    assert great_circle_km(0.0, 0.0, 0.0, 1.0) == pytest.approx(111.19, abs=0.01)


@pytest.mark.parametrize(
    ("assignments", "expected"),
    [
        ({"A/lead": "p1", "A/law": "p1"}, "rule 1: p1 holds 2 roles in project A"),
        ({"B/lead": "p4"}, "rule 2: p4 on B/lead: not qualified"),
        ({"A/law": "p3"}, "rule 2: p3 on A/law: excluded by A"),
        ({"A/law": "p2"}, "rule 2: p2 on A/law: omgevingsrecht level 0 < 1"),
        ({"A/lead": "p2", "B/lead": "p1"}, "rule 3: p1 works 24 h in 2027-W03, capacity 8"),
        ({"B/lead": "p5"}, "rule 2: p5 on B/lead: 138.632 km > max_travel_km 30"),
    ],
)
def test_each_broken_rule_is_reported(assignments, expected):
    problems = broken(assignments)
    assert any(p.startswith(expected) for p in problems), problems


def test_level_below_min_level_breaks_rule_2():
    instance = hand_instance()
    instance["professionals"][1]["skills"]["projectleiding"] = 1
    problems = check_plan(instance, plan({"A/lead": "p2"}, ["A/law", "B/lead"]))
    assert problems == ["rule 2: p2 on A/lead: projectleiding level 1 < 2"]


def test_travel_limit_is_inclusive():
    instance = hand_instance()
    exact = great_circle_km(51.9, 6.4, 51.965, 6.289)
    instance["professionals"][1]["max_travel_km"] = exact
    assert check_plan(instance, plan({"B/lead": "p2"}, ["A/lead", "A/law"])) == []
    instance["professionals"][1]["max_travel_km"] = exact - 1e-6
    assert check_plan(instance, plan({"B/lead": "p2"}, ["A/lead", "A/law"]))[0].startswith(
        "rule 2: p2 on B/lead"
    )


def test_capacity_only_counts_weeks_the_role_runs():
    instance = hand_instance()
    instance["professionals"][0]["capacity"] = {"2027-W04": 0}  # A/lead runs W01-W02 only
    assert check_plan(instance, plan({"A/lead": "p1"}, ["A/law", "B/lead"])) == []
    instance["professionals"][0]["capacity"] = {"2027-W02": 15}
    assert check_plan(instance, plan({"A/lead": "p1"}, ["A/law", "B/lead"])) == [
        "rule 3: p1 works 16 h in 2027-W02, capacity 15"
    ]


def test_budget_counts_every_filled_role_of_the_project():
    instance = hand_instance()
    instance["projects"][0]["budget"] = 3200 + 60 * 24 - 1  # A/lead by p1 plus A/law by p3, minus 1
    instance["projects"][0]["excluded"] = []
    assert check_plan(instance, plan({"A/lead": "p1", "A/law": "p3"}, ["B/lead"])) == [
        "rule 4: A costs 4640, budget 4639"
    ]
    instance["projects"][0]["budget"] = 4640
    assert check_plan(instance, plan({"A/lead": "p1", "A/law": "p3"}, ["B/lead"])) == []


def test_listing_rules():
    instance = hand_instance()
    assert "role 'A/law' is neither assigned nor unfilled" in check_plan(instance, plan(VALID))
    doubled = plan({"A/lead": "p1"}, ["A/lead", "A/law", "B/lead"])
    assert "role 'A/lead' is listed 2 times" in check_plan(instance, doubled)
    two_people = plan({}, ["A/law", "B/lead"])
    two_people["assignments"] = [
        {"role": "A/lead", "professional": "p1"},
        {"role": "A/lead", "professional": "p2"},
    ]
    assert "rule 1: role A/lead has 2 professionals" in check_plan(instance, two_people)
    assert "unknown role 'X'" in check_plan(instance, plan({**VALID, "X": "p1"}, ["A/law"]))
    assert "unknown professional 'p9' for role 'A/law'" in check_plan(
        instance, plan({**VALID, "A/law": "p9"})
    )
    silent = plan(VALID, ["A/law"])
    silent["unfilled"][0]["reason"] = " "
    assert check_plan(instance, silent) == ["unfilled[0]: role 'A/law' has no reason"]
    assert check_plan(instance, plan(VALID, ["A/law"], instance="other")) == [
        "instance is 'other', expected 'hand'"
    ]


def test_claims():
    instance = hand_instance()
    good = plan(VALID, ["A/law"], score=75410, bound=80000)
    assert check_claims(instance, good) == []
    assert check_claims(instance, {**good, "score": 75411}) == ["score 75411 but the spec gives 75410"]
    assert check_claims(instance, {**good, "bound": 75409}) == ["bound 75409 is below the score 75410"]
    assert check_claims(instance, {**good, "status": "optimal"}) == [
        "status optimal but bound 80000 != score 75410"
    ]
    assert check_claims(instance, {**good, "status": "optimal", "bound": 75410}) == []


# --- Part 2: the engine on generated instances -------------------------------------------------------------

SKILLS = ["projectleiding", "omgevingsrecht", "participatie"]


@st.composite
def shell_instances(
    draw, *, people=(1, 8), projects=(1, 4), roles=(1, 4), weeks=(1, 5), max_roles: int | None = None
) -> dict:
    """Small valid shell-instance/1 documents that exercise every optional field and default.

    Every project has at least one role; ``max_roles`` caps the roles of the whole instance.
    """
    start = date.fromisocalendar(2027, draw(st.sampled_from((10, 51))), 1)  # 51: the horizon crosses New Year
    horizon = [_week_name(start + timedelta(weeks=i)) for i in range(draw(st.integers(*weeks)))]
    ids = [f"p{i}" for i in range(draw(st.integers(*people)))]
    doc: dict = {"format": "shell-instance/1", "id": "gen", "weeks": horizon}
    if draw(st.booleans()):
        names = ["filled_hour", "euro", "level", "preferred", "travel_km", "fairness"]
        doc["weights"] = draw(st.dictionaries(st.sampled_from(names), st.integers(0, 2000)))
    doc["professionals"] = [draw(_professional(pid, horizon)) for pid in ids]
    count = draw(st.integers(*projects))
    left = max_roles if max_roles is not None else count * roles[1]
    doc["projects"] = []
    for j in range(count):
        most = min(roles[1], left - (count - j - 1))
        doc["projects"].append(draw(_project(f"j{j}", horizon, ids, (min(roles[0], most), most))))
        left -= len(doc["projects"][-1]["roles"])
    return json.loads(json.dumps(doc))


def _week_name(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _point(draw, doc: dict) -> None:
    # About 35 x 35 km east of Arnhem: most people are in reach of a project, some are not.
    doc["lat"] = draw(st.floats(51.85, 52.15, allow_nan=False))
    doc["lon"] = draw(st.floats(5.85, 6.35, allow_nan=False))


@st.composite
def _professional(draw, pid: str, horizon: list[str]) -> dict:
    hours = draw(st.integers(8, 40))
    person: dict = {
        "id": pid,
        "skills": draw(st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 3), min_size=1, max_size=3)),
        "hourly_rate": draw(st.integers(60, 140)),
        "hours_per_week": hours,
    }
    _point(draw, person)
    limit = draw(st.one_of(st.none(), st.integers(10, 80), st.floats(10, 80, allow_nan=False)))
    if limit is not None:
        person["max_travel_km"] = limit
    weeks = st.sampled_from([*horizon, "2031-W01"])
    capacity = draw(st.dictionaries(weeks, st.integers(0, hours), max_size=2))
    if capacity:
        person["capacity"] = capacity
    if draw(st.integers(0, 9)) == 9:  # not 0: shrinking towards 0 would make everyone unqualified
        person["qualified"] = False
    recent = draw(st.integers(0, 5))
    if recent:
        person["recent_assignments"] = recent
    return person


@st.composite
def _project(draw, project_id: str, horizon: list[str], people: list[str], roles: tuple[int, int]) -> dict:
    project: dict = {"id": project_id, "roles": []}
    _point(draw, project)
    for k in range(draw(st.integers(*roles))):
        first = draw(st.integers(0, len(horizon) - 1))
        last = draw(st.integers(first, len(horizon) - 1))
        role = {
            "id": f"{project_id}/r{k}",
            "skill": draw(st.sampled_from(SKILLS)),
            "hours_per_week": draw(st.integers(4, 32)),
            "first_week": horizon[first],
            "last_week": horizon[last],
        }
        level = draw(st.integers(0, 3))
        if level:
            role["min_level"] = level
        project["roles"].append(role)
    if draw(st.booleans()):
        # Relative to the roles' cost at 100 an hour, so budgets bind now and then, not always.
        hours = sum(r["hours_per_week"] * (horizon.index(r["last_week"]) - horizon.index(r["first_week"]) + 1)
                    for r in project["roles"])  # fmt: skip
        project["budget"] = int(hours * 100 * draw(st.sampled_from((1.3, 0.9, 0.6, 0.3, 0.0))))
    for name, most in (("excluded", 1), ("preferred", 2)):
        chosen = draw(st.lists(st.sampled_from(people), unique=True, max_size=most))
        if chosen:
            project[name] = chosen
    return project


def run_engine(document: dict, *, time_limit: float = 5.0) -> dict:
    instance = shell.parse_instance(document)
    options = control.SolveOptions(time_limit=time_limit, workers=1, seed=0)
    result = shell.solve(instance, options, control.SolveControl())
    return json.loads(json.dumps(shell.to_document(result)))


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(shell_instances())
def test_engine_plans_are_valid_and_truthful(document):
    result = run_engine(document)
    assert check_plan(document, result) == []
    assert check_claims(document, result) == []


def test_benchmark_generator_is_seeded_and_realistic():
    first = generator.shell_instance("custom", 3, professionals=60, projects=6, weeks=8)
    assert first == generator.shell_instance("custom", 3, professionals=60, projects=6, weeks=8)
    assert first != generator.shell_instance("custom", 4, professionals=60, projects=6, weeks=8)
    places = {(round(lat, 4), round(lon, 4)) for _, lat, lon, _ in generator.dutch_places()}
    assert all((p["lat"], p["lon"]) in places for p in first["projects"])
    roles = [r for p in first["projects"] for r in p["roles"]]
    assert len({r["id"] for r in roles}) == len(roles) and all(
        1 <= len(p["roles"]) <= 4 for p in first["projects"]
    )
    assert all(8 <= r["hours_per_week"] <= 32 for r in roles)
    assert all(
        60 <= p["hourly_rate"] <= 140 and 20 <= p["max_travel_km"] <= 80 for p in first["professionals"]
    )


def test_engine_on_a_generated_benchmark_instance():
    document = generator.shell_instance("custom", 1, professionals=120, projects=8, weeks=10)
    result = run_engine(document, time_limit=10.0)
    assert check_plan(document, result) == []
    assert check_claims(document, result) == []


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(shell_instances())
def test_a_stop_before_the_start_still_gives_a_valid_truthful_plan(document):
    stopped = control.SolveControl()
    stopped.request_stop()
    options = control.SolveOptions(time_limit=5.0, workers=1, seed=0)
    result = json.loads(
        json.dumps(shell.to_document(shell.solve(shell.parse_instance(document), options, stopped)))
    )
    assert check_plan(document, result) == []
    assert check_claims(document, result) == []


@pytest.mark.parametrize("after", [0.3, 1.5])
def test_a_stop_from_another_thread_mid_solve_gives_a_valid_truthful_plan(after):
    document = generator.shell_instance("custom", 2, professionals=2000, projects=80, weeks=13)
    watcher = control.SolveControl()
    timer = threading.Timer(after, watcher.request_stop)
    timer.start()
    try:
        options = control.SolveOptions(time_limit=60.0, workers=1, seed=0)
        result = shell.to_document(shell.solve(shell.parse_instance(document), options, watcher))
    finally:
        timer.cancel()
    result = json.loads(json.dumps(result))
    assert check_plan(document, result) == []
    assert check_claims(document, result) == []
