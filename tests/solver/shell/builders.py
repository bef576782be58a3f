"""Tiny shell-instance/1 documents for the engine's own tests (near Doetinchem, 4 weeks)."""

from __future__ import annotations

import copy
from typing import Any

from solver.control import SolveOptions
from solver.shell import parse_instance, solve, to_document

WEEKS = ["2027-W01", "2027-W02", "2027-W03", "2027-W04"]
HERE = (51.965, 6.289)  # Doetinchem
# Only the filled hours count unless a test turns a weight on.
QUIET = {"filled_hour": 1000, "euro": 0, "level": 0, "preferred": 0, "travel_km": 0, "fairness": 0}


def role(
    ident: str, skill: str = "projectleiding", hours: int = 16, first: int = 0, last: int = 3, **extra
) -> dict:
    return {
        "id": ident,
        "skill": skill,
        "hours_per_week": hours,
        "first_week": WEEKS[first],
        "last_week": WEEKS[last],
        **extra,
    }


def project(ident: str, roles: list[dict], **extra) -> dict:
    return {"id": ident, "lat": HERE[0], "lon": HERE[1], "roles": roles, **extra}


def professional(
    ident: str, skills: dict[str, int] | None = None, rate: int = 100, hours: int = 40, **extra
) -> dict:
    return {
        "id": ident,
        "lat": HERE[0] + 0.01,
        "lon": HERE[1],
        "skills": {"projectleiding": 2} if skills is None else skills,
        "hourly_rate": rate,
        "hours_per_week": hours,
        **extra,
    }


def instance(projects: list[dict], professionals: list[dict], weights: dict | None = None, **extra) -> dict:
    return {
        "format": "shell-instance/1",
        "id": "tiny",
        "weeks": list(WEEKS),
        "weights": dict(QUIET if weights is None else weights),
        "projects": copy.deepcopy(projects),
        "professionals": copy.deepcopy(professionals),
        **extra,
    }


def plan(document: dict, time_limit: float = 5.0, **kwargs: Any) -> dict:
    """Solve a document and return the shell-plan/1 result."""
    result = solve(parse_instance(document), SolveOptions(time_limit=time_limit, workers=1), **kwargs)
    return to_document(result)


def assigned(result: dict) -> dict[str, str]:
    return {a["role"]: a["professional"] for a in result["assignments"]}


def reasons(result: dict) -> dict[str, str]:
    return {u["role"]: u["reason"] for u in result["unfilled"]}
