"""The regional instance family of the benchmarks (bench/families.py): valid, repeatable, split."""

from __future__ import annotations

from bench import families
from bench.fairness_grid import parse_policy, region_rounds
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
