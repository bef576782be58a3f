"""Reasons a coordinator can act on: why a request is unscheduled, why each person is invited.

Everything here is computed from the data (counts of people who fit, venues, limits), never from
solver internals, so the reasons read the same whatever route the solve took.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from solver.formats import LIMIT_EPSILON
from solver.swarm.eligibility import NO, Eligibility, Session
from solver.swarm.evaluate import SessionPlan


def why_unscheduled(elig: Eligibility, r: int, sessions: list[SessionPlan]) -> str:
    inst = elig.instance
    request = inst.requests[r]
    low, high = request.table_size
    if not request.slots:
        return "it has no candidate slots; add one or more slots to the request"
    too_big = [n for n in request.needs if n.min > high]
    if too_big:
        n = too_big[0]
        return f"its need of {n.min} people with {n.skill} does not fit a table of at most {high}; raise the table size"
    allowed = elig.allowed_sessions(r)
    if not allowed:
        return _no_venue(elig, r)
    pins = [p for p in inst.pins if p.request == request.id]
    for pin in pins:
        p = inst.professional_index[pin.professional]
        if not any(elig.eligible(r, s)[p] for s in allowed):
            return f"pinned professional {pin.professional} cannot attend any of its slots and venues; remove the pin"
    staffable = [s for s in allowed if elig.staffable(r, s)]
    if not staffable:
        return _short_of_people(elig, r, allowed)
    return _crowded_out(elig, r, staffable, sessions)


def _name(elig: Eligibility, session: Session) -> str:
    inst = elig.instance
    return f"slot {inst.slots[session[0]].id} at {inst.venues[session[1]].id}"


def _no_venue(elig: Eligibility, r: int) -> str:
    inst = elig.instance
    request = inst.requests[r]
    fixed = next((f for f in inst.fixed_sessions if f.request == request.id), None)
    if fixed is not None:
        return (
            f"its fixed session {fixed.slot} at {fixed.venue} cannot be held (venue unavailable or too small)"
        )
    venues = request.venues if request.venues is not None else [v.id for v in inst.venues]
    low = request.table_size[0]
    small = [v for v in venues if inst.venues[inst.venue_index[v]].capacity < low]
    if small and len(small) == len(venues):
        return f"every allowed venue seats fewer than {low} people; allow a larger venue"
    return "no allowed venue is available in any of its slots; allow another venue or slot"


def _short_of_people(elig: Eligibility, r: int, allowed: list[Session]) -> str:
    """The need (or the table size) that no candidate session can meet, and the nearest fit."""
    inst = elig.instance
    request = inst.requests[r]
    limit = request.max_travel_km
    within = f" within {limit:g} km" if limit is not None else ""
    masks = {s: elig.eligible(r, s) for s in allowed}
    for need, meets in zip(request.needs, elig.meets(r), strict=True):
        counts = {s: int((m & meets).sum()) for s, m in masks.items()}
        best = max(counts, key=lambda s: (counts[s], -s[0], -s[1]))
        if counts[best] < need.min:
            level = f" level {need.min_level} or more" if need.min_level > 1 else ""
            hint = _what_limits(elig, r, best, meets, need.min)
            return (
                f"no candidate slot has {need.min} people with {need.skill}{level}{within}; "
                f"the nearest fit is {_name(elig, best)} with {counts[best]}{hint}"
            )
    counts = {s: int(m.sum()) for s, m in masks.items()}
    best = max(counts, key=lambda s: (counts[s], -s[0], -s[1]))
    hint = _what_limits(elig, r, best, np.ones(elig.n, bool), request.table_size[0])
    return (
        f"no candidate slot has {request.table_size[0]} available people who may come{within}; "
        f"the best is {_name(elig, best)} with {counts[best]}{hint}"
    )


def _what_limits(elig: Eligibility, r: int, session: Session, wanted: np.ndarray, needed: int) -> str:
    """Which of the request's own limits keeps people out, when lifting it would be enough."""
    inst = elig.instance
    request = inst.requests[r]
    base = elig.can_attend(session) & wanted
    excluded = np.zeros(elig.n, bool)
    for p in request.excluded:
        excluded[inst.professional_index[p]] = True
    if int((base & ~excluded).sum()) < needed <= int(base.sum()):
        return f" ({int((base & excluded).sum())} more are excluded by the request)"
    if request.max_travel_km is not None and not inst.venues[session[1]].online:
        farther = base & ~excluded & (elig.km[session[1]] > request.max_travel_km + LIMIT_EPSILON)
        if int(farther.sum()):
            return f" ({int(farther.sum())} more live farther than {request.max_travel_km:g} km)"
    unavailable = elig.qualified & wanted & (elig.availability[session[0]] == NO)
    if int(unavailable.sum()):
        return f" ({int(unavailable.sum())} more are not available then)"
    return ""


def _crowded_out(elig: Eligibility, r: int, staffable: list[Session], sessions: list[SessionPlan]) -> str:
    inst = elig.instance
    request = inst.requests[r]
    session = staffable[0]
    slot, venue = inst.slots[session[0]], inst.venues[session[1]]
    held = {(s.slot, s.venue): s for s in sessions}
    here = held.get(session)
    if here is not None:
        if len(here.tables) >= venue.tables:
            blocked = f"all {venue.tables} tables there are taken"
        elif len(here.participants) + request.table_size[0] > venue.capacity:
            blocked = f"its {venue.capacity} seats are taken"
        else:
            blocked = "too few of its people fit every table there"
    elif any(s.venue == session[1] and inst.slots[s.slot].overlaps(slot) for s in sessions):
        blocked = f"{venue.id} hosts another session then"
    elif (
        inst.max_parallel_sessions is not None
        and _running(inst, sessions, slot) >= inst.max_parallel_sessions
    ):
        blocked = f"{inst.max_parallel_sessions} sessions already run at once then"
    else:
        blocked = "the people it needs were worth more elsewhere"
    return (
        f"it could be held alone at {_name(elig, session)} ({len(staffable)} places in all), but {blocked}; "
        f"requests of higher priority came first (its priority is {request.priority}): "
        "add a slot or venue, or raise its priority"
    )


def _running(inst, sessions: list[SessionPlan], slot) -> int:
    return sum(1 for s in sessions if inst.slots[s.slot].start <= slot.start < inst.slots[s.slot].end)


def invitations(elig: Eligibility, sessions: list[SessionPlan]) -> list[dict[str, Any]]:
    """Per participant: the needs they cover, distance, availability and fairness rank."""
    inst = elig.instance
    found = []
    for plan in sessions:
        session = (plan.slot, plan.venue)
        slot, venue = inst.slots[plan.slot], inst.venues[plan.venue]
        could = elig.can_attend(session)
        for table in plan.tables:
            could &= elig.fits_request(table.request, session)
        pool = elig.recent[could]
        for p in plan.participants:
            person = inst.professionals[p]
            reasons = []
            for table in plan.tables:
                request = inst.requests[table.request]
                rounds = sum(1 for seats in table.rounds if p in seats)
                for need in request.needs:
                    level = person.skills.get(need.skill, 0)
                    if rounds and level >= need.min_level:
                        reasons.append(
                            f"covers {need.skill} (level {level}) at {request.id}, {rounds} round(s)"
                        )
            if not reasons:
                reasons.append("fills a seat; meets no need of these tables")
            if venue.online:
                reasons.append("online, no travel")
            else:
                reasons.append(f"{int(elig.km_int[plan.venue, p])} km to {venue.name}")
            maybe = person.availability.get(slot.id) == "maybe"
            reasons.append("available if need be" if maybe else "available")
            fewer = int((pool > person.recent_invitations).sum())
            reasons.append(
                f"{person.recent_invitations} recent invitations; {fewer} of {len(pool)} who could come had more"
            )
            found.append({"professional": person.id, "slot": slot.id, "venue": venue.id, "reasons": reasons})
    return found
