"""Each score term alone: one role, one professional, one weight on; the reported score is exact."""

from __future__ import annotations

import pytest

from tests.solver.shell.builders import WEEKS, instance, plan, professional, project, role

ZERO = dict.fromkeys(["filled_hour", "euro", "level", "preferred", "travel_km", "fairness"], 0)


def one(weights: dict, pro: dict | None = None, **project_extra) -> dict:
    pro = pro or professional("p1", {"projectleiding": 3}, rate=90, recent_assignments=2)
    doc = instance(
        [project("A", [role("A/lead", min_level=2, hours=10)], **project_extra)], [pro], {**ZERO, **weights}
    )
    # A term that lowers the score would leave the role empty; a large filled_hour keeps it filled.
    doc["weights"].setdefault("filled_hour", 0)
    return doc


H = 10 * len(WEEKS)


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        ({"filled_hour": 7}, 7 * H),
        ({"filled_hour": 1000, "euro": 2}, 1000 * H - 2 * 90 * H),
        ({"filled_hour": 1, "level": 300}, H + 300 * (3 - 2)),
        ({"filled_hour": 1, "fairness": 5}, H - 5 * 2),
    ],
)
def test_term_alone(weights, expected):
    result = plan(one(weights))
    assert result["score"] == expected == result["bound"]
    assert result["status"] == "optimal"
    assert sum(result["breakdown"].values()) == expected


def test_preferred_pairs():
    assert plan(one({"filled_hour": 1, "preferred": 2000}))["score"] == H
    assert plan(one({"filled_hour": 1, "preferred": 2000}, preferred=["p1"]))["score"] == H + 2000


def test_travel_km_uses_rounded_kilometres():
    pro = professional("p1", {"projectleiding": 3}, lat=51.965 + 0.1, lon=6.289)  # 11.12 km north
    result = plan(one({"filled_hour": 10, "travel_km": 5}, pro))
    assert result["score"] == 10 * H - 5 * 11
    assert result["breakdown"]["travel_km"] == -55


def test_a_term_can_make_filling_not_worth_it():
    result = plan(one({"filled_hour": 1, "euro": 1}))  # 1 - 90 per hour
    assert result["assignments"] == [] and result["score"] == 0
    assert "lower the score" in result["unfilled"][0]["reason"]


def test_empty_instance_scores_zero():
    result = plan(instance([], []))
    assert result == {
        **result,
        "score": 0,
        "bound": 0,
        "status": "optimal",
        "assignments": [],
        "unfilled": [],
    }
