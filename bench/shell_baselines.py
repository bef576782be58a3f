"""Peers for the shell engine in the benchmark: a greedy baseline, a straightforward CP-SAT model, a HiGHS MIP.

All three read the plain instance JSON and return a `shell-plan/1` document. They share the
pair data (who may fill which role, and what that pair scores) computed with the independent
checker's own distance and score, so none of them borrows anything from solver/shell.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from tests.solver.shell_checker import InstanceView, assignment_score, great_circle_km


@dataclass
class Pairs:
    """Every (role, professional) pair that passes rule 2, with its score, cost and weekly hours."""

    view: InstanceView
    roles: list[str]
    people: list[str]
    role: list[int] = field(default_factory=list)
    person: list[int] = field(default_factory=list)
    score: list[int] = field(default_factory=list)
    cost: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.role)


def eligible_pairs(instance: dict) -> Pairs:
    """Rule 2 per pair. numpy narrows by distance with a margin; the checker's formula decides."""
    view = InstanceView(instance)
    people = list(view.people)
    pairs = Pairs(view, list(view.roles), people)
    lat = np.radians([view.people[p]["lat"] for p in people])
    lon = np.radians([view.people[p]["lon"] for p in people])
    limit = np.array([view.people[p].get("max_travel_km", math.inf) for p in people], dtype=float)
    qualified = np.array([view.people[p].get("qualified", True) for p in people])
    by_skill: dict[str, np.ndarray] = {}
    for r, role_id in enumerate(pairs.roles):
        role, project = view.roles[role_id], view.project_of[role_id]
        skill, min_level = role["skill"], role.get("min_level", 1)
        if (skill, min_level) not in by_skill:
            level = np.array([view.people[p]["skills"].get(skill, 0) for p in people])
            by_skill[skill, min_level] = np.flatnonzero((level >= min_level) & qualified)
        found = by_skill[skill, min_level]
        phi, lam = math.radians(project["lat"]), math.radians(project["lon"])
        h = (
            np.sin((lat[found] - phi) / 2) ** 2
            + np.cos(phi) * np.cos(lat[found]) * np.sin((lon[found] - lam) / 2) ** 2
        )
        km = 2 * 6371.0 * np.arcsin(np.sqrt(h))
        excluded = set(project.get("excluded") or ())
        hours = view.role_hours(role)
        for i in found[km <= limit[found] + 1e-6]:
            person = view.people[people[i]]
            exact = great_circle_km(person["lat"], person["lon"], project["lat"], project["lon"])
            if people[i] in excluded or exact > person.get("max_travel_km", math.inf) + 1e-9:
                continue
            pairs.role.append(r)
            pairs.person.append(int(i))
            pairs.score.append(assignment_score(instance, role_id, people[i], view))
            pairs.cost.append(person["hourly_rate"] * hours)
    return pairs


def plan_document(instance: dict, pairs: Pairs, chosen: list[int], status: str, bound: int | None) -> dict:
    """A shell-plan/1 from the chosen pair indices; unfilled roles get the baseline's honest reason."""
    filled = {pairs.role[k]: k for k in chosen}
    return {
        "format": "shell-plan/1",
        "instance": instance["id"],
        "status": status,
        "score": sum(pairs.score[k] for k in chosen),
        "bound": bound,
        "assignments": [
            {"role": pairs.roles[r], "professional": pairs.people[pairs.person[k]]}
            for r, k in sorted(filled.items())
        ],
        "unfilled": [
            {"role": role_id, "reason": "not filled by this baseline"}
            for r, role_id in enumerate(pairs.roles)
            if r not in filled
        ],
    }


def greedy(instance: dict, time_limit: float) -> dict:
    """Roles in instance order; each gets the cheapest eligible person who still fits (ties: lowest id)."""
    pairs = eligible_pairs(instance)
    view = pairs.view
    week_at = {w: i for i, w in enumerate(view.weeks)}
    load: dict[tuple[int, int], int] = defaultdict(int)
    spent: dict[str, int] = defaultdict(int)
    holds: set[tuple[str, int]] = set()
    options: dict[int, list[int]] = defaultdict(list)
    for k in range(len(pairs)):
        options[pairs.role[k]].append(k)
    chosen = []
    for r, role_id in enumerate(pairs.roles):
        role, project = view.roles[role_id], view.project_of[role_id]
        weeks = [week_at[w] for w in view.role_weeks(role)]
        budget = project.get("budget")
        for k in sorted(options[r], key=lambda k: (pairs.cost[k], pairs.people[pairs.person[k]])):
            p = pairs.person[k]
            person = view.people[pairs.people[p]]
            if (project["id"], p) in holds or (
                budget is not None and spent[project["id"]] + pairs.cost[k] > budget
            ):
                continue
            if any(load[p, w] + role["hours_per_week"] > view.capacity(person, view.weeks[w]) for w in weeks):
                continue
            for w in weeks:
                load[p, w] += role["hours_per_week"]
            spent[project["id"]] += pairs.cost[k]
            holds.add((project["id"], p))
            chosen.append(k)
            break
    return plan_document(instance, pairs, chosen, "feasible", None)


@dataclass
class LinearModel:
    """x[k] in {0, 1} per eligible pair; rows are sum(coef * x) <= upper."""

    objective: list[int]
    rows: list[tuple[list[int], list[int], int]]


def linear_model(pairs: Pairs) -> LinearModel:
    """The textbook formulation: one row per role, per (project, person), per (person, week), per budget."""
    view = pairs.view
    by_role: dict[int, list[int]] = defaultdict(list)
    by_project_person: dict[tuple[str, int], list[int]] = defaultdict(list)
    by_person_week: dict[tuple[int, str], list[int]] = defaultdict(list)
    by_project: dict[str, list[int]] = defaultdict(list)
    for k in range(len(pairs)):
        role_id = pairs.roles[pairs.role[k]]
        project_id = view.project_of[role_id]["id"]
        by_role[pairs.role[k]].append(k)
        by_project_person[project_id, pairs.person[k]].append(k)
        by_project[project_id].append(k)
        for week in view.role_weeks(view.roles[role_id]):
            by_person_week[pairs.person[k], week].append(k)
    rows = [(ks, [1] * len(ks), 1) for ks in by_role.values()]
    rows += [(ks, [1] * len(ks), 1) for ks in by_project_person.values()]
    for (p, week), ks in by_person_week.items():
        hours = [view.roles[pairs.roles[pairs.role[k]]]["hours_per_week"] for k in ks]
        rows.append((ks, hours, view.capacity(view.people[pairs.people[p]], week)))
    for project_id, ks in by_project.items():
        budget = view.projects[project_id].get("budget")
        if budget is not None:
            rows.append((ks, [pairs.cost[k] for k in ks], budget))
    return LinearModel(list(pairs.score), rows)


def cp_sat(instance: dict, time_limit: float, workers: int = 2) -> dict:
    """The linear model as given to CP-SAT, no hints, no decomposition."""
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    pairs = eligible_pairs(instance)
    linear = linear_model(pairs)
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{k}") for k in range(len(pairs))]
    for ks, coefs, upper in linear.rows:
        model.add(cp_model.LinearExpr.weighted_sum([x[k] for k in ks], coefs) <= upper)
    model.maximize(cp_model.LinearExpr.weighted_sum(x, linear.objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = remaining(started, time_limit)
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return plan_document(instance, pairs, [], "feasible", None)
    chosen = [k for k in range(len(pairs)) if solver.boolean_value(x[k])]
    if status == cp_model.OPTIMAL:
        return plan_document(instance, pairs, chosen, "optimal", sum(pairs.score[k] for k in chosen))
    return plan_document(instance, pairs, chosen, "feasible", math.floor(solver.best_objective_bound + 1e-6))


def highs_mip(instance: dict, time_limit: float, workers: int = 2) -> dict:
    """The same linear model as a MIP in HiGHS (gap 0: the objective is an integer)."""
    import highspy

    started = time.perf_counter()
    pairs = eligible_pairs(instance)
    if not len(pairs):  # HiGHS calls an empty model "empty", not optimal; nothing to fill is optimal at 0
        return plan_document(instance, pairs, [], "optimal", 0)
    linear = linear_model(pairs)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    h.setOptionValue("threads", workers)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.999)
    n = len(pairs)
    h.addCols(n, np.array(linear.objective, dtype=float), np.zeros(n), np.ones(n), 0, [], [], [])
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger))
    starts, index, value = [], [], []
    for ks, coefs, _ in linear.rows:
        starts.append(len(index))
        index += ks
        value += coefs
    m = len(linear.rows)
    h.addRows(
        m,
        np.full(m, -highspy.kHighsInf),
        np.array([upper for _, _, upper in linear.rows], dtype=float),
        len(index),
        np.array(starts, dtype=np.int32),
        np.array(index, dtype=np.int32),
        np.array(value, dtype=float),
    )
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.setOptionValue("time_limit", remaining(started, time_limit))
    h.run()
    info = h.getInfo()
    if info.primal_solution_status != 2:  # no feasible solution yet
        return plan_document(instance, pairs, [], "feasible", None)
    values = h.getSolution().col_value
    chosen = [k for k in range(n) if values[k] > 0.5]
    score = sum(pairs.score[k] for k in chosen)
    bound = max(score, math.floor(info.mip_dual_bound + 1e-6))  # no valid plan beats a bound
    optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal and bound <= score
    return plan_document(
        instance, pairs, chosen, "optimal" if optimal else "feasible", score if optimal else bound
    )


def remaining(started: float, time_limit: float) -> float:
    """The time limit covers building the model too, as it does for the engine."""
    return max(0.5, time_limit - (time.perf_counter() - started))


METHODS = {"greedy": greedy, "cp-sat": cp_sat, "highs": highs_mip}


def timed(method: str, instance: dict, time_limit: float, workers: int) -> tuple[dict, float]:
    started = time.perf_counter()
    if method == "greedy":
        plan = greedy(instance, time_limit)
    else:
        plan = METHODS[method](instance, time_limit, workers)
    return plan, time.perf_counter() - started
