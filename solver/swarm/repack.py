"""Local search over the packing with exact session values.

A session's value for a given set of tables is what the round-aggregated model of that session alone
gives with every table held and each table's best candidates (among those who fit every table of the
session): seat-rounds, repeats, shared people and the venue's capacity are all exact there, and such a
model of one session is proved optimal in a few milliseconds. The packing's estimates price each table
on its own; here a move (a request to another session, or two requests trading sessions) is judged by
the sessions it touches, solved again. Values are cached per (session, set of requests).

People are not shared between sessions in these values (a person may be counted in two sessions);
:func:`seat` then solves the chosen sessions one by one with the people still free, which keeps every
rule (measured on bench medium seed 1: the values promised 101.0k, the seated schedule scored 100.7k).
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from solver.control import SolveControl, SolveOptions, run_cp_sat
from solver.swarm import model as aggregated
from solver.swarm import packing
from solver.swarm.candidates import pick
from solver.swarm.eligibility import Eligibility, Session
from solver.swarm.model import NO_PRESOLVE, Plan
from solver.swarm.people import greedy_plan

# One worker, no presolve and no extra cuts: such a one-session model is solved in milliseconds; a
# gap of 0.1 % (~10 points a session) is close enough to compare moves and is reached 2-4 times
# sooner on bench large's sessions (measured: 128 -> 33 ms with 30 candidates per need).
SESSION_PARAMETERS = {
    **NO_PRESOLVE,
    "cut_level": 0,
    "num_workers": 1,
    "interleave_search": False,
    "relative_gap_limit": 0.001,
}
SESSION_TIME = 2.0  # seconds at most per session model (they prove in ~0.01-0.05 s)
SHARE_PEOPLE = True  # every candidate of a session may sit at each of its tables
QUICK_KEEP = 6  # candidates per need and table in the first descents
FINE_KEEP = 20  # and in the later ones
# With more pairs than this, each request tries only the TARGETS sessions where its table is
# estimated best (bench large: ~12,000 pairs, one descent over all of them would take minutes).
LIMIT_FROM = 3000
TARGETS = 8
KICK_MOVES = 3  # requests moved at random per kick
KICKS_PER_RECOMBINE = 5
IDLE_KICKS = 100  # kicks in a row without a gain before the search ends


class SessionValues:
    """The exact value of one session holding a given set of requests (``None``: cannot be held)."""

    def __init__(self, elig: Eligibility, options: SolveOptions, control: SolveControl | None, keep: int):
        self.elig = elig
        self.options = options
        self.control = control
        self.keep = keep
        self.cache: dict[tuple[Session, frozenset[int]], int | None] = {}
        self.plans: dict[tuple[Session, frozenset[int]], dict[int, dict[int, int]]] = {}

    def __call__(self, session: Session, requests: frozenset[int]) -> int | None:
        if not requests:
            return 0
        key = (session, requests)
        if key not in self.cache:
            self.cache[key] = self._solve(session, sorted(requests))
        return self.cache[key]

    def run(self, agg: aggregated.AggregatedModel, time_limit: float):
        """One session model (or two sessions together) in one seeded CP-SAT worker, within ``time_limit``."""
        return run_cp_sat(
            agg.model,
            SolveOptions(time_limit=time_limit, workers=1, seed=self.options.seed),
            self.control,
            time_limit=time_limit,
            to_score=lambda _: None,
            stage="repack",
            parameters=SESSION_PARAMETERS,
        )

    def fits(self, session: Session, requests: frozenset[int]) -> bool:
        """The venue's table count and the tables' minimum sizes within its capacity."""
        inst = self.elig.instance
        venue = inst.venues[session[1]]
        return len(requests) <= venue.tables and (
            sum(inst.requests[r].table_size[0] for r in requests) <= venue.capacity
        )

    def _solve(
        self,
        session: Session,
        requests: list[int],
        available: np.ndarray | None = None,
        held: bool = True,
        hint: dict[int, dict[int, int]] | None = None,
        time_limit: float = SESSION_TIME,
    ) -> int | None:
        """The session's optimum with every table ``held`` (else tables may drop), among the people
        ``available``; its plan goes to :attr:`plans`."""
        elig = self.elig
        if not self.fits(session, frozenset(requests)):
            return None
        fits_all = elig.can_attend(session)
        if available is not None:
            fits_all &= available
        for r in requests:
            fits_all &= elig.fits_request(r, session)
        part = {}
        for r in requests:
            people = pick(elig, r, session, fits_all & elig.eligible(r, session), self.keep)
            if held and len(people) == 0 and elig.instance.requests[r].table_size[0] > 0:
                return None
            if hint and hint.get(r):
                ok = fits_all & elig.eligible(r, session)
                people = np.union1d(people, [p for p in hint[r] if ok[p]]).astype(np.int64)
            part[r, session] = people
        if SHARE_PEOPLE and len(part) > 1:
            # everyone modelled may sit at every table: they fit them all (rule 4), and a person
            # wanted at one table fills the others' seats in the other rounds instead of repeating
            everyone = np.unique(np.concatenate(list(part.values())))
            part = dict.fromkeys(part, everyone)
        agg = aggregated.build(elig, part)
        if hint:
            agg.hint({session: hint})
        for r in requests:
            if held:
                agg.model.add(agg.z[r, session] == 1)
        run = self.run(agg, time_limit)
        if not run.has_solution:
            return None
        self.plans[session, frozenset(requests)] = agg.extract(run.solver.value).get(session, {})
        return round(run.solver.objective_value) - agg.offset


def improve(
    elig: Eligibility,
    values: SessionValues,
    chosen: dict[int, Session],
    options_of: dict[int, list[Session]],
    deadline: float,
    control: SolveControl | None = None,
    swaps: bool = True,
    limit: int | None = None,
) -> dict[int, Session]:
    """Descent over moves of a request to another session (the best one per request) and, with
    ``swaps``, two requests trading sessions (the first that gains), until nothing gains.

    ``options_of[r]`` lists the sessions request r may go to (its staffable pairs). Rules 1-3 hold
    for every packing visited (one session per request, venues and parallel sessions via the open
    sessions, tables and capacity per session). With ``limit``, only the first ``limit`` sessions of
    ``options_of[r]`` that could take r are tried (the lists come best first).
    """
    from solver.swarm.packing import _sessions_fit

    at: dict[Session, frozenset[int]] = defaultdict(frozenset)
    for r, session in chosen.items():
        at[session] = at[session] | {r}
    chosen = dict(chosen)

    def stop() -> bool:
        return time.monotonic() >= deadline or (control is not None and control.stop_requested)

    def value(session: Session, requests: frozenset[int]) -> float:
        v = values(session, requests)
        return -np.inf if v is None else v

    improved = True
    while improved and not stop():
        improved = False
        for r in sorted(options_of):
            if stop():
                break
            here = chosen.get(r)
            source = at[here] if here is not None else frozenset()
            base_here = value(here, source) if here is not None else 0.0
            without = value(here, source - {r}) if here is not None else 0.0
            open_now = {s for s, reqs in at.items() if reqs}
            best: tuple[Session, int | None] | None = None
            best_gain = 0.0
            tried = 0
            for target in options_of[r]:
                if target == here:
                    continue
                into = at[target]
                if not into and len(source) > 1:
                    continue  # a table that leaves company for a session of its own rarely gains
                if not into:
                    sessions = (open_now - ({here} if len(source) == 1 else set())) | {target}
                    if not _sessions_fit(elig, sessions):
                        continue
                tried += 1
                if limit is not None and tried > limit:
                    break
                if not values.fits(target, into | {r}):
                    gain = -np.inf
                else:
                    gain = value(target, into | {r}) - value(target, into) + without - base_here
                if gain > best_gain + 0.5:
                    best, best_gain = (target, None), gain
                if not swaps or here is None or not into or best is not None:
                    continue
                for other in sorted(into):
                    if here not in options_of.get(other, ()):
                        continue
                    swapped_here = (source - {r}) | {other}
                    swapped_there = (into - {other}) | {r}
                    if not (values.fits(here, swapped_here) and values.fits(target, swapped_there)):
                        continue
                    gain = (
                        value(target, swapped_there)
                        + value(here, swapped_here)
                        - value(target, into)
                        - base_here
                    )
                    if gain > best_gain + 0.5:
                        best, best_gain = (target, other), gain
                        break
                if stop():
                    break
            if best is None:
                continue
            target, swapped = best
            if here is not None:
                at[here] = at[here] - {r}
            at[target] = at[target] | {r}
            chosen[r] = target
            if swapped is not None:
                assert here is not None  # a swap only happens between two sessions
                at[target] = at[target] - {swapped}
                at[here] = at[here] | {swapped}
                chosen[swapped] = here
            improved = True
    return chosen


def total(values: SessionValues, chosen: dict[int, Session]) -> float:
    at: dict[Session, frozenset[int]] = defaultdict(frozenset)
    for r, session in chosen.items():
        at[session] = at[session] | {r}
    found = [values(s, reqs) for s, reqs in at.items()]
    known = [v for v in found if v is not None]
    return -np.inf if len(known) < len(found) else float(sum(known))


def plans(values: SessionValues, chosen: dict[int, Session]) -> Plan:
    at: dict[Session, frozenset[int]] = defaultdict(frozenset)
    for r, session in chosen.items():
        at[session] = at[session] | {r}
    return {s: values.plans[s, reqs] for s, reqs in at.items() if (s, reqs) in values.plans}


def recombine(
    elig: Eligibility,
    values: SessionValues,
    chosen: dict[int, Session],
    options: SolveOptions,
    control: SolveControl | None,
    time_limit: float,
) -> dict[int, Session]:
    """The best packing made of sessions already valued: each (session, set of requests) solved so
    far is a column; CP-SAT picks at most one column per session and per request, with rules 2 and 3
    on the sessions opened. Starts from (and never returns worse than) ``chosen``."""
    columns = sorted(
        (key for key, v in values.cache.items() if v is not None and key[1]),
        key=lambda key: (key[0], sorted(key[1])),
    )
    if not columns:
        return chosen
    m = cp_model.CpModel()
    use = [m.new_bool_var(f"c{i}") for i in range(len(columns))]
    by_request = defaultdict(list)
    by_session = defaultdict(list)
    for u, (session, requests) in zip(use, columns, strict=True):
        by_session[session].append(u)
        for r in requests:
            by_request[r].append(u)
    for us in by_request.values():
        m.add_at_most_one(us)
    opened = {}
    for session, us in by_session.items():
        o = opened[session] = m.new_bool_var(f"o{session}")
        m.add(sum(us) == o)
    packing.at_one_time(m, elig, opened)
    m.maximize(
        sum(int(values.cache[key] or 0) * u for key, u in zip(columns, use, strict=True))
    )  # no None here
    current = _at(chosen)
    for u, (session, requests) in zip(use, columns, strict=True):
        m.add_hint(u, current.get(session) == requests)
    for session, o in opened.items():
        m.add_hint(o, session in current)
    run = run_cp_sat(m, options, control, time_limit=time_limit, to_score=lambda _: None, stage="repack")
    if not run.has_solution or run.solver.objective_value <= total(values, chosen) + 0.5:
        return chosen
    found = {}
    for u, (session, requests) in zip(use, columns, strict=True):
        if run.solver.value(u):
            for r in requests:
                found[r] = session
    return found


def search(
    elig: Eligibility,
    pairs,
    chosen: dict[int, Session],
    options: SolveOptions,
    control: SolveControl | None,
    time_limit: float,
    heartbeat: Callable[[], None] = lambda: None,
) -> tuple[dict[int, Session], SessionValues | None]:
    """Descents with quick session values (few candidates), recombination of the sessions seen,
    then the same with finer values; with time left, kicks (a few requests moved at random between
    open sessions) each followed by a descent, the sessions seen recombined now and then.
    ``heartbeat`` is called after each descent and kick, so that a watcher sees the solve is alive."""
    started = time.monotonic()
    deadline = started + time_limit
    options_of: dict[int, list[Session]] = defaultdict(list)
    for r, session in sorted(pairs, key=lambda key: (-pairs[key].estimate, key)):
        options_of[r].append(session)
    limit = None if len(pairs) <= LIMIT_FROM else TARGETS

    def stopped() -> bool:
        return time.monotonic() >= deadline - 0.05 or (control is not None and control.stop_requested)

    def descend(values: SessionValues, start: dict[int, Session]) -> dict[int, Session]:
        start = improve(elig, values, start, options_of, deadline, control, False, limit)
        return improve(elig, values, start, options_of, deadline, control, True, limit)

    def recombined(values: SessionValues, start: dict[int, Session]) -> dict[int, Session]:
        left = deadline - time.monotonic()
        if left <= 0.2:
            return start
        return recombine(elig, values, start, options, control, min(left / 2, max(1.0, 0.05 * time_limit)))

    for keep in (QUICK_KEEP, FINE_KEEP):  # the finer values once the quick ones lead nowhere
        values = SessionValues(elig, options, control, keep)
        while not stopped():
            before = total(values, chosen)
            chosen = recombined(values, descend(values, chosen))
            heartbeat()
            if total(values, chosen) <= before + 0.5:
                break
        if stopped():
            return chosen, values
    rng = random.Random(options.seed)
    kicks = idle = 0
    while not stopped() and len(_at(chosen)) > 1 and idle < IDLE_KICKS:
        trial = descend(values, _kick(values, chosen, pairs, rng, KICK_MOVES))
        kicks += 1
        idle += 1
        heartbeat()
        if total(values, trial) > total(values, chosen) + 0.5:
            chosen, idle = trial, 0
        if kicks % KICKS_PER_RECOMBINE == 0:
            chosen = recombined(values, chosen)
    return chosen, values


def _kick(
    values: SessionValues, chosen: dict[int, Session], allowed, rng: random.Random, moves: int
) -> dict[int, Session]:
    """``moves`` random requests each to a random other open session that can take them."""
    chosen = dict(chosen)
    for _ in range(moves if chosen else 0):
        at = _at(chosen)
        sessions = sorted(at)
        r = rng.choice(sorted(chosen))
        targets = [
            s for s in sessions if s != chosen[r] and values.fits(s, at[s] | {r}) and (r, s) in allowed
        ]
        if targets:
            chosen[r] = rng.choice(targets)
    return chosen


def _at(chosen: dict[int, Session]) -> dict[Session, frozenset[int]]:
    at: dict[Session, frozenset[int]] = defaultdict(frozenset)
    for r, session in chosen.items():
        at[session] = at[session] | {r}
    return dict(at)


def seat(
    elig: Eligibility,
    values: SessionValues,
    chosen: dict[int, Session],
    deadline: float,
    guide: SessionValues | None = None,
) -> Plan:
    """A valid plan for the packing: sessions solved one by one, the most valuable first (by
    ``guide``, whose plans also hint each solve), each with the people still free (``max_sessions``
    left, not in a session of an overlapping slot). Then, while time is left, each session is solved
    again with everyone the others leave free (never worse: the hint is its current plan). A session
    whose tables cannot all be held keeps those it can."""
    at = _at(chosen)
    worth = {s: (guide.cache.get((s, at[s])) if guide is not None else None) or 0 for s in at}
    order = sorted(at, key=lambda s: (-worth[s], s))
    plan: Plan = {}
    current: dict[Session, int] = {}

    def solve(session: Session, budget: float, hint) -> None:
        requests = sorted(at[session])
        free = free_for(elig, plan, session)
        if hint is not None:
            hint = {r: {p: n for p, n in seats.items() if free[p]} for r, seats in hint.items()}
        found = None
        # past the deadline (a loaded machine) by hand at once: the rotation after it needs the time
        if time.monotonic() < deadline:
            found = values._solve(session, requests, free, hint=hint, time_limit=budget)
            if found is None and time.monotonic() < deadline:
                found = values._solve(session, requests, free, held=False, hint=hint, time_limit=budget)
        if found is not None and found >= current.get(session, found):
            plan[session] = values.plans.pop((session, at[session]))
            current[session] = found
        elif found is None and session not in plan:
            # no solution in time (a loaded machine): each table's best free people, by hand
            part = {(r, session): np.flatnonzero(free & elig.eligible(r, session)) for r in requests}
            tables = greedy_plan(elig, part, dict.fromkeys(requests, session)).get(session, {})
            plan[session] = tables
            current[session] = aggregated.plan_value(elig, {session: tables})
        if session in plan and not plan[session]:
            del plan[session]

    for i, session in enumerate(order):
        budget = min(SESSION_TIME, max(0.05, (deadline - time.monotonic()) / (len(order) - i)))
        guided = guide.plans.get((session, at[session])) if guide is not None else None
        solve(session, budget, guided)
    if guide is not None:
        _reseat_pairs(elig, values, at, plan, current, guide, deadline)
    for i, session in enumerate(order):
        left = deadline - time.monotonic()
        if left < 0.1 * (len(order) - i) or session not in plan:
            continue
        solve(session, min(SESSION_TIME, left / (len(order) - i)), plan[session])
    return plan


def free_for(elig: Eligibility, plan: Plan, session: Session) -> np.ndarray:
    """Who may sit in ``session`` beside the people the plan's other sessions hold: sessions left
    (``max_sessions``), and not in a session of an overlapping slot."""
    inst = elig.instance
    used = np.zeros(elig.n, np.int64)
    busy = np.zeros(elig.n, bool)
    for other, tables in plan.items():
        if other == session:
            continue
        people = list({p for seats in tables.values() for p in seats})
        used[people] += 1
        if inst.slots[other[0]].overlaps(inst.slots[session[0]]):
            busy[people] = True
    return (used < elig.max_sessions) & ~busy


def _reseat_pairs(
    elig: Eligibility,
    values: SessionValues,
    at: dict[Session, frozenset[int]],
    plan: Plan,
    current: dict[Session, int],
    guide: SessionValues,
    deadline: float,
) -> None:
    """Seat two sessions together where their own best plans wanted the same people (who cannot
    attend both): the pairs with the most such people first, each pair solved with everyone the other
    sessions leave free and hinted with its current plan, kept when it gains."""
    inst = elig.instance
    wanted = {}
    for session, requests in at.items():
        tables = guide.plans.get((session, requests), {})
        wanted[session] = {p for seats in tables.values() for p in seats}
    clashes = []
    sessions = sorted(at)
    for i, a in enumerate(sessions):
        for b in sessions[i + 1 :]:
            both = wanted[a] & wanted[b]
            if not inst.slots[a[0]].overlaps(inst.slots[b[0]]):
                both = {p for p in both if elig.max_sessions[p] < 2}
            if both:
                clashes.append((-len(both), a, b))
    for _, a, b in sorted(clashes):
        if time.monotonic() >= deadline - 0.05:
            break
        used = np.zeros(elig.n, np.int64)
        busy = {a: np.zeros(elig.n, bool), b: np.zeros(elig.n, bool)}
        for other, tables in plan.items():
            if other in (a, b):
                continue
            seated = list({p for seats in tables.values() for p in seats})
            used[seated] += 1
            for mine in (a, b):
                if inst.slots[other[0]].overlaps(inst.slots[mine[0]]):
                    busy[mine][seated] = True
        left = elig.max_sessions - used
        part = {}
        for session in (a, b):
            fits_all = elig.can_attend(session) & (left > 0) & ~busy[session]
            for r in at[session]:
                fits_all &= elig.fits_request(r, session)
            for r in sorted(at[session]):
                ok = fits_all & elig.eligible(r, session)
                people = pick(elig, r, session, ok, values.keep)
                people = np.union1d(people, [p for p in plan.get(session, {}).get(r, {}) if ok[p]]).astype(
                    np.int64
                )
                part[r, session] = people
            if SHARE_PEOPLE and len(at[session]) > 1:
                shared = np.unique(np.concatenate([part[r, session] for r in at[session]]))
                part.update({(r, session): shared for r in at[session]})
        everyone = np.unique(np.concatenate(list(part.values())))
        agg = aggregated.build(elig, part, sessions_left={p: int(left[p]) for p in everyone.tolist()})
        agg.hint({a: plan.get(a, {}), b: plan.get(b, {})})
        for key, z in agg.z.items():
            if key[0] in plan.get(key[1], {}):
                agg.model.add(z == 1)  # held tables stay; dropped ones may come back
        budget = min(SESSION_TIME, max(0.05, deadline - time.monotonic() - 0.05))
        run = values.run(agg, budget)
        if not run.has_solution:
            continue
        found = round(run.solver.objective_value) - agg.offset
        if found <= current.get(a, 0) + current.get(b, 0):
            continue
        solved = agg.extract(run.solver.value)
        # the change terms (repairs) belong to the session of their z or y; split them so
        parts = {session: _session_value(elig, session, solved.get(session, {})) for session in (a, b)}
        extra = found - sum(parts.values())
        current[a], current[b] = parts[a] + extra, parts[b]
        for session in (a, b):
            plan[session] = solved.get(session, {})
            if not plan[session]:
                del plan[session]


def _session_value(elig: Eligibility, session: Session, tables: dict[int, dict[int, int]]) -> int:
    return aggregated.plan_value(elig, {session: tables})
