"""A proved upper bound: the LP of a relaxation of the round-aggregated model over *everyone*.

Why every valid schedule is a feasible point of this LP with at least its score (docs/solver-swarm.md
has the long form):

* Scores are multiplied by ``rounds`` so that a person's attendance cost ``c`` is spread over their
  ``rounds`` seat-rounds: a seat at request r is worth ``rounds·skill_r(p) − c(p, σ)``. Summed over a
  participant's seats this is exactly ``rounds × (skill − cost)``.
* People are modelled per *place*: a session, or (for big instances) a slot with the value of the
  best allowed venue, which can only overstate a seat.
* Per place and request the best few people per need are explicit variables ``x ≤ rounds`` with their
  own limits (one session per overlapping slots, ``max_sessions``). Everyone else is pooled by which
  needs they meet; a pool has no limit on seats and is worth the best of its members. Mapping each
  person's seats to themselves or their pool keeps every constraint and never lowers the value.
* Sessions keep rules 1-3 exactly, capacity as ``Σ low·z ≤ capacity``. Rule 4 across tables, pins,
  and the repeat and change penalties (never positive) are dropped.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
from ortools.linear_solver import pywraplp

from solver.swarm.eligibility import Eligibility, Session

EXPLICIT_PER_NEED = 12
SLOT_PLACES_ABOVE = 4000  # pairs above which people are modelled per slot instead of per session


def lp_bound(elig: Eligibility, time_limit: float, pairs: list[tuple[int, Session]]) -> int | None:
    """An upper bound on the score of every valid schedule, or None when the LP did not finish.

    ``pairs`` must hold every (request, session) that some valid schedule could use.
    """
    if not pairs:
        return _empty_bound(elig)
    inst = elig.instance
    rounds = elig.rounds
    per_slot = len(pairs) > SLOT_PLACES_ABOVE
    solver = pywraplp.Solver.CreateSolver("GLOP")
    solver.SetTimeLimit(max(1, int(time_limit * 1000)))
    inf = solver.infinity()
    objective = solver.Objective()
    z = {}
    for key in pairs:
        z[key] = solver.NumVar(0, 1, "")
        objective.SetCoefficient(z[key], rounds * inst.weights.scheduled * inst.requests[key[0]].priority)
    _session_rules(elig, solver, z)
    # Per (request, place): explicit people and pools.
    places: dict[tuple[int, object], list[Session]] = defaultdict(list)
    for r, session in pairs:
        places[r, session[0] if per_slot else session].append(session)
    person_rows: dict[tuple[int, int | None], pywraplp.Constraint] = {}
    group_of = defaultdict(list)
    for g, group in enumerate(elig.overlap_groups):
        for s in group:
            group_of[s].append(g)
    for (r, _place), sessions in places.items():
        request = inst.requests[r]
        low, high = request.table_size
        best = np.full(elig.n, -np.inf)
        for session in sessions:
            values = rounds * elig.skill_values[r] - elig.session_cost(session)
            best = np.where(elig.eligible(r, session), np.maximum(best, values), best)
        people = np.flatnonzero(best > -np.inf)
        meets = [m[people] for m in elig.meets(r)]
        explicit = set()
        for ok in meets:
            members = people[ok]
            if len(members) > EXPLICIT_PER_NEED:
                members = members[np.argpartition(-best[members], EXPLICIT_PER_NEED - 1)[:EXPLICIT_PER_NEED]]
            explicit.update(members.tolist())
        size = solver.Constraint(0, inf)
        size_hi = solver.Constraint(-inf, 0)
        need_rows = [solver.Constraint(0, inf) for _ in request.needs]
        for session in sessions:
            size.SetCoefficient(z[r, session], -low * rounds)
            size_hi.SetCoefficient(z[r, session], -high * rounds)
            for need, row in zip(request.needs, need_rows, strict=True):
                row.SetCoefficient(z[r, session], -need.min * rounds)
        slot = sessions[0][0]
        for p in sorted(explicit):
            x = solver.NumVar(0, rounds, "")
            objective.SetCoefficient(x, float(best[p]))
            link = solver.Constraint(-inf, 0)  # x <= rounds * Σ z
            link.SetCoefficient(x, 1)
            for session in sessions:
                link.SetCoefficient(z[r, session], -rounds)
            for row in (size, size_hi):
                row.SetCoefficient(x, 1)
            for need_row, m in zip(need_rows, elig.meets(r), strict=True):
                if m[p]:
                    need_row.SetCoefficient(x, 1)
            keys = [(p, None)] + [(p, g) for g in (group_of[slot] if per_slot else group_of[slot])]
            for key in keys:
                if key not in person_rows:
                    limit = rounds * (int(elig.max_sessions[p]) if key[1] is None else 1)
                    person_rows[key] = solver.Constraint(-inf, limit)
                person_rows[key].SetCoefficient(x, 1)
        rest = np.array([p not in explicit for p in people.tolist()], bool)
        signatures = elig.signatures[r][people]
        for sig in np.unique(signatures[rest]).tolist():
            chosen = rest & (signatures == sig)
            pool = solver.NumVar(0, inf, "")
            objective.SetCoefficient(pool, float(best[people[chosen]].max()))
            for row in (size, size_hi):
                row.SetCoefficient(pool, 1)
            for i, row in enumerate(need_rows):
                if sig >> i & 1:
                    row.SetCoefficient(pool, 1)
    objective.SetMaximization()
    status = solver.Solve()
    if status != pywraplp.Solver.OPTIMAL:
        return None
    value = objective.Value() / rounds
    return math.floor(value + 1e-6 * max(1.0, abs(value)))


def _session_rules(elig: Eligibility, solver: pywraplp.Solver, z: dict) -> None:
    inst = elig.instance
    inf = solver.infinity()
    by_request = defaultdict(list)
    by_session = defaultdict(list)
    for (r, session), var in z.items():
        by_request[r].append(var)
        by_session[session].append((r, var))
    for vars_ in by_request.values():
        row = solver.Constraint(0, 1)
        for var in vars_:
            row.SetCoefficient(var, 1)
    opened = {}
    for session, items in by_session.items():
        venue = inst.venues[session[1]]
        o = opened[session] = solver.NumVar(0, 1, "")
        tables = solver.Constraint(-inf, 0)
        seats = solver.Constraint(-inf, 0)
        tables.SetCoefficient(o, -venue.tables)
        seats.SetCoefficient(o, -venue.capacity)
        for r, var in items:
            link = solver.Constraint(-inf, 0)
            link.SetCoefficient(var, 1)
            link.SetCoefficient(o, -1)
            tables.SetCoefficient(var, 1)
            seats.SetCoefficient(var, inst.requests[r].table_size[0])
    limit = inst.max_parallel_sessions
    for group in elig.overlap_groups:
        members = set(group)
        running = [(s, v) for (s, v) in opened if s in members]
        if limit is not None and len(running) > limit:
            row = solver.Constraint(-inf, limit)
            for key in running:
                row.SetCoefficient(opened[key], 1)
        per_venue = defaultdict(list)
        for key in running:
            per_venue[key[1]].append(key)
        for keys in per_venue.values():
            if len(keys) > 1:
                row = solver.Constraint(-inf, 1)
                for key in keys:
                    row.SetCoefficient(opened[key], 1)


def _empty_bound(elig: Eligibility) -> int:
    """With nothing schedulable the only schedule is the empty one; change is its only term."""
    from solver.swarm.evaluate import score

    return score(elig.instance, [])
