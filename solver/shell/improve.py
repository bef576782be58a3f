"""Local search by whole projects: re-plan one project exactly while the others stay, and eject.

Given the other projects' assignments, one project's best choice is exact and cheap (projects.py): its
candidates are those that still fit the remaining weekly hours (two roles of one project never share
a professional, so they never compete for hours). When a project's ideal choice is blocked by a
professional busy elsewhere, the blocking projects are re-planned after it (an ejection chain of
length one); the change is kept only when the total improves. Every plan it returns is valid.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence

import numpy as np

from solver.control import SolveControl
from solver.shell.eligibility import Candidates
from solver.shell.greedy import role_slices
from solver.shell.instance import ShellInstance
from solver.shell.model import pair_cost, pinned
from solver.shell.projects import best_choice, shortlist

EMPTY = np.zeros(0, dtype=np.int64)


class ProjectSearch:
    def __init__(self, instance: ShellInstance, cands: Candidates, objective: np.ndarray, plan: np.ndarray):
        self.instance = instance
        self.cands = cands
        self.objective = objective
        self.cost = pair_cost(instance, cands)
        self.slices = role_slices(cands)
        roles = instance.roles
        self.first = np.array([r.first for r in roles], dtype=np.int64)
        self.last = np.array([r.last for r in roles], dtype=np.int64)
        self.weekly = np.array([r.hours_per_week for r in roles], dtype=np.int64)
        self.forced = {int(cands.role[i]): int(i) for i in pinned(instance, cands).tolist()}
        self.remaining = np.array([p.capacity for p in instance.professionals], dtype=np.int64).reshape(
            len(instance.professionals), len(instance.weeks)
        )
        self.chosen: list[list[int]] = [[] for _ in instance.projects]
        self.holding: dict[int, set[int]] = defaultdict(set)  # professional -> projects
        self._ideal: list[tuple[float, list[int]]] | None = None
        for i in np.flatnonzero(plan).tolist():
            self._occupy(self._project(i), [i])

    def _project(self, i: int) -> int:
        return self.instance.roles[int(self.cands.role[i])].project

    def _occupy(self, project: int, pairs: list[int]) -> None:
        for i in pairs:
            role, pro = int(self.cands.role[i]), int(self.cands.pro[i])
            self.remaining[pro, self.first[role] : self.last[role] + 1] -= self.weekly[role]
            self.holding[pro].add(project)
        self.chosen[project].extend(pairs)

    def _release(self, project: int) -> list[int]:
        pairs, self.chosen[project] = self.chosen[project], []
        for i in pairs:
            role, pro = int(self.cands.role[i]), int(self.cands.pro[i])
            self.remaining[pro, self.first[role] : self.last[role] + 1] += self.weekly[role]
            self.holding[pro].discard(project)
        return pairs

    def value(self, project: int) -> int:
        return int(self.objective[self.chosen[project]].sum()) if self.chosen[project] else 0

    def best_for(self, project: int, *, ignore_capacity: bool = False) -> tuple[float, list[int]]:
        """The project's exact best choice given the hours the other projects leave."""
        spec = self.instance.projects[project]
        lists = []
        for role in spec.roles:
            idx = self.slices.get(role, EMPTY)
            if not ignore_capacity and len(idx):
                span = self.remaining[self.cands.pro[idx], self.first[role] : self.last[role] + 1]
                idx = idx[span.min(axis=1) >= self.weekly[role]]
            lists.append(shortlist(self.objective, self.cost, idx, len(spec.roles), spec.budget is not None))
        forced = [self.forced.get(role) for role in spec.roles]
        choice = best_choice(lists, forced, self.objective, self.cost, self.cands.pro, spec.budget)
        return choice.value, list(choice.chosen)

    def ideal(self) -> list[tuple[float, list[int]]]:
        """Each project's best choice with every professional free (computed once per search)."""
        if self._ideal is None:
            self._ideal = [self.best_for(j, ignore_capacity=True) for j in range(len(self.instance.projects))]
        return self._ideal

    def plan(self) -> np.ndarray:
        mask = np.zeros(len(self.cands), dtype=bool)
        for pairs in self.chosen:
            mask[pairs] = True
        return mask

    def run(self, deadline: float, stop: Callable[[], bool] = lambda: False) -> None:
        """Sweep the projects, most to gain first, until a sweep changes nothing or time is up."""
        if stop():
            return
        ideal = self.ideal()
        improved = True
        while improved and time.monotonic() < deadline:
            improved = False
            order = sorted(range(len(ideal)), key=lambda j: self.value(j) - ideal[j][0])
            for j in order:
                if time.monotonic() >= deadline or stop():
                    return
                if ideal[j][0] <= self.value(j):
                    continue
                improved |= self._reoptimise(j) or self._eject(j, ideal[j][1])

    def _reoptimise(self, j: int) -> bool:
        before = self.value(j)
        old = self._release(j)
        value, new = self.best_for(j)
        if value > before:
            self._occupy(j, new)
            return True
        self._occupy(j, old)
        return False

    def _eject(self, j: int, ideal: list[int]) -> bool:
        """Free the professionals that block j's ideal choice by re-planning the projects holding them."""
        blockers = {int(self.cands.pro[i]) for i in ideal} & set(self.holding)
        others = sorted({k for pro in blockers for k in self.holding[pro] if k != j})
        if not others:
            return False
        group = [j, *others]
        before = sum(self.value(k) for k in group)
        saved = {k: self._release(k) for k in group}
        after = 0.0
        for k in group:  # j first: it gets the blockers, the others re-plan around it
            value, new = self.best_for(k)
            self._occupy(k, new)
            after += value
        if after > before:
            return True
        for k in group:
            self._release(k)
        for k in group:
            self._occupy(k, saved[k])
        return False


def improve(
    instance: ShellInstance,
    cands: Candidates,
    objective: np.ndarray,
    plan: np.ndarray,
    deadline: float,
    control: SolveControl | None = None,
    seed: int = 0,
    *,
    clusters: bool = True,
) -> np.ndarray:
    stop = (lambda: control.stop_requested) if control else (lambda: False)
    search = ClusterSearch(instance, cands, objective, plan)
    search.run(deadline, stop)
    if clusters:
        search.run_clusters(deadline, stop, seed)
    return search.plan()


def improve_linked(
    instance: ShellInstance,
    cands: Candidates,
    objective: np.ndarray,
    plan: np.ndarray,
    priced: list[tuple[float, tuple[int, ...]]],
    adjusted: np.ndarray,
    deadline: float,
    control: SolveControl | None = None,
    seed: int = 0,
) -> np.ndarray:
    """``plan`` improved by neighbourhoods along the bound's priced choices (ClusterSearch.run_linked)."""
    stop = (lambda: control.stop_requested) if control else (lambda: False)
    search = ClusterSearch(instance, cands, objective, plan)
    search.run_linked(priced, adjusted, deadline, stop, seed)
    return search.plan()


class ClusterSearch(ProjectSearch):
    """Re-plan a project together with the projects that hold its best candidates, exactly (CP-SAT)."""

    def neighbours(self, j: int, ideal: list[int]) -> list[int]:
        pros = {int(self.cands.pro[i]) for role in self.instance.projects[j].roles for i in self._top(role)}
        pros |= {int(self.cands.pro[i]) for i in ideal}
        others = sorted({k for pro in pros for k in self.holding.get(pro, ()) if k != j})
        return [j, *others[: CLUSTER_PROJECTS - 1]]

    def _top(self, role: int, count: int = 0) -> np.ndarray:
        return self.slices.get(role, EMPTY)[: count or CLUSTER_CANDIDATES]

    def solve_cluster(
        self,
        group: list[int],
        seed: int,
        extra: Sequence[int] = (),
        candidates: int = 0,
        deadline: float | None = None,
    ) -> bool:
        """Re-plan the projects ``group`` together, exactly, over each role's best ``candidates`` (default
        CLUSTER_CANDIDATES), the pairs they hold now and ``extra``; CP-SAT stops at ``deadline``."""
        before = sum(self.value(k) for k in group)
        saved = {k: self._release(k) for k in group}
        idx = np.unique(
            np.concatenate(
                [self._top(r, candidates) for k in group for r in self.instance.projects[k].roles]
                + [np.array(saved[k], dtype=np.int64) for k in group]
                + [np.array(extra, dtype=np.int64)]
            )
        ).astype(np.int64)
        idx = idx[(self.objective[idx] > 0) | np.isin(idx, list(self.forced.values()))]
        chosen = _exact(self, idx, {i for k in group for i in saved[k]}, seed, deadline)
        if chosen is not None:
            after = int(self.objective[chosen].sum())
            if after > before:
                for i in chosen:
                    self._occupy(self._project(i), [i])
                return True
        for k in group:
            self._occupy(k, saved[k])
        return False

    def run_clusters(self, deadline: float, stop: Callable[[], bool], seed: int) -> None:
        ideal = self.ideal()
        improved = True
        while improved and time.monotonic() < deadline:
            improved = False
            order = sorted(range(len(ideal)), key=lambda j: (self.value(j) - ideal[j][0], j))
            for j in order:
                if time.monotonic() >= deadline or stop():
                    return
                if ideal[j][0] > self.value(j):
                    improved |= self.solve_cluster(self.neighbours(j, ideal[j][1]), seed, deadline=deadline)

    def run_linked(
        self,
        priced: list[tuple[float, tuple[int, ...]]],
        adjusted: np.ndarray,
        deadline: float,
        stop: Callable[[], bool],
        seed: int,
    ) -> None:
        """Large neighbourhoods along the bound's choices, the projects furthest below theirs first.

        ``priced[j]`` is project j's best choice (value, pairs) under the bound's multipliers and
        ``adjusted`` each pair's value under them. ``priced[j][0]`` minus the adjusted value of j's planned
        pairs is j's shortfall; the shortfalls plus the priced hours left unused add up to the bound minus
        the score, so they show where the plan loses. A project's choice often needs professionals that
        others hold (on the large benchmark: a budget that fits both roles only with the two cheapest
        programme managers, both busy elsewhere), and those projects then need other people in turn, so
        the neighbourhood follows that chain: breadth first, the projects that hold (in overlapping
        weeks) a professional of a member's priced choice or of its roles' LINKED_ALTERNATIVES best
        candidates by priced value (which matter where the multipliers leave ties), up to LINKED_PROJECTS.
        Each neighbourhood is solved exactly (CP-SAT) over its roles' best candidates plus its members'
        priced choices, once. Sweeps repeat while one improves; when a sweep finds nothing, the next takes
        neighbourhoods twice as large (up to LINKED_PROJECTS_MAX) for the projects still at least
        LINKED_GROW_SHORTFALL below their priced choice, and after an improvement it starts small again.
        (Growing right away for every project with a large shortfall spent most of the time on few
        neighbourhoods of 50-100 projects: regional large 101, 2-6 s each for 2-115 k, against 0.1-0.3 s
        and 60-380 k for those of 25.)
        """
        tried: set[tuple[int, ...]] = set()
        wanted = [list(chosen) for _, chosen in priced]  # per project: pairs whose holders it needs
        for j, spec in enumerate(self.instance.projects):
            for role in spec.roles:
                idx = self.slices.get(role, EMPTY)
                best = idx[np.argsort(-adjusted[idx], kind="stable")[:LINKED_ALTERNATIVES]]
                wanted[j] += [int(i) for i in best if int(i) not in priced[j][1]]

        def shortfall(j: int) -> float:
            return priced[j][0] - (float(adjusted[self.chosen[j]].sum()) if self.chosen[j] else 0.0)

        size = LINKED_PROJECTS
        while time.monotonic() < deadline:
            improved = False
            # larger neighbourhoods only for projects still far below their priced choice
            least = LINKED_MIN_SHORTFALL if size == LINKED_PROJECTS else LINKED_GROW_SHORTFALL
            order = sorted(range(len(priced)), key=lambda j: (-shortfall(j), j))
            for j in order:
                if time.monotonic() >= deadline or stop():
                    return
                if shortfall(j) < least:
                    break  # sorted by shortfall: the rest is below it as well
                group = self.linked(j, wanted, size)
                key = tuple(sorted(group))
                if key not in tried:
                    tried.add(key)
                    extra = [i for k in group for i in priced[k][1]]
                    improved |= self.solve_cluster(group, seed, extra, LINKED_CANDIDATES, deadline)
            if improved:
                size = LINKED_PROJECTS  # the plan changed: the small neighbourhoods first again
            elif size >= LINKED_PROJECTS_MAX:
                return
            else:
                # a large shortfall left (typically a role left empty) may need a longer chain
                size = min(2 * size, LINKED_PROJECTS_MAX)

    def linked(self, j: int, wanted: list[list[int]], size: int) -> list[int]:
        """Project j and, breadth first, the projects holding what members want (``wanted``)."""
        group, seen = [j], {j}
        for k in group:  # grows while it is walked
            for i in wanted[k]:
                role, pro = int(self.cands.role[i]), int(self.cands.pro[i])
                for h in sorted(self.holding.get(pro, ())):
                    if h in seen or not self._overlaps(h, pro, role):
                        continue
                    if len(group) >= size:
                        return group
                    group.append(h)
                    seen.add(h)
        return group

    def _overlaps(self, project: int, pro: int, role: int) -> bool:
        """Does ``project`` hold ``pro`` in a week of ``role``?"""
        for i in self.chosen[project]:
            if int(self.cands.pro[i]) == pro:
                held = int(self.cands.role[i])
                return self.first[held] <= self.last[role] and self.first[role] <= self.last[held]
        return False


# A linked neighbourhood (run_linked): this many projects at first, doubled up to the maximum in the
# sweeps after one that found nothing, for projects still at least LINKED_GROW_SHORTFALL below their priced
# choice; each role with its best LINKED_CANDIDATES candidates by value; only projects at least
# LINKED_MIN_SHORTFALL below their priced choice start one. Large benchmark, 20 s from the same plan (seeds
# 1 / 2 / 3): 15 projects +98 k / - / +100 k, 25 +107 k / +408 k / +109 k, 40 +94 k / +403 k / +105 k, 60
# +80 k / - / +77 k; 30 or 12 candidates instead of 20 and twice the effort did no better. Regional large
# 101, 20 s from the same plan (load 9): 15 projects +3.65 M, 25 +4.58 M, 40 +2.72 M; effort 0.25 / 0.5 /
# 1.0 +4.59 M / +4.58 M / +4.54 M.
LINKED_PROJECTS = 25
LINKED_PROJECTS_MAX = 100
LINKED_GROW_SHORTFALL = 10_000
LINKED_CANDIDATES = 20
LINKED_ALTERNATIVES = 2
LINKED_MIN_SHORTFALL = 1.0
# A cluster: at most this many projects, each role with its best candidates by value.
CLUSTER_PROJECTS = 10
CLUSTER_CANDIDATES = 10
# Deterministic effort per cluster solve (CP-SAT work units, not seconds: same seed, same result).
CLUSTER_EFFORT = 0.5


def _exact(
    search: ProjectSearch, idx: np.ndarray, hint: set[int], seed: int, deadline: float | None = None
) -> list[int] | None:
    """The best choice among candidates ``idx`` given the remaining hours (all hard rules).

    The model is written with few Python steps per candidate (a neighbourhood of the large instances has
    about 800 candidates and is solved in a tenth of a second, so building it counted as much as solving).
    """
    from ortools.sat.python import cp_model

    cands = search.cands
    roles = cands.role[idx]
    pros = cands.pro[idx]
    # a pair whose role's hours do not fit the professional's remaining hours alone can never be chosen
    fits = np.zeros(len(idx), dtype=bool)
    for role in np.unique(roles).tolist():
        at = np.flatnonzero(roles == role)
        span = search.remaining[pros[at], search.first[role] : search.last[role] + 1]
        fits[at] = span.min(axis=1) >= search.weekly[role]
    forced = set(search.forced.values())
    idx = idx[fits | np.isin(idx, list(forced))]
    members_idx = idx.tolist()
    role_of = cands.role[idx].tolist()
    pro_of = cands.pro[idx].tolist()
    project_of = [search.instance.roles[r].project for r in role_of]
    model = cp_model.CpModel()
    variables = [model.new_bool_var("") for _ in members_idx]
    x = dict(zip(members_idx, variables, strict=True))
    groups: dict[tuple[str, int, int], list[int]] = defaultdict(list)
    for i, role, pro, project in zip(members_idx, role_of, pro_of, project_of, strict=True):
        groups[("role", role, 0)].append(i)
        groups[("project", pro, project)].append(i)
        groups[("budget", project, 0)].append(i)
        if i in forced:
            model.add(x[i] == 1)
    for (kind, a, _), members in groups.items():
        if kind != "budget":
            if len(members) > 1:
                model.add_at_most_one(x[i] for i in members)
        elif (budget := search.instance.projects[a].budget) is not None:
            model.add(sum(int(search.cost[i]) * x[i] for i in members) <= budget)
    by_pro: dict[int, list[int]] = defaultdict(list)
    for k, pro in enumerate(pro_of):
        by_pro[pro].append(k)
    first_of = search.first[role_of].tolist()
    last_of = search.last[role_of].tolist()
    hours_of = search.weekly[role_of].tolist()
    weeks = np.arange(len(search.instance.weeks))
    for pro, ks in by_pro.items():
        if len(ks) == 1:
            continue  # it fits alone (above)
        room = search.remaining[pro]
        lo, hi = min(first_of[k] for k in ks), max(last_of[k] for k in ks)
        if sum(hours_of[k] for k in ks) <= room[lo : hi + 1].min():
            continue  # all of them together fit every week
        members = [members_idx[k] for k in ks]
        hours = np.array([hours_of[k] for k in ks], dtype=np.int64)
        running = (np.array([first_of[k] for k in ks])[:, None] <= weeks) & (
            weeks <= np.array([last_of[k] for k in ks])[:, None]
        )
        tightest: dict[bytes, int] = {}  # the running pairs of an overloaded week -> least room
        for week in np.flatnonzero(hours @ running > room).tolist():
            key = running[:, week].tobytes()
            tightest[key] = min(tightest.get(key, int(room[week])), int(room[week]))
        for key, hours_left in tightest.items():
            sel = np.frombuffer(key, dtype=bool)
            terms = [x[i] for i, on in zip(members, sel.tolist(), strict=True) if on]
            model.add(cp_model.LinearExpr.weighted_sum(terms, hours[sel].tolist()) <= hours_left)
    # the objective (maximised) and the hint, written into the model directly: variable k has index k
    proto = model.proto
    proto.objective.vars.extend(range(len(variables)))
    proto.objective.coeffs.extend((-search.objective[idx]).tolist())
    proto.objective.scaling_factor = -1.0
    proto.solution_hint.vars.extend(range(len(variables)))
    proto.solution_hint.values.extend([int(i in hint) for i in members_idx])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = CLUSTER_EFFORT
    if deadline is not None:  # the effort bounds the work; the clock only matters when time is short
        solver.parameters.max_time_in_seconds = max(0.01, deadline - time.monotonic())
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    values = [solver.boolean_value(var) for var in variables]
    return [i for i, on in zip(members_idx, values, strict=True) if on]
