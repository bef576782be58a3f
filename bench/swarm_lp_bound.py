"""The best proved bound we know for a swarm instance: the LP relaxation of the round-aggregated model
over every staffable (request, session) pair and *every* eligible person, certified from its duals.

This is the relaxation issue 3 names as the strong bound ("the LP of a relaxation that aggregates the
rounds"); it is far too big to solve inside the engine's 30-60 s (medium: about 1.2 million columns and
1.8 million rows), so it runs here, offline, with HiGHS (the `bench` extra), for as long as it is given.
Every valid schedule maps onto a feasible point of this LP with the same objective (docs/solver-swarm.md,
"The round-aggregated model"), so its optimum bounds the spec score. The bound reported is not HiGHS's
objective but a certificate computed here from whatever row duals HiGHS ends with (optimal or stopped):
for any duals pi, ``pi+ . hi - pi- . lo + sum_j max(cbar_j lb_j, cbar_j ub_j)`` with ``cbar = c - A^T pi``
bounds a maximisation (weak duality), so a stopped or slightly inaccurate solve still yields a valid,
merely weaker, bound.

    python -m bench.swarm_lp_bound --sizes medium --seeds 1,2 --time-limit 1800

The results go to bench/results/swarm_lp_bounds.json, which `bench.swarm_bench --offline-bounds` reads
as one more peer bound ("lp-offline").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from bench import families
from bench.common import machine, read_json, today, write_json_atomic
from bench.swarm_instances import SIZES, swarm_instance
from solver.swarm.eligibility import Eligibility
from solver.swarm.instance import parse_instance

RESULTS = Path(__file__).parent / "results" / "swarm_lp_bounds.json"
GENERATORS = {"bench": swarm_instance, "regional": families.swarm_instance}


class Rows:
    """A sparse LP assembled row by row: ``lo <= A x <= hi``, ``lb <= x <= ub``, maximise ``c x``."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.upper: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.index: list[np.ndarray] = []
        self.value: list[np.ndarray] = []

    def columns(self, count: int, upper: float, cost) -> np.ndarray:
        first = len(self.cost)
        self.cost.extend(np.broadcast_to(np.asarray(cost, float), (count,)).tolist())
        self.upper.extend([upper] * count)
        return np.arange(first, first + count)

    def row(self, lo: float, hi: float, index, value) -> None:
        index = np.asarray(index, np.int64)
        self.index.append(index)
        self.value.append(np.broadcast_to(np.asarray(value, float), index.shape).copy())
        self.lo.append(lo)
        self.hi.append(hi)

    def arrays(self):
        starts = np.zeros(len(self.index) + 1, np.int64)
        starts[1:] = np.cumsum([len(i) for i in self.index])
        return (np.array(self.cost), np.array(self.upper), np.array(self.lo), np.array(self.hi), starts,
                np.concatenate(self.index), np.concatenate(self.value))  # fmt: skip


def build(elig: Eligibility) -> Rows:
    """Rules 1-3 on z/open exactly, rules 4-6 and the score on seat-rounds of every eligible person."""
    inst, rounds, inf = elig.instance, elig.rounds, math.inf
    w = inst.weights
    lp = Rows()
    pairs = [
        (r, s) for r in range(len(inst.requests)) for s in elig.allowed_sessions(r) if elig.staffable(r, s)
    ]
    sessions = sorted({s for _, s in pairs})
    prizes = [w.scheduled * inst.requests[r].priority for r, _ in pairs]
    z = dict(zip(pairs, lp.columns(len(pairs), 1, prizes), strict=True))
    opened = dict(zip(sessions, lp.columns(len(sessions), 1, 0), strict=True))
    by_request, by_session = defaultdict(list), defaultdict(list)
    for (r, s), col in z.items():
        by_request[r].append(col)
        by_session[s].append(r)
    for cols in by_request.values():  # rule 1
        lp.row(-inf, 1, cols, 1)
    for s, requests in by_session.items():  # rule 2: tables, a table only in an open session
        lp.row(
            -inf,
            0,
            [z[r, s] for r in requests] + [opened[s]],
            [1] * len(requests) + [-inst.venues[s[1]].tables],
        )
        for r in requests:
            lp.row(-inf, 0, [z[r, s], opened[s]], [1, -1])
    for group in elig.overlap_groups:  # rules 2 and 3 at every instant
        running = [s for s in sessions if s[0] in group]
        if inst.max_parallel_sessions is not None and len(running) > inst.max_parallel_sessions:
            lp.row(-inf, inst.max_parallel_sessions, [opened[s] for s in running], 1)
        per_venue = defaultdict(list)
        for s in running:
            per_venue[s[1]].append(opened[s])
        for cols in per_venue.values():
            if len(cols) > 1:
                lp.row(-inf, 1, cols, 1)
    attends = defaultdict(list)  # person -> (session, y column)
    for s in sessions:
        eligible = {r: elig.eligible(r, s) for r in by_session[s]}
        anyone = np.logical_or.reduce(list(eligible.values()))
        people = np.flatnonzero(anyone)
        y = lp.columns(len(people), 1, -elig.session_cost(s)[people])
        column_of = np.full(elig.n, -1, np.int64)
        column_of[people] = y
        for p, col in zip(people.tolist(), y.tolist(), strict=True):
            attends[p].append((s, col))
        lp.row(-inf, 0, np.r_[y, opened[s]], np.r_[np.ones(len(y)), -inst.venues[s[1]].capacity])  # rule 2
        seats_of = defaultdict(list)
        for r in by_session[s]:
            zc = z[r, s]
            here = np.flatnonzero(eligible[r])
            x = lp.columns(len(here), rounds, elig.skill_values[r][here])
            rep = lp.columns(len(here), rounds - 1, -w.repeat_table)
            for p, xc in zip(here.tolist(), x.tolist(), strict=True):
                seats_of[p].append(xc)
            for xc, rc, yc in zip(x.tolist(), rep.tolist(), column_of[here].tolist(), strict=True):
                lp.row(-inf, 0, [xc, zc], [1, -rounds])
                lp.row(0, inf, [rc, xc, yc], [1, -1, 1])  # repeats: (x - 1)+ as x - y and x - z
                lp.row(0, inf, [rc, xc, zc], [1, -1, 1])
            low, high = inst.requests[r].table_size  # rule 6, summed over the rounds
            lp.row(0, inf, np.r_[x, zc], np.r_[np.ones(len(x)), -low * rounds])
            lp.row(-inf, 0, np.r_[x, zc], np.r_[np.ones(len(x)), -high * rounds])
            for need, meets in zip(inst.requests[r].needs, elig.meets(r), strict=True):
                if need.min > 0:
                    ok = x[meets[here]]
                    lp.row(0, inf, np.r_[ok, zc], np.r_[np.ones(len(ok)), -need.min * rounds])
            for p in np.flatnonzero(anyone & ~elig.fits_request(r, s)).tolist():  # rule 4 across tables
                lp.row(-inf, 1, [column_of[p], zc], 1)
        for p, cols in seats_of.items():  # each participant at one table in every round
            lp.row(0, 0, cols + [column_of[p]], [1] * len(cols) + [-rounds])
    for p, items in attends.items():  # rule 5
        limit = int(elig.max_sessions[p])
        if len(items) > limit:
            lp.row(-inf, limit, [col for _, col in items], 1)
        for group in elig.overlap_groups:
            cols = [col for s, col in items if s[0] in group]
            if len(cols) > 1:
                lp.row(-inf, 1, cols, 1)
    return lp


def certified_bound(cost, upper, lo, hi, starts, index, value, duals) -> float:
    """Weak duality for ``max c x, lo <= A x <= hi, 0 <= x <= upper``: valid for any duals."""
    rows = np.repeat(np.arange(len(lo)), np.diff(starts))
    best = math.inf
    for pi in (np.asarray(duals, float), -np.asarray(duals, float)):
        pi = np.where((pi > 0) & np.isinf(hi), 0.0, pi)
        pi = np.where((pi < 0) & np.isinf(lo), 0.0, pi)
        reduced = cost - np.bincount(index, weights=value * pi[rows], minlength=len(cost))
        rows_part = np.where(
            pi > 0, pi * np.where(np.isinf(hi), 0, hi), pi * np.where(np.isinf(lo), 0, lo)
        ).sum()
        best = min(best, rows_part + (np.maximum(reduced, 0) * upper).sum())
    return best


def digest(document: dict) -> str:
    """What the bound was computed on: a bound read back for another document (a changed generator) is void."""
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def solve(document: dict, time_limit: float) -> dict:
    import highspy

    started = time.monotonic()
    elig = Eligibility(parse_instance(document))
    cost, upper, lo, hi, starts, index, value = build(elig).arrays()
    built = time.monotonic() - started
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = len(cost), len(lo)
    model.col_cost_, model.col_lower_, model.col_upper_ = cost, np.zeros(len(cost)), upper
    inf = highspy.kHighsInf
    model.row_lower_ = np.where(np.isinf(lo), -inf, lo)
    model.row_upper_ = np.where(np.isinf(hi), inf, hi)
    model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    model.a_matrix_.start_, model.a_matrix_.index_, model.a_matrix_.value_ = starts, index, value
    model.sense_ = highspy.ObjSense.kMaximize
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue(
        "solver", "simplex"
    )  # dual simplex: its duals stay feasible, so a stop still certifies
    highs.setOptionValue("time_limit", float(time_limit))
    highs.passModel(model)
    highs.run()
    status = highs.modelStatusToString(highs.getModelStatus())
    duals = np.array(highs.getSolution().row_dual)
    bound = certified_bound(cost, upper, lo, hi, starts, index, value, duals)
    return {
        "instance": document["id"],
        "digest": digest(document),
        "bound": math.floor(bound + 1e-6 * max(1.0, abs(bound))),
        "lp_status": status,
        "columns": int(len(cost)),
        "rows": int(len(lo)),
        "build_seconds": round(built, 1),
        "solve_seconds": round(time.monotonic() - started - built, 1),
        "measured": f"{today()} on {machine()}",
    }


def solve_sessions(
    document: dict, time_limit: float, target: float | None = None, target_gap: float | None = None
) -> dict:
    """The engine's own sessions bound (solver/swarm/session_bound.py), given the time it lacks online."""
    from solver.swarm import bound as tables_bound
    from solver.swarm import candidates, session_bound
    from solver.swarm.session_bound import SessionBound

    if target_gap is None:
        target_gap = session_bound.TARGET_GAP  # the engine's

    started = time.monotonic()
    elig = Eligibility(parse_instance(document))
    _, tables = candidates.survey(elig, 40)
    pairs = sorted(tables)
    first, prices = tables_bound.tables_lp(elig, 600, pairs, tables)
    built = time.monotonic() - started
    search = SessionBound(elig, pairs, prices, tables)
    search.run(
        time.monotonic() + time_limit,
        target=None if target is None else (lambda: target),
        target_gap=target_gap,
    )
    found = first if search.best is None else min(first, search.best)
    return {
        "instance": document["id"],
        "digest": digest(document),
        "bound": found,
        "method": "sessions",
        "lp_status": f"{len(search.history)} subgradient passes, steps aimed "
        f"{100 * target_gap:g} % below the best bound",
        "pairs": len(pairs),
        "build_seconds": round(built, 1),
        "solve_seconds": round(time.monotonic() - started - built, 1),
        "measured": f"{today()} on {machine()}",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="medium")
    parser.add_argument("--seeds", default="1,2")
    parser.add_argument(
        "--time-limit", type=float, default=1800.0, help="seconds of dual simplex per instance"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--family", choices=sorted(GENERATORS), default="bench", help="bench/families.py")
    parser.add_argument(
        "--method",
        choices=("lp", "sessions"),
        default="lp",
        help="lp: the LP over every eligible person (HiGHS); sessions: the engine's sessions bound, longer",
    )
    parser.add_argument(
        "--target-gap",
        type=float,
        help="sessions: without --target, steps aim this fraction below the best bound (engine: 0.03)",
    )
    parser.add_argument(
        "--target",
        type=float,
        help="sessions: a known schedule's score, which sizes the subgradient steps (one size and seed)",
    )
    args = parser.parse_args(argv)
    sizes = [s for s in args.sizes.split(",") if s]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"--sizes: unknown size {', '.join(unknown)}; choose from {', '.join(SIZES)}")
    try:
        seeds = [int(s) for s in args.seeds.split(",") if s]
    except ValueError:
        parser.error(f"--seeds: whole numbers separated by commas, not {args.seeds!r}")
    results = read_json(args.out) if args.out.exists() else {}
    make = GENERATORS[args.family]
    prefix = "" if args.family == "bench" else f"{args.family}-"
    for size in sizes:
        for seed in seeds:
            if args.method == "sessions":
                found = solve_sessions(make(size, seed), args.time_limit, args.target, args.target_gap)
                results[f"{prefix}{size}-{seed}-sessions"] = found
                print(f"{size}-{seed}: sessions bound {found['bound']:,} ({found['lp_status']}, "
                      f"{found['solve_seconds']} s)", flush=True)  # fmt: skip
            else:
                found = solve(make(size, seed), args.time_limit)
                results[f"{prefix}{size}-{seed}"] = found
                print(f"{size}-{seed}: bound {found['bound']:,} ({found['lp_status']}, {found['columns']:,} columns, "
                      f"{found['rows']:,} rows, {found['solve_seconds']} s)", flush=True)  # fmt: skip
            args.out.parent.mkdir(parents=True, exist_ok=True)
            write_json_atomic(args.out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
