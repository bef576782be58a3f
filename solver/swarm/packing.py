"""Stage 1 of the decomposition: which request goes to which session, on estimated table values.

The venue and parallel rules (1, 2, 3) hold exactly here; people are summarised by each pair's
standalone estimate. A session with fewer tables than rounds makes everyone repeat a table, which the
estimate (people rotating freely) does not see, so it is charged per missing table.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from solver.control import SolveControl, SolveOptions, run_cp_sat
from solver.swarm.candidates import Pair
from solver.swarm.eligibility import Eligibility, Session

Values = dict[tuple[int, Session], tuple[int, int | None]]  # (with company, alone) per pair


def estimates(pairs: dict[tuple[int, Session], Pair]) -> Values:
    return {key: (pair.estimate, pair.alone) for key, pair in pairs.items()}


def pack(
    elig: Eligibility,
    values: Values,
    options: SolveOptions,
    control: SolveControl | None,
    time_limit: float,
    hint: dict[int, Session] | None = None,
    *,
    relaxation: bool = False,
) -> tuple[dict[int, Session], float | None]:
    """Request -> session for the requests to schedule, and the model's proved bound.

    With ``relaxation`` the values must be upper bounds per table (:func:`solver.swarm.bound.table_bound`,
    scaled to integers); then no other term is added and the bound is one of the whole problem.
    """
    inst = elig.instance
    rounds = elig.rounds
    m = cp_model.CpModel()
    z = {key: m.new_bool_var(f"z{key}") for key in sorted(values)}
    by_request = defaultdict(list)
    by_session = defaultdict(list)
    for (r, session), var in z.items():
        by_request[r].append(var)
        by_session[session].append((r, var))
    opened = {session: m.new_bool_var(f"o{session}") for session in sorted(by_session)}
    # A table alone in its session is valued as such (everyone repeats it); with company, by the
    # rotating value.
    alone = {key: m.new_bool_var(f"a{key}") for key in z if values[key][1] is not None}
    single = {session: m.new_bool_var(f"s{session}") for session in by_session}
    terms = []
    for key, var in z.items():
        company, lone = values[key]
        if lone is not None:  # the keys of ``alone``
            m.add(alone[key] <= var)
            m.add(alone[key] <= single[key[1]])
            m.add(alone[key] >= var + single[key[1]] - 1)
            terms.append(lone * alone[key] + company * (var - alone[key]))
        else:
            m.add(var + single[key[1]] <= 1)
            terms.append(company * var)
    for vars_ in by_request.values():
        m.add_at_most_one(vars_)
    for session, items in by_session.items():
        venue = inst.venues[session[1]]
        o = opened[session]
        for _, var in items:
            m.add_implication(var, o)
        count = sum(var for _, var in items)
        m.add(count <= venue.tables * o)
        m.add(count >= o)
        m.add(count == 1).only_enforce_if(single[session])
        m.add(count >= 2 * o).only_enforce_if(single[session].Not())
        m.add(sum(inst.requests[r].table_size[0] * var for r, var in items) <= venue.capacity)
        if rounds > 2 and inst.weights.repeat_table and not relaxation:
            # With 2 <= k < rounds tables everyone repeats a table (rounds - k) times at least.
            short = m.new_int_var(0, rounds - 2, f"short{session}")
            m.add(short >= rounds * o - count - single[session] * (rounds - 1))
            for r, var in items:
                low = inst.requests[r].table_size[0]
                if low:
                    paid = m.new_int_var(0, rounds - 2, f"paid{r}_{session}")
                    m.add(paid >= short - (rounds - 2) * (1 - var))
                    terms.append(-inst.weights.repeat_table * low * paid)
    at_one_time(m, elig, opened)
    if not relaxation:
        terms += _change_terms(elig, z)
    m.maximize(sum(terms))
    if hint is not None:
        counts: defaultdict[Session, int] = defaultdict(int)
        for session in hint.values():
            counts[session] += 1
        for (r, session), var in z.items():
            m.add_hint(var, hint.get(r) == session)
            if (r, session) in alone:
                m.add_hint(alone[r, session], hint.get(r) == session and counts[session] == 1)
        for session, o in opened.items():
            m.add_hint(o, counts[session] > 0)
            m.add_hint(single[session], counts[session] == 1)
    run = run_cp_sat(m, options, control, time_limit=time_limit, to_score=lambda _: None, stage="sessions")
    if not run.has_solution:
        return dict(hint or {}), run.best_bound
    return {r: session for (r, session), var in z.items() if run.solver.value(var)}, run.best_bound


def at_one_time(m: cp_model.CpModel, elig: Eligibility, opened: dict[Session, cp_model.IntVar]) -> None:
    """Rules 2 and 3 on open sessions: at every instant one session per venue, at most
    ``max_parallel_sessions`` in all (the overlap groups cover every instant)."""
    limit = elig.instance.max_parallel_sessions
    for group in elig.overlap_groups:
        members = set(group)
        running = [o for (s, _), o in opened.items() if s in members]
        if limit is not None and len(running) > limit:
            m.add(sum(running) <= limit)
        per_venue = defaultdict(list)
        for (s, v), o in opened.items():
            if s in members:
                per_venue[v].append(o)
        for vars_ in per_venue.values():
            if len(vars_) > 1:
                m.add_at_most_one(vars_)


def _change_terms(elig: Eligibility, z: dict) -> list:
    inst = elig.instance
    prev = inst.previous
    if prev is None or not inst.weights.change:
        return []
    terms = []
    people_at: defaultdict[tuple[str, str], int] = defaultdict(int)
    for _, slot, venue in prev.attendance:
        people_at[slot, venue] += 1
    for (r, (s, v)), var in z.items():
        key = (inst.slots[s].id, inst.venues[v].id)
        if prev.request_session.get(inst.requests[r].id) == key:
            # the request itself, and (roughly) its share of the people who sat there before
            terms.append(inst.weights.change * (1 + people_at[key] // max(1, _tables_at(prev, key))) * var)
    return terms


def _tables_at(prev, key) -> int:
    return sum(1 for place in prev.request_session.values() if place == key)


def greedy(elig: Eligibility, values: Values) -> dict[int, Session]:
    """What a coordinator does by hand: best pairs first, when the session still has room."""
    inst = elig.instance
    chosen: dict[int, Session] = {}
    tables: defaultdict[Session, int] = defaultdict(int)
    seats: defaultdict[Session, int] = defaultdict(int)
    for (r, session), _value in sorted(values.items(), key=lambda kv: (-kv[1][0], kv[0])):
        if r in chosen:
            continue
        venue = inst.venues[session[1]]
        low = inst.requests[r].table_size[0]
        if tables[session] >= venue.tables or seats[session] + low > venue.capacity:
            continue
        trial = {**chosen, r: session}
        if not _sessions_fit(elig, set(trial.values())):
            continue
        chosen[r] = session
        tables[session] += 1
        seats[session] += low
    return _join_lonely_tables(elig, values, chosen)


def _join_lonely_tables(elig: Eligibility, values: Values, chosen: dict[int, Session]) -> dict[int, Session]:
    """Move a table that sits alone into another open session where it is worth more there."""
    inst = elig.instance
    options = defaultdict(list)
    for r, session in values:
        options[r].append(session)
    changed = True
    while changed:
        changed = False
        at = defaultdict(list)
        for r, session in chosen.items():
            at[session].append(r)
        for session, requests in sorted(at.items()):
            if len(requests) != 1:
                continue
            (r,) = requests
            here = values[r, session][1]
            here = values[r, session][0] if here is None else here
            best, gain = None, 0
            for other in options[r]:
                if other == session or other not in at:
                    continue
                venue = inst.venues[other[1]]
                seated = sum(inst.requests[q].table_size[0] for q in at[other])
                if len(at[other]) >= venue.tables or seated + inst.requests[r].table_size[0] > venue.capacity:
                    continue
                if values[r, other][0] - here > gain:
                    best, gain = other, values[r, other][0] - here
            if best is not None:
                chosen[r] = best
                changed = True
                break
    return chosen


def _sessions_fit(elig: Eligibility, sessions: set[Session]) -> bool:
    limit = elig.instance.max_parallel_sessions
    for group in elig.overlap_groups:
        members = set(group)
        running = [(s, v) for s, v in sessions if s in members]
        if limit is not None and len(running) > limit:
            return False
        venues = [v for _, v in running]
        if len(venues) != len(set(venues)):
            return False
    return True
