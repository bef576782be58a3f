"""The regional instance family of the benchmarks (bench/families.py): valid, repeatable, split."""

from __future__ import annotations

from bench import families
from bench.fairness_grid import Measured, frontier_table, on_frontier, parse_policy, region_rounds, sweep
from solver.shell import parse_instance as parse_shell
from solver.swarm import parse_instance as parse_swarm


def test_the_small_instances_are_valid_and_the_same_for_the_same_seed():
    swarm = families.swarm_instance("small", families.TUNING_SEEDS[0])
    shell = families.shell_instance("small", families.TUNING_SEEDS[0])
    parse_swarm(swarm)
    parse_shell(shell)
    assert swarm == families.swarm_instance("small", families.TUNING_SEEDS[0])
    assert shell == families.shell_instance("small", families.TUNING_SEEDS[0])
    assert shell != families.shell_instance("small", families.HELD_OUT_SEEDS[0])


def test_held_out_seeds_and_shapes_are_apart_from_the_tuning_ones():
    assert not set(families.TUNING_SEEDS) & set(families.HELD_OUT_SEEDS)
    held = [s for s in families.FAIRNESS_SHAPES if s.held_out]
    assert len(families.FAIRNESS_SHAPES) >= 12 and len(held) * 2 == len(families.FAIRNESS_SHAPES)
    assert len({s.name for s in families.FAIRNESS_SHAPES}) == len(families.FAIRNESS_SHAPES)


def test_a_region_keeps_its_people_from_round_to_round_and_carries_the_policy():
    rounds = region_rounds(families.FAIRNESS_SHAPES[0].shape, 2, seed=1)
    first, second = ([(p["id"], p["lat"], p["skills"]) for p in doc["professionals"]] for doc in rounds)
    assert first == second and rounds[0]["requests"] != rounds[1]["requests"]
    doc = {**rounds[0], "policy": parse_policy("turn:4:3")}
    assert parse_swarm(doc).guaranteed_turn.max_skill_percent == 3
    assert parse_policy("none") is None


def test_the_policy_sweep_and_each_shapes_frontier():
    assert sweep("3,4:3,10") == ["turn:3:3", "turn:3:10", "turn:4:3", "turn:4:10"]
    assert sweep("") == []
    shape = families.FAIRNESS_SHAPES[0]

    def measured(policy: str, never: int, share: float | None) -> Measured:
        return Measured(shape, policy, 10, 0.2, never, share, "1/1", True)

    blind, none, dear, cheap = (
        measured("fairness-blind", 5, 1.0),
        measured("none", 2, 0.99),
        measured("turn:3:10", 2, 0.95),  # as many left out as none, for more skill: not on the frontier
        measured("turn:3:25", 1, 0.97),
    )
    points = [blind, none, dear, cheap]
    assert [on_frontier(m, points) for m in points] == [True, True, False, True]
    rows = frontier_table(points).splitlines()[2:]
    assert [row.split(" | ")[1] for row in rows] == ["fairness-blind", "none", "turn:3:25", "turn:3:10"]
