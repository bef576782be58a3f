"""The exact one-project search against enumeration of every choice (seeded random data)."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from solver.shell.projects import best_choice, shortlist


def brute_force(roles, value, cost, pro, budget):
    best = 0.0
    for combo in itertools.product(*[[None, *idx] for idx in roles]):
        chosen = [i for i in combo if i is not None]
        if len({pro[i] for i in chosen}) < len(chosen):
            continue
        if budget is not None and sum(cost[i] for i in chosen) > budget:
            continue
        best = max(best, sum(value[i] for i in chosen))
    return best


@pytest.mark.parametrize("seed", range(30))
def test_search_is_exact(seed):
    rng = random.Random(seed)
    n_roles = rng.randint(1, 4)
    roles, value, cost, pro = [], [], [], []
    for _ in range(n_roles):
        idx = []
        for _ in range(rng.randint(0, 6)):
            idx.append(len(value))
            value.append(rng.randint(-50, 200))
            cost.append(rng.randint(10, 100))
            pro.append(rng.randint(0, 5))  # few professionals: the same one is often best for two roles
        roles.append(np.array(idx, dtype=np.int64))
    value, cost, pro = np.array(value, dtype=float), np.array(cost), np.array(pro)
    budget = rng.choice([None, rng.randint(20, 250)])
    lists = [shortlist(value, cost, idx, n_roles, budget is not None) for idx in roles]
    found = best_choice(lists, [None] * n_roles, value, cost, pro, budget)
    assert found.value == pytest.approx(brute_force(roles, value, cost, pro, budget))
    chosen = list(found.chosen)
    assert len({pro[i] for i in chosen}) == len(chosen)
    assert budget is None or cost[chosen].sum() <= budget
