"""The round-aggregated CP-SAT model: sessions, tables and seat-rounds per person and table.

Per pair (request r, session σ) a boolean ``z[r,σ]``; per candidate person p of the pair an integer
``x[p,r,σ]`` in 0..rounds, the rounds p sits at r's table; per person and session ``y[p,σ]``. The rounds
are aggregated: ``Σ_r x[p,r,σ] = rounds·y[p,σ]``, table sizes ``low·rounds ≤ Σ_p x ≤ high·rounds`` and needs
``Σ_{p meets n} x ≥ min·rounds``. Every valid schedule maps onto a solution of this model with the same
score (the repeat penalty ``w·(x−1)⁺`` only depends on x), so with every eligible person as a candidate
its optimum is an upper bound on the spec score; :mod:`solver.swarm.rotation` turns a solution back
into rounds.

One function per hard rule, so that tests can build the variables and just the rule under test.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from solver.control import CpSatRun, SolveControl, SolveOptions, run_cp_sat
from solver.swarm.eligibility import Eligibility, Session

# A plan in aggregated form: session -> request -> person -> rounds at that request's table.
Plan = dict[Session, dict[int, dict[int, int]]]

# CP-SAT's presolve rewrites the linking constraints (x <= rounds*z, repeats) into enforced forms whose
# LP relaxation is much weaker: measured, the bound stalled 2 % high with it and was proved without it.
NO_PRESOLVE = {"cp_model_presolve": False}

# Near ties of the spec score go to the people who waited longest for an invitation (the extension
# ``rounds_waited``, see break_ties): schedules that give up at most NEAR_TIE of the skill term count as
# equal for this. A share of the skill term, not of the score: the score is mostly requests scheduled.
NEAR_TIE = 0.025
WAIT_CAP = 12
# The tie-break solve keeps the tables, so it is small, and CP-SAT's presolve (unlike in the exact solve,
# which needs the strong bound) removes what the fixed tables rule out: on the fairness simulation's
# rounds it proves its optimum in 0.4-1.4 s; without presolve it often stopped short of it at 2 s.
TIE_SECONDS = 2.0
# The turns' solve with the tables free is the whole model: presolve on it took longer than the second or
# two it has (no solution at all on shape t4's rounds at 1-1.6 s), so it starts from its hint without.
MOVE_PARAMETERS = NO_PRESOLVE


def wait(inst, p: int) -> int:
    """Person p's rounds waited, capped; 0 when the region's fairness weight is 0."""
    return min(inst.professionals[p].rounds_waited, WAIT_CAP) if inst.weights.fairness else 0


def wait_bonus(inst, p: int) -> int:
    """What seating person p weighs in choosing among near ties: the rounds waited beyond this one, squared,
    so that one person who waited long outweighs several who waited a little."""
    return max(0, wait(inst, p) - 1) ** 2


def near_tie_floor(score: int, skill: int) -> int:
    """The lowest score that still counts as a near tie of ``score`` whose skill term is ``skill``."""
    return score - math.floor(NEAR_TIE * abs(skill))


def turn_due(inst, p: int) -> bool:
    """Whether the region's guaranteed turn (extension ``policy.guaranteed_turn``) asks to seat person p:
    a fairness weight above 0 and at least ``after_rounds`` rounds waited."""
    turn = inst.guaranteed_turn
    return bool(turn and inst.weights.fairness and inst.professionals[p].rounds_waited >= turn.after_rounds)


def turn_weight(inst, p: int) -> int:
    """What granting person p's turn weighs among the turns of a round: their wait bonus when they are due
    (:func:`turn_due`), else 0, so that among those due the longest waits are seated first."""
    return wait_bonus(inst, p) if turn_due(inst, p) else 0


def turn_floor(inst, score: int, skill: int) -> int:
    """The lowest score a schedule of score ``score`` and skill term ``skill`` may fall to for the turns it
    grants: ``max_skill_percent`` % of the skill term below it."""
    return score - (inst.guaranteed_turn.max_skill_percent * abs(skill)) // 100


@dataclass
class AggregatedModel:
    elig: Eligibility
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    z: dict[tuple[int, Session], cp_model.IntVar] = field(default_factory=dict)
    y: dict[tuple[int, Session], cp_model.IntVar] = field(default_factory=dict)
    x: dict[tuple[int, int, Session], cp_model.IntVar] = field(default_factory=dict)
    repeat: dict[tuple[int, int, Session], cp_model.IntVar] = field(default_factory=dict)
    open: dict[Session, cp_model.IntVar] = field(default_factory=dict)
    terms: list = field(default_factory=list)  # (coefficient, variable) of the objective
    offset: int = 0
    sessions_left: dict[int, int] | None = None  # per person, when some sessions are already planned

    # --- variables ----------------------------------------------------------------------------

    def add_pair(self, r: int, session: Session, candidates: np.ndarray) -> None:
        rounds = self.elig.rounds
        m = self.model
        z = self.z[r, session] = m.new_bool_var(f"z{r}_{session}")
        if session not in self.open:
            self.open[session] = m.new_bool_var(f"open{session}")
        m.add_implication(z, self.open[session])
        for p in candidates.tolist():
            if (p, session) not in self.y:
                self.y[p, session] = m.new_bool_var(f"y{p}_{session}")
            x = self.x[p, r, session] = m.new_int_var(0, rounds, f"x{p}_{r}_{session}")
            m.add(x <= rounds * z)

    def by_pair(self) -> dict[tuple[int, Session], list[int]]:
        people = defaultdict(list)
        for p, r, session in self.x:
            people[r, session].append(p)
        return people

    # --- hard rules ---------------------------------------------------------------------------

    def rule1_one_session_per_request(self) -> None:
        per_request = defaultdict(list)
        for (r, _), z in self.z.items():
            per_request[r].append(z)
        for zs in per_request.values():
            self.model.add_at_most_one(zs)

    def rule2_venues(self) -> None:
        """At most ``tables`` requests and ``capacity`` people; one session per venue at a time."""
        inst = self.elig.instance
        tables = defaultdict(list)
        for (_, session), z in self.z.items():
            tables[session].append(z)
        for session, zs in tables.items():
            self.model.add(sum(zs) <= inst.venues[session[1]].tables)
            self.model.add(self.open[session] <= sum(zs))
        people = defaultdict(list)
        for (_, session), y in self.y.items():
            people[session].append(y)
        for session, ys in people.items():
            self.model.add(sum(ys) <= inst.venues[session[1]].capacity)
        for v in range(len(inst.venues)):
            for group in self.elig.overlap_groups:
                opened = [self.open[s, v] for s in group if (s, v) in self.open]
                if len(opened) > 1:
                    self.model.add_at_most_one(opened)

    def rule3_parallel_sessions(self) -> None:
        limit = self.elig.instance.max_parallel_sessions
        if limit is None:
            return
        for group in self.elig.overlap_groups:
            members = set(group)
            opened = [o for (s, _), o in self.open.items() if s in members]
            if len(opened) > limit:
                self.model.add(sum(opened) <= limit)

    def rule4_fit_every_table(self) -> None:
        """A participant fits every request of the session (its exclusions and travel limit).

        Candidates already fit their own pair; here a person at σ rules out the other requests at σ
        they do not fit.
        """
        requests_at = defaultdict(list)
        for r, session in self.z:
            requests_at[session].append(r)
        people_at = defaultdict(list)
        for p, session in self.y:
            people_at[session].append(p)
        for session, requests in requests_at.items():
            if len(requests) < 2:
                continue
            people = np.array(people_at[session], dtype=np.int64)
            for r in requests:
                misfits = people[~self.elig.fits_request(r, session)[people]]
                for p in misfits.tolist():
                    self.model.add_bool_or([self.y[p, session].Not(), self.z[r, session].Not()])

    def rule5_person_sessions(self) -> None:
        sessions = defaultdict(list)
        for (p, session), y in self.y.items():
            sessions[p].append((session, y))
        groups = self.elig.overlap_groups
        left = self.sessions_left or {}
        for p, items in sessions.items():
            limit = left.get(p, int(self.elig.max_sessions[p]))
            if len(items) > limit:
                self.model.add(sum(y for _, y in items) <= limit)
            for group in groups:
                members = set(group)
                ys = [y for (s, _), y in items if s in members]
                if len(ys) > 1:
                    self.model.add_at_most_one(ys)

    def rule6_tables(self) -> None:
        """Seat-rounds: each person all rounds, sizes and needs per table summed over the rounds."""
        rounds = self.elig.rounds
        inst = self.elig.instance
        seats = defaultdict(list)
        for (p, _, session), x in self.x.items():
            seats[p, session].append(x)
        for key, xs in seats.items():
            self.model.add(sum(xs) == rounds * self.y[key])
        by_pair = self.by_pair()
        for (r, session), z in self.z.items():
            people = by_pair.get((r, session), [])
            xs = [self.x[p, r, session] for p in people]
            low, high = inst.requests[r].table_size
            if low > 0 and not xs:
                self.model.add(z == 0)
                continue
            self.model.add(sum(xs) >= low * rounds * z)
            self.model.add(sum(xs) <= high * rounds * z)
            for need, meets in zip(inst.requests[r].needs, self.elig.meets(r), strict=True):
                if need.min > 0:
                    ok = [self.x[p, r, session] for p in people if meets[p]]
                    self.model.add(sum(ok) >= need.min * rounds * z)

    def pins(self) -> None:
        """Extension: a pinned person attends the request's session whenever it is scheduled."""
        inst = self.elig.instance
        for pin in inst.pins:
            r, p = inst.request_index[pin.request], inst.professional_index[pin.professional]
            for (rr, session), z in self.z.items():
                if rr == r:
                    y = self.y.get((p, session))
                    self.model.add(z == 0) if y is None else self.model.add_implication(z, y)

    def all_rules(self) -> None:
        self.rule1_one_session_per_request()
        self.rule2_venues()
        self.rule3_parallel_sessions()
        self.rule4_fit_every_table()
        self.rule5_person_sessions()
        self.rule6_tables()
        self.pins()

    # --- score --------------------------------------------------------------------------------

    def score_scheduled(self) -> None:
        w = self.elig.instance.weights
        for (r, _), z in self.z.items():
            self.terms.append((w.scheduled * self.elig.instance.requests[r].priority, z))

    def score_skill(self) -> None:
        for (p, r, _), x in self.x.items():
            value = int(self.elig.skill_values[r][p])
            if value:
                self.terms.append((value, x))

    def score_attendance(self) -> None:
        """Maybe, travel and fairness, paid once per participant and session."""
        for (p, session), y in self.y.items():
            cost = int(self.elig.session_cost(session)[p])
            if cost:
                self.terms.append((-cost, y))

    def score_repeat(self) -> None:
        weight = self.elig.instance.weights.repeat_table
        rounds = self.elig.rounds
        if weight == 0 or rounds < 2:
            return
        for key, x in self.x.items():
            extra = self.repeat[key] = self.model.new_int_var(0, rounds - 1, f"rep{key}")
            # (x - 1)+ written as x - y and x - z: equal on integers, much tighter in the LP
            # relaxation (a table that is half open can only be visited half a time)
            self.model.add(extra >= x - self.y[key[0], key[2]])
            self.model.add(extra >= x - self.z[key[1], key[2]])
            self.terms.append((-weight, extra))

    def score_change(self) -> None:
        """Previous places kept earn back the ``change`` paid for each of them in the offset."""
        inst = self.elig.instance
        previous = inst.previous
        if previous is None or inst.weights.change == 0:
            return
        w = inst.weights.change
        self.offset -= w * (len(previous.request_session) + len(previous.attendance))
        for r_id, (slot, venue) in previous.request_session.items():
            key = _session_key(inst, r_id, "request", slot, venue)
            if key is not None and key in self.z:
                self.terms.append((w, self.z[key]))
        for p_id, slot, venue in previous.attendance:
            key = _session_key(inst, p_id, "professional", slot, venue)
            if key is not None and key in self.y:
                self.terms.append((w, self.y[key]))

    def full_score(self) -> None:
        self.score_scheduled()
        self.score_skill()
        self.score_attendance()
        self.score_repeat()
        self.score_change()
        self.model.maximize(self.score())

    def score(self):
        """The spec score of a solution as a linear expression (after :meth:`full_score`)."""
        return sum(c * v for c, v in self.terms) + self.offset

    # --- ties of the score --------------------------------------------------------------------

    def waits(self) -> list[tuple[int, cp_model.IntVar]]:
        """Per attendance ``y`` of someone with a wait bonus, the bonus (see :func:`wait_bonus`)."""
        inst = self.elig.instance
        found = [(wait_bonus(inst, p), y) for (p, _), y in self.y.items()]
        return [(t, y) for t, y in found if t > 0]

    def turns(self) -> dict[int, list[cp_model.IntVar]]:
        """Per person due a guaranteed turn (:func:`turn_due`), their attendances ``y`` in the model."""
        inst = self.elig.instance
        found: dict[int, list[cp_model.IntVar]] = {}
        for (p, _), y in self.y.items():
            if turn_due(inst, p):
                found.setdefault(p, []).append(y)
        return found

    def to_turns(
        self, value, floor: int, fix_tables: bool = True
    ) -> list[tuple[int, cp_model.IntVar]] | None:
        """Turn the solved model into the guaranteed turns' solve: the solution's tables (or, without
        ``fix_tables``, any tables), a score of at least ``floor``, and the most people due a turn seated,
        then the highest score (lexicographic: one more turn outweighs any score above ``floor``; among
        turns, the longest waits weigh most, :func:`turn_weight`). Returns per due person their weight and
        whether they are seated, or None (model unchanged) when nobody is due or everyone due is seated."""
        turns = self.turns()
        if not turns or all(any(value(y) for y in ys) for ys in turns.values()):
            return None
        m = self.model
        if fix_tables:
            self._fix_tables(value)
        else:
            self._hint_all(value)
        m.add(self.score() >= floor)
        seated = []
        inst = self.elig.instance
        for p, ys in sorted(turns.items()):
            b = m.new_bool_var(f"turn{p}")
            m.add(sum(ys) >= b)
            seated.append((turn_weight(inst, p), b))
            m.add_hint(b, any(value(y) for y in ys))
        # the score of a solution lies in [floor, the first solution's score + its gap]; any weight above
        # that range makes one more turn count for more than any difference of score
        domains = m.proto.variables
        upper = sum(abs(c) * max(abs(d) for d in domains[v.index].domain) for c, v in self.terms)
        upper += abs(self.offset)
        m.maximize((upper - floor + 1) * sum(w * b for w, b in seated) + self.score())
        return seated

    def _hint_all(self, value) -> None:
        m = self.model
        m.clear_hints()
        for index in range(len(m.proto.variables)):
            var = m.get_int_var_from_proto_index(index)
            m.add_hint(var, value(var))

    def _fix_tables(self, value) -> None:
        self._hint_all(value)
        for z in self.z.values():
            self.model.add(z == value(z))

    def rebuilt(self) -> AggregatedModel:
        """The same model built afresh (same pairs and candidates, so the same variable indices: a
        solution of one reads the other), with none of the tie-break's constraints."""
        people = self.by_pair()
        pairs = {key: np.array(people.get(key, []), np.int64) for key in self.z}
        return build(self.elig, pairs, self.sessions_left)

    def to_tie_break(self, value, floor: int) -> bool:
        """Turn the solved model into its tie-break: the solution's tables, a score of at least ``floor``,
        and the most wait bonus seated, hinted with the solution (``value`` reads it).

        False, and the model is left as it was, when there is nothing to break ties on.
        """
        waits = self.waits()
        if not waits:
            return False
        m = self.model
        self._fix_tables(value)
        m.add(self.score() >= floor)
        m.maximize(sum(t * y for t, y in waits))
        return True

    # --- solutions ----------------------------------------------------------------------------

    def hint(self, plan: Plan) -> None:
        for key, z in self.z.items():
            r, session = key
            self.model.add_hint(z, r in plan.get(session, {}))
        for session, o in self.open.items():
            self.model.add_hint(o, bool(plan.get(session)))
        attending = {(p, s) for s, tables in plan.items() for seats in tables.values() for p in seats}
        for key, y in self.y.items():
            self.model.add_hint(y, key in attending)
        for (p, r, session), x in self.x.items():
            n = plan.get(session, {}).get(r, {}).get(p, 0)
            self.model.add_hint(x, n)
            if (p, r, session) in self.repeat:
                self.model.add_hint(self.repeat[p, r, session], max(0, n - 1))

    def score_of(self, value) -> int:
        """The spec score of a solution (``value`` reads it), as :meth:`score` would evaluate."""
        return sum(c * value(v) for c, v in self.terms) + self.offset

    def skill_points(self, value) -> int:
        """The skill term of a solution (``value`` reads it)."""
        skill = self.elig.skill_values
        return sum(int(skill[r][p]) * value(x) for (p, r, _), x in self.x.items())

    def extract(self, value) -> Plan:
        plan: Plan = {}
        for (r, session), z in self.z.items():
            if value(z):
                plan.setdefault(session, {})[r] = {}
        for (p, r, session), x in self.x.items():
            n = value(x)
            if n:
                plan[session][r][p] = n
        return plan


def break_ties(
    agg: AggregatedModel,
    solved: CpSatRun,
    options: SolveOptions,
    control: SolveControl,
    time_limit: float,
) -> tuple[Callable[[Any], int], int]:
    """After the exact solve (``solved``, proved optimal or not): its tables, the guaranteed turns of the
    region's policy when it has one, and among the near ties of what is left (see :func:`near_tie_floor`)
    the one that seats the most wait bonus.

    Returns how to read the values to extract, and the lowest score they may have: the tie-break's
    solution when it found one within ``time_limit`` (at most ``TIE_SECONDS`` a solve), else ``solved``'s
    own. Only the people change; ``solved``'s bound stays what the bound is read from.
    """
    score = round(solved.solver.objective_value)
    value = solved.solver.value
    started = time.monotonic()
    moved = move_tables_for_turns(agg, value, score, options, control, time_limit / 2)
    if moved is not None:
        value = moved
    time_limit -= time.monotonic() - started
    found = seat_near_ties(agg, value, score, options, control, time_limit) if time_limit > 0.05 else None
    if found is not None:
        return found
    return value, (score if moved is None else agg.score_of(moved))


def move_tables_for_turns(agg: AggregatedModel, value, score: int, options, control, time_limit: float):
    """The guaranteed turns with the tables free (exact route): the same model, hinted with the solution
    (``value`` reads it, ``score`` its score), solved for the most people due a turn seated and then the
    highest score, no lower than the policy's share of the skill term below ``score``. How to read its
    solution when it seats more people due than ``value`` does, else None (no policy, nobody due left out,
    a repair, no solution in time, or no more turns found)."""
    inst = agg.elig.instance
    if inst.guaranteed_turn is None or inst.previous is not None or time_limit <= 0.05:
        return None
    other = agg.rebuilt()
    seated = other.to_turns(value, turn_floor(inst, score, agg.skill_points(value)), fix_tables=False)
    if seated is None:
        return None
    run = run_cp_sat(
        other.model, options, control, time_limit=time_limit, stage="ties", parameters=MOVE_PARAMETERS
    )
    if not run.has_solution:
        return None
    before = sum(turn_weight(inst, p) for p, ys in other.turns().items() if any(value(y) for y in ys))
    return run.solver.value if sum(w * run.solver.value(b) for w, b in seated) > before else None


def seat_near_ties(
    agg: AggregatedModel, value, score: int, options, control, time_limit: float, at_least: int | None = None
):
    """The tie-break of a solution (``value`` reads it, ``score`` its score) with its tables fixed:
    first the guaranteed turns (when the instance's policy has them and someone due is not seated), then
    the most wait bonus among the near ties of what that left; never below ``at_least`` when given (what
    is left of a schedule's allowance when it is shared by its sessions). Returns (how to read the values,
    the lowest score they may have) or None when there was nothing to break or no solve found a solution."""
    inst = agg.elig.instance
    skill = agg.skill_points(value)
    # ``value`` may already lie below ``score`` (its tables moved for turns): no near tie then costs more
    floor = min(near_tie_floor(score, skill), agg.score_of(value))
    if at_least is not None:
        floor = max(floor, min(score, at_least))
    started = time.monotonic()
    if inst.guaranteed_turn is not None:
        lowest = turn_floor(inst, score, skill)
        if at_least is not None:
            lowest = max(lowest, min(score, at_least))
        seated = agg.to_turns(value, min(lowest, floor))
        if seated is not None:
            run = run_tie_break(agg, options, control, time_limit)
            if not run.has_solution:
                return None
            granted = sum(w * run.solver.value(b) for w, b in seated)
            reached = agg.score_of(run.solver.value)
            agg.model.add(sum(w * b for w, b in seated) >= granted)
            # the turns may cost up to the policy's share; the near ties then only what is left of theirs
            floor = max(min(lowest, floor), min(reached, floor))
            value = run.solver.value
            time_limit -= time.monotonic() - started
            if time_limit <= 0.05 or not agg.waits():
                return value, reached
            agg.model.clear_hints()
            for index in range(len(agg.model.proto.variables)):
                var = agg.model.get_int_var_from_proto_index(index)
                agg.model.add_hint(var, value(var))
            agg.model.add(agg.score() >= floor)
            agg.model.maximize(sum(t * y for t, y in agg.waits()))
            run = run_tie_break(agg, options, control, time_limit)
            return (run.solver.value, floor) if run.has_solution else (value, reached)
    if not agg.to_tie_break(value, floor):
        return None
    run = run_tie_break(agg, options, control, time_limit)
    return (run.solver.value, floor) if run.has_solution else None


def run_tie_break(
    agg: AggregatedModel, options: SolveOptions, control: SolveControl, time_limit: float
) -> CpSatRun:
    """Solve a model turned into its tie-break (:meth:`AggregatedModel.to_tie_break`) with presolve,
    the options' workers and seed, for at most ``TIE_SECONDS``."""
    return run_cp_sat(
        agg.model,
        options,
        control,
        time_limit=min(time_limit, TIE_SECONDS),
        stage="ties",
    )


def _session_key(inst, ident: str, kind: str, slot: str, venue: str):
    index = inst.request_index if kind == "request" else inst.professional_index
    if ident not in index or slot not in inst.slot_index or venue not in inst.venue_index:
        return None
    return index[ident], (inst.slot_index[slot], inst.venue_index[venue])


def build(
    elig: Eligibility,
    pairs: dict[tuple[int, Session], np.ndarray],
    sessions_left: dict[int, int] | None = None,
) -> AggregatedModel:
    """The full aggregated model over the given pairs and their candidates."""
    agg = AggregatedModel(elig, sessions_left=sessions_left)
    for (r, session), candidates in sorted(pairs.items()):
        agg.add_pair(r, session, candidates)
    agg.all_rules()
    agg.full_score()
    return agg


def plan_value(elig: Eligibility, plan: Plan) -> int:
    """The aggregated objective of a plan (equal to the spec score of any rotation realising it)."""
    inst = elig.instance
    w = inst.weights
    total = 0
    for session, tables in plan.items():
        attending: set[int] = set()
        for r, seats in tables.items():
            total += w.scheduled * inst.requests[r].priority
            for p, n in seats.items():
                total += int(elig.skill_values[r][p]) * n - w.repeat_table * max(0, n - 1)
                attending.add(p)
        cost = elig.session_cost(session)
        total -= sum(int(cost[p]) for p in attending)
    return total
