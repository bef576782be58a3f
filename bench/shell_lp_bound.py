"""A proved bound for a shell instance from outside the engine: the LP relaxation over every eligible pair.

The rows are the peers' (bench/shell_baselines.py: one per role, per project and person, per person and
week, per budget), every pair of every eligible (role, professional) a column in [0, 1]. HiGHS solves it
offline; the bound is not HiGHS's objective but a certificate computed here from its row duals: for any
``y >= 0`` on the ``<=`` rows, ``y.b + sum_j max(0, c_j - (A^T y)_j)`` bounds a maximisation (weak
duality), so a stopped or slightly inaccurate solve still gives a valid, merely weaker, bound. It tells
whether a gap between the engine's plan and its own bound lies in the plan or in the bound.

    python -m bench.shell_lp_bound --family regional --sizes large --seeds 101

Results go to bench/results/shell_lp_bounds.json (keyed by family, size and seed, with a digest of the
instance so a changed generator cannot borrow a stale bound); `bench.shell_bench` shows them as the peer
`lp-offline`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from bench import families
from bench.common import machine, read_json, today, write_json_atomic
from bench.shell_baselines import eligible_pairs, linear_rows
from bench.shell_instances import shell_instance

RESULTS = Path(__file__).parent / "results" / "shell_lp_bounds.json"
GENERATORS = {"bench": shell_instance, "regional": families.shell_instance}


def digest(instance: dict) -> str:
    return hashlib.sha256(json.dumps(instance, sort_keys=True).encode()).hexdigest()


def certified(score: np.ndarray, rows, y: np.ndarray) -> float:
    """``y.b + sum_j max(0, c_j - (A^T y)_j)`` for multipliers ``y >= 0``: an upper bound whatever y is."""
    y = np.maximum(y, 0.0)
    sizes = np.diff(np.r_[rows.starts, len(rows.index)])
    reduced = score.astype(float) - np.bincount(
        rows.index, weights=rows.value * np.repeat(y, sizes), minlength=len(score)
    )
    return float(y @ rows.upper + np.maximum(reduced, 0.0).sum())


def lp_bound(instance: dict, time_limit: float = 3600.0) -> dict:
    import highspy

    started = time.perf_counter()
    pairs = eligible_pairs(instance)
    rows = linear_rows(pairs)
    n, m = len(pairs), len(rows.upper)
    built = time.perf_counter() - started
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", time_limit)
    h.addCols(n, pairs.score.astype(float), np.zeros(n), np.ones(n), 0, [], [], [])
    h.addRows(m, np.full(m, -highspy.kHighsInf), rows.upper.astype(float), len(rows.index),
              rows.starts.astype(np.int32), rows.index.astype(np.int32), rows.value.astype(float))  # fmt: skip
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.run()
    solved = time.perf_counter() - started - built
    # Whichever sign convention the solver's duals follow, each sign is a valid certificate: take the lower.
    duals = np.asarray(h.getSolution().row_dual, dtype=float)
    value = min(certified(pairs.score, rows, duals), certified(pairs.score, rows, -duals))
    if not math.isfinite(value):
        value = float(np.maximum(pairs.score, 0).sum())
    return {
        "instance": instance["id"],
        "digest": digest(instance),
        "bound": math.floor(value + 1e-6 * max(1.0, abs(value))),
        "lp_objective": h.getInfo().objective_function_value,
        "lp_status": h.modelStatusToString(h.getModelStatus()),
        "columns": n,
        "rows": m,
        "build_seconds": round(built, 1),
        "solve_seconds": round(solved, 1),
        "measured": f"{today()} on {machine()}",
    }


def stored_bound(family: str, size: str, seed: int, instance: dict) -> dict | None:
    found = (read_json(RESULTS) or {}).get(f"{family}-{size}-{seed}") if RESULTS.exists() else None
    return found if found is not None and found.get("digest") == digest(instance) else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--family", choices=sorted(GENERATORS), default="regional")
    parser.add_argument("--sizes", default="medium,large", type=lambda s: s.split(","))
    parser.add_argument("--seeds", default=",".join(map(str, families.TUNING_SEEDS)),
                        type=lambda s: [int(x) for x in s.split(",")])  # fmt: skip
    parser.add_argument("--time-limit", type=float, default=3600.0)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    for size in args.sizes:
        for seed in args.seeds:
            instance = GENERATORS[args.family](size, seed)
            found = lp_bound(instance, args.time_limit)
            print(f"{args.family} {size} {seed}: {json.dumps(found)}", file=sys.stderr)
            if not args.no_write:
                stored = read_json(RESULTS) or {}
                stored[f"{args.family}-{size}-{seed}"] = found
                write_json_atomic(RESULTS, stored)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
