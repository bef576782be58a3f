"""The neighbourhood search along the bound's priced choices (improve.run_linked) on a known chain."""

from __future__ import annotations

import time

import numpy as np

from solver.control import SolveOptions
from solver.shell import parse_instance, solve
from solver.shell.bound import decompose
from solver.shell.eligibility import eligible_pairs
from solver.shell.improve import ClusterSearch, improve_linked
from solver.shell.rules import plan_problems
from solver.shell.score import plan_score
from tests.solver.shell.builders import instance, professional, project, role

X, Y = {"projectleiding": 2}, {"communicatie": 2}


def chain_instance():
    """Project a can afford its two roles only with the cheap p; b holds p but could take q, which c holds;
    c could take s, whom b excludes. The best plan moves all three projects; any one move alone does not
    pay."""
    return parse_instance(
        instance(
            [
                project("a", [role("a1"), role("a2", skill="communicatie")], budget=12_800),
                project("b", [role("b1")], excluded=["s"]),
                project("c", [role("c1")]),
            ],
            [
                professional("p", X, rate=100, hours=16),
                professional("q", X, rate=200, hours=16),
                professional("s", X, rate=300, hours=16),
                professional("r", Y, rate=100, hours=16),
            ],
        )
    )


def test_linked_neighbourhood_follows_the_chain_to_the_optimum():
    inst = chain_instance()
    cands = eligible_pairs(inst)
    objective = cands.value
    found = decompose(inst, cands, objective, time.monotonic() + 10)
    assert found is not None
    names = {
        (r.id, p.id): (ri, pi) for ri, r in enumerate(inst.roles) for pi, p in enumerate(inst.professionals)
    }
    index = {(int(r), int(p)): i for i, (r, p) in enumerate(zip(cands.role, cands.pro, strict=True))}
    start = np.zeros(len(cands), dtype=bool)
    for pair in [("a2", "r"), ("b1", "p"), ("c1", "q")]:  # a1 empty: q and s are too expensive for a
        start[index[names[pair]]] = True
    priced = [(choice.value, choice.chosen) for choice in found.pricing.choices]
    plan = improve_linked(
        inst, cands, objective, start, priced, found.pricing.adjusted, time.monotonic() + 10
    )
    pairs = tuple(sorted(zip(cands.role[plan].tolist(), cands.pro[plan].tolist(), strict=True)))
    assert not plan_problems(inst, pairs)
    best = solve(inst, SolveOptions(time_limit=10, workers=1))
    assert best.status == "optimal" and plan_score(inst, pairs) == best.score > plan_score(
        inst, tuple(sorted(zip(cands.role[start].tolist(), cands.pro[start].tolist(), strict=True)))
    )


def test_a_neighbourhood_takes_only_holders_in_overlapping_weeks():
    inst = parse_instance(
        instance(
            [
                project("a", [role("a1", first=2, last=3)]),
                project("early", [role("e1", first=0, last=1)]),
                project("late", [role("l1", first=3, last=3)]),
            ],
            [professional("p", X, hours=40)],
        )
    )
    cands = eligible_pairs(inst)
    search = ClusterSearch(inst, cands, cands.value, np.zeros(len(cands), dtype=bool))
    by_role = {inst.roles[int(r)].id: i for i, r in enumerate(cands.role)}
    search._occupy(1, [by_role["e1"]])
    search._occupy(2, [by_role["l1"]])
    assert search.linked(0, [[by_role["a1"]], [], []], size=10) == [0, 2]
    assert search.linked(0, [[by_role["a1"]], [], []], size=1) == [0]
