"""A valid plan built by hand for chosen sessions: per table its best people for each need, then fillers.

The first schedule of the decomposed route, the hint of the exact route, and the fallback of
:mod:`solver.swarm.repack` when a session model finds nothing in time.
"""

from __future__ import annotations

import numpy as np

from solver.swarm.eligibility import Eligibility, Session
from solver.swarm.model import Plan, wait


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
    # equal values: the person who waited longest first (the exact route's tie-break too, see model.py)
    ranked = sorted(people, key=lambda p: (-value[p], -wait(inst, p), p))
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
