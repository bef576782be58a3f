"""Property tests: on many small generated instances the engine's schedule is valid and honestly scored.

The judge is the independent checker in ``swarm_checker.py``, never the engine's own code.
``swarm_instances`` is the Hypothesis strategy; the brute-force test reuses it with tinier sizes.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.solver.swarm_checker import check_schedule, spec_score

CENTRE = (52.0, 6.5)
# Latitude steps around the centre: 0.0899 deg is 9.996 km, 0.09 deg is 10.007 km, so limits of 10, 20, ...
# km and the rounding of the score (floor(km + 0.5)) are both tested right at their edges.
LAT_STEPS = (0.0, 0.0899, 0.09, 0.1799, 0.18, 0.27)
SLOT_POOL = (
    {"id": "d1-am", "start": "2027-01-12T09:00", "end": "2027-01-12T12:00"},
    {"id": "d1-day", "start": "2027-01-12T09:00", "end": "2027-01-12T17:00"},  # overlaps am and pm
    {"id": "d1-pm", "start": "2027-01-12T12:00", "end": "2027-01-12T17:00"},  # touches am: no overlap
    {"id": "d2-am", "start": "2027-01-13T09:00", "end": "2027-01-13T12:00"},
)
SKILLS = ("x", "y")
WEIGHT_CHOICES = {
    "scheduled": (1000, 300, 40),
    "skill": (0, 3, 10),
    "maybe": (0, 15, 40),
    "travel_km": (0, 1, 3),
    "fairness": (0, 5, 20),
    "repeat_table": (0, 20, 60),
    "change": (0, 100, 500),
}


def _subset(draw, items, min_size=0, max_size=None):
    """Distinct items (by position, so dicts work too) in the order drawn."""
    picks = st.lists(st.integers(0, len(items) - 1), min_size=min_size, max_size=max_size, unique=True)
    return [items[i] for i in draw(picks)]


@st.composite
def swarm_instances(draw, people=(2, 7), requests=(1, 3), slots=(1, 3), venues=(1, 2), rounds=(1, 3)):
    """A small valid swarm-instance/1 document with every optional feature sometimes present."""
    slot_docs = sorted(_subset(draw, SLOT_POOL, slots[0], slots[1]), key=lambda s: s["id"])
    slot_ids = [s["id"] for s in slot_docs]
    venue_docs = []
    for number in range(draw(st.integers(*venues))):
        venue = {"id": f"v{number}", "name": f"Venue {number}", "capacity": draw(st.integers(1, 10))}
        venue["tables"] = draw(st.integers(1, 3))
        if draw(st.booleans()) and number > 0:
            venue["online"] = True
        else:
            venue.update(lat=CENTRE[0] + 0.05 * number, lon=CENTRE[1] + 0.05 * number)
        if draw(st.integers(0, 3)) == 0:
            venue["unavailable_slots"] = _subset(draw, slot_ids, 0, 1)
        venue_docs.append(venue)
    venue_ids = [v["id"] for v in venue_docs]

    person_docs = []
    for number in range(draw(st.integers(*people))):
        p = {"id": f"p{number}", "lat": CENTRE[0] + draw(st.sampled_from(LAT_STEPS)), "lon": CENTRE[1]}
        p["skills"] = {s: draw(st.integers(1, 3)) for s in SKILLS if draw(st.integers(0, 2)) > 0}
        p["availability"] = {
            s: a
            for s in slot_ids
            if (a := draw(st.sampled_from(("yes", "yes", "yes", "maybe", "no", None)))) is not None
        }
        limit = draw(st.sampled_from((None, 10, 20, 35.5)))
        if limit is not None:
            p["max_travel_km"] = limit
        if draw(st.integers(0, 3)) == 0:
            p["max_sessions"] = draw(st.sampled_from((2, 2, 0)))
        if draw(st.integers(0, 9)) == 0:
            p["qualified"] = False
        if draw(st.booleans()):
            p["recent_invitations"] = draw(st.integers(0, 4))
        person_docs.append(p)
    person_ids = [p["id"] for p in person_docs]

    request_docs = []
    for number in range(draw(st.integers(*requests))):
        low = draw(st.integers(1, 3))
        r = {
            "id": f"r{number}",
            "slots": _subset(draw, slot_ids, 1),
            "table_size": [low, low + draw(st.integers(0, 2))],
        }
        if draw(st.booleans()):
            r["venues"] = _subset(draw, venue_ids, 1)
        r["needs"] = [
            {
                "skill": s,
                "min": draw(st.sampled_from((1, 1, 2))),
                "min_level": draw(st.sampled_from((1, 1, 2, 3))),
            }
            for s in _subset(draw, SKILLS, 0, 2)
        ]
        if draw(st.booleans()):
            r["priority"] = draw(st.integers(1, 5))
        if draw(st.integers(0, 2)) == 0:
            r["max_travel_km"] = draw(st.sampled_from((10, 20, 25.5)))
        if draw(st.integers(0, 3)) == 0:
            r["excluded"] = _subset(draw, person_ids, 1, 2)
        request_docs.append(r)

    doc = {
        "format": "swarm-instance/1",
        "id": "generated",
        "timezone": "Europe/Amsterdam",
        "rounds": draw(st.integers(*rounds)),
        "slots": slot_docs,
        "venues": venue_docs,
        "requests": request_docs,
        "professionals": person_docs,
        "previous": None,
    }
    if draw(st.booleans()):
        doc["max_parallel_sessions"] = draw(st.integers(1, 2))
    if draw(st.booleans()):
        doc["weights"] = {
            k: draw(st.sampled_from(v)) for k, v in WEIGHT_CHOICES.items() if draw(st.booleans())
        }
    if draw(st.integers(0, 2)) == 0:
        doc["previous"] = draw(previous_schedules(doc))
    return doc


@st.composite
def previous_schedules(draw, instance: dict):
    """An earlier schedule of the same round; the data may have changed since, and one request may be gone."""
    request_ids = [r["id"] for r in instance["requests"]] + ["gone-request"]
    person_ids = [p["id"] for p in instance["professionals"]]
    sessions, used = [], set()
    for request in _subset(draw, request_ids, 1):
        key = (
            draw(st.sampled_from([s["id"] for s in instance["slots"]])),
            draw(st.sampled_from(instance["venues"]))["id"],
        )
        people = _subset(draw, person_ids, 1, 3)
        table = {"request": request, "rounds": [people for _ in range(instance["rounds"])]}
        if key in used:
            next(s for s in sessions if (s["slot"], s["venue"]) == key)["tables"].append(table)
        else:
            used.add(key)
            sessions.append({"slot": key[0], "venue": key[1], "tables": [table]})
    return {
        "format": "swarm-schedule/1",
        "instance": instance["id"],
        "status": "feasible",
        "score": 0,
        "bound": None,
        "sessions": sessions,
        "unscheduled": [],
    }


def engine():
    """The engine's API (imported here so that the checker above stays free of it)."""
    import solver.control as control
    import solver.swarm as swarm

    return swarm, control


@pytest.fixture(scope="module")
def solve_document():
    """Solve an instance document with one worker and a fixed seed; the result as a swarm-schedule/1 document."""
    swarm, control = engine()

    def run(instance_doc: dict, time_limit: float) -> dict:
        instance = swarm.parse_instance(instance_doc)
        options = control.SolveOptions(time_limit=time_limit, workers=1, seed=0)
        return swarm.to_document(swarm.solve(instance, options, control.SolveControl()))

    return run


def assert_honest(instance_doc: dict, result: dict) -> None:
    """Valid per every hard rule, every request once, and score/bound/status as the spec defines them."""
    violations = check_schedule(instance_doc, result, claims=False)
    assert violations == [], violations
    truth = spec_score(instance_doc, result)
    assert result["score"] == truth, f"reported score {result['score']}, spec score {truth}"
    assert result["bound"] is None or result["bound"] >= truth, f"bound {result['bound']} < score {truth}"
    assert result["status"] in ("optimal", "feasible")
    if result["status"] == "optimal":
        assert result["bound"] == result["score"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(instance_doc=swarm_instances())
def test_engine_schedules_are_valid_and_honestly_scored(solve_document, instance_doc):
    assert_honest(instance_doc, solve_document(instance_doc, time_limit=2.0))


RICHER = {"people": (6, 14), "requests": (2, 5), "slots": (2, 4), "venues": (2, 3), "rounds": (1, 3)}


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(instance_doc=swarm_instances(**RICHER))
def test_engine_on_richer_instances_is_valid_and_honestly_scored(solve_document, instance_doc):
    """More sessions at once: parallel limits, venue clashes, people wanted in two places, repeat tables."""
    assert_honest(instance_doc, solve_document(instance_doc, time_limit=3.0))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(seed=st.integers(0, 10_000), people=st.integers(20, 60), requests=st.integers(1, 4))
def test_engine_on_realistic_small_regions_is_valid_and_honestly_scored(
    solve_document, seed, people, requests
):
    """The benchmark's Achterhoek generator at a small size: real distances, an online venue, sparse availability."""
    from bench.swarm_instances import custom

    instance_doc = custom(people, requests, 3, 3, rounds=3, seed=seed)
    assert_honest(instance_doc, solve_document(instance_doc, time_limit=2.0))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(instance_doc=swarm_instances())
def test_same_seed_and_one_worker_give_the_same_schedule(solve_document, instance_doc):
    first, second = solve_document(instance_doc, time_limit=5.0), solve_document(instance_doc, time_limit=5.0)
    for result in (first, second):
        result.pop("solve_seconds", None)
    assert first == second
