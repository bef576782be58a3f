"""Rows -> ``swarm-instance/1``: what the swarm engine solves (its result comes back through :mod:`swarm.services.plan.draft`).

Ids in the documents: requests ``r-<id>``, professionals ``p-<id>``, slots their code (``2027-01-12-am``),
venues their code. The instance is plain data; no row ever reaches the solver.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, select

from solver.formats import SWARM_INSTANCE
from swarm.domain.enums import (
    AvailabilityAnswer,
    InvitationResponse,
    PinKind,
    RequestStatus,
)
from swarm.domain.refs import parse_ref, professional_ref, request_ref
from swarm.domain.rules import qualification_on
from swarm.domain.timeutil import local_iso, to_local
from swarm.persistence.models import (
    Availability,
    Invitation,
    Municipality,
    Pin,
    Professional,
    ProfessionalSkill,
    Region,
    RequestExclusion,
    RequestNeed,
    RequestSlot,
    RequestVenue,
    Skill,
    Slot,
    SlotVenue,
    SwarmRequest,
    Venue,
)
from swarm.persistence.models import Session as SwarmSession
from swarm.services.lookup import approved_documents, get, unconfirmed_professionals
from swarm.services.plan.frame import planning_round_for
from swarm.services.plan.history import (
    group_by,
    published_schedule,
    recent_invitations,
    rounds_waited,
)


def build_swarm_instance(session: Session, region_id: int, *, planning_round_id: int | None = None) -> dict:
    """The region's open (and, for a repair, planned) requests of a planning round as ``swarm-instance/1``.

    ``qualified`` is derived per slot date: slots on which a professional would not be qualified are left out of
    their availability, and ``qualified`` is false when none remain. A declined invitation of this round counts
    as "no" for its slot. ``previous`` is the round's published schedule, so a re-solve keeps what it can.
    """
    region = get(session, Region, region_id)
    zone = ZoneInfo(region.timezone)
    planning_round = planning_round_for(session, region.id, planning_round_id)
    requests = list(
        session.exec(
            select(SwarmRequest)
            .join(Municipality, Municipality.id == SwarmRequest.municipality_id)
            .where(
                Municipality.region_id == region.id,
                SwarmRequest.planning_round_id == planning_round.id,
                SwarmRequest.status.in_([RequestStatus.OPEN, RequestStatus.PLANNED]),
            )
            .order_by(SwarmRequest.id)
        )
    )
    request_ids = [r.id for r in requests]
    municipalities = {m.id: m.name for m in session.exec(select(Municipality))}
    skill_codes = {s.id: s.code for s in session.exec(select(Skill))}

    request_slots = group_by(
        session.exec(select(RequestSlot).where(RequestSlot.request_id.in_(request_ids))),
        lambda r: r.request_id,
        lambda r: r.slot_id,
    )
    slot_ids = sorted({s for ids in request_slots.values() for s in ids})
    slots = {
        s.id: s for s in session.exec(select(Slot).where(Slot.id.in_(slot_ids)).order_by(Slot.starts_at))
    }
    venues = list(
        session.exec(select(Venue).where(Venue.region_id == region.id, Venue.active).order_by(Venue.code))
    )
    venue_codes = {v.id: v.code for v in venues}
    # A slot lists the venues free for it; the format names, per venue, the slots it is not free in.
    free = set(
        session.exec(select(SlotVenue.slot_id, SlotVenue.venue_id).where(SlotVenue.slot_id.in_(slot_ids)))
    )
    unavailable = {
        venue.id: [slot.code for slot in slots.values() if (slot.id, venue.id) not in free]
        for venue in venues
    }
    request_venues = group_by(
        session.exec(select(RequestVenue).where(RequestVenue.request_id.in_(request_ids))),
        lambda r: r.request_id,
        lambda r: r.venue_id,
    )
    needs = group_by(
        session.exec(
            select(RequestNeed).where(RequestNeed.request_id.in_(request_ids)).order_by(RequestNeed.id)
        ),
        lambda r: r.request_id,
        lambda r: r,
    )
    excluded = group_by(
        session.exec(select(RequestExclusion).where(RequestExclusion.request_id.in_(request_ids))),
        lambda r: r.request_id,
        lambda r: r.professional_id,
    )
    pins = list(session.exec(select(Pin).where(Pin.request_id.in_(request_ids)).order_by(Pin.id)))
    for pin in pins:
        if pin.kind == PinKind.EXCLUDE:
            excluded[pin.request_id].append(pin.professional_id)

    professionals = _professionals(session, region, planning_round, slots, excluded, pins, skill_codes, zone)
    known = {p["id"] for p in professionals}
    # Someone excluded or pinned who is not in the instance (erased, moved away) needs no mention: the ids must resolve.
    for request_id in list(excluded):
        excluded[request_id] = [p for p in excluded[request_id] if professional_ref(p) in known]

    document = {
        "format": SWARM_INSTANCE,
        "id": f"{region.slug}-round-{planning_round.sequence}",
        "timezone": region.timezone,
        "rounds": region.rounds_per_session,
        "weights": region.swarm_weights(),
        **({"policy": policy} if (policy := region.swarm_policy()) else {}),
        "slots": [
            {"id": s.code, "start": local_iso(s.starts_at, zone), "end": local_iso(s.ends_at, zone)}
            for s in slots.values()
        ],
        "venues": [_venue(v, unavailable.get(v.id, [])) for v in venues],
        "requests": [
            _request(
                r,
                municipalities,
                request_slots,
                request_venues,
                venue_codes,
                needs,
                excluded,
                slots,
                skill_codes,
            )
            for r in requests
        ],
        "professionals": professionals,
        "pins": [
            {"request": request_ref(p.request_id), "professional": professional_ref(p.professional_id)}
            for p in pins
            if p.kind == PinKind.INCLUDE
            and p.professional_id not in excluded.get(p.request_id, [])
            and professional_ref(p.professional_id) in known
        ],
        "previous": _without_erased(session, published_schedule(session, planning_round, zone)),
    }
    if region.max_parallel_sessions is not None:
        document["max_parallel_sessions"] = region.max_parallel_sessions
    return document


def _without_erased(session: Session, previous: dict | None) -> dict | None:
    """``previous`` with the seats of erased professionals under ``erased-<n>`` instead of their ``p-<id>``.

    They stay seats (the change term counts whoever is gone), but the stored snapshot names nobody erased.
    """
    if previous is None:
        return None
    seated = {
        parse_ref(ref, "p")
        for item in previous["sessions"]
        for table in item["tables"]
        for seats in table["rounds"]
        for ref in seats
    }
    erased = session.exec(
        select(Professional.id)
        .where(Professional.id.in_(sorted(seated - {None})), Professional.anonymised_at.is_not(None))
        .order_by(Professional.id)
    ).all()
    if not erased:
        return previous
    alias = {professional_ref(person_id): f"erased-{n}" for n, person_id in enumerate(erased, 1)}
    for item in previous["sessions"]:
        for table in item["tables"]:
            table["rounds"] = [[alias.get(ref, ref) for ref in seats] for seats in table["rounds"]]
    return previous


def _venue(venue: Venue, unavailable_slots: list[str]) -> dict:
    item = {
        "id": venue.code,
        "name": venue.name,
        "capacity": venue.capacity,
        "tables": venue.tables,
        "online": venue.online,
        "unavailable_slots": sorted(unavailable_slots),
    }
    if venue.lat is not None and venue.lon is not None:
        item["lat"], item["lon"] = venue.lat, venue.lon
    return item


def _request(
    r, municipalities, request_slots, request_venues, venue_codes, needs, excluded, slots, skill_codes
):
    item = {
        "id": request_ref(r.id),
        "municipality": municipalities[r.municipality_id],
        "title": r.title,
        "slots": [
            slots[s].code for s in sorted(request_slots.get(r.id, []), key=lambda s: slots[s].starts_at)
        ],
        "table_size": [r.table_size_min, r.table_size_max],
        "needs": [
            {"skill": skill_codes[n.skill_id], "min": n.count, "min_level": n.min_level}
            for n in needs.get(r.id, [])
        ],
        "priority": r.priority,
        "excluded": sorted({professional_ref(p) for p in excluded.get(r.id, [])}),
    }
    allowed = [venue_codes[v] for v in request_venues.get(r.id, []) if v in venue_codes]
    if request_venues.get(r.id):
        item["venues"] = sorted(allowed)
    if r.max_travel_km is not None:
        item["max_travel_km"] = r.max_travel_km
    return item


def _professionals(session, region, planning_round, slots, excluded, pins, skill_codes, zone) -> list[dict]:
    """Everyone who said yes or if-need-be to one of the slots, plus whoever an exclusion or pin names."""
    # Plain columns, not ORM objects: a big region has over a hundred thousand of these rows.
    yes_or_maybe = sa.and_(
        Availability.slot_id.in_(list(slots)),
        Availability.answer.in_([AvailabilityAnswer.YES, AvailabilityAnswer.MAYBE]),
    )
    answers = group_by(
        session.exec(
            select(Availability.professional_id, Availability.slot_id, Availability.answer).where(
                yes_or_maybe
            )
        ),
        lambda a: a[0],
        lambda a: (a[1], AvailabilityAnswer(a[2]).value),
    )
    named = sorted({p for ids in excluded.values() for p in ids} | {p.professional_id for p in pins})
    answered = select(Availability.professional_id).where(yes_or_maybe)
    # Subqueries, not id lists: a region may have tens of thousands of people (and SQLite limits bound parameters).
    chosen = sa.and_(
        sa.or_(Professional.id.in_(answered), Professional.id.in_(named)),
        Professional.region_id == region.id,
        Professional.anonymised_at.is_(None),
        Professional.lat.is_not(None),
        Professional.id.not_in(unconfirmed_professionals()),
    )
    ids = select(Professional.id).where(chosen)
    people = list(session.exec(select(Professional).where(chosen).order_by(Professional.id)))
    skills = group_by(
        session.exec(
            select(
                ProfessionalSkill.professional_id, ProfessionalSkill.skill_id, ProfessionalSkill.level
            ).where(ProfessionalSkill.professional_id.in_(ids))
        ),
        lambda s: s[0],
        lambda s: (skill_codes[s[1]], s[2]),
    )
    documents = approved_documents(session, ids)
    declined = set(
        session.exec(
            select(Invitation.professional_id, SwarmSession.slot_id)
            .join(SwarmSession, SwarmSession.id == Invitation.session_id)
            .where(
                SwarmSession.planning_round_id == planning_round.id,
                Invitation.response == InvitationResponse.DECLINED,
            )
        )
    )
    history = recent_invitations(session, region.id, planning_round, region.history_window_rounds)
    waited = rounds_waited(session, region.id, planning_round)
    days = {slot_id: to_local(slot.starts_at, zone).date() for slot_id, slot in slots.items()}
    result = []
    for person in people:
        said = answers.get(person.id, [])
        availability, any_qualified = {}, False
        for slot_id, answer in said:
            if (person.id, slot_id) in declined:
                continue
            day: date = days[slot_id]
            if qualification_on(
                day, documents.get(person.id, []), agreement_signed_on=person.agreement_signed_on
            ).qualified:
                any_qualified = True
                availability[slots[slot_id].code] = answer
        if not any_qualified:  # keep what they said, so the engine can explain why they are not invited
            availability = {slots[slot_id].code: answer for slot_id, answer in said}
        result.append(
            {
                "id": professional_ref(person.id),  # no name: the solver needs none, the web looks it up
                "lat": person.lat,
                "lon": person.lon,
                "max_travel_km": person.travel_radius_km,
                "skills": dict(sorted(skills.get(person.id, []))),
                "availability": dict(sorted(availability.items())),
                "max_sessions": person.max_sessions_per_round,
                "qualified": any_qualified,
                "recent_invitations": history.get(person.id, 0),
                # extension: breaks ties of the score towards who waited longest (docs/solver-swarm.md)
                "rounds_waited": waited.get(person.id, 0),
            }
        )
    return result
