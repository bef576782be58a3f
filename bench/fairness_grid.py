"""Equal treatment on every region (issue 17, item 4): twelve rounds of each region shape of a grid.

    .venv/bin/python -m bench.fairness_grid --shapes tuning          # the shapes one may look at
    .venv/bin/python -m bench.fairness_grid --shapes held-out        # for the record only
    .venv/bin/python -m bench.fairness_grid --shapes t1,t3 --rounds 4 --time-limit 2 --no-write

The shapes are `bench.families.FAIRNESS_SHAPES` (150-1,000 professionals, 2-6 venues, 2-4 table rounds,
5-20 requests, 4-10 slots; half marked held out). A region keeps its professionals (home, skills, travel
radius, propensity to be free); each round brings new requests, slots and venue capacities of the
regional family and redraws availability. `recent_invitations` (sessions in the 4 rounds before) and
`rounds_waited` (rounds available since the last invitation) are filled from the method's own earlier
rounds, as the web app fills them. Methods: the engine at the default weights (fairness 5) with the
region's policy (``--policy``: none, or a guaranteed turn), and the engine fairness-blind (weight 0, no
policy). Reported over the people who fit a request in at least half the rounds: the Gini coefficient of
invitation rates, the share never invited, and the skill term against the fairness-blind run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench import families
from bench.common import machine, markdown_table, read_json, today, write_json_atomic, write_section
from bench.fairness_sim import Run, fitting_people, simulate
from swarm.domain.equality import gini

DEFAULT_FAIRNESS = families.SWARM_WEIGHTS["fairness"]
SECTION = "Equal treatment on every region"
# Issue 17's target per shape.
MAX_GINI, MAX_NEVER, MAX_SKILL_LOSS = 0.30, 0.03, 0.03


def region_rounds(shape: families.SwarmShape, count: int, seed: int) -> list[dict]:
    """``count`` swarm-instance/1 documents of one region of the regional family."""
    rng = random.Random(f"fairness-grid-{seed}")
    base = families.swarm_regional(shape, seed, name="region")
    people, propensity = families.swarm_people(
        random.Random(f"fairness-grid-people-{seed}"), shape, base["slots"]
    )
    rounds = []
    for number in range(1, count + 1):
        doc = families.swarm_regional(shape, seed * 1000 + number, name=f"round-{number}")
        doc["professionals"] = [
            {**p, "availability": families.swarm_availability(rng, free, doc["slots"])}
            for p, free in zip(people, propensity, strict=True)
        ]
        doc["id"] = f"{base['id']}-round-{number}"
        rounds.append(doc)
    return rounds


def engine_solver(fairness: int, time_limit: float, policy: dict | None):
    from solver.control import SolveControl, SolveOptions
    from solver.swarm import parse_instance, solve, to_document

    def run(doc: dict) -> dict:
        doc = {**doc, "weights": {**doc["weights"], "fairness": fairness}}
        if policy:
            doc["policy"] = policy
        options = SolveOptions(time_limit=time_limit, workers=2, seed=1)
        return to_document(solve(parse_instance(doc), options, SolveControl()))

    return run


@dataclass
class ShapeResult:
    shape: families.FairnessShape
    population: int
    gini: float
    never: int
    skill_share: float | None
    blind_gini: float
    blind_never: int
    scheduled: str
    valid: bool

    @property
    def never_share(self) -> float:
        return self.never / self.population if self.population else 0.0

    def met(self) -> bool:
        return (
            self.gini <= MAX_GINI
            and self.never_share <= MAX_NEVER
            and self.skill_share is not None
            and self.skill_share >= 1 - MAX_SKILL_LOSS
        )


def measure(shape: families.FairnessShape, count: int, seed: int, time_limit: float, policy) -> ShapeResult:
    rounds = region_rounds(shape.shape, count, seed)
    fits = Counter(pid for doc in rounds for pid in fitting_people(doc))
    population = sorted(pid for pid, n in fits.items() if n >= count / 2)
    fair = simulate("engine", engine_solver(DEFAULT_FAIRNESS, time_limit, policy), rounds)
    blind = blind_run(shape, rounds, seed, time_limit)

    def rates(run) -> tuple[float, int]:
        values = [run.invitations[pid] / fits[pid] for pid in population]
        return gini(values) if values else 0.0, sum(1 for pid in population if run.invitations[pid] == 0)

    (g, never), (bg, bnever) = rates(fair), rates(blind)
    return ShapeResult(
        shape,
        len(population),
        g,
        never,
        fair.skill / blind.skill if blind.skill else None,
        bg,
        bnever,
        f"{fair.scheduled}/{fair.requests}",
        not fair.problems and not blind.problems,
    )


BLIND_CACHE = Path(tempfile.gettempdir()) / "swarm-fairness-grid-blind.json"


def blind_run(shape: families.FairnessShape, rounds: list[dict], seed: int, time_limit: float) -> Run:
    """The fairness-blind run (weight 0, no policy), which no policy changes: kept between runs in a file
    of the temporary folder, keyed by the rounds' own content, so comparing policies does not redo it."""
    key = hashlib.sha256(json.dumps([rounds, time_limit], sort_keys=True).encode()).hexdigest()
    stored = read_json(BLIND_CACHE) or {}
    if key in stored:
        found = stored[key]
        run = Run("blind", Counter(found["invitations"]), found["skill"], found["score"], found["scheduled"])
        run.requests, run.problems = found["requests"], found["problems"]
        return run
    run = simulate("blind", engine_solver(0, time_limit, None), rounds)
    stored = read_json(BLIND_CACHE) or {}
    stored[key] = {"invitations": dict(run.invitations), "skill": run.skill, "score": run.score,
                   "scheduled": run.scheduled, "requests": run.requests, "problems": run.problems}  # fmt: skip
    write_json_atomic(BLIND_CACHE, stored)
    return run


def parse_policy(text: str) -> dict | None:
    """``none`` or ``turn:W:P`` (seat who fits and waited W rounds when that costs at most P % of the skill term)."""
    if text == "none":
        return None
    _, after, percent = text.split(":")
    return {"guaranteed_turn": {"after_rounds": int(after), "max_skill_percent": int(percent)}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", default="tuning", help="tuning, held-out, all, or names (t1,h2)")
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--time-limit", type=float, default=4.0, help="seconds per engine solve")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--policy", default="none", help="none, or turn:W:P (a guaranteed turn)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    chosen = {
        "tuning": [s for s in families.FAIRNESS_SHAPES if not s.held_out],
        "held-out": [s for s in families.FAIRNESS_SHAPES if s.held_out],
        "all": list(families.FAIRNESS_SHAPES),
    }.get(args.shapes) or [s for s in families.FAIRNESS_SHAPES if s.name in args.shapes.split(",")]
    policy = parse_policy(args.policy)
    load = [os.getloadavg()[0]]
    results = []
    for shape in chosen:
        results.append(measure(shape, args.rounds, args.seed, args.time_limit, policy))
        r = results[-1]
        print(f"{shape.name}: Gini {r.gini:.2f}, never {r.never}/{r.population}, skill {r.skill_share}",
              file=sys.stderr, flush=True)  # fmt: skip
    load.append(os.getloadavg()[0])
    rows = []
    for r in results:
        s = r.shape.shape
        rows.append(
            [r.shape.name, "held out" if r.shape.held_out else "tuning",
             f"{s.professionals} / {s.requests} / {s.slots} / {s.venues}{' (1 online)' if s.online else ''} / {s.rounds}",
             ", ".join(s.regions), f"{r.gini:.2f}", f"{r.never}/{r.population} ({100 * r.never_share:.1f} %)",
             "—" if r.skill_share is None else f"{100 * (1 - r.skill_share):.1f} %",
             f"{r.blind_gini:.2f} / {r.blind_never}", r.scheduled, "yes" if r.valid else "NO",
             "met" if r.met() else "not met"]
        )  # fmt: skip
    text = markdown_table(
        ["shape", "split", "professionals / requests / slots / venues / rounds", "region", "Gini",
         "never invited", "skill term lost", "fairness-blind Gini / never", "requests scheduled", "valid",
         "target"],
        rows,
    )  # fmt: skip
    met = sum(r.met() for r in results)
    summary = (
        f"Target (Gini <= {MAX_GINI:.2f}, never invited <= {100 * MAX_NEVER:g} %, skill term lost <= "
        f"{100 * MAX_SKILL_LOSS:g} %) met on {met} of {len(results)} shapes."
    )
    print(text)
    print(summary)
    if not args.no_write:
        title = f"{SECTION} ({args.shapes}, policy {args.policy})"
        body = (
            f"Measured {today()} on {machine()} (load average {load[0]:.2f} at the start, {load[1]:.2f} at the end).\n"
            f"`python -m bench.fairness_grid --shapes {args.shapes} --policy {args.policy} --rounds {args.rounds} "
            f"--time-limit {args.time_limit:g} --seed {args.seed}`: default weights (fairness {DEFAULT_FAIRNESS}), "
            f"{args.time_limit:g} s per solve, 2 workers.\n\n{text}\n\n{summary}\n"
        )
        write_section(title, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
