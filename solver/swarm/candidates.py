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
    estimate: int  # the table's value when people rotate over several tables (score units)
    alone: int | None  # its value as the only table of its session: everyone stays every round


def seat_values(elig: Eligibility, r: int, session: Session, people: np.ndarray) -> np.ndarray:
    """Per person the value of one seat-round, scaled by ``rounds``: rounds·skill − attendance cost."""
    return elig.rounds * elig.skill_values[r][people] - elig.session_cost(session)[people]


def pick(elig: Eligibility, r: int, session: Session, mask: np.ndarray, keep: int) -> np.ndarray:
    """The best ``keep`` eligible people per need, the best overall and the cheapest who meet no need."""
    return _pick_from(elig, r, session, np.flatnonzero(mask), keep, mask)


def _pick_from(
    elig: Eligibility, r: int, session: Session, people: np.ndarray, keep: int, mask: np.ndarray | None
) -> np.ndarray:
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
    forced = _forced(elig, r, session)
    if forced:
        forced_ids = np.array(forced, dtype=np.int64)
        ok = elig.eligible(r, session)[forced_ids] if mask is None else mask[forced_ids]
        chosen.append(forced_ids[ok])
    return np.unique(np.concatenate(chosen))


def _forced(elig: Eligibility, r: int, session: Session) -> list[int]:
    """People who must be modelled: pinned to the request, or at this session before."""
    inst = elig.instance
    found = [
        inst.professional_index[pin.professional] for pin in inst.pins if pin.request == inst.requests[r].id
    ]
    if inst.previous is not None:
        key = (inst.slots[session[0]].id, inst.venues[session[1]].id)
        found += [
            inst.professional_index[p]
            for p, s, v in inst.previous.attendance
            if (s, v) == key and p in inst.professional_index
        ]
    return found


def _top(people: np.ndarray, values: np.ndarray, keep: int) -> np.ndarray:
    if len(people) <= keep:
        return people
    best = np.argpartition(-values, keep - 1)[:keep]
    return people[best]


def estimate(elig: Eligibility, r: int, session: Session, people: np.ndarray) -> int | None:
    """A greedy table for the request alone: needs first, then good seats, then cheap fillers.

    Every person offers ``rounds`` seat-rounds: the first worth ``rounds·skill − cost`` (scaled by
    rounds), later ones the repeat penalty less. ``None`` when the candidates cannot meet the needs
    and the minimum size.
    """
    inst = elig.instance
    request = inst.requests[r]
    rounds = elig.rounds
    low, high = request.table_size
    first = seat_values(elig, r, session, people).astype(float)
    # seat k of person i sits at position k * len(people) + i
    seats = np.concatenate([first] + [first - rounds * inst.weights.repeat_table] * (rounds - 1))
    order = np.argsort(-seats, kind="stable")
    chosen = np.zeros(len(seats), bool)
    for need, meets in zip(request.needs, elig.meets(r), strict=True):
        ok = np.tile(meets[people], rounds)
        have = int((chosen & ok).sum())
        missing = need.min * rounds - have
        if missing > 0:
            free = order[ok[order] & ~chosen[order]][:missing]
            if len(free) < missing:
                return None
            chosen[free] = True
    count = int(chosen.sum())
    if count > high * rounds:
        return None
    free = order[~chosen[order]]
    if count < low * rounds:
        fill = free[: low * rounds - count]
        if len(fill) < low * rounds - count:
            return None
        chosen[fill] = True
        count += len(fill)
        free = order[~chosen[order]]
    extra = free[: high * rounds - count]
    chosen[extra[seats[extra] > 0]] = True
    return inst.weights.scheduled * request.priority + int(seats[chosen].sum() // rounds)


def estimate_alone(elig: Eligibility, r: int, session: Session, people: np.ndarray) -> int | None:
    """A greedy table that is its session's only one: each person sits there every round."""
    inst = elig.instance
    request = inst.requests[r]
    rounds = elig.rounds
    low, high = request.table_size
    whole = (
        rounds * elig.skill_values[r][people]
        - elig.session_cost(session)[people]
        - (rounds - 1) * inst.weights.repeat_table
    )
    order = np.argsort(-whole, kind="stable")
    chosen = np.zeros(len(people), bool)
    for need, meets in zip(request.needs, elig.meets(r), strict=True):
        ok = meets[people]
        missing = need.min - int((chosen & ok).sum())
        if missing > 0:
            free = order[ok[order] & ~chosen[order]][:missing]
            if len(free) < missing:
                return None
            chosen[free] = True
    count = int(chosen.sum())
    if count > high:
        return None
    free = order[~chosen[order]]
    if count < low:
        if len(free) < low - count:
            return None
        chosen[free[: low - count]] = True
        count = low
        free = order[~chosen[order]]
    extra = free[: high - count]
    chosen[extra[whole[extra] > 0]] = True
    return inst.weights.scheduled * request.priority + int(whole[chosen].sum())


Bounds = dict[tuple[int, Session], tuple[float, float]]


def survey(elig: Eligibility, keep: int) -> tuple[dict[tuple[int, Session], Pair], Bounds]:
    """Every pair that could be staffed on its own: its candidates and estimates, and for *every* such
    pair its :func:`solver.swarm.bound.table_bound` (the bound must not miss a pair).

    Only people who meet a need of the request and the session's cheapest people are looked at
    person by person; everyone else could only be a dearer filler.
    """
    from solver.swarm.bound import table_bound

    found: dict[tuple[int, Session], Pair] = {}
    bounds: Bounds = {}
    for r, request in enumerate(elig.instance.requests):
        low, high = request.table_size
        if any(n.min > high for n in request.needs):
            continue
        skilled = elig.skilled(r)
        for session in elig.allowed_sessions(r):
            ok = elig.can_attend(session)[skilled] & elig.fits_subset(r, session, skilled)
            people = skilled[ok]
            if any(
                int(meets[people].sum()) < n.min
                for n, meets in zip(request.needs, elig.meets(r), strict=True)
            ):
                continue
            cheapest = elig.cheapest(session, max(4 * keep, high * elig.rounds))
            cheap = cheapest[elig.fits_subset(r, session, cheapest) & (elig.signatures[r][cheapest] == 0)]
            if len(cheap) < high * elig.rounds and len(cheapest) == max(4 * keep, high * elig.rounds):
                people = np.flatnonzero(elig.eligible(r, session))  # the cheap list ran out
                if len(people) < low:
                    continue
                cheap = people[elig.signatures[r][people] == 0]
            elif len(people) + len(cheap) < low:
                continue
            everyone = np.concatenate([people, cheap])  # disjoint: skilled and not
            bounds[r, session] = table_bound(elig, r, session, everyone)
            chosen = _pick_from(elig, r, session, everyone, keep, None)
            value = estimate(elig, r, session, chosen)
            if value is not None:
                found[r, session] = Pair(r, session, chosen, value, estimate_alone(elig, r, session, chosen))
    return found, bounds


def pairs(elig: Eligibility, keep: int) -> dict[tuple[int, Session], Pair]:
    return survey(elig, keep)[0]
