"""Greedy plans: the warm start for CP-SAT and the fallback when the search is stopped early.

Roles are taken one at a time; each gets its most valuable candidate that still fits every hard rule
given what was taken before. An optional ``first`` list of pairs (e.g. the LP solution) is tried before.
"""

from __future__ import annotations

import numpy as np

from solver.shell.eligibility import Candidates
from solver.shell.instance import ShellInstance
from solver.shell.model import pair_cost, pinned


class _State:
    """Remaining weekly hours, budgets and (professional, project) use while a plan is built."""

    def __init__(self, instance: ShellInstance, cands: Candidates):
        self.instance = instance
        self.cands = cands
        self.cost = pair_cost(instance, cands)
        self.remaining = np.array([p.capacity for p in instance.professionals], dtype=np.int64).reshape(
            len(instance.professionals), len(instance.weeks)
        )
        self.budget = [p.budget for p in instance.projects]
        self.used: list[set[int]] = [set() for _ in instance.projects]
        self.filled = np.zeros(len(instance.roles), dtype=bool)
        self.chosen = np.zeros(len(cands), dtype=bool)

    def fits(self, idx: np.ndarray) -> np.ndarray:
        """Which of the candidates ``idx`` (all of one role) can still be added."""
        role = self.instance.roles[int(self.cands.role[idx[0]])]
        pros = self.cands.pro[idx]
        ok = self.remaining[pros, role.first : role.last + 1].min(axis=1) >= role.hours_per_week
        budget = self.budget[role.project]
        if budget is not None:
            ok &= self.cost[idx] <= budget
        used = self.used[role.project]
        if used:
            ok &= ~np.isin(pros, np.fromiter(used, dtype=np.int64))
        return ok

    def take(self, i: int) -> None:
        role_i = int(self.cands.role[i])
        role = self.instance.roles[role_i]
        pro = int(self.cands.pro[i])
        self.remaining[pro, role.first : role.last + 1] -= role.hours_per_week
        budget = self.budget[role.project]
        if budget is not None:
            self.budget[role.project] = budget - int(self.cost[i])
        self.used[role.project].add(pro)
        self.filled[role_i] = True
        self.chosen[i] = True


def role_slices(cands: Candidates) -> dict[int, np.ndarray]:
    """The candidate indexes of each role (candidates are sorted by role, best first)."""
    if len(cands) == 0:
        return {}
    starts = np.flatnonzero(np.r_[True, cands.role[1:] != cands.role[:-1]])
    ends = np.r_[starts[1:], len(cands)]
    return {int(cands.role[s]): np.arange(s, e) for s, e in zip(starts, ends, strict=True)}


def greedy_plan(
    instance: ShellInstance, cands: Candidates, objective: np.ndarray, first: np.ndarray | None = None
) -> np.ndarray:
    """A valid plan as a boolean mask over the candidates; pins always included."""
    state = _State(instance, cands)
    for i in pinned(instance, cands).tolist():
        state.take(i)
    for i in [] if first is None else first.tolist():
        if not state.filled[cands.role[i]] and objective[i] > 0 and state.fits(np.array([i]))[0]:
            state.take(i)
    slices = role_slices(cands)
    # Roles with the most to gain go first; ties by role order for determinism.
    best = {role: int(objective[idx].max()) for role, idx in slices.items()}
    for role in sorted(slices, key=lambda r: (-best[r], r)):
        if state.filled[role] or best[role] <= 0:
            continue
        idx = slices[role]
        idx = idx[objective[idx] > 0]
        fitting = idx[state.fits(idx)]
        if len(fitting):
            state.take(int(fitting[np.argmax(objective[fitting])]))
    return state.chosen
