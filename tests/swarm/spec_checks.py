"""Independent checks of exported documents against docs/formats.md: every id and reference."""

from __future__ import annotations

import json
from datetime import datetime


def _ids(items: list[dict], what: str) -> set[str]:
    ids = [item["id"] for item in items]
    assert all(isinstance(i, str) and i for i in ids), f"{what}: ids must be non-empty strings"
    assert len(ids) == len(set(ids)), f"{what}: duplicate ids"
    return set(ids)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_swarm_instance(document: dict) -> None:
    json.dumps(document)  # plain JSON only
    assert document["format"] == "swarm-instance/1"
    assert isinstance(document["id"], str) and document["timezone"] == "Europe/Amsterdam"
    assert _is_int(document["rounds"]) and document["rounds"] >= 1
    assert all(_is_int(w) for w in document["weights"].values())
    slots = _ids(document["slots"], "slots")
    for slot in document["slots"]:
        start, end = datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"])
        assert start.tzinfo is None and end > start
    venues = _ids(document["venues"], "venues")
    for venue in document["venues"]:
        assert set(venue["unavailable_slots"]) <= slots
        assert venue["online"] or ("lat" in venue and "lon" in venue)
        assert _is_int(venue["capacity"]) and _is_int(venue["tables"])
    people = _ids(document["professionals"], "professionals")
    requests = _ids(document["requests"], "requests")
    for request in document["requests"]:
        assert set(request["slots"]) <= slots and request["slots"]
        assert set(request.get("venues", [])) <= venues
        low, high = request["table_size"]
        assert _is_int(low) and _is_int(high) and 0 <= low <= high
        skills = [need["skill"] for need in request["needs"]]
        assert len(skills) == len(set(skills))
        assert all(_is_int(n["min"]) and n.get("min_level", 1) in (1, 2, 3) for n in request["needs"])
        assert set(request["excluded"]) <= people
    for person in document["professionals"]:
        assert set(person["availability"]) <= slots
        assert set(person["availability"].values()) <= {"yes", "maybe", "no"}
        assert all(level in (1, 2, 3) for level in person["skills"].values())
        assert isinstance(person["qualified"], bool) and _is_int(person["recent_invitations"])
        assert _is_int(person["max_sessions"])
    for pin in document.get("pins", []):
        assert pin["request"] in requests and pin["professional"] in people


def check_shell_instance(document: dict) -> None:
    json.dumps(document)
    assert document["format"] == "shell-instance/1"
    weeks = document["weeks"]
    assert len(weeks) == len(set(weeks)) and weeks == sorted(weeks)
    assert all(_is_int(w) for w in document["weights"].values())
    _ids(document["projects"], "projects")
    people = _ids(document["professionals"], "professionals")
    roles = [role for project in document["projects"] for role in project["roles"]]
    role_ids = _ids(roles, "roles (across projects)")
    for project in document["projects"]:
        assert set(project["excluded"]) <= people and set(project["preferred"]) <= people
        assert project.get("budget") is None or _is_int(project["budget"])
        for role in project["roles"]:
            assert role["first_week"] in weeks and role["last_week"] in weeks
            assert weeks.index(role["first_week"]) <= weeks.index(role["last_week"])
            assert _is_int(role["hours_per_week"]) and role["min_level"] in (1, 2, 3)
    for person in document["professionals"]:
        assert _is_int(person["hourly_rate"]) and _is_int(person["hours_per_week"])
        assert all(_is_int(h) and h >= 0 for h in person["capacity"].values())
        assert all(level in (1, 2, 3) for level in person["skills"].values())
    for pin in document.get("pins", []):
        assert pin["role"] in role_ids and pin["professional"] in people
