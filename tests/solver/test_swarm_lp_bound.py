"""The offline bound of bench/swarm_lp_bound.py: a certificate from duals, valid however the LP solve ended."""

import json
import math

import numpy as np
import pytest

from bench.swarm_instances import swarm_instance
from bench.swarm_lp_bound import certified_bound, solve
from solver.control import SolveOptions
from solver.swarm import parse_instance
from solver.swarm import solve as engine_solve

pytest.importorskip("highspy")


def test_certificate_is_weak_duality_on_a_tiny_lp():
    # max 3a + 2b, a + b <= 4, a <= 3, 0 <= a, b <= 10: optimum 11 (a = 3, b = 1)
    cost, upper = np.array([3.0, 2.0]), np.array([10.0, 10.0])
    lo, hi = np.array([-math.inf, -math.inf]), np.array([4.0, 3.0])
    starts, index, value = np.array([0, 2, 3]), np.array([0, 1, 0]), np.array([1.0, 1.0, 1.0])
    assert certified_bound(cost, upper, lo, hi, starts, index, value, [2.0, 1.0]) == pytest.approx(11)
    # poor duals still bound, just more loosely; no duals at all give the box bound
    assert certified_bound(cost, upper, lo, hi, starts, index, value, [1.0, 0.0]) >= 11
    assert certified_bound(cost, upper, lo, hi, starts, index, value, [0.0, 0.0]) == pytest.approx(50)


@pytest.fixture(scope="module")
def small():
    document = swarm_instance("small", 1)
    result = engine_solve(parse_instance(document), SolveOptions(time_limit=30, workers=1, seed=0))
    return document, result


def test_the_lp_bound_holds_above_the_proved_optimum(small):
    document, result = small
    found = solve(document, time_limit=60)
    assert found["lp_status"] == "Optimal"
    assert result.status == "optimal"
    assert found["bound"] >= result.score


def test_a_stopped_solve_still_certifies_a_valid_bound(small):
    document, result = small
    found = solve(document, time_limit=0.001)
    assert found["bound"] >= result.score


def test_the_benchmark_reads_a_bound_only_for_the_document_it_was_computed_on(tmp_path, small):
    from bench.swarm_bench import offline_bound
    from bench.swarm_lp_bound import digest

    document, _ = small
    found = {"instance": document["id"], "digest": digest(document), "bound": 21364, "lp_status": "Optimal",
             "build_seconds": 0.1, "solve_seconds": 0.1, "measured": "today"}  # fmt: skip
    path = tmp_path / "bounds.json"
    path.write_text(json.dumps({"small-1": found}))
    (peer,) = offline_bound(path, "small", 1, document)
    assert peer.bound == 21364 and peer.score is None
    changed = {**document, "rounds": document.get("rounds", 1) + 1}  # same id, another instance
    assert offline_bound(path, "small", 1, changed) == []


def test_the_sessions_method_bounds_the_proved_optimum_and_is_read_beside_the_lp(tmp_path, small):
    from bench.swarm_bench import offline_bound
    from bench.swarm_lp_bound import solve_sessions

    document, result = small
    found = solve_sessions(document, time_limit=3)
    assert found["method"] == "sessions" and found["bound"] >= result.score
    path = tmp_path / "bounds.json"
    path.write_text(json.dumps({"small-1-sessions": found}))
    (peer,) = offline_bound(path, "small", 1, document)
    assert (peer.method, peer.bound) == ("sessions-offline", found["bound"])
