"""Equal treatment over time (issue 3, item 9): twelve consecutive planning rounds of one region.

    .venv/bin/python -m bench.fairness_sim                    # 12 rounds, 8 s per engine solve
    .venv/bin/python -m bench.fairness_sim --rounds 4 --time-limit 2 --no-write

The region's professionals stay (home, skills, travel radius); each round brings new requests, slots and venue
capacities, and redraws availability from each person's own propensity. ``recent_invitations`` is the number
of sessions each person attended in the four rounds before, under the method being simulated, and
``rounds_waited`` the rounds in which they were available since they last attended one. Methods: the
engine at the region's fairness weight, the engine with fairness weight 0, the greedy by hand (nearest first)
and a random draw among those who fit. Reported among the professionals who fit a request in at least half
the rounds: the Gini coefficient of their invitation rates (invitations per round in which they fit), the share
never invited, and each method's skill term against the engine with fairness weight 0.
"""

from __future__ import annotations

import argparse
import copy
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

from bench.common import check_schedule, machine, markdown_table, today, write_section
from bench.swarm_data import Region
from bench.swarm_greedy import greedy_schedule
from bench.swarm_instances import WEIGHTS, custom
from swarm.domain.equality import gini
from tests.solver.swarm_checker import score_terms

HISTORY = 4  # rounds that count for recent_invitations
REGION = {"professionals": 300, "requests": 10, "slots": 6, "venues": 4}


def region_rounds(count: int, seed: int, sizes: dict = REGION) -> list[dict]:
    """``count`` swarm-instance/1 documents of one region; recent_invitations are filled in per method."""
    base = custom(**sizes, seed=seed, name="fairness")
    rng = random.Random(seed)
    propensity = {p["id"]: rng.betavariate(1.2, 4.0) for p in base["professionals"]}
    rounds = []
    for number in range(1, count + 1):
        doc = custom(**sizes, seed=seed * 1000 + number, name=f"fairness-round-{number}")
        people = copy.deepcopy(base["professionals"])
        for p in people:
            p["availability"] = {}
            for slot in doc["slots"]:
                draw = rng.random()
                if draw < propensity[p["id"]] * 0.75:
                    p["availability"][slot["id"]] = "yes"
                elif draw < propensity[p["id"]]:
                    p["availability"][slot["id"]] = "maybe"
        doc["professionals"] = people
        rounds.append(doc)
    return rounds


def fitting_people(doc: dict) -> set[str]:
    """Who could join some request's session and meets one of its needs (any one, if it has none)."""
    region = Region(doc)
    found: set[str] = set()
    for rid, r in region.inst.requests.items():
        for option in region.options(rid):
            for pid in region.attendees(option):
                if pid in found or not region.fits_request(pid, rid, option[1]):
                    continue
                if not r["needs"] or any(region.meets(pid, need) for need in r["needs"]):
                    found.add(pid)
    return found


@dataclass
class Run:
    method: str
    invitations: Counter = field(default_factory=Counter)
    skill: int = 0
    score: int = 0
    scheduled: int = 0
    requests: int = 0
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def engine_solver(fairness: int, time_limit: float):
    from solver.control import SolveControl, SolveOptions
    from solver.swarm import parse_instance, solve, to_document

    def run(doc: dict) -> dict:
        doc = {**doc, "weights": {**doc["weights"], "fairness": fairness}}
        options = SolveOptions(time_limit=time_limit, workers=2, seed=1)
        return to_document(solve(parse_instance(doc), options, SolveControl()))

    return run


def simulate(method: str, solver, rounds: list[dict]) -> Run:
    run = Run(method)
    history: list[Counter] = []
    waited: Counter = Counter()  # rounds available since the last invitation, this one included
    for doc in rounds:
        doc = copy.deepcopy(doc)
        recent = sum(history[-HISTORY:], Counter())
        for p in doc["professionals"]:
            p["recent_invitations"] = recent[p["id"]]
            if p["availability"]:
                waited[p["id"]] += 1
            p["rounds_waited"] = waited[p["id"]]
        started = time.monotonic()
        schedule = solver(doc)
        run.seconds += time.monotonic() - started
        # Judge and score every round at the region's own weights, whatever weights the method solved with.
        judged = {**doc, "weights": {**doc["weights"], "fairness": WEIGHTS["fairness"]}}
        run.problems += [p for p in check_schedule(judged, schedule, claims=False)]
        terms = score_terms(judged, schedule)
        run.skill += terms["skill"]
        run.score += sum(terms.values())
        run.scheduled += sum(len(s["tables"]) for s in schedule["sessions"])
        run.requests += len(doc["requests"])
        this_round = Counter()
        for s in schedule["sessions"]:
            for pid in {pid for t in s["tables"] for seated in t["rounds"] for pid in seated}:
                this_round[pid] += 1
        history.append(this_round)
        for pid in this_round:
            waited[pid] = 0
        run.invitations += this_round
    return run


TARGET = "Gini <= 0.30, nobody who fits left out, skill term >= 97 % of fairness 0"


@dataclass
class Measured:
    """One method over one seed's rounds, judged on that seed's population."""

    seed: int
    run: Run
    gini: float
    never: int
    population: int
    skill: float | None  # share of the fairness-0 engine's skill term

    def met(self) -> bool:
        return self.gini <= 0.30 and self.never == 0 and self.skill is not None and self.skill >= 0.97


def measure(seed: int, count: int, weights: list[int], time_limit: float, engine: bool) -> list[Measured]:
    """Every method on one seed's rounds: the engine at each weight and at 0, the greedy, the random draw."""
    rounds = region_rounds(count, seed)
    fits = Counter(pid for doc in rounds for pid in fitting_people(doc))
    population = sorted(pid for pid, n in fits.items() if n >= count / 2)
    methods = []
    if engine:
        methods += [(f"engine, fairness {w}", engine_solver(w, time_limit)) for w in weights if w != 0]
        methods.append(("engine, fairness 0", engine_solver(0, time_limit)))
    methods += [
        ("greedy by hand", lambda doc: greedy_schedule(doc, "nearest")),
        ("random draw", lambda doc: greedy_schedule(doc, "random", seed=seed)),
    ]
    runs = []
    for name, solver in methods:
        runs.append(simulate(name, solver, rounds))
        print(f"seed {seed}, {name}: done in {runs[-1].seconds:.0f} s", file=sys.stderr, flush=True)
    reference = next((r for r in runs if r.method == "engine, fairness 0"), None)
    found = []
    for run in runs:
        rates = [run.invitations[pid] / fits[pid] for pid in population]
        never = sum(1 for pid in population if run.invitations[pid] == 0)
        skill = run.skill / reference.skill if reference and reference.skill else None
        found.append(Measured(seed, run, gini(rates), never, len(population), skill))
    return found


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f} %"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--time-limit", type=float, default=8.0, help="seconds per engine solve")
    parser.add_argument("--seed", default="7", help="one seed or several, comma-separated (7,8,9)")
    parser.add_argument(
        "--fairness",
        default=str(WEIGHTS["fairness"]),
        help="the region's fairness weight, or several, comma-separated (2,5); 0 is always measured",
    )
    parser.add_argument("--baselines-only", action="store_true", help="leave the engine out (a quick look)")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--shared", action="store_true", help="note that other work shared the CPU")
    args = parser.parse_args(argv)
    try:
        seeds = [int(part) for part in args.seed.split(",")]
        weights = [int(part) for part in args.fairness.split(",")]
    except ValueError:
        parser.error("--seed and --fairness take integers, comma-separated (e.g. --seed 7,8,9)")
    if any(w < 0 for w in weights):
        parser.error("--fairness: weights are non-negative")
    engine = not args.baselines_only
    if engine:
        try:
            import solver.swarm  # noqa: F401
        except ImportError as missing:
            print(f"engine not available ({missing}); simulating the baselines only", file=sys.stderr)
            engine = False
    load = [os.getloadavg()[0]]
    measured = [m for seed in seeds for m in measure(seed, args.rounds, weights, args.time_limit, engine)]
    load.append(os.getloadavg()[0])
    rows = [
        [str(m.seed), m.run.method, f"{m.gini:.2f}", f"{m.never}/{m.population}", _percent(m.skill),
         f"{m.run.scheduled}/{m.run.requests}", f"{m.run.score:,}", "yes" if not m.run.problems else "NO"]
        for m in measured
    ]  # fmt: skip
    text = markdown_table(
        ["seed", "method", "Gini of invitation rates", "never invited", "skill term vs fairness 0",
         "requests scheduled", "score (region weights)", "valid"],
        rows,
    )  # fmt: skip
    goal = []
    for w in [w for w in weights if w != 0] if engine else []:
        at = [m for m in measured if m.run.method == f"engine, fairness {w}"]
        met = [m.seed for m in at if m.met()]
        goal.append(
            f"Fairness {w}: target of issue 3 ({TARGET}) met on {len(met)} of {len(at)} seeds"
            + (f" ({', '.join(map(str, met))})" if met else "")
            + "; "
            + "; ".join(
                f"seed {m.seed}: Gini {m.gini:.2f}, {m.never} never invited, skill term {_percent(m.skill)}"
                for m in at
            )
            + "."
        )
    print(text)
    print("\n".join(goal))
    for m in measured:
        for problem in m.run.problems[:5]:
            print(f"seed {m.seed}, {m.run.method}: {problem}", file=sys.stderr)
    if not args.no_write:
        body = [
            f"Measured {today()} on {machine()}"
            + (", shared with other work at the time" if args.shared else "")
            + f" (load average {load[0]:.2f} at the start, {load[1]:.2f} at the end).",
            f"`python -m bench.fairness_sim --seed {args.seed} --fairness {args.fairness}`: {args.rounds} rounds of "
            f"one region of {REGION['professionals']} professionals, {REGION['requests']} requests, "
            f"{REGION['slots']} slots and {REGION['venues']} venues a round, 3 table rounds; "
            f"{args.time_limit:.0f} s per engine solve. Each round fills `recent_invitations` (sessions in the "
            f"{HISTORY} rounds before) and `rounds_waited` (rounds available since the last invitation) from the "
            "method's own earlier rounds.",
            "Population (per seed): the professionals who fit a request (could join its session and meet one of its "
            "needs) in at least half the rounds. Invitation rate = sessions attended / rounds in which they fit.",
            "Every round's schedule is checked with `tests/solver/swarm_checker.py` and scored at the region's weights "
            f"(fairness {WEIGHTS['fairness']}).",
            "",
            text,
        ]
        if goal:
            body += ["", *goal]
        write_section("Equal treatment over time", "\n".join(body))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
