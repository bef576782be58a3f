"""Brute-force optimality: on tiny instances every valid schedule is enumerated and the engine must find the best.

The enumeration only prunes what a hard rule forbids outright (a person who may not join a session, a table
of the wrong size); the independent checker judges every full candidate, and ``spec_score`` ranks them.
"""

from __future__ import annotations

import itertools
from datetime import datetime

from hypothesis import HealthCheck, assume, given, settings

from tests.solver.swarm_checker import check_schedule, great_circle_km, spec_score
from tests.solver.test_swarm_properties import assert_honest, solve_document, swarm_instances  # noqa: F401

MAX_CANDIDATES = 4000
TINY = {"people": (2, 5), "requests": (1, 2), "slots": (1, 2), "venues": (1, 2), "rounds": (1, 2)}


def _defaults(doc: dict):
    venues = {v["id"]: v for v in doc["venues"]}
    slots = {
        s["id"]: (datetime.fromisoformat(s["start"]), datetime.fromisoformat(s["end"])) for s in doc["slots"]
    }
    return venues, slots


def _session_layouts(doc: dict):
    """Every way to place each request in a (slot, venue) it allows, or leave it out: lists of sessions."""
    venues, _ = _defaults(doc)
    choices = []
    for r in doc["requests"]:
        options = [None]
        for slot in r["slots"]:
            for vid in r.get("venues", list(venues)):
                if slot not in venues[vid].get("unavailable_slots", []):
                    options.append((slot, vid))
        choices.append(options)
    for picked in itertools.product(*choices):
        sessions: dict[tuple[str, str], list[dict]] = {}
        for r, where in zip(doc["requests"], picked, strict=True):
            if where is not None:
                sessions.setdefault(where, []).append(r)
        yield sessions


def _may_join(doc: dict, person: dict, slot: str, venue: dict, requests: list[dict]) -> bool:
    """Rule 4 for one person and one session (a necessary condition, so pruning with it loses nothing)."""
    if not person.get("qualified", True) or person.get("availability", {}).get(slot) not in ("yes", "maybe"):
        return False
    if any(person["id"] in r.get("excluded", []) for r in requests):
        return False
    if venue.get("online", False):
        return True
    km = great_circle_km(person["lat"], person["lon"], venue["lat"], venue["lon"])
    limits = [person.get("max_travel_km")] + [r.get("max_travel_km") for r in requests]
    return all(limit is None or km <= limit + 1e-9 for limit in limits)


def _person_options(doc: dict, person: dict, keys: list[tuple[str, str]], sessions: dict) -> list[dict]:
    """A person's choices: which sessions (at most max_sessions) and which table in each round."""
    venues, _ = _defaults(doc)
    rounds = doc.get("rounds", 1)
    joinable = [k for k in keys if _may_join(doc, person, k[0], venues[k[1]], sessions[k])]
    options: list[dict] = []
    for count in range(min(len(joinable), person.get("max_sessions", 1)) + 1):
        for chosen in itertools.combinations(joinable, count):
            seatings = [itertools.product(range(len(sessions[k])), repeat=rounds) for k in chosen]
            for seats in itertools.product(*seatings):
                options.append(dict(zip(chosen, seats, strict=True)))
    return options


def _schedule(
    doc: dict, sessions: dict, keys: list, people: list[dict], picks: tuple[dict, ...]
) -> dict | None:
    rounds = doc.get("rounds", 1)
    docs = []
    for key in keys:
        tables = [{"request": r["id"], "rounds": [[] for _ in range(rounds)]} for r in sessions[key]]
        for person, pick in zip(people, picks, strict=True):
            for k, table in enumerate(pick.get(key, ())):
                tables[table]["rounds"][k].append(person["id"])
        for r, table in zip(sessions[key], tables, strict=True):
            low, high = r["table_size"]
            if any(not low <= len(seated) <= high for seated in table["rounds"]):
                return None  # rule 6 forbids it; the checker would say the same
        docs.append({"slot": key[0], "venue": key[1], "tables": tables})
    placed = {r["id"] for key in keys for r in sessions[key]}
    unscheduled = [
        {"request": r["id"], "reason": "left out"} for r in doc["requests"] if r["id"] not in placed
    ]
    return {"format": "swarm-schedule/1", "instance": doc["id"], "status": "feasible", "score": 0,
            "bound": None, "sessions": docs, "unscheduled": unscheduled}  # fmt: skip


def candidate_count(doc: dict) -> int:
    total = 0
    for sessions in _session_layouts(doc):
        keys = list(sessions)
        product = 1
        for person in doc["professionals"]:
            product *= len(_person_options(doc, person, keys, sessions))
        total += product
    return total


def brute_force_optimum(doc: dict) -> tuple[int, dict]:
    """The best spec score over every valid schedule, and one schedule that reaches it."""
    best_score, best = None, None
    for sessions in _session_layouts(doc):
        keys = list(sessions)
        options = [_person_options(doc, p, keys, sessions) for p in doc["professionals"]]
        for picks in itertools.product(*options):
            candidate = _schedule(doc, sessions, keys, doc["professionals"], picks)
            if candidate is None or check_schedule(doc, candidate, claims=False):
                continue
            score = spec_score(doc, candidate)
            if best_score is None or score > best_score:
                best_score, best = score, candidate
    assert best is not None, "leaving every request out is always valid"
    return best_score, best


def test_brute_force_finds_a_hand_computed_optimum():
    person = {"lat": 52.0, "lon": 6.5, "availability": {"am": "yes"}}
    doc = {
        "format": "swarm-instance/1", "id": "hand", "timezone": "Europe/Amsterdam", "rounds": 2,
        "slots": [{"id": "am", "start": "2027-01-12T09:00", "end": "2027-01-12T12:00"}],
        "venues": [{"id": "v", "name": "V", "lat": 52.0, "lon": 6.5, "capacity": 5, "tables": 1}],
        "requests": [{"id": "r", "slots": ["am"], "table_size": [1, 2], "priority": 2,
                      "needs": [{"skill": "x", "min": 1}]}],
        "professionals": [{**person, "id": "a", "skills": {"x": 3}, "recent_invitations": 1},
                          {**person, "id": "b", "skills": {"x": 1}, "recent_invitations": 3},
                          {**person, "id": "c", "skills": {}}],
    }  # fmt: skip
    # Both rounds at the one table: a alone gives 2000 + 2*30 - 5 - 20 (repeat) = 2035;
    # adding b gives + 2*10 - 15 - 20 = -15, adding c gives - 20: so a alone is best.
    score, best = brute_force_optimum(doc)
    assert score == 2035
    assert best["sessions"][0]["tables"][0]["rounds"] == [["a"], ["a"]]


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(instance_doc=swarm_instances(**TINY))
def test_engine_reaches_and_proves_the_brute_force_optimum(solve_document, instance_doc):  # noqa: F811
    assume(candidate_count(instance_doc) <= MAX_CANDIDATES)
    optimum, witness = brute_force_optimum(instance_doc)
    result = solve_document(instance_doc, time_limit=10.0)
    assert_honest(instance_doc, result)
    assert result["score"] == optimum, f"engine {result['score']}, brute-force optimum {optimum}: {witness}"
    assert result["status"] == "optimal", f"optimum {optimum} found but not proved (bound {result['bound']})"


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(instance_doc=swarm_instances(**TINY))
def test_decomposed_route_bound_holds_against_brute_force(solve_document, instance_doc, monkeypatch):  # noqa: F811
    """Big regions take the decomposed route (stages + LP bound); force it on tiny ones, where the truth is known."""
    import solver.swarm.engine as engine

    assume(candidate_count(instance_doc) <= MAX_CANDIDATES)
    optimum, _ = brute_force_optimum(instance_doc)
    monkeypatch.setattr(engine, "EXACT_MAX_SEATS", -1)
    result = solve_document(instance_doc, time_limit=5.0)
    assert_honest(instance_doc, result)
    assert result["score"] <= optimum
    assert result["bound"] is None or result["bound"] >= optimum, (
        f"bound {result['bound']} < optimum {optimum}"
    )
