"""Table rotation per session: from seat-rounds per person and table to who sits where in each round.

First we try to *realise* the aggregated plan exactly (each person at each table for exactly the
rounds the plan gives; then the session's score equals the plan's). Sizes alone always split evenly
over the rounds (an equitable edge colouring of a bipartite multigraph), but several needs at one
table can clash; then a free model re-seats the same people and may drop a person or a table, so the
result is valid in every case (an empty session is the last resort).
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.control import SolveControl, SolveOptions, run_cp_sat
from solver.swarm.eligibility import Eligibility, Session
from solver.swarm.evaluate import SessionPlan, Table


def realise_model(
    elig: Eligibility, tables: dict[int, dict[int, int]]
) -> tuple[cp_model.CpModel, dict[tuple[int, int, int], cp_model.IntVar]]:
    """Seat variables with every person's rounds per table fixed to the plan's."""
    rounds = elig.rounds
    m = cp_model.CpModel()
    seat: dict[tuple[int, int, int], cp_model.IntVar] = {}
    for r, table in tables.items():
        for p, n in table.items():
            xs = [seat.setdefault((p, r, k), m.new_bool_var(f"a{p}_{r}_{k}")) for k in range(rounds)]
            m.add(sum(xs) == n)
    people = {p for seats in tables.values() for p in seats}
    for p in people:
        for k in range(rounds):
            m.add_exactly_one(seat[p, r, k] for r in tables if (p, r, k) in seat)
    _round_rules(elig, m, seat, tables.keys(), {r: None for r in tables})
    kept = _previous_seats(elig, seat)
    if kept:  # a repair keeps people in the rounds they had where it can (calendars stay unchanged)
        m.maximize(sum(kept))
    return m, seat


def _previous_seats(elig: Eligibility, seat: dict) -> list:
    prev = elig.instance.previous
    if prev is None or not prev.seats:
        return []
    inst = elig.instance
    return [
        var
        for (p, r, k), var in seat.items()
        if (inst.requests[r].id, k, inst.professionals[p].id) in prev.seats
    ]


def _round_rules(elig, m, seat, requests, open_vars) -> None:
    """Rule 6 per round: sizes within the table size, each need met (when the table is open)."""
    inst = elig.instance
    by_table: dict[tuple[int, int], list] = {}
    for (p, r, k), v in seat.items():
        by_table.setdefault((r, k), []).append((p, v))
    for r in requests:
        low, high = inst.requests[r].table_size
        u = open_vars[r]
        meets = elig.meets(r)
        for k in range(elig.rounds):
            at = by_table.get((r, k), [])
            size = sum(v for _, v in at)
            m.add(size >= (low if u is None else low * u))
            m.add(size <= (high if u is None else high * u))
            for need, ok in zip(inst.requests[r].needs, meets, strict=True):
                if need.min > 0:
                    have = sum(v for p, v in at if ok[p])
                    m.add(have >= (need.min if u is None else need.min * u))


def free_model(elig: Eligibility, session: Session, requests: list[int], people: list[int]):
    """The exact score of one session with these people and tables; anyone or any table may drop."""
    inst = elig.instance
    w = inst.weights
    rounds = elig.rounds
    m = cp_model.CpModel()
    use = {r: m.new_bool_var(f"u{r}") for r in requests}
    attend = {p: m.new_bool_var(f"y{p}") for p in people}
    seat = {
        (p, r, k): m.new_bool_var(f"a{p}_{r}_{k}") for p in people for r in requests for k in range(rounds)
    }
    visit = {(p, r): m.new_bool_var(f"v{p}_{r}") for p in people for r in requests}
    terms = []
    cost = elig.session_cost(session)
    for p in people:
        for k in range(rounds):
            m.add(sum(seat[p, r, k] for r in requests) == attend[p])
        terms.append(-(int(cost[p]) + w.repeat_table * rounds) * attend[p])
        for r in requests:
            m.add(visit[p, r] <= sum(seat[p, r, k] for k in range(rounds)))
            m.add_implication(visit[p, r], use[r])
            terms.append(w.repeat_table * visit[p, r])
            value = int(elig.skill_values[r][p])
            terms += [value * seat[p, r, k] for k in range(rounds) if value]
    for r in requests:
        terms.append(w.scheduled * inst.requests[r].priority * use[r])
        for p in people:
            for k in range(rounds):
                m.add_implication(seat[p, r, k], use[r])
    _round_rules(elig, m, seat, requests, use)
    for pin in inst.pins:
        r, p = inst.request_index[pin.request], inst.professional_index[pin.professional]
        if r in use:
            m.add(use[r] == 0) if p not in attend else m.add_implication(use[r], attend[p])
    terms += _change_terms(elig, session, use, attend)
    m.maximize(sum(terms))
    return m, seat, use, attend


def _change_terms(elig: Eligibility, session: Session, use: dict, attend: dict) -> list:
    inst = elig.instance
    prev = inst.previous
    if prev is None:
        return []
    key = (inst.slots[session[0]].id, inst.venues[session[1]].id)
    w = inst.weights.change
    terms = [w * use[r] for r in use if prev.request_session.get(inst.requests[r].id) == key]
    terms += [w * attend[p] for p in attend if (inst.professionals[p].id, *key) in prev.attendance]
    return terms


def rotate(
    elig: Eligibility,
    session: Session,
    tables: dict[int, dict[int, int]],
    options: SolveOptions,
    control: SolveControl | None,
    time_limit: float,
) -> SessionPlan:
    """The rounds of one session: the plan realised when possible, else the best re-seating found."""
    rounds = elig.rounds
    model, seat = realise_model(elig, tables)
    run = run_cp_sat(model, options, control, time_limit=max(0.05, time_limit / 2), to_score=_none)
    if not run.has_solution:
        people = sorted({p for seats in tables.values() for p in seats})
        model, seat, use, _ = free_model(elig, session, sorted(tables), people)
        run = run_cp_sat(model, options, control, time_limit=max(0.05, time_limit / 2), to_score=_none)
        if not run.has_solution:
            return SessionPlan(session[0], session[1], ())
        tables = {r: {} for r in tables if run.solver.value(use[r])}
    built = []
    for r in sorted(tables):
        seats = tuple(
            tuple(sorted(p for (p, rr, kk), v in seat.items() if rr == r and kk == k and run.solver.value(v)))
            for k in range(rounds)
        )
        built.append(Table(r, seats))
    return SessionPlan(session[0], session[1], tuple(built))


def _none(_value: float) -> None:
    return None
