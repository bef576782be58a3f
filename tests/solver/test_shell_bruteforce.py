"""Brute-force optimality: on tiny instances the engine must find the best valid plan and prove it.

The optimum comes from enumerating every plan and judging it with the independent checker only.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings

from bench import shell_baselines as baselines
from bench import shell_instances as generator
from tests.solver.shell_checker import check_plan, spec_score
from tests.solver.test_shell_properties import run_engine, shell_instances


def plan_of(instance: dict, choice: dict[str, str | None]) -> dict:
    return {
        "format": "shell-plan/1",
        "instance": instance["id"],
        "assignments": [{"role": r, "professional": p} for r, p in choice.items() if p is not None],
        "unfilled": [{"role": r, "reason": "brute force"} for r, p in choice.items() if p is None],
    }


def brute_force_optimum(instance: dict) -> int:
    """The best spec score over every valid plan (all roles unfilled is valid, so at least 0)."""
    roles = [role["id"] for project in instance["projects"] for role in project["roles"]]
    people = [person["id"] for person in instance["professionals"]]
    # A person who breaks a rule on a role alone breaks it in every plan holding that pair
    # (loads and costs only grow), so such pairs are dropped before enumerating.
    options = {
        role: [None]
        + [p for p in people if not check_plan(instance, plan_of(instance, {role: p}) | _rest(roles, role))]
        for role in roles
    }
    best = 0
    for picks in itertools.product(*(options[r] for r in roles)):
        candidate = plan_of(instance, dict(zip(roles, picks, strict=True)))
        if not check_plan(instance, candidate):
            best = max(best, spec_score(instance, candidate))
    return best


def _rest(roles: list[str], role: str) -> dict:
    return {"unfilled": [{"role": r, "reason": "brute force"} for r in roles if r != role]}


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(shell_instances(people=(2, 5), projects=(1, 3), roles=(1, 4), weeks=(2, 4), max_roles=4))
def test_engine_finds_and_proves_the_optimum(instance):
    result = run_engine(instance, time_limit=10.0)
    assert check_plan(instance, result) == []
    assert result["score"] == brute_force_optimum(instance)
    assert result["status"] == "optimal"
    assert result["bound"] == result["score"]


def tight_budget_instance() -> dict:
    """Greedy (roles in order, cheapest eligible) is far from optimal here.

    Greedy gives j/a to p-cheap, and then nobody is left for j/b (only p-cheap has skill y, and one person
    holds one role per project). The optimum puts p-mid on j/a and p-cheap on j/b; p-dear would score
    more on j/a but breaks the budget (1100 + 600 > 1650).
    """
    week = {"first_week": "2027-W10", "last_week": "2027-W10", "hours_per_week": 10}
    here = {"lat": 52.0, "lon": 6.0}
    return {
        "format": "shell-instance/1",
        "id": "tight",
        "weeks": ["2027-W10"],
        "projects": [
            {"id": "j", **here, "budget": 1650,
             "roles": [{"id": "j/a", "skill": "x", **week}, {"id": "j/b", "skill": "y", **week}]},
        ],
        "professionals": [
            {"id": "p-cheap", **here, "skills": {"x": 1, "y": 1}, "hourly_rate": 60, "hours_per_week": 40},
            {"id": "p-mid", **here, "skills": {"x": 3}, "hourly_rate": 100, "hours_per_week": 40},
            {"id": "p-dear", **here, "skills": {"x": 3}, "hourly_rate": 110, "hours_per_week": 40},
        ],
    }  # fmt: skip


def test_budget_and_one_role_per_project_beat_greedy():
    instance = tight_budget_instance()
    assert brute_force_optimum(instance) == 2 * 10_000 - (1000 + 600) + 300 * (3 - 1)
    result = run_engine(instance)
    assert check_plan(instance, result) == []
    assert {(a["role"], a["professional"]) for a in result["assignments"]} == {
        ("j/a", "p-mid"),
        ("j/b", "p-cheap"),
    }
    assert result["status"] == "optimal"


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(shell_instances(people=(2, 5), projects=(1, 3), roles=(1, 4), weeks=(2, 4), max_roles=4))
def test_benchmark_peers_are_sound(instance):
    """The benchmark's baselines are judged by the same checker: greedy valid, both exact models optimal."""
    best = brute_force_optimum(instance)
    greedy = baselines.greedy(instance, 1.0)
    assert check_plan(instance, greedy) == [] and greedy["score"] <= best
    for exact in (baselines.cp_sat, baselines.highs_mip):
        plan = exact(instance, 10.0, 1)
        assert check_plan(instance, plan) == []
        assert (plan["score"], plan["status"], plan["bound"]) == (best, "optimal", best)


@pytest.mark.parametrize(("seed", "people", "projects", "weeks"), [(1, 40, 6, 6), (2, 150, 12, 10)])
def test_engine_matches_an_exact_mip_where_brute_force_cannot_go(seed, people, projects, weeks):
    """Beyond brute force the oracle is the benchmark's HiGHS model, itself checked against brute force above."""
    instance = generator.shell_instance("custom", seed, professionals=people, projects=projects, weeks=weeks)
    exact = baselines.highs_mip(instance, 60.0, 1)
    assert exact["status"] == "optimal" and check_plan(instance, exact) == []
    result = run_engine(instance, time_limit=20.0)
    assert check_plan(instance, result) == []
    assert (result["status"], result["score"], result["bound"]) == ("optimal", exact["score"], exact["score"])


@pytest.mark.parametrize("time_limit", [2.0, 3.0])
def test_optimal_is_never_claimed_when_the_time_limit_cuts_the_proof_short(time_limit):
    """A stopped CP-SAT run proves nothing: 'optimal' and the bound must hold whatever the limit.

    On this instance CP-SAT gets cut off with status UNKNOWN at these limits on a 2-core machine.
    """
    instance = generator.shell_instance("custom", 1, professionals=2000, projects=80, weeks=13)
    exact = baselines.highs_mip(instance, 60.0, 1)
    assert exact["status"] == "optimal"
    result = run_engine(instance, time_limit=time_limit)
    assert check_plan(instance, result) == []
    assert result["bound"] is None or result["bound"] >= exact["score"]
    assert result["status"] == "feasible" or result["score"] == exact["score"]
