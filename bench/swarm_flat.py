"""The straightforward model of a whole swarm round, for the benchmark's peers: no decomposition.

One 0/1 variable per request and session option (y), per session option (z), per person and option (a),
per person, request, option and round (s: the person sits at that request's table in that round), and per
person, request and option for repeat visits (u). Every hard rule is a linear row; the objective is the
exact spec score. The same rows go to CP-SAT and, as a MIP, to HiGHS.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from bench.swarm_data import Option, Region


@dataclass
class FlatModel:
    region: Region
    cost: list[int] = field(default_factory=list)  # objective coefficient per variable (maximised)
    rows: list[tuple[list[int], list[int], float, float]] = field(default_factory=list)
    offset: int = 0
    y: dict[tuple[str, Option], int] = field(default_factory=dict)
    s: dict[tuple[str, str, Option, int], int] = field(default_factory=dict)

    def var(self, cost: int) -> int:
        self.cost.append(cost)
        return len(self.cost) - 1

    def row(self, index: list[int], coef: list[int], lo: float, hi: float) -> None:
        self.rows.append((index, coef, lo, hi))


INF = float("inf")


def build(doc: dict) -> FlatModel:
    region = Region(doc)
    m = FlatModel(region)
    inst, w, rounds = region.inst, region.w, region.rounds
    by_option: dict[Option, list[str]] = defaultdict(list)
    for rid, r in inst.requests.items():
        for option in region.options(rid):
            m.y[(rid, option)] = m.var(w["scheduled"] * r["priority"])
            by_option[option].append(rid)
        m.row([m.y[(rid, o)] for o in region.options(rid)], [1] * len(region.options(rid)), 0, 1)

    z: dict[Option, int] = {}
    a: dict[tuple[str, Option], int] = {}
    for option, rids in by_option.items():
        slot, vid = option
        venue = inst.venues[vid]
        z[option] = zo = m.var(0)
        ys = [m.y[(rid, option)] for rid in rids]
        m.row(
            [*ys, zo], [1] * len(ys) + [-venue["tables"]], -INF, 0
        )  # at most `tables` requests, only if held
        m.row([*ys, zo], [1] * len(ys) + [-1], 0, INF)  # held only with a request
        attendees = []
        fitting_people: dict[str, list[str]] = defaultdict(list)
        for pid in region.attendees(option):
            fitting = [rid for rid in rids if region.fits_request(pid, rid, vid)]
            if not fitting:
                continue
            a[(pid, option)] = ap = m.var(-region.attend_cost(pid, option))
            attendees.append(ap)
            for rid in fitting:
                fitting_people[rid].append(pid)
            for rid in rids:
                if rid not in fitting:
                    m.row([ap, m.y[(rid, option)]], [1, 1], -INF, 1)
            for k in range(rounds):
                seats = []
                for rid in fitting:
                    repeat = w["repeat_table"] if rounds > 1 else 0
                    m.s[(pid, rid, option, k)] = sv = m.var(region.seat_points(pid, rid) - repeat)
                    seats.append(sv)
                m.row([*seats, ap], [1] * len(seats) + [-1], 0, 0)  # one table per round for each participant
        m.row(attendees, [1] * len(attendees), -INF, venue["capacity"])
        for rid in rids:
            r, yv = inst.requests[rid], m.y[(rid, option)]
            low, high = r["table_size"]
            for k in range(rounds):
                seated = [(pid, m.s[(pid, rid, option, k)]) for pid in fitting_people[rid]]
                ids = [sv for _, sv in seated]
                m.row([*ids, yv], [1] * len(ids) + [-low], 0, INF)
                m.row([*ids, yv], [1] * len(ids) + [-high], -INF, 0)  # also keeps s at 0 when y is 0
                for need in r["needs"]:
                    meeting = [sv for pid, sv in seated if region.meets(pid, need)]
                    m.row([*meeting, yv], [1] * len(meeting) + [-need["min"]], 0, INF)
            if rounds > 1:
                for pid in fitting_people[rid]:
                    visits = [m.s[(pid, rid, option, k)] for k in range(rounds)]
                    u = m.var(w["repeat_table"])  # earns back the repeat charge of the first visit
                    m.row([u, *visits], [1] + [-1] * len(visits), -INF, 0)

    for moment in region.instants:
        running = [(o, zo) for o, zo in z.items() if region.running_at(o[0], moment)]
        if inst.max_parallel is not None and len(running) > inst.max_parallel:
            m.row([zo for _, zo in running], [1] * len(running), -INF, inst.max_parallel)
        for vid in inst.venues:
            here = [zo for o, zo in running if o[1] == vid]
            if len(here) > 1:
                m.row(here, [1] * len(here), -INF, 1)

    by_person: dict[str, list[tuple[Option, int]]] = defaultdict(list)
    for (pid, option), ap in a.items():
        by_person[pid].append((option, ap))
    for pid, taken in by_person.items():
        if len(taken) > inst.people[pid]["max_sessions"]:
            m.row([ap for _, ap in taken], [1] * len(taken), -INF, inst.people[pid]["max_sessions"])
        for moment in region.instants:
            running = [ap for o, ap in taken if region.running_at(o[0], moment)]
            if len(running) > 1:
                m.row(running, [1] * len(running), -INF, 1)

    _change_terms(m, a)
    return m


def _change_terms(m: FlatModel, a: dict[tuple[str, Option], int]) -> None:
    """-change for each previous table or participant not kept: a constant charge, earned back when kept."""
    previous = m.region.inst.previous
    if not previous:
        return
    charge = m.region.w["change"]
    for session in previous.get("sessions", []):
        option = (session["slot"], session["venue"])
        people = {pid for t in session.get("tables", []) for seated in t.get("rounds", []) for pid in seated}
        keys = [m.y.get((t["request"], option)) for t in session.get("tables", [])]
        keys += [a.get((pid, option)) for pid in people]
        for key in keys:
            m.offset -= charge
            if key is not None:
                m.cost[key] += charge


def decode(m: FlatModel, value) -> dict:
    """A swarm-schedule/1 document from variable values (``value(index) -> number``)."""
    region, rounds = m.region, m.region.rounds
    tables: dict[Option, dict[str, list[list[str]]]] = defaultdict(dict)
    placed = set()
    for (rid, option), yv in m.y.items():
        if value(yv) > 0.5:
            tables[option][rid] = [[] for _ in range(rounds)]
            placed.add(rid)
    for (pid, rid, option, k), sv in m.s.items():
        if rid in tables.get(option, {}) and value(sv) > 0.5:
            tables[option][rid][k].append(pid)
    sessions = [
        {
            "slot": slot,
            "venue": vid,
            "tables": [{"request": rid, "rounds": seated} for rid, seated in found.items()],
        }
        for (slot, vid), found in tables.items()
    ]
    unscheduled = [
        {"request": rid, "reason": "not placed by the straightforward model"}
        for rid in region.inst.requests
        if rid not in placed
    ]
    return {"format": "swarm-schedule/1", "instance": region.inst.id, "status": "feasible", "score": None,
            "bound": None, "sessions": sessions, "unscheduled": unscheduled}  # fmt: skip


@dataclass
class PeerResult:
    schedule: dict | None
    bound: int | None
    optimal: bool


def _finish(m: FlatModel, schedule: dict | None, objective: float | None, bound: float | None, optimal: bool):
    if schedule is not None:
        schedule["score"] = round(objective)
    whole_bound = None if bound is None or bound != bound or abs(bound) == INF else math.floor(bound + 1e-6)
    optimal = optimal and schedule is not None and whole_bound == schedule["score"]
    if schedule is not None:
        schedule["status"] = "optimal" if optimal else "feasible"
    if schedule is not None:
        schedule["bound"] = whole_bound
    return PeerResult(schedule, whole_bound, optimal)


def solve_cp_sat(m: FlatModel, time_limit: float, workers: int = 2) -> PeerResult:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    xs = [model.new_bool_var("") for _ in m.cost]
    for index, coef, lo, hi in m.rows:
        expr = cp_model.LinearExpr.weighted_sum([xs[i] for i in index], coef)
        if lo == hi:
            model.add(expr == int(lo))
        elif lo == -INF:
            model.add(expr <= int(hi))
        elif hi == INF:
            model.add(expr >= int(lo))
        else:
            model.add_linear_constraint(expr, int(lo), int(hi))
    model.maximize(cp_model.LinearExpr.weighted_sum(xs, m.cost) + m.offset)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit)
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return PeerResult(None, None, False)
    schedule = decode(m, lambda i: solver.boolean_value(xs[i]))
    return _finish(
        m, schedule, solver.objective_value, solver.best_objective_bound, status == cp_model.OPTIMAL
    )


def solve_highs(m: FlatModel, time_limit: float, on_incumbent=None) -> PeerResult:
    """The same rows as a MIP; ``on_incumbent(schedule)`` sees every improving schedule as it is found."""
    import highspy
    import numpy as np

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", max(0.1, time_limit))
    h.setOptionValue("mip_rel_gap", 0.0)
    h.setOptionValue("mip_abs_gap", 0.99)  # the score is an integer: a gap under 1 proves optimality
    n = len(m.cost)
    h.addVars(n, np.zeros(n), np.ones(n))
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array(m.cost, dtype=float))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.changeObjectiveOffset(float(m.offset))
    starts, index, value, lower, upper = [], [], [], [], []
    for idx, coef, lo, hi in m.rows:
        starts.append(len(index))
        index += idx
        value += coef
        lower.append(-highspy.kHighsInf if lo == -INF else lo)
        upper.append(highspy.kHighsInf if hi == INF else hi)
    h.addRows(len(m.rows), np.array(lower, dtype=float), np.array(upper, dtype=float), len(index),
              np.array(starts, dtype=np.int32), np.array(index, dtype=np.int32), np.array(value, dtype=float))  # fmt: skip
    if on_incumbent is not None:

        def improving(event) -> None:
            values = event.data_out.mip_solution
            schedule = decode(m, lambda i: values[i])
            on_incumbent(_finish(m, schedule, event.data_out.objective_function_value, None, False).schedule)

        h.cbMipImprovingSolution.subscribe(improving)
    h.run()
    info = h.getInfo()
    status = h.getModelStatus()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    bound = info.mip_dual_bound
    if not has_solution:
        return PeerResult(None, None if abs(bound) == highspy.kHighsInf else math.floor(bound + 1e-6), False)
    values = h.getSolution().col_value
    schedule = decode(m, lambda i: values[i])
    return _finish(
        m, schedule, info.objective_function_value, bound, status == highspy.HighsModelStatus.kOptimal
    )
