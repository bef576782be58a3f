"""Tiny hand-built swarm instances for the engine's tests: everything explicit, nothing random."""

from __future__ import annotations

import copy
from typing import Any

HALL = {"lat": 52.0, "lon": 6.0}


def person(ident: str, skills: dict[str, int] | None = None, **extra: Any) -> dict[str, Any]:
    """A professional next to the hall (0 km), available "yes" in both slots."""
    doc = {
        "id": ident,
        "lat": HALL["lat"],
        "lon": HALL["lon"],
        "skills": skills or {},
        "availability": {"am": "yes", "pm": "yes"},
    }
    doc.update(extra)
    return doc


def request(ident: str, size: tuple[int, int] = (2, 2), needs: list | None = None, **extra: Any) -> dict:
    doc = {"id": ident, "slots": ["am"], "table_size": list(size), "needs": needs or []}
    doc.update(extra)
    return doc


def instance(requests: list[dict], people: list[dict], **extra: Any) -> dict[str, Any]:
    """Two slots (am overlaps nothing, pm later), a hall of 10 seats and 2 tables, and an online room."""
    doc = {
        "format": "swarm-instance/1",
        "id": "tiny",
        "timezone": "Europe/Amsterdam",
        "rounds": 2,
        "slots": [
            {"id": "am", "start": "2027-01-12T09:00", "end": "2027-01-12T12:00"},
            {"id": "pm", "start": "2027-01-12T13:00", "end": "2027-01-12T16:00"},
        ],
        "venues": [
            {"id": "hall", "name": "Hall", **HALL, "capacity": 10, "tables": 2},
            {"id": "web", "name": "Online", "online": True, "capacity": 10, "tables": 2},
        ],
        "requests": requests,
        "professionals": people,
        "previous": None,
    }
    doc.update(extra)
    return copy.deepcopy(doc)


def crowd(count: int, prefix: str = "p", skills: dict[str, int] | None = None) -> list[dict]:
    return [person(f"{prefix}{i}", skills) for i in range(1, count + 1)]
