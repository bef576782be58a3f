"""A proved upper bound: the LP of a relaxation of the round-aggregated model over *everyone*.

Every valid schedule is a feasible point of this LP with at least its score (docs/solver-swarm.md
has the long form):

* People are modelled per *place*: a session, or for big instances a slot, whose sessions are merged
  (capacities and tables added up; a person's cost is their cheapest venue there). A person is in at
  most one session of a slot, so the merge only loosens.
* Per place the best few people per need of each request are *explicit*, as in the CP-SAT model:
  ``y`` attends, ``x`` seat-rounds at each table where they meet a need, ``Σx ≤ rounds·y`` with the
  rest as plain seats at any table; repeats ``rep ≥ x − y`` and ``rep ≥ x − Z``; one session per
  overlapping slots and ``max_sessions``.
* Everyone else at the place forms a *pool*: ``Y`` people with ``rounds·Y`` seat-rounds, each seat worth
  the best pooled member of its kind (request × needs met), cost ``Y ×`` the cheapest member, and the
  repeat inequality summed over its members (``rep_r ≥ X_r − Y`` holds for a sum of people because it
  holds for each).
* Sessions keep rules 1-3 exactly, capacity on people. Rule 4 across tables, pins and the change
  penalty (never positive) are dropped.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict

import numpy as np
from ortools.linear_solver import pywraplp

from solver.swarm.eligibility import Eligibility, Session

EXPLICIT_PER_NEED = 6
SLOT_PLACES_ABOVE = 600  # pairs above which the sessions of a slot are merged into one place
NAMED = 8  # best people per table modelled by name (with their limits) in the seat lists
BLOCK = 1  # seat-rounds per LP variable in the seat lists (valued at the block's best)
SEATS_UP_TO = 200  # pairs up to which the tables' seat-rounds are modelled (tighter, bigger LP)
WITH_PEOPLE_UP_TO = 200  # pairs up to which the LP with people is tried too (it pays on small instances)


def lp_bound(
    elig: Eligibility,
    time_limit: float,
    pairs: list[tuple[int, Session]],
    tables: dict[tuple[int, Session], tuple[float, float]] | None = None,
) -> int | None:
    """An upper bound on the score of every valid schedule, or None when no LP finished in time.

    Two relaxations, both valid, the lower wins: tables bounded one by one under the session rules
    (cheap), and for smaller instances the LP with people below.

    ``pairs`` must hold every (request, session) that some valid schedule could use.
    """
    if not pairs:
        from solver.swarm.evaluate import score

        return score(elig.instance, [])  # the empty schedule is the only one
    started = time.monotonic()
    bounds = [tables_lp(elig, time_limit, pairs, tables)[0]]
    if len(pairs) <= WITH_PEOPLE_UP_TO:
        left = time_limit - (time.monotonic() - started)
        if left > 0.5:
            bounds.append(_Lp(elig, pairs, per_slot=len(pairs) > SLOT_PLACES_ABOVE).solve(left))
    found = [b for b in bounds if b is not None]
    return min(found) if found else None


def tables_lp(
    elig: Eligibility,
    time_limit: float,
    pairs: list[tuple[int, Session]],
    tables: dict[tuple[int, Session], tuple[float, float]] | None = None,
) -> tuple[int | None, dict[int, float]]:
    """The tables-one-by-one bound and, per request, the LP's dual price of "held at most once"
    (what holding it is worth there: the starting prices of :mod:`solver.swarm.session_bound`)."""
    lp = _Lp(elig, pairs, people=False, tables=tables)
    value = lp.solve(time_limit)
    if value is None:
        return None, {}
    return value, {r: max(0.0, row.dual_value()) for r, row in lp.request_rows.items()}


def requests_bound(
    elig: Eligibility,
    pairs: list[tuple[int, Session]],
    tables: dict[tuple[int, Session], tuple[float, float]] | None = None,
) -> int:
    """A bound in no time, for when the tables LP finds nothing in its share (a loaded machine): each
    request held at most once, at its best table's own bound (:func:`table_bound`), or not at all.

    Valid by the argument of the tables LP without its session rows: a schedule's score is the sum
    over its tables of what each table adds, each at most its table bound, one table per request."""
    best: dict[int, float] = {}
    for r, session in pairs:
        value = (
            max(tables[r, session])
            if tables and (r, session) in tables
            else max(table_bound(elig, r, session))
        )
        best[r] = max(best.get(r, 0.0), value)
    total = sum(best.values())
    return math.floor(total + 1e-6 * max(1.0, abs(total)))


def table_bound(
    elig: Eligibility, r: int, session: Session, people: np.ndarray | None = None
) -> tuple[float, float]:
    """The most request r's table at ``session`` can add to the score, whoever else is planned.

    A participant's score is split over their seat-rounds: at table t they earn ``skill_t`` per round
    and carry ``cost / rounds`` per round and the table's repeats; these shares add up to exactly their
    score. The best shares for one table, taken seat-round by seat-round within its size, bound it
    (the needs, which can only lower it, are left out). Returned twice: with company in the session,
    and as the session's only table, where everyone sits there every round. ``people``, when given,
    are eligible and include the best ``high × rounds`` of everyone eligible.
    """
    inst = elig.instance
    rounds = elig.rounds
    low, high = inst.requests[r].table_size
    if people is None:
        people = np.flatnonzero(elig.eligible(r, session))
    value = rounds * elig.skill_values[r][people] - elig.session_cost(session)[people]
    top = high * rounds
    if len(value) > top:
        value = value[np.argpartition(-value, top - 1)[:top]]
    units = np.concatenate([value] + [value - rounds * inst.weights.repeat_table] * (rounds - 1))
    units = -np.sort(-units)
    taken = units[: max(min(int((units > 0).sum()), top), low * rounds)]
    whole = -np.sort(-(value - (rounds - 1) * inst.weights.repeat_table))
    seated = whole[: max(min(int((whole > 0).sum()), high), low)]
    scheduled = inst.weights.scheduled * inst.requests[r].priority
    return scheduled + float(taken.sum()) / rounds, scheduled + float(seated.sum())


class _Lp:
    def __init__(
        self,
        elig: Eligibility,
        pairs: list[tuple[int, Session]],
        per_slot: bool = False,
        people: bool = True,
        tables: dict | None = None,
    ):
        self.elig = elig
        self.tables = tables or {}
        self.solver = pywraplp.Solver.CreateSolver("GLOP")
        self.inf = self.solver.infinity()
        self.objective = self.solver.Objective()
        inst = elig.instance
        self.z = {}
        for key in pairs:
            value = inst.weights.scheduled * inst.requests[key[0]].priority
            self.z[key] = self._var(1, value if people else 0)
        self.opened = self._session_rules()
        if not people:
            self._tables_only()
            return
        places: dict[object, list[Session]] = defaultdict(list)
        for session in sorted({s for _, s in pairs}):
            places[session[0] if per_slot else session].append(session)
        self.person_rows: dict[tuple[int, int | None], pywraplp.Constraint] = {}
        for sessions in places.values():
            self._place(sessions)

    def _tables_only(self) -> None:
        """Each table valued by :func:`table_bound`, alone in its session or with company."""
        inst = self.elig.instance
        by_session = defaultdict(list)
        for (r, session), z in self.z.items():
            found = self.tables.get((r, session))
            with_company, alone = found if found is not None else table_bound(self.elig, r, session)
            if len(self.z) <= SEATS_UP_TO:
                with_company = inst.weights.scheduled * inst.requests[r].priority  # seats added below
            single, multi = self._var(1, alone), self._var(1, with_company)
            self._row(0, 0, [(z, 1), (single, -1), (multi, -1)])
            by_session[session].append((r, single, multi))
        if len(self.z) <= SEATS_UP_TO:
            self.person_rows = {}
            self.groups_of = defaultdict(list)
            for g, group in enumerate(self.elig.overlap_groups):
                for slot in group:
                    self.groups_of[slot].append(g)
            for session, items in by_session.items():
                self._shared_seats(session, [(r, multi) for r, _, multi in items])
        for session, items in by_session.items():
            venue = inst.venues[session[1]]
            lone, crowd = self._var(1, 0), self._var(1, 0)
            self._row(0, 0, [(self.opened[session], 1), (lone, -1), (crowd, -1)])
            self._row(-self.inf, 0, [(single, 1) for _, single, _ in items] + [(lone, -1)])
            self._row(0, self.inf, [(multi, 1) for _, _, multi in items] + [(crowd, -2)])
            self._row(-self.inf, 0, [(multi, 1) for _, _, multi in items] + [(crowd, -venue.tables)])
            seats = [
                (z, inst.requests[r].table_size[0]) for r, single, multi in items for z in (single, multi)
            ]
            self._row(-self.inf, 0, seats + [(self.opened[session], -venue.capacity)])

    def _shared_seats(self, session: Session, tables: list[tuple[int, pywraplp.Variable]]) -> None:
        """Seat-rounds of the tables of a session with company, counted so that people who meet a need
        of only one of the session's requests ("exclusive") are not seated as newcomers at every table.

        Each seat-round of a valid schedule is one of: the first round of a person at a table where
        they meet a need (worth ``skill − cost/rounds``), a later round there (less the repeat), or a
        round at a table where they meet no need (worth at most 0). An exclusive person has at most one
        first round in the session, so their first rounds number at most the participants,
        ``Σ seat-rounds / rounds``. Lists are the best of each kind, in blocks of ``rounds`` valued at the
        block's best (which only raises the bound).
        """
        elig, rounds = self.elig, self.elig.rounds
        w = elig.instance.weights
        eligible = {r: elig.eligible(r, session) for r, _ in tables}
        skilled = {r: eligible[r] & (elig.signatures[r] != 0) for r, _ in tables}
        count = sum(m.astype(np.int64) for m in skilled.values())
        cost = elig.session_cost(session)
        exclusive_firsts, all_seats = [], []
        for r, multi in tables:
            low, high = elig.instance.requests[r].table_size
            top = high * rounds
            value = rounds * elig.skill_values[r] - cost
            seats, firsts, repeats = [], [], []
            pooled = skilled[r].copy()
            named = np.flatnonzero(pooled)
            if len(named) > NAMED:
                named = named[np.argpartition(-value[named], NAMED - 1)[:NAMED]]
            for p in named.tolist():  # the best people by name, so that nobody is everywhere at once
                pooled[p] = False
                first = self._var(1, float(value[p]) / rounds)
                again = self._var(rounds - 1, float(value[p] - rounds * w.repeat_table) / rounds)
                self._row(-self.inf, 0, [(first, 1), (multi, -1)])
                self._row(-self.inf, 0, [(again, 1), (first, -(rounds - 1))])
                seats += [(first, 1), (again, 1)]
                firsts.append((first, 1))
                repeats.append((again, 1))
                if count[p] == 1:
                    exclusive_firsts.append((first, 1))
                for key in [(p, None)] + [(p, g) for g in self.groups_of[session[0]]]:
                    if key not in self.person_rows:
                        limit = rounds * (int(elig.max_sessions[p]) if key[1] is None else 1)
                        self.person_rows[key] = self.solver.Constraint(-self.inf, limit)
                    row = self.person_rows[key]
                    row.SetCoefficient(first, 1)
                    row.SetCoefficient(again, 1)
            lists = {
                "exclusive": value[pooled & (count == 1)],
                "shared": value[pooled & (count > 1)],
                "repeat": np.repeat(value[pooled] - rounds * w.repeat_table, rounds - 1),
            }
            for kind, units in lists.items():
                units = units[units > 0]
                if len(units) > top:
                    units = units[np.argpartition(-units, top - 1)[:top]]
                units = -np.sort(-units)
                for start in range(0, len(units), BLOCK):
                    block = units[start : start + BLOCK]
                    var = self._var(len(block), float(block[0]) / rounds)
                    self._row(
                        -self.inf, 0, [(var, 1), (multi, -len(block))]
                    )  # a half-open table, half a seat
                    seats.append((var, 1))
                    (firsts if kind != "repeat" else repeats).append((var, 1))
                    if kind == "exclusive":
                        exclusive_firsts.append((var, 1))
            # rounds where the person meets no need: worth at most minus the cheapest cost share there
            other = self._var(self.inf, -float(cost[eligible[r]].min()) / rounds)
            seats.append((other, 1))
            self._row(0, self.inf, seats + [(multi, -low * rounds)])
            self._row(-self.inf, 0, seats + [(multi, -high * rounds)])
            self._row(-self.inf, 0, repeats + [(v, -(rounds - 1)) for v, _ in firsts])
            all_seats += seats
        # Σ exclusive first rounds <= participants = Σ seat-rounds / rounds
        self._row(-self.inf, 0, [(v, rounds) for v, _ in exclusive_firsts] + [(v, -1) for v, _ in all_seats])

    def _var(self, upper: float, value: float) -> pywraplp.Variable:
        var = self.solver.NumVar(0, upper, "")
        if value:
            self.objective.SetCoefficient(var, value)
        return var

    def _row(self, low: float, high: float, terms) -> pywraplp.Constraint:
        row = self.solver.Constraint(low, high)
        for var, coef in terms:
            row.SetCoefficient(var, row.GetCoefficient(var) + coef)
        return row

    def solve(self, time_limit: float) -> int | None:
        self.objective.SetMaximization()
        self.solver.SetTimeLimit(max(1, int(time_limit * 1000)))
        self.solver.SetSolverSpecificParametersAsString("use_dual_simplex: true")
        if self.solver.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        value = self.objective.Value()
        return math.floor(value + 1e-6 * max(1.0, abs(value)))  # LP tolerances only ever loosen it

    def _session_rules(self) -> dict[Session, pywraplp.Variable]:
        inst = self.elig.instance
        by_request, by_session = defaultdict(list), defaultdict(list)
        for (r, session), var in self.z.items():
            by_request[r].append(var)
            by_session[session].append(var)
        self.request_rows = {
            r: self._row(-self.inf, 1, [(v, 1) for v in vars_]) for r, vars_ in by_request.items()
        }
        opened = {}
        for session, vars_ in by_session.items():
            o = opened[session] = self._var(1, 0)
            self._row(-self.inf, 0, [(v, 1) for v in vars_] + [(o, -inst.venues[session[1]].tables)])
            for v in vars_:
                self._row(-self.inf, 0, [(v, 1), (o, -1)])
        limit = inst.max_parallel_sessions
        for group in self.elig.overlap_groups:
            members = set(group)
            running = [key for key in opened if key[0] in members]
            if limit is not None and len(running) > limit:
                self._row(-self.inf, limit, [(opened[key], 1) for key in running])
            per_venue = defaultdict(list)
            for key in running:
                per_venue[key[1]].append(opened[key])
            for vars_ in per_venue.values():
                if len(vars_) > 1:
                    self._row(-self.inf, 1, [(v, 1) for v in vars_])
        return opened

    def _place(self, sessions: list[Session]) -> None:
        """Tables, explicit people and the pool of one place (a session or a merged slot)."""
        elig, inst, rounds = self.elig, self.elig.instance, self.elig.rounds
        w = inst.weights
        cost = np.min([elig.session_cost(s) for s in sessions], axis=0)
        requests = sorted({r for (r, s) in self.z if s in sessions})
        eligible, tables = {}, {}
        for r in requests:
            mask = np.zeros(elig.n, bool)
            for s in sessions:
                if (r, s) in self.z:
                    mask |= elig.eligible(r, s)
            eligible[r] = mask
            tables[r] = [self.z[r, s] for s in sessions if (r, s) in self.z]
        explicit = self._explicit(requests, eligible, cost)
        seats = defaultdict(list)  # per request: (var, coefficient) of seat-rounds
        needs = defaultdict(list)  # per (request, need): seat-rounds that count
        plain = []  # explicit people's seat-rounds at tables where they meet no need
        heads = []
        for p in explicit.tolist():
            y = self._var(1, -int(cost[p]))
            self._person_rows(p, sessions[0][0], y)
            xs = []
            for r in requests:
                if not eligible[r][p] or elig.signatures[r][p] == 0:
                    continue
                x = self._var(rounds, int(elig.skill_values[r][p]))
                xs.append(x)
                seats[r].append((x, 1))
                for i, meets in enumerate(elig.meets(r)):
                    if meets[p]:
                        needs[r, i].append((x, 1))
                self._row(-self.inf, 0, [(x, 1)] + [(z, -rounds) for z in tables[r]])
                if w.repeat_table and rounds > 1:
                    rep = self._var(rounds, -w.repeat_table)
                    self._row(0, self.inf, [(rep, 1), (x, -1), (y, 1)])
                    self._row(0, self.inf, [(rep, 1), (x, -1)] + [(z, 1) for z in tables[r]])
            plain.append((y, rounds))
            plain += [(x, -1) for x in xs]
            heads.append(y)
        unnamed: defaultdict[int, list] = defaultdict(
            list
        )  # per request: seat-rounds of people not explicit there
        people = self._pool(requests, eligible, explicit, cost, seats, needs, unnamed)
        fill = []
        for r in requests:
            g = self._var(self.inf, 0)
            fill.append((g, -1))
            seats[r].append((g, 1))
            unnamed[r].append(g)
        self._row(0, 0, plain + fill)

        for r in requests:
            low, high = inst.requests[r].table_size
            self._row(0, self.inf, seats[r] + [(z, -low * rounds) for z in tables[r]])
            self._row(-self.inf, 0, seats[r] + [(z, -high * rounds) for z in tables[r]])
            for i, need in enumerate(inst.requests[r].needs):
                if need.min:
                    self._row(0, self.inf, needs[r, i] + [(z, -need.min * rounds) for z in tables[r]])
        capacity = [(self.opened[s], -inst.venues[s[1]].capacity) for s in sessions]
        self._row(-self.inf, 0, [(v, 1) for v in people] + capacity)

    def _explicit(self, requests, eligible, cost) -> np.ndarray:
        elig = self.elig
        chosen = [np.zeros(0, np.int64)]
        for r in requests:
            value = elig.rounds * elig.skill_values[r] - cost
            for meets in elig.meets(r):
                members = np.flatnonzero(eligible[r] & meets)
                if len(members) > EXPLICIT_PER_NEED:
                    top = np.argpartition(-value[members], EXPLICIT_PER_NEED - 1)[:EXPLICIT_PER_NEED]
                    members = members[top]
                chosen.append(members)
        return np.unique(np.concatenate(chosen))

    def _person_rows(self, p: int, slot: int, y: pywraplp.Variable) -> None:
        keys = [(p, None)] + [(p, g) for g, group in enumerate(self.elig.overlap_groups) if slot in group]
        for key in keys:
            if key not in self.person_rows:
                limit = int(self.elig.max_sessions[p]) if key[1] is None else 1
                self.person_rows[key] = self.solver.Constraint(-self.inf, limit)
            self.person_rows[key].SetCoefficient(y, 1)

    def _pool(self, requests, eligible, explicit, cost, seats, needs, unnamed) -> list:
        """Everyone not explicit, as one aggregate of people; returns the head-count variables."""
        elig, rounds = self.elig, self.elig.rounds
        w = elig.instance.weights
        rest = np.zeros(elig.n, bool)
        for r in requests:
            rest |= eligible[r]
        rest[explicit] = False
        if not rest.any():
            return []
        count = self._var(self.inf, -int(cost[rest].min()))
        total = [(count, -rounds)]
        for r in requests:
            members = np.flatnonzero(eligible[r] & rest)
            if len(members) == 0:
                continue
            sigs = elig.signatures[r][members]
            values = elig.skill_values[r][members]
            at_table = []
            for sig in np.unique(sigs).tolist():
                seat = self._var(self.inf, int(values[sigs == sig].max()))
                at_table.append((seat, 1))
                seats[r].append((seat, 1))
                unnamed[r].append(seat)
                for i in range(len(elig.instance.requests[r].needs)):
                    if sig >> i & 1:
                        needs[r, i].append((seat, 1))
            total += at_table
            if w.repeat_table and rounds > 1:
                rep = self._var(self.inf, -w.repeat_table)
                self._row(0, self.inf, [(rep, 1), (count, 1)] + [(v, -c) for v, c in at_table])
        self._row(0, 0, total)
        return [count]
