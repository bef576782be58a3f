"""Reasons a coordinator can act on: why a request is unscheduled, why each person is invited.

Everything here is computed from the data (counts of people who fit, venues, limits), never from
solver internals, so the reasons read the same whatever route the solve took. Each reason is a
code plus its facts (``solver.reasons``); the English sentences below are the only wording of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from solver.formats import LIMIT_EPSILON
from solver.reasons import Reason, Sentences, km
from solver.swarm.eligibility import NO, Eligibility, Session
from solver.swarm.evaluate import SessionPlan
from solver.swarm.model import turn_due

SENTENCES = Sentences()
sentence = SENTENCES.register


# --- Why a request is unscheduled ------------------------------------------------------------------


def _at(f: Mapping[str, Any]) -> str:
    return f"slot {f['slot']} at {f['venue']}"


def _within(f: Mapping[str, Any]) -> str:
    return f" within {km(f['max_km'])} km" if f.get("max_km") is not None else ""


_LIMITS = {
    "excluded": lambda f: f" ({f['limit_count']} more are excluded by the request)",
    "travel": lambda f: f" ({f['limit_count']} more live farther than {km(f['max_km'])} km)",
    "unavailable": lambda f: f" ({f['limit_count']} more are not available then)",
    None: lambda f: "",
}


@sentence("no_slots")
def _(f):
    return "it has no candidate slots; add one or more slots to the request"


@sentence("need_exceeds_table")
def _(f):
    return (
        f"its need of {f['count']} people with {f['skill']} does not fit a table of at most "
        f"{f['table_max']}; raise the table size"
    )


@sentence("fixed_session_unavailable")
def _(f):
    return f"its fixed session {f['slot']} at {f['venue']} cannot be held (venue unavailable or too small)"


@sentence("venues_too_small")
def _(f):
    return f"every allowed venue seats fewer than {f['table_min']} people; allow a larger venue"


@sentence("no_venue_available")
def _(f):
    return "no allowed venue is available in any of its slots; allow another venue or slot"


@sentence("pin_cannot_attend")
def _(f):
    return (
        f"pinned professional {f['professional']} cannot attend any of its slots and venues; remove the pin"
    )


@sentence("no_slot_with_need")
def _(f):
    level = f" level {f['min_level']} or more" if f["min_level"] > 1 else ""
    return (
        f"no candidate slot has {f['count']} people with {f['skill']}{level}{_within(f)}; "
        f"the nearest fit is {_at(f)} with {f['found']}{_LIMITS[f['limit']](f)}"
    )


@sentence("no_slot_with_people")
def _(f):
    return (
        f"no candidate slot has {f['count']} available people who may come{_within(f)}; "
        f"the best is {_at(f)} with {f['found']}{_LIMITS[f['limit']](f)}"
    )


_BLOCKED = {
    "tables_taken": lambda f: f"all {f['tables']} tables there are taken",
    "seats_taken": lambda f: f"its {f['capacity']} seats are taken",
    "tables_unfit": lambda f: "too few of its people fit every table there",
    "venue_busy": lambda f: f"{f['venue']} hosts another session then",
    "parallel_limit": lambda f: f"{f['max_parallel']} sessions already run at once then",
    "needed_elsewhere": lambda f: "the people it needs were worth more elsewhere",
}


@sentence("crowded_out")
def _(f):
    return (
        f"it could be held alone at {_at(f)} ({f['places']} {'place' if f['places'] == 1 else 'places'} in all), "
        f"but {_BLOCKED[f['blocked']](f)}; "
        f"requests of higher priority came first (its priority is {f['priority']}): "
        "add a slot or venue, or raise its priority"
    )


def why_unscheduled(elig: Eligibility, r: int, sessions: list[SessionPlan]) -> Reason:
    inst = elig.instance
    request = inst.requests[r]
    high = request.table_size[1]
    if not request.slots:
        return SENTENCES.reason("no_slots")
    too_big = [n for n in request.needs if n.min > high]
    if too_big:
        n = too_big[0]
        return SENTENCES.reason("need_exceeds_table", skill=n.skill, count=n.min, table_max=high)
    allowed = elig.allowed_sessions(r)
    if not allowed:
        return _no_venue(elig, r)
    pins = [p for p in inst.pins if p.request == request.id]
    for pin in pins:
        p = inst.professional_index[pin.professional]
        if not any(elig.eligible(r, s)[p] for s in allowed):
            return SENTENCES.reason("pin_cannot_attend", professional=pin.professional)
    staffable = [s for s in allowed if elig.staffable(r, s)]
    if not staffable:
        return _short_of_people(elig, r, allowed)
    return _crowded_out(elig, r, staffable, sessions)


def _place(elig: Eligibility, slot: int, venue: int) -> dict[str, Any]:
    """The facts that name a session: slot and venue ids, the slot's start and the venue's name."""
    inst = elig.instance
    return {
        "slot": inst.slots[slot].id,
        "slot_start": inst.slots[slot].start.isoformat(timespec="minutes"),  # local, as in the instance
        "venue": inst.venues[venue].id,
        "venue_name": inst.venues[venue].name,
        "online": inst.venues[venue].online,
    }


def _no_venue(elig: Eligibility, r: int) -> Reason:
    inst = elig.instance
    request = inst.requests[r]
    fixed = next((f for f in inst.fixed_sessions if f.request == request.id), None)
    if fixed is not None:
        return SENTENCES.reason(
            "fixed_session_unavailable",
            **_place(elig, inst.slot_index[fixed.slot], inst.venue_index[fixed.venue]),
        )
    venues = request.venues if request.venues is not None else [v.id for v in inst.venues]
    low = request.table_size[0]
    small = [v for v in venues if inst.venues[inst.venue_index[v]].capacity < low]
    if small and len(small) == len(venues):
        return SENTENCES.reason("venues_too_small", table_min=low, venues=len(venues))
    return SENTENCES.reason("no_venue_available")


def _short_of_people(elig: Eligibility, r: int, allowed: list[Session]) -> Reason:
    """The need (or the table size) that no candidate session can meet, and the nearest fit."""
    inst = elig.instance
    request = inst.requests[r]
    masks = {s: elig.eligible(r, s) for s in allowed}
    for need, meets in zip(request.needs, elig.meets(r), strict=True):
        counts = {s: int((m & meets).sum()) for s, m in masks.items()}
        best = max(counts, key=lambda s: (counts[s], -s[0], -s[1]))
        if counts[best] < need.min:
            return SENTENCES.reason(
                "no_slot_with_need",
                skill=need.skill,
                count=need.min,
                min_level=need.min_level,
                max_km=request.max_travel_km,
                found=counts[best],
                **_place(elig, *best),
                **_what_limits(elig, r, best, meets, need.min),
            )
    counts = {s: int(m.sum()) for s, m in masks.items()}
    best = max(counts, key=lambda s: (counts[s], -s[0], -s[1]))
    return SENTENCES.reason(
        "no_slot_with_people",
        count=request.table_size[0],
        max_km=request.max_travel_km,
        found=counts[best],
        **_place(elig, *best),
        **_what_limits(elig, r, best, np.ones(elig.n, bool), request.table_size[0]),
    )


def _what_limits(elig: Eligibility, r: int, session: Session, wanted: np.ndarray, needed: int) -> dict:
    """Which of the request's own limits keeps people out, when lifting it would be enough.

    ``limit`` is "excluded", "travel", "unavailable" or None; ``limit_count`` how many it keeps out.
    """
    inst = elig.instance
    request = inst.requests[r]
    base = elig.can_attend(session) & wanted
    excluded = np.zeros(elig.n, bool)
    for p in request.excluded:
        excluded[inst.professional_index[p]] = True
    if int((base & ~excluded).sum()) < needed <= int(base.sum()):
        return {"limit": "excluded", "limit_count": int((base & excluded).sum())}
    if request.max_travel_km is not None and not inst.venues[session[1]].online:
        farther = base & ~excluded & (elig.km[session[1]] > request.max_travel_km + LIMIT_EPSILON)
        if int(farther.sum()):
            return {"limit": "travel", "limit_count": int(farther.sum())}
    unavailable = elig.qualified & wanted & (elig.availability[session[0]] == NO)
    if int(unavailable.sum()):
        return {"limit": "unavailable", "limit_count": int(unavailable.sum())}
    return {"limit": None, "limit_count": 0}


def _crowded_out(elig: Eligibility, r: int, staffable: list[Session], sessions: list[SessionPlan]) -> Reason:
    inst = elig.instance
    request = inst.requests[r]
    session = staffable[0]
    slot, venue = inst.slots[session[0]], inst.venues[session[1]]
    held = {(s.slot, s.venue): s for s in sessions}
    here = held.get(session)
    if here is not None:
        if len(here.tables) >= venue.tables:
            blocked = "tables_taken"
        elif len(here.participants) + request.table_size[0] > venue.capacity:
            blocked = "seats_taken"
        else:
            blocked = "tables_unfit"
    elif any(s.venue == session[1] and inst.slots[s.slot].overlaps(slot) for s in sessions):
        blocked = "venue_busy"
    elif (
        inst.max_parallel_sessions is not None
        and _running(inst, sessions, slot) >= inst.max_parallel_sessions
    ):
        blocked = "parallel_limit"
    else:
        blocked = "needed_elsewhere"
    return SENTENCES.reason(
        "crowded_out",
        **_place(elig, *session),
        places=len(staffable),
        blocked=blocked,
        tables=venue.tables,
        capacity=venue.capacity,
        max_parallel=inst.max_parallel_sessions,
        priority=request.priority,
    )


def _running(inst, sessions: list[SessionPlan], slot) -> int:
    return sum(1 for s in sessions if inst.slots[s.slot].start <= slot.start < inst.slots[s.slot].end)


# --- Why each person is invited --------------------------------------------------------------------


@sentence("covers_need")
def _(f):
    return f"covers {f['skill']} (level {f['level']}) at {f['request']}, {f['rounds']} round(s)"


@sentence("fills_seat")
def _(f):
    return "fills a seat; meets no need of these tables"


@sentence("online_venue")
def _(f):
    return "online, no travel"


@sentence("venue_km")
def _(f):
    return f"{f['km']} km to {f['venue_name']}"


@sentence("slot_answer")
def _(f):
    return "available if need be" if f["answer"] == "maybe" else "available"


@sentence("recent_invitations")
def _(f):
    return f"{f['count']} recent invitations; {f['more']} of {f['pool']} who could come had more"


@sentence("guaranteed_turn")
def _(f):
    return f"available in {f['rounds_waited']} rounds since the last invitation: the region's guaranteed turn (after {f['after_rounds']})"


def invitations(elig: Eligibility, sessions: list[SessionPlan]) -> list[dict[str, Any]]:
    """Per participant: the needs they cover, distance, availability and fairness rank.

    ``reasons`` holds the English sentences, ``reason_details`` the code and facts of each, in order.
    """
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
            why: list[Reason] = []
            for table in plan.tables:
                request = inst.requests[table.request]
                rounds = sum(1 for seats in table.rounds if p in seats)
                for need in request.needs:
                    level = person.skills.get(need.skill, 0)
                    if rounds and level >= need.min_level:
                        why.append(
                            SENTENCES.reason(
                                "covers_need",
                                skill=need.skill,
                                level=level,
                                min_level=need.min_level,
                                request=request.id,
                                rounds=rounds,
                            )
                        )
            if not why:
                why.append(SENTENCES.reason("fills_seat"))
            if venue.online:
                why.append(SENTENCES.reason("online_venue"))
            else:
                why.append(
                    SENTENCES.reason(
                        "venue_km", km=int(elig.km_int[plan.venue, p]), venue=venue.id, venue_name=venue.name
                    )
                )
            answer = "maybe" if person.availability.get(slot.id) == "maybe" else "yes"
            why.append(SENTENCES.reason("slot_answer", answer=answer))
            why.append(
                SENTENCES.reason(
                    "recent_invitations",
                    count=person.recent_invitations,
                    more=int((pool > person.recent_invitations).sum()),
                    pool=len(pool),
                )
            )
            turn = inst.guaranteed_turn
            if turn is not None and turn_due(inst, p):  # seated while due: the policy's turn
                why.append(
                    SENTENCES.reason(
                        "guaranteed_turn", rounds_waited=person.rounds_waited, after_rounds=turn.after_rounds
                    )
                )
            found.append(
                {
                    "professional": person.id,
                    "slot": slot.id,
                    "venue": venue.id,
                    "reasons": [reason.text for reason in why],
                    "reason_details": [reason.as_fields() for reason in why],
                }
            )
    return found
