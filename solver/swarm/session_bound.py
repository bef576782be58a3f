"""A proved upper bound from whole sessions: a Lagrangian relaxation of "a request is in one session".

With a price ``μ_r ≥ 0`` on each request, every valid schedule scores at most

    Σ_r μ_r + max over the sessions a schedule may open (rules 2-3) of Σ_σ V_σ(μ)

where ``V_σ(μ)`` bounds what session σ alone can score when each table it holds pays ``μ_r``: a request
held once pays its price once and earns it back in the first sum, a request not held leaves ``μ_r ≥ 0``
over. People are not shared between sessions here (a person's ``max_sessions`` and overlapping slots
are dropped), and rule 4 across tables is dropped, so ``V_σ`` may only be too high.

``V_σ(μ)`` is the LP of the session's round-aggregated model with its tables to choose (``z``), with
the person links that make that LP strong: a person's first visit to a table is worth at most their
attendance and the table's open share (``rep ≥ x − y``, ``rep ≥ x − z``). Only the best candidates
are in the LP; everyone else eligible is priced with its duals (weak duality, their links to ``z``
dropped), and what they could still add is added to the LP's value, so ``V_σ`` holds for everyone.

The prices start from the duals of the tables-one-by-one LP (:mod:`solver.swarm.bound`) and improve
by subgradient steps while time is left; every step's value is a bound, the lowest is kept.
"""

from __future__ import annotations

import contextlib
import math
import pickle
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from solver.swarm.bound import table_bound
from solver.swarm.candidates import pick
from solver.swarm.eligibility import Eligibility, Session

# CLP re-solves after people are added 3-4x faster than GLOP (bench large's biggest sessions: 3.8 s
# against 6.2 s for three, and 4.6 s against 16 s with one candidate per need and more re-solves);
# OR-Tools' HiGHS reports its duals in another sign convention, which this pricing does not read.
LP_SOLVER = "CLP"
KEEP = 6  # candidates per need and table modelled by name in a session's LP
ADD_PER_ROUND = 40  # people priced in per session and re-solve, best reduced value first
RESOLVES = 2  # re-solves per session and price vector to bring people in
IDLE_STEPS = 3  # subgradient steps without a lower bound before the step is halved
MIN_STEP = 1 / 64  # and the search ends when it is this small
TARGET_GAP = 0.03  # without a known score, steps aim this far below the best bound
SOLVE_TIME = 5.0  # seconds at most per LP solve, so that a stop is heard soon
# Prices on people's max_sessions too: the regional family has 90 % of its people at max_sessions 1,
# and a session LP otherwise counts the same best people in every session.
PERSON_PRICES = True
PARTIAL_EVERY = 10  # session LPs solved within a pass before the selection is run again for a bound


class SessionLp:
    """One session's LP with its tables to choose; :meth:`value` bounds the session for any prices."""

    def __init__(self, elig: Eligibility, session: Session, requests: list[int], keep: int):
        self.elig = elig
        self.session = session
        self.requests = requests
        inst = elig.instance
        self.w_repeat = inst.weights.repeat_table if elig.rounds > 1 else 0
        self.solver = pywraplp.Solver.CreateSolver(LP_SOLVER)
        if LP_SOLVER == "GLOP":
            self.solver.SetSolverSpecificParametersAsString("use_dual_simplex: true")
        self.inf = self.solver.infinity()
        solver, rounds = self.solver, elig.rounds
        venue = inst.venues[session[1]]
        self.cost = elig.session_cost(session)
        self.eligible = {r: elig.eligible(r, session) for r in requests}
        self.anyone = np.zeros(elig.n, bool)
        for mask in self.eligible.values():
            self.anyone |= mask
        self.z = {r: solver.NumVar(0, 1, f"z{r}") for r in requests}
        self.tables_row = solver.Constraint(-self.inf, venue.tables)
        self.capacity = solver.Constraint(-self.inf, venue.capacity)
        self.pool = solver.Constraint(0, 0)  # plain seat-rounds of people = fillers seated at tables
        self.low: dict[int, Any] = {}  # pywraplp constraints
        self.high: dict[int, Any] = {}
        self.need: defaultdict[int, dict] = defaultdict(dict)
        for r in requests:
            self.tables_row.SetCoefficient(self.z[r], 1)
            low, high = inst.requests[r].table_size
            filler = solver.NumVar(0, self.inf, f"f{r}")
            self.pool.SetCoefficient(filler, 1)
            self.low[r] = solver.Constraint(0, self.inf)
            self.high[r] = solver.Constraint(-self.inf, 0)
            for row, size in ((self.low[r], low), (self.high[r], high)):
                row.SetCoefficient(filler, 1)
                row.SetCoefficient(self.z[r], -size * rounds)
            for i, need in enumerate(inst.requests[r].needs):
                if need.min > 0:
                    row = self.need[r][i] = solver.Constraint(0, self.inf)
                    row.SetCoefficient(self.z[r], -need.min * rounds)
        self.named = np.zeros(elig.n, bool)
        self.y: dict[int, Any] = {}  # pywraplp variables of the people by name
        self.person_price = np.zeros(
            elig.n
        )  # each attendance here pays its person's price (see SessionBound)
        chosen = [pick(elig, r, session, self.eligible[r], keep) for r in requests]
        self._add_people(np.unique(np.concatenate(chosen)) if chosen else np.zeros(0, np.int64))
        self.objective = solver.Objective()
        self.objective.SetMaximization()
        self.solved: tuple[dict[int, float], float] | None = None  # prizes and value of the last solve
        self.reduced: dict[int, float] = {}
        self.shares: dict[int, float] = {}
        self.solved_prices = self.person_price.copy()  # the person prices of the last solve
        self.attend_reduced: dict[int, float] = {}
        self.attends: dict[int, float] = {}

    def _add_people(self, people: np.ndarray) -> None:
        solver, rounds, elig = self.solver, self.elig.rounds, self.elig
        inf = self.inf
        for p in people.tolist():
            self.named[p] = True
            y = self.y[p] = solver.NumVar(0, 1, "")
            plain = solver.NumVar(0, rounds, "")
            if self.cost[p] + self.person_price[p]:
                solver.Objective().SetCoefficient(y, -float(self.cost[p] + self.person_price[p]))
            self.capacity.SetCoefficient(y, 1)
            self.pool.SetCoefficient(plain, -1)
            balance = solver.Constraint(0, 0)
            balance.SetCoefficient(plain, 1)
            balance.SetCoefficient(y, -rounds)
            for r in self.requests:
                if not self.eligible[r][p] or elig.signatures[r][p] == 0:
                    continue
                x = solver.NumVar(0, rounds, "")
                solver.Objective().SetCoefficient(x, float(elig.skill_values[r][p]))
                balance.SetCoefficient(x, 1)
                for row in (self.low[r], self.high[r]):
                    row.SetCoefficient(x, 1)
                for i, meets in enumerate(elig.meets(r)):
                    if i in self.need[r] and meets[p]:
                        self.need[r][i].SetCoefficient(x, 1)
                open_share = solver.Constraint(-inf, 0)  # x ≤ rounds·z
                open_share.SetCoefficient(x, 1)
                open_share.SetCoefficient(self.z[r], -rounds)
                if self.w_repeat:
                    rep = solver.NumVar(0, rounds, "")
                    solver.Objective().SetCoefficient(rep, -float(self.w_repeat))
                    for other in (y, self.z[r]):  # rep ≥ x − y and rep ≥ x − z
                        link = solver.Constraint(0, inf)
                        link.SetCoefficient(rep, 1)
                        link.SetCoefficient(x, -1)
                        link.SetCoefficient(other, 1)

    def value(
        self, prizes: dict[int, float], time_limit: float, person_price: np.ndarray | None = None
    ) -> float | None:
        """An upper bound on the session's score when table r earns ``prizes[r]`` instead of its
        ``w.scheduled × priority`` and each person who attends pays ``person_price`` on top of their
        cost (the LP's table shares go to :attr:`shares`, attendances to :attr:`attends`); None if no
        LP finished in time."""
        for r, prize in prizes.items():
            self.objective.SetCoefficient(self.z[r], prize)
        if person_price is not None:
            self.person_price = np.asarray(person_price, float)
        for p, y in self.y.items():
            self.objective.SetCoefficient(y, -float(self.cost[p] + self.person_price[p]))
        deadline = time.monotonic() + time_limit
        for attempt in range(RESOLVES + 1):
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.solver.SetTimeLimit(max(1, int(left * 1000)))
            if self.solver.Solve() != pywraplp.Solver.OPTIMAL:
                return None
            extra, best = self._priced()
            if extra <= 1e-6 or attempt == RESOLVES:
                self.solved = (dict(prizes), self.objective.Value() + extra)
                self.reduced = {r: z.reduced_cost() for r, z in self.z.items()}
                self.shares = {r: z.solution_value() for r, z in self.z.items()}
                self.solved_prices = self.person_price.copy()
                self.attend_reduced = {p: y.reduced_cost() for p, y in self.y.items()}
                self.attends = {p: y.solution_value() for p, y in self.y.items()}
                return self.solved[1]
            self._add_people(best)
        return None

    def stale(self, prizes: dict[int, float], person_price: np.ndarray | None = None) -> float | None:
        """A bound at other prizes (and person prices) from the last solve's duals, without solving:
        they stay feasible for the dual LP, and only the reduced values of the tables ``z`` and of the
        named people's attendance ``y`` move (weak duality: each column at its upper bound 1 adds its
        reduced value where it is positive). A person priced in (not by name) adds at most what their
        price fell by (their gain rises by that, and the pricing adds gains)."""
        if self.solved is None:
            return None
        before, value = self.solved
        for r, prize in prizes.items():
            reduced = self.reduced[r]
            value += max(0.0, reduced + prize - before[r]) - max(0.0, reduced)
        if person_price is not None:
            fell = self.solved_prices - np.asarray(person_price, float)  # > 0: the price fell
            for p, reduced in self.attend_reduced.items():
                value += max(0.0, reduced + fell[p]) - max(0.0, reduced)
            others = self.anyone.copy()
            others[list(self.attend_reduced)] = False
            value += float(np.maximum(fell[others], 0.0).sum())
        return value

    def _priced(self) -> tuple[float, np.ndarray]:
        """What everyone not named could add at the LP's duals (their links to ``z`` dropped), and
        the best of them to name next."""
        elig, rounds = self.elig, self.elig.rounds
        people = np.flatnonzero(self.anyone & ~self.named)
        if len(people) == 0:
            return 0.0, people
        plain = self.pool.dual_value()  # u's column: -1 in the pool row
        units = np.full((len(people), rounds), plain)
        for r in self.requests:
            ok = self.eligible[r][people] & (elig.signatures[r][people] != 0)
            if not ok.any():
                continue
            sub = people[ok]
            d = elig.skill_values[r][sub] - self.low[r].dual_value() - self.high[r].dual_value()
            for i, row in self.need[r].items():
                d = d - np.where(elig.meets(r)[i][sub], row.dual_value(), 0.0)
            offered = np.column_stack([d] + [d - self.w_repeat] * (rounds - 1))
            merged = np.concatenate([units[ok], offered], axis=1)
            units[ok] = -np.sort(-merged, axis=1)[:, :rounds]
        gain = units.sum(axis=1) - self.cost[people] - self.person_price[people] - self.capacity.dual_value()
        positive = np.flatnonzero(gain > 1e-9)
        if len(positive) == 0:
            return 0.0, people[:0]
        order = positive[np.argsort(-gain[positive], kind="stable")]
        # however the rows are priced, no more than the venue's capacity of them can come
        extra = float(gain[order[: int(self.capacity.ub())]].sum())
        return extra, people[order[:ADD_PER_ROUND]]


def session_selection(
    elig: Eligibility, values: dict[Session, float], time_limit: float
) -> tuple[float, set[Session]] | None:
    """The most the sessions' values add up to under rules 2 and 3 (a proved upper bound) and the
    sessions of the best selection found, or None."""
    inst = elig.instance
    model = cp_model.CpModel()
    worth = {s: math.ceil(v - 1e-9) for s, v in values.items() if v > 0}
    opened = {s: model.new_bool_var(str(s)) for s in worth}
    for group in elig.overlap_groups:
        members = set(group)
        running = [s for s in opened if s[0] in members]
        if inst.max_parallel_sessions is not None and len(running) > inst.max_parallel_sessions:
            model.add(sum(opened[s] for s in running) <= inst.max_parallel_sessions)
        per_venue = defaultdict(list)
        for s in running:
            per_venue[s[1]].append(opened[s])
        for vars_ in per_venue.values():
            if len(vars_) > 1:
                model.add_at_most_one(vars_)
    model.maximize(sum(worth[s] * o for s, o in opened.items()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit)
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return float(solver.best_objective_bound), {s for s, o in opened.items() if solver.value(o)}


class SessionBound:
    """The subgradient search over the prices; :attr:`best` is the lowest bound so far (None until a
    first pass over the sessions finished)."""

    def __init__(
        self,
        elig: Eligibility,
        pairs: list[tuple[int, Session]],
        prices: dict[int, float],
        tables: dict[tuple[int, Session], tuple[float, float]] | None = None,
    ):
        """``pairs`` must hold every (request, session) that some valid schedule could use;
        ``tables`` their :func:`table_bound` values where known."""
        self.elig = elig
        self.tables = dict(tables or {})
        self.by_session: dict[Session, list[int]] = defaultdict(list)
        for r, session in sorted(pairs):
            self.by_session[session].append(r)
        self.requests = sorted({r for r, _ in pairs})
        self.prices = {r: max(0.0, prices.get(r, 0.0)) for r in self.requests}
        inst = elig.instance
        self.scheduled = {r: float(inst.weights.scheduled * inst.requests[r].priority) for r in self.requests}
        self.lps: dict[Session, SessionLp] = {}
        # a price per person on "at most max_sessions sessions" (dualised too; zero until the sessions
        # the selection takes seat someone more often than that)
        self.person_price = np.zeros(elig.n)
        self.limit = np.asarray(elig.max_sessions, float)
        self.best: int | None = None
        self.history: list[tuple[float, int]] = []  # (seconds into the search, bound) per pass

    def run(
        self,
        deadline: float,
        target: Callable[[], float] | None = None,
        improved: Callable[[int], None] | None = None,
        target_gap: float = TARGET_GAP,
    ) -> int | None:
        """Search until ``deadline`` (time.monotonic()) or until the steps become too small.

        ``target`` gives a known schedule's score, which sizes the steps (Polyak's rule; without it,
        a level ``target_gap`` below the best bound); ``improved`` hears each lower bound."""
        started = time.monotonic()
        step_scale, idle = 1.0, 0
        passes_best: int | None = None  # the lowest bound at the end of a pass (sizes the steps)

        def partial(value: int) -> None:  # a bound from within a pass (see _evaluate)
            if self.best is None or value < self.best:
                self.best = value
                if improved is not None:
                    improved(value)

        while True:
            found = self._evaluate(deadline, partial)
            if found is None:
                break
            value, bound_value, usage, attends = found
            self.history.append((round(time.monotonic() - started, 2), value))
            partial(value)
            if passes_best is None or value < passes_best:
                passes_best, idle = value, 0
            else:
                idle += 1
                if idle % IDLE_STEPS == 0:
                    step_scale /= 2
                    if step_scale < MIN_STEP:
                        break
            # a subgradient of the dualised rows "Σ_σ z[r,σ] ≤ 1" and "Σ_σ y[p,σ] ≤ max_sessions"
            # at the sessions selected (people priced in, not by name, count as not attending)
            gradient = {r: 1.0 - usage.get(r, 0.0) for r in self.requests}
            person_gradient = self.limit - attends
            moving = (self.person_price > 0) | (person_gradient < 0)  # the others stay at 0
            norm = sum(g * g for g in gradient.values()) + float((person_gradient[moving] ** 2).sum())
            if norm < 1e-9:
                break
            best = self.best if self.best is not None else value  # partial(value) set it
            known = target() if target is not None else best - target_gap * abs(best)
            gap = bound_value - known
            step = step_scale * max(gap, 1.0) / norm
            self.prices = {r: max(0.0, self.prices[r] - step * gradient[r]) for r in self.requests}
            if PERSON_PRICES:
                self.person_price = np.where(
                    moving, np.maximum(0.0, self.person_price - step * person_gradient), 0.0
                )
        return self.best

    def _evaluate(
        self, deadline: float, partial: Callable[[int], None] | None = None
    ) -> tuple[int, float, dict[int, float], np.ndarray] | None:
        """The bound at the current prices and how much each request is used where it is reached.

        Every session's value is a bound: the tables' own bounds, or an earlier LP's duals, or its LP
        solved at these prices. Only the sessions the selection takes are solved, again until the
        selection takes only solved ones (or time runs out: the bound then still holds). Every
        selection on the way is a bound too (its values are), and goes to ``partial``: on instances
        whose first pass takes longer than the solve (bench large) that is the bound the engine gets."""
        values, fresh = {}, set()
        prizes = {
            session: {r: self.scheduled[r] - self.prices[r] for r in requests}
            for session, requests in self.by_session.items()
        }
        for session in self.by_session:
            values[session] = self._cheap(session, prizes[session])
            lp = self.lps.get(session)
            stale = (
                lp.stale(prizes[session], self.person_price) if lp is not None else None
            )  # None: never solved
            if stale is not None:
                values[session] = min(values[session], stale)
        while True:
            found = session_selection(self.elig, values, deadline - time.monotonic())
            if found is None:
                return None
            selected, chosen = found
            if partial is not None:
                partial(_rounded(self._priced_total() + selected))
            todo = sorted((s for s in chosen if s not in fresh), key=lambda s: -values[s])
            if not todo or time.monotonic() >= deadline:
                break
            for i, session in enumerate(todo):
                if partial is not None and i and i % PARTIAL_EVERY == 0:
                    break  # select again with the values solved so far: a bound on the way
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                if session not in self.lps:
                    self.lps[session] = SessionLp(self.elig, session, self.by_session[session], KEEP)
                solved = self.lps[session].value(prizes[session], min(left, SOLVE_TIME), self.person_price)
                if solved is not None:
                    values[session] = min(values[session], solved)
                fresh.add(session)  # solved, or its LP failed: its bound stays what it was
        bound_value = self._priced_total() + selected
        value = _rounded(bound_value)
        usage: dict[int, float] = defaultdict(float)
        attends = np.zeros(self.elig.n)
        for session in chosen:
            lp = self.lps.get(session)
            if lp is not None and lp.solved is not None:
                for r, share in lp.shares.items():
                    usage[r] += share
                for p, share in lp.attends.items():
                    attends[p] += share
            else:
                for r in self._cheap_tables(session, prizes[session]):
                    usage[r] += 1.0
        return value, bound_value, usage, attends

    def _priced_total(self) -> float:
        """What the dualised rows give back: each request's price once, each person's price times
        the sessions they may attend."""
        return sum(self.prices.values()) + float(self.person_price @ self.limit)

    def _table_value(self, r: int, session: Session) -> float:
        """The most table r can add at the session, alone or with company (:func:`table_bound`)."""
        key = (r, session)
        if key not in self.tables:
            self.tables[key] = table_bound(self.elig, r, session)
        return max(self.tables[key])

    def _cheap_tables(self, session: Session, prizes: dict[int, float]) -> list[int]:
        gains = {r: self._table_value(r, session) - self.scheduled[r] + prize for r, prize in prizes.items()}
        ranked = sorted((r for r, g in gains.items() if g > 0), key=lambda r: -gains[r])
        return ranked[: self.elig.instance.venues[session[1]].tables]

    def _cheap(self, session: Session, prizes: dict[int, float]) -> float:
        """The session's value from its tables' own bounds: its best ``tables`` of them, each at most
        what it can add less its price."""
        return sum(
            self._table_value(r, session) - self.scheduled[r] + prizes[r]
            for r in self._cheap_tables(session, prizes)
        )


def _rounded(bound_value: float) -> int:
    return math.floor(bound_value + 1e-6 * max(1.0, abs(bound_value)))  # LP tolerances only loosen it


class BoundBeside:
    """:class:`SessionBound` in a process of its own, beside the search: the search keeps one core
    and the GIL, the bound takes the other. :meth:`best` is what it proved so far.

    A plain subprocess (``python -m solver.swarm.session_bound``), not multiprocessing: spawning would
    import the caller's main module again, forking a process with threads (the web's scheduler) is
    unsafe."""

    def __init__(self, instance, pairs, prices, tables, deadline: float):
        self._best: int | None = None
        self.improvements = 0
        self._process = subprocess.Popen(
            [sys.executable, "-P", "-m", "solver.swarm.session_bound"],  # -P: no stray solver.py from the cwd
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._reader = threading.Thread(target=self._read, daemon=True, name="session-bound")
        self._reader.start()
        assert self._process.stdin is not None and self._process.stdout is not None  # both are pipes
        with contextlib.suppress(OSError):  # if it could not start, the search goes on without it
            self._process.stdin.write(pickle.dumps((instance, pairs, prices, tables, deadline)))
            self._process.stdin.close()

    def _read(self) -> None:
        assert self._process.stdout is not None  # a pipe
        for line in self._process.stdout:
            try:
                value = int(line)
            except ValueError:  # not a bound (a library writing to stdout): not ours to read
                continue
            self.improvements += 1
            self._best = value if self._best is None else min(self._best, value)

    def best(self) -> int | None:
        return self._best

    @property
    def running(self) -> bool:
        return self._process.poll() is None

    def close(self) -> int | None:
        self._process.terminate()
        try:
            self._process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._reader.join(timeout=1)
        return self._best


def _serve() -> None:
    """The bound process: read the job from stdin, print each lower bound until the deadline
    (CLOCK_MONOTONIC is the same clock in every process)."""
    instance, pairs, prices, tables, deadline = pickle.load(sys.stdin.buffer)
    search = SessionBound(Eligibility(instance), pairs, prices, tables)

    def improved(value: int) -> None:
        print(value, flush=True)

    with contextlib.suppress(BrokenPipeError):  # the solve is over
        search.run(deadline, improved=improved)


if __name__ == "__main__":
    _serve()
