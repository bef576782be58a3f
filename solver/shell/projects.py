"""One project on its own: the best choice of professionals for its roles, exactly.

With weekly capacity priced out (multipliers), projects are independent: each picks at most one
professional per role, each professional at most once, within its budget, maximising adjusted value.
Projects have few roles, so a depth-first search over a short list per role is exact and fast. The
list keeps the first k Pareto layers in (cost, value), k = the number of roles: a candidate dominated by
k others can always be swapped for a dominator that no other role uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ProjectChoice:
    value: float
    chosen: tuple[int, ...]  # candidate indexes


def shortlist(
    value: np.ndarray, cost: np.ndarray, idx: np.ndarray, layers: int, budgeted: bool
) -> np.ndarray:
    """Candidates of one role worth considering, best value first (only those with value > 0)."""
    v = value[idx]
    positive = v > 0
    idx, v = idx[positive], v[positive]
    if len(idx) == 0:
        return idx
    if not budgeted:
        return idx[np.argsort(-v, kind="stable")[:layers]]
    order = np.lexsort((-v, cost[idx]))
    rest, v = idx[order], v[order]
    keep = []
    for _ in range(layers):
        if len(rest) == 0:
            break
        # on the Pareto front: more value than every cheaper (or equally cheap, listed earlier) one
        front = np.empty(len(v), dtype=bool)
        front[0] = True
        np.greater(v[1:], np.maximum.accumulate(v)[:-1], out=front[1:])
        keep.append(rest[front])
        rest, v = rest[~front], v[~front]
    out = np.concatenate(keep)
    return out[np.argsort(-value[out], kind="stable")]


def best_choice(
    lists: list[np.ndarray],
    forced: list[int | None],
    value: np.ndarray,
    cost: np.ndarray,
    pro: np.ndarray,
    budget: int | None,
) -> ProjectChoice:
    """Depth-first search: one candidate or none per role (``forced`` ones always), distinct pros, budget."""
    order = sorted(
        range(len(lists)), key=lambda r: (forced[r] is None, -(value[lists[r][0]] if len(lists[r]) else 0))
    )
    options: list[list[tuple[float, int, int, int]]] = []
    for r in order:
        if (i := forced[r]) is not None:
            options.append([(float(value[i]), int(cost[i]), int(pro[i]), i)])
        else:
            options.append([(float(value[i]), int(cost[i]), int(pro[i]), int(i)) for i in lists[r]])
    optional = [forced[r] is None for r in order]
    tail = [0.0] * (len(options) + 1)
    for k in range(len(options) - 1, -1, -1):
        tail[k] = tail[k + 1] + max([o[0] for o in options[k]] + ([0.0] if optional[k] else []))
    limit = float("inf") if budget is None else budget
    best_value = -float("inf")
    best: tuple[int, ...] = ()
    chosen: list[int] = []
    used: set[int] = set()

    def search(k: int, total: float, spent: int) -> None:
        nonlocal best_value, best
        if total + tail[k] <= best_value:
            return
        if k == len(options):
            best_value, best = total, tuple(chosen)
            return
        for v, c, p, i in options[k]:
            if spent + c <= limit and p not in used:
                chosen.append(i)
                used.add(p)
                search(k + 1, total + v, spent + c)
                used.discard(p)
                chosen.pop()
        if optional[k]:
            search(k + 1, total, spent)

    search(0, 0.0, 0)
    return ProjectChoice(best_value, best)
