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
import copy
import os
import random
import sys
from collections import Counter
from dataclasses import dataclass

from bench import families
from bench.common import check_schedule, machine, markdown_table, today, write_section
from bench.fairness_sim import HISTORY, Run, fitting_people
from swarm.domain.equality import gini
from tests.solver.swarm_checker import score_terms

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


class Simulation:
    """One method's twelve rounds: its own history fills ``recent_invitations`` and ``rounds_waited``."""

    def __init__(self, name: str, solver):
        self.name, self.solver, self.run = name, solver, Run(name)
        self.history: list[Counter] = []
        self.waited: Counter = Counter()

    def play(self, doc: dict) -> None:
        doc = copy.deepcopy(doc)
        recent = sum(self.history[-HISTORY:], Counter())
        for p in doc["professionals"]:
            p["recent_invitations"] = recent[p["id"]]
            if p["availability"]:
                self.waited[p["id"]] += 1
            p["rounds_waited"] = self.waited[p["id"]]
        schedule = self.solver(doc)
        judged = {**doc, "weights": {**doc["weights"], "fairness": DEFAULT_FAIRNESS}}
        self.run.problems += check_schedule(judged, schedule, claims=False)
        terms = score_terms(judged, schedule)
        self.run.skill += terms["skill"]
        self.run.scheduled += sum(len(s["tables"]) for s in schedule["sessions"])
        self.run.requests += len(doc["requests"])
        seated = Counter(
            {pid: 1 for s in schedule["sessions"] for t in s["tables"] for r in t["rounds"] for pid in r}
        )
        self.history.append(seated)
        for pid in seated:
            self.waited[pid] = 0
        self.run.invitations += seated


@dataclass
class Measured:
    shape: families.FairnessShape
    policy: str
    population: int
    gini: float
    never: int
    skill_share: float | None  # of the fairness-blind run's skill term
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


def measure(shape: families.FairnessShape, count: int, seed: int, time_limit: float, policies: list[str]):
    """The fairness-blind run and the engine at default weights under each policy, round by round in turn
    (so that a busy machine slows them alike), judged on the people who fit in at least half the rounds."""
    rounds = region_rounds(shape.shape, count, seed)
    fits = Counter(pid for doc in rounds for pid in fitting_people(doc))
    population = sorted(pid for pid, n in fits.items() if n >= count / 2)
    blind = Simulation("fairness-blind", engine_solver(0, time_limit, None))
    fair = [
        Simulation(text, engine_solver(DEFAULT_FAIRNESS, time_limit, parse_policy(text))) for text in policies
    ]
    for doc in rounds:
        for simulation in [blind, *fair]:
            simulation.play(doc)
    found = []
    for simulation in [blind, *fair]:
        run = simulation.run
        rates = [run.invitations[pid] / fits[pid] for pid in population]
        never = sum(1 for pid in population if run.invitations[pid] == 0)
        share = run.skill / blind.run.skill if blind.run.skill else None
        found.append(Measured(shape, simulation.name, len(population), gini(rates) if rates else 0.0, never,
                              share, f"{run.scheduled}/{run.requests}", not run.problems))  # fmt: skip
    return found


def sweep(text: str) -> list[str]:
    """``W1,W2:P1,P2`` as the policies turn:W:P for every W and P (none for an empty text)."""
    if not text:
        return []
    waits, percents = text.split(":")
    return [f"turn:{w}:{p}" for w in waits.split(",") for p in percents.split(",")]


def on_frontier(point: Measured, others: list[Measured]) -> bool:
    """Whether no other policy of the shape leaves as few or fewer out for as little or less skill, and
    fewer or less in one of them."""
    mine = (point.never_share, _lost(point))
    for other in others:
        theirs = (other.never_share, _lost(other))
        if other is not point and theirs[0] <= mine[0] and theirs[1] <= mine[1] and theirs != mine:
            return False
    return True


def _lost(m: Measured) -> float:
    """Skill term lost against the fairness-blind run (0 for that run itself)."""
    return 0.0 if m.skill_share is None or m.policy == "fairness-blind" else 1 - m.skill_share


def frontier_table(results: list[Measured]) -> str:
    """Per shape, every policy's never-invited share against its skill cost, cheapest first."""
    rows = []
    for name in dict.fromkeys(r.shape.name for r in results):
        at = [r for r in results if r.shape.name == name]
        for r in sorted(at, key=lambda m: (_lost(m), m.never_share)):
            rows.append(
                [name, r.policy, f"{100 * r.never_share:.1f} %", f"{100 * _lost(r):.1f} %", f"{r.gini:.2f}",
                 "yes" if on_frontier(r, at) else "", "met" if r.met() else ""]
            )  # fmt: skip
    return markdown_table(
        ["shape", "policy", "never invited", "skill term lost", "Gini", "on the frontier", "target"], rows
    )


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
    parser.add_argument("--time-limit", type=float, default=5.0, help="seconds per engine solve")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--policies", default="none,turn:4:3", help="comma-separated: none (near ties only) or turn:W:P"
    )
    parser.add_argument(
        "--sweep",
        default="",
        help="W1,W2:P1,P2 adds turn:W:P for every W and P (the region's frontier: never invited against skill cost)",
    )
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    chosen = {
        "tuning": [s for s in families.FAIRNESS_SHAPES if not s.held_out],
        "held-out": [s for s in families.FAIRNESS_SHAPES if s.held_out],
        "all": list(families.FAIRNESS_SHAPES),
    }.get(args.shapes) or [s for s in families.FAIRNESS_SHAPES if s.name in args.shapes.split(",")]
    policies = args.policies.split(",") + sweep(args.sweep)
    policies = list(dict.fromkeys(policies))
    load = [os.getloadavg()[0]]
    results = []
    for shape in chosen:
        results += measure(shape, args.rounds, args.seed, args.time_limit, policies)
        for r in results[-len(policies) - 1 :]:
            print(f"{shape.name} {r.policy}: Gini {r.gini:.2f}, never {r.never}/{r.population}, "
                  f"skill {r.skill_share}, load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)  # fmt: skip
    load.append(os.getloadavg()[0])
    rows = []
    for r in results:
        s = r.shape.shape
        blind = r.policy == "fairness-blind"
        rows.append(
            [r.shape.name, "held out" if r.shape.held_out else "tuning",
             f"{s.professionals} / {s.requests} / {s.slots} / {s.venues}{' (1 online)' if s.online else ''} / {s.rounds}",
             ", ".join(s.regions), r.policy, f"{r.gini:.2f}", f"{r.never}/{r.population} ({100 * r.never_share:.1f} %)",
             "—" if blind or r.skill_share is None else f"{100 * (1 - r.skill_share):.1f} %", r.scheduled,
             "yes" if r.valid else "NO", "—" if blind else "met" if r.met() else "not met"]
        )  # fmt: skip
    text = markdown_table(
        ["shape", "split", "professionals / requests / slots / venues / rounds", "region", "policy", "Gini",
         "never invited", "skill term lost", "requests scheduled", "valid", "target"],
        rows,
    )  # fmt: skip
    summary = []
    for policy in policies:
        at = [r for r in results if r.policy == policy]
        for split in (False, True):
            part = [r for r in at if r.shape.held_out == split]
            if part:
                summary.append(
                    f"- {policy}, {'held-out' if split else 'tuning'} shapes: target met on "
                    f"{sum(r.met() for r in part)} of {len(part)}"
                )
    goal = (
        f"Target (issue 17): Gini <= {MAX_GINI:.2f}, never invited <= {100 * MAX_NEVER:g} % of those who fit in at "
        f"least half the rounds, skill term lost against the fairness-blind run <= {100 * MAX_SKILL_LOSS:g} %."
    )
    front = frontier_table(results)
    print(text)
    print(goal)
    print("\n".join(summary))
    print(front)
    if not args.no_write:
        title = f"{SECTION} ({args.shapes} shapes)"
        body = (
            f"Measured {today()} on {machine()}; load average {load[0]:.2f} at the start, {load[1]:.2f} at the end "
            "(a shared machine: other test suites ran at the same time).\n"
            f"`python -m bench.fairness_grid --shapes {args.shapes} --policies {args.policies} --rounds {args.rounds} "
            f"--time-limit {args.time_limit:g} --seed {args.seed}`: {args.rounds} rounds per region of the regional "
            f"family (bench/families.py, FAIRNESS_SHAPES), default weights (fairness {DEFAULT_FAIRNESS}), "
            f"{args.time_limit:g} s per solve, 2 workers; every round solved by each method in turn. `none` is the "
            "near-tie rule alone; `turn:W:P` adds the region policy `guaranteed_turn` (after W rounds waited, at most "
            "P % of the skill term). Population: the professionals who fit a request (could join one of its sessions "
            "and meet one of its needs) in at least half the rounds; rate = sessions attended / rounds they fit. "
            f"Every schedule checked with tests/solver/swarm_checker.py.\n\n{text}\n\n{goal}\n\n"
            + "\n".join(summary)
            + "\n\nWhat each shape pays (its frontier): never invited against skill term lost, cheapest first; "
            "`yes` marks the policies no other one beats on both.\n\n" + front + "\n"
        )
        write_section(title, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
