"""Pairs (request, session) worth modelling, their best candidates and a standalone value estimate.

Keeping only the best few dozen people per pair keeps the models small; it never costs validity
(every kept person is eligible) but it does mean the models' own bounds are not global bounds, which
is why :mod:`solver.swarm.bound` builds its relaxation over everyone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solver.swarm.eligibility import Eligibility, Session


@dataclass(frozen=True)
class Pair:
    request: int
    session: Session
    candidates: np.ndarray  # person positions, ascending
    estimate: int  # the request's standalone value there (score units), a guide for packing


def seat_values(elig: Eligibility, r: int, session: Session, people: np.ndarray) -> np.ndarray:
    """Per person the value of one seat-round, scaled by ``rounds``: rounds·skill − attendance cost."""
    return elig.rounds * elig.skill_values[r][people] - elig.session_cost(session)[people]


def pick(elig: Eligibility, r: int, session: Session, mask: np.ndarray, keep: int) -> np.ndarray:
    """The best ``keep`` eligible people per need, the best overall and the cheapest who meet no need."""
    people = np.flatnonzero(mask)
    if len(people) == 0:
        return people
    values = seat_values(elig, r, session, people)
    chosen = [_top(people, values, keep)]
    sig = elig.signatures[r][people]
    for meets in elig.meets(r):
        ok = meets[people]
        chosen.append(_top(people[ok], values[ok], keep))
    plain = sig == 0
    chosen.append(_top(people[plain], values[plain], keep))
    inst = elig.instance
    forced = [
        inst.professional_index[pin.professional] for pin in inst.pins if pin.request == inst.requests[r].id
    ]
    if inst.previous is not None:
        key = (inst.slots[session[0]].id, inst.venues[session[1]].id)
        forced += [
            inst.professional_index[p]
            for p, s, v in inst.previous.attendance
            if (s, v) == key and p in inst.professional_index
        ]
    forced = [p for p in forced if mask[p]]
    chosen.append(np.array(forced, dtype=np.int64))
    return np.unique(np.concatenate(chosen))


def _top(people: np.ndarray, values: np.ndarray, keep: int) -> np.ndarray:
    if len(people) <= keep:
        return people
    best = np.argpartition(-values, keep - 1)[:keep]
    return people[best]


def estimate(elig: Eligibility, r: int, session: Session, people: np.ndarray) -> int | None:
    """A greedy table for the request alone: needs first, then good seats, then cheap fillers.

    Seat-rounds are taken one at a time; a person's later seats at the same table pay the repeat
    penalty. ``None`` when the candidates cannot meet the needs and the minimum size.
    """
    inst = elig.instance
    request = inst.requests[r]
    rounds = elig.rounds
    low, high = request.table_size
    if len(people) == 0:
        return 0 if low == 0 and all(n.min == 0 for n in request.needs) else None
    first = seat_values(elig, r, session, people).astype(float)
    repeat = rounds * inst.weights.repeat_table
    taken = np.zeros(len(people), np.int64)
    total = 0.0

    def take(allowed: np.ndarray) -> bool:
        nonlocal total
        nxt = np.where(taken == 0, first, first - repeat)
        nxt = np.where(allowed & (taken < rounds), nxt, -np.inf)
        i = int(np.argmax(nxt))
        if nxt[i] == -np.inf:
            return False
        taken[i] += 1
        total += nxt[i]
        return True

    everyone = np.ones(len(people), bool)
    for need, meets in zip(request.needs, elig.meets(r), strict=True):
        ok = meets[people]
        while int(taken[ok].sum()) < need.min * rounds:
            if taken.sum() >= high * rounds or not take(ok):
                return None
    while taken.sum() < low * rounds:
        if not take(everyone):
            return None
    while taken.sum() < high * rounds:
        nxt = np.where(taken == 0, first, first - repeat)
        if not (np.where(taken < rounds, nxt, -np.inf) > 0).any() or not take(everyone & (nxt > 0)):
            break
    return inst.weights.scheduled * request.priority + int(total // rounds)


def pairs(elig: Eligibility, keep: int, requests: list[int] | None = None) -> dict[tuple[int, Session], Pair]:
    """Every pair that could be staffed on its own, with its candidates and estimate."""
    found = {}
    wanted = range(len(elig.instance.requests)) if requests is None else requests
    for r in wanted:
        for session in elig.allowed_sessions(r):
            mask = elig.eligible(r, session)
            if not elig.staffable(r, session, mask):
                continue
            people = pick(elig, r, session, mask, keep)
            value = estimate(elig, r, session, people)
            if value is not None:
                found[r, session] = Pair(r, session, people, value)
    return found
