"""Stage 2 of the decomposition: who sits at which table, for sessions chosen in stage 1.

The same round-aggregated model as the exact solve (:mod:`solver.swarm.model`), restricted to the
chosen pairs plus the unscheduled requests' pairs at sessions that are open anyway, and to each pair's
best candidates, both among those who fit the pair and among those who fit every table of the session.
A table may still be dropped here, so the stage is always feasible.
"""

from __future__ import annotations

import time

import numpy as np

from solver.control import SolveControl, SolveOptions, run_cp_sat
from solver.swarm import model as aggregated
from solver.swarm.candidates import Pair, pick
from solver.swarm.eligibility import Eligibility, Session
from solver.swarm.model import NO_PRESOLVE, Plan


def assign_people(
    elig: Eligibility,
    pairs: dict[tuple[int, Session], Pair],
    chosen: dict[int, Session],
    options: SolveOptions,
    control: SolveControl | None,
    time_limit: float,
    keep: int,
) -> Plan:
    """The aggregated plan for the chosen sessions.

    Sessions whose slots overlap (directly or in a chain) are seated in one model; such groups are
    solved one after the other, earliest first, each with a share of the time, and people seated in
    an earlier group keep only their remaining ``max_sessions``. Small models prove fast; people are
    plentiful enough that seating groups in turn costs little.
    """
    started = time.monotonic()
    model_pairs = _model_pairs(elig, pairs, chosen, keep)
    groups = _slot_groups(elig, {session for _, session in model_pairs})
    left = {p: int(elig.max_sessions[p]) for p in range(elig.n)}
    plan: Plan = {}
    weights = [sum(1 for _, s in model_pairs if s[0] in group) for group in groups]
    for i, group in enumerate(groups):
        spent = time.monotonic() - started
        share = (time_limit - spent) * weights[i] / max(1, sum(weights[i:]))
        part = {
            key: people[np.fromiter((left[p] > 0 for p in people.tolist()), bool, len(people))]
            for key, people in model_pairs.items()
            if key[1][0] in group
        }
        first = greedy_plan(elig, part, chosen)
        found = first
        if share > 0.2 and not (control is not None and control.stop_requested):
            agg = aggregated.build(elig, part, sessions_left=left)
            agg.hint(first)
            run = run_cp_sat(
                agg.model,
                options,
                control,
                time_limit=share,
                stage="people",
                parameters={**NO_PRESOLVE, "cut_level": 0},
            )
            if run.has_solution:
                found = agg.extract(run.solver.value)
        plan.update(found)
        for tables in found.values():
            for p in {p for seats in tables.values() for p in seats}:
                left[p] -= 1
    return plan


def _model_pairs(elig, pairs, chosen, keep) -> dict[tuple[int, Session], np.ndarray]:
    """Chosen pairs with candidates who fit the pair or every table of the session, plus the
    unscheduled requests' pairs at sessions that are open anyway."""
    sessions = set(chosen.values())
    at: dict[Session, list[int]] = {}
    for r, session in chosen.items():
        at.setdefault(session, []).append(r)
    model_pairs: dict[tuple[int, Session], np.ndarray] = {}
    for session, requests in at.items():
        fits_all = elig.can_attend(session)
        for r in requests:
            fits_all = fits_all & elig.fits_request(r, session)
        for r in requests:
            shared = pick(elig, r, session, fits_all & elig.eligible(r, session), keep)
            model_pairs[r, session] = np.union1d(pairs[r, session].candidates, shared)
    for (r, session), pair in pairs.items():
        if r not in chosen and session in sessions:
            model_pairs[r, session] = pair.candidates
    return model_pairs


def _slot_groups(elig: Eligibility, sessions: set[Session]) -> list[set[int]]:
    """The used slots split into chains of overlapping slots, earliest first."""
    slots = elig.instance.slots
    used = sorted({s for s, _ in sessions}, key=lambda s: (slots[s].start, s))
    groups: list[set[int]] = []
    for s in used:
        touching = [g for g in groups if any(slots[s].overlaps(slots[t]) for t in g)]
        merged = {s}.union(*touching)
        groups = [g for g in groups if g not in touching] + [merged]
    return sorted(groups, key=lambda g: min((slots[s].start, s) for s in g))


def greedy_plan(
    elig: Eligibility, part: dict[tuple[int, Session], np.ndarray], chosen: dict[int, Session]
) -> Plan:
    """A valid plan built by hand: per table its best people for each need, then fillers, everyone
    at that table every round. It is the search's hint and the fallback when the search finds nothing.
    """
    inst = elig.instance
    rounds = elig.rounds
    at: dict[Session, list[int]] = {}
    for r, session in part:
        if chosen.get(r) == session:
            at.setdefault(session, []).append(r)
    used: set[int] = set()
    plan: Plan = {}
    for session in sorted(at):
        requests = sorted(at[session], key=lambda r: (-inst.requests[r].priority, r))
        fits = elig.can_attend(session)
        for r in requests:
            fits &= elig.fits_request(r, session)
        free = inst.venues[session[1]].capacity
        for r in requests:
            people = [p for p in part[r, session].tolist() if fits[p] and p not in used]
            seated = _seat_one_table(elig, r, session, people)
            if seated is None or len(seated) > free:
                continue
            plan.setdefault(session, {})[r] = dict.fromkeys(seated, rounds)
            used.update(seated)
            free -= len(seated)
    return plan


def _seat_one_table(elig: Eligibility, r: int, session: Session, people: list[int]) -> list[int] | None:
    inst = elig.instance
    request = inst.requests[r]
    low, high = request.table_size
    value = {
        p: int(elig.skill_values[r][p]) * elig.rounds - int(elig.session_cost(session)[p]) for p in people
    }
    ranked = sorted(people, key=lambda p: (-value[p], p))
    pinned = [inst.professional_index[pin.professional] for pin in inst.pins if pin.request == request.id]
    if any(p not in value for p in pinned):
        return None
    seated = list(pinned)
    for need, meets in zip(request.needs, elig.meets(r), strict=True):
        have = sum(1 for p in seated if meets[p])
        for p in ranked:
            if have >= need.min:
                break
            if meets[p] and p not in seated:
                seated.append(p)
                have += 1
        if have < need.min:
            return None
    for p in ranked:
        if len(seated) >= low:
            break
        if p not in seated:
            seated.append(p)
    return seated if low <= len(seated) <= high else None
