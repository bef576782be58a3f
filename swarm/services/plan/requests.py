"""Swarm requests: a coordinator's question, its life cycle, conflicts of interest, and the organizer's pins.

A draft can be saved at any time. Submitted, it opens in the round that takes requests (with the candidate slots
the coordinator picked from that round), or, while no round takes requests, it waits and joins the next round
when that opens (with all of its slots; :func:`swarm.services.plan.rounds.roll_over_requests`). Its
availability deadline is its round's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, delete, select

from swarm.domain.actors import Actor
from swarm.domain.enums import AuditKind, AvailabilityAnswer, PinKind, PlanningRoundStatus, RequestStatus
from swarm.domain.errors import N_, ValidationError
from swarm.domain.lifecycle import check_request_transition
from swarm.domain.rules import require_level, require_range, require_text
from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.models import (
    Availability,
    Municipality,
    Pin,
    PlanningRound,
    Professional,
    RequestExclusion,
    RequestNeed,
    RequestSlot,
    RequestVenue,
    Skill,
    Slot,
    SwarmRequest,
    Venue,
)
from swarm.services.lookup import get, qualified_ids, skills_by_code
from swarm.services.ops import audit
from swarm.services.plan.frame import round_taking_requests


@dataclass(frozen=True)
class NeedInput:
    skill: str  # skill code
    count: int = 1
    min_level: int = 1


@dataclass(frozen=True)
class ExclusionInput:
    professional_id: int
    reason: str = ""


@dataclass(frozen=True)
class RequestInput:
    """A swarm request as the coordinator's form gives it (its deadline is its round's)."""

    municipality_id: int
    title: str
    question: str = ""
    table_size_min: int = 4
    table_size_max: int = 8
    needs: Sequence[NeedInput] = ()
    slot_ids: Sequence[int] = ()
    venue_ids: Sequence[int] = ()  # empty: every venue of the region
    priority: int = 1
    max_travel_km: float | None = None
    exclusions: Sequence[ExclusionInput] = ()
    planning_round_id: int | None = None  # default: the round that takes requests (or none)


NO_ROUND_FOR_SLOTS = N_(
    "No planning round takes requests now; time slots can be picked when the next round opens."
)
POLL_CLOSED = N_("The availability poll of this round has closed; withdraw the request to change it.")


def round_for_request(
    session: Session, request: SwarmRequest | None, region_id: int, now: datetime
) -> PlanningRound | None:
    """The round whose slots a request's form offers and that it joins when saved or submitted: an open
    request's own round; for a draft its round while that takes requests, else the round that does (or none).
    A waiting request has none: it joins the next round when that opens."""
    if request is not None and request.status == RequestStatus.OPEN:
        return get(session, PlanningRound, request.planning_round_id)
    if request is not None and request.status == RequestStatus.WAITING:
        return None
    if request is not None and request.planning_round_id is not None:
        own = get(session, PlanningRound, request.planning_round_id)
        if own.status == PlanningRoundStatus.OPEN and own.availability_deadline > now:
            return own
    return round_taking_requests(session, region_id, now)


def check_request(session: Session, data: RequestInput, request: SwarmRequest | None, clock: Clock) -> dict:
    """Every check before anything is written, so a refusal stores nothing."""
    municipality = get(session, Municipality, data.municipality_id)
    region_id = municipality.region_id
    now = clock()
    if data.planning_round_id is not None:
        planning_round = get(session, PlanningRound, data.planning_round_id)
        if planning_round.region_id != region_id:
            raise ValidationError("planning_round_id", N_("This planning round belongs to another region."))
    else:
        planning_round = round_for_request(session, request, region_id, now)
    if (
        request is not None
        and request.status == RequestStatus.OPEN
        and (planning_round.status != PlanningRoundStatus.OPEN or planning_round.availability_deadline <= now)
    ):
        raise ValidationError("status", POLL_CLOSED)
    title = require_text(data.title, "title")
    require_range(data.table_size_min, "table_size_min", minimum=1, maximum=100)
    if data.table_size_max < data.table_size_min:
        raise ValidationError("table_size_max", N_("The largest table size cannot be below the smallest."))
    require_range(data.table_size_max, "table_size_max", minimum=1, maximum=100)
    require_range(data.priority, "priority", minimum=1, maximum=5)
    if data.max_travel_km is not None:
        require_range(data.max_travel_km, "max_travel_km", minimum=0, maximum=1000)
    _check_slots(session, data.slot_ids, planning_round, region_id, now)
    if request is not None and request.status == RequestStatus.OPEN and not data.slot_ids:
        raise ValidationError("slot_ids", N_("Pick at least one candidate slot."))
    venues = list(session.exec(select(Venue).where(Venue.id.in_(list(data.venue_ids)))))
    if len(venues) != len(set(data.venue_ids)) or any(v.region_id != region_id for v in venues):
        raise ValidationError("venue_ids", N_("Pick venues of your region."))
    codes = [need.skill for need in data.needs]
    if len(set(codes)) != len(codes):
        raise ValidationError("needs", N_("Name each skill once."))
    skills = skills_by_code(session, codes, "needs")
    for i, need in enumerate(data.needs):
        require_range(need.count, f"needs[{i}].count", minimum=0, maximum=100)
        require_level(need.min_level, f"needs[{i}].min_level")
    excluded = [e.professional_id for e in data.exclusions]
    found = set(session.exec(select(Professional.id).where(Professional.id.in_(excluded))))
    if len(set(excluded)) != len(excluded) or found != set(excluded):
        raise ValidationError("exclusions", N_("Pick each excluded professional once from the list."))
    return {
        "region_id": region_id,
        "title": title,
        "round": planning_round,
        "skills": skills,
    }


def _check_slots(
    session: Session,
    slot_ids: Sequence[int],
    planning_round: PlanningRound | None,
    region_id: int,
    now: datetime,
) -> None:
    """Candidate slots come from the request's round and have not begun."""
    if not slot_ids:
        return
    if planning_round is None:
        raise ValidationError("slot_ids", NO_ROUND_FOR_SLOTS)
    slots = list(session.exec(select(Slot).where(Slot.id.in_(list(slot_ids)))))
    if len(slots) != len(set(slot_ids)) or any(s.region_id != region_id for s in slots):
        raise ValidationError("slot_ids", N_("Pick slots of your region."))
    if any(s.planning_round_id != planning_round.id for s in slots):
        raise ValidationError("slot_ids", N_("Pick time slots of the round that takes requests now."))
    if any(s.starts_at <= now for s in slots):
        raise ValidationError("slot_ids", N_("A time slot that has begun cannot be picked."))


def create_swarm_request(
    session: Session, data: RequestInput, *, actor: Actor, clock: Clock = system_clock
) -> SwarmRequest:
    """A new request in status draft, in the round that takes requests (or in none while no round does)."""
    municipality = get(session, Municipality, data.municipality_id)
    actor.require_municipality(municipality.id, municipality.region_id)
    checked = check_request(session, data, None, clock)
    request = SwarmRequest(
        municipality_id=municipality.id,
        created_by_id=actor.user_id,
        created_at=clock(),
    )
    _join(request, checked["round"])
    _apply(session, request, data, checked)
    return request


def update_swarm_request(
    session: Session, request_id: int, data: RequestInput, *, actor: Actor, clock: Clock = system_clock
) -> SwarmRequest:
    """Change a draft, a waiting request, or an open one while its round's poll is open (the municipality
    cannot be changed)."""
    request = get(session, SwarmRequest, request_id)
    municipality = get(session, Municipality, request.municipality_id)
    actor.require_municipality(municipality.id, municipality.region_id)
    check_request_changeable(request)
    if data.municipality_id != request.municipality_id:
        raise ValidationError("municipality_id", N_("A request stays with its municipality."))
    checked = check_request(session, data, request, clock)
    if request.status == RequestStatus.DRAFT or data.planning_round_id is not None:
        _join(request, checked["round"])
    request.updated_at = clock()
    _apply(session, request, data, checked)
    return request


def _join(request: SwarmRequest, planning_round: PlanningRound | None) -> None:
    """Put the request in this round (or in none), with the round's deadline."""
    request.planning_round_id = planning_round.id if planning_round is not None else None
    request.availability_deadline = planning_round.availability_deadline if planning_round else None


def check_request_changeable(request: SwarmRequest) -> None:
    if request.status not in (RequestStatus.DRAFT, RequestStatus.WAITING, RequestStatus.OPEN):
        raise ValidationError("status", N_("A planned or held request can no longer be changed."))


def _apply(session: Session, request: SwarmRequest, data: RequestInput, checked: dict) -> None:
    request.title = checked["title"]
    request.question = data.question.strip()
    request.table_size_min, request.table_size_max = data.table_size_min, data.table_size_max
    request.priority = data.priority
    request.max_travel_km = data.max_travel_km
    session.add(request)
    session.flush()
    for model in (RequestNeed, RequestSlot, RequestVenue, RequestExclusion):
        session.exec(delete(model).where(model.request_id == request.id))
    skills = checked["skills"]
    session.add_all(
        RequestNeed(request_id=request.id, skill_id=skills[n.skill].id, count=n.count, min_level=n.min_level)
        for n in data.needs
    )
    session.add_all(RequestSlot(request_id=request.id, slot_id=s) for s in dict.fromkeys(data.slot_ids))
    session.add_all(RequestVenue(request_id=request.id, venue_id=v) for v in dict.fromkeys(data.venue_ids))
    session.add_all(
        RequestExclusion(request_id=request.id, professional_id=e.professional_id, reason=e.reason.strip())
        for e in data.exclusions
    )
    session.flush()


def _transition(
    session: Session, request_id: int, target: RequestStatus, actor: Actor, *, by_region: bool, **stamps
) -> SwarmRequest:
    """Move a request to ``target`` (checked against its life cycle), set the given timestamps, flush."""
    request = get(session, SwarmRequest, request_id)
    municipality = get(session, Municipality, request.municipality_id)
    if by_region:
        actor.require_region(municipality.region_id)
    else:
        actor.require_municipality(municipality.id, municipality.region_id)
    move_request(request, target, **stamps)
    session.add(request)
    session.flush()
    return request


def move_request(request: SwarmRequest, target: RequestStatus, **stamps) -> None:
    """The one way a request's status changes: checked against its life cycle (``domain/lifecycle``), then set
    with the given timestamps. Authorization is the caller's."""
    check_request_transition(request.status, target)
    request.status = target
    for name, value in stamps.items():
        setattr(request, name, value)


def submit_swarm_request(
    session: Session, request_id: int, *, actor: Actor, clock: Clock = system_clock
) -> SwarmRequest:
    """Submit a draft: it opens in the round that takes requests (professionals of the region can now mark
    their availability for its slots), or, while no round does, it waits for the next one."""
    request = get(session, SwarmRequest, request_id)
    municipality = get(session, Municipality, request.municipality_id)
    actor.require_municipality(municipality.id, municipality.region_id)
    check_request_transition(request.status, RequestStatus.OPEN)
    now = clock()
    planning_round = round_for_request(session, request, municipality.region_id, now)
    if planning_round is None:
        session.exec(delete(RequestSlot).where(RequestSlot.request_id == request.id))
        _join(request, None)
        return _transition(session, request_id, RequestStatus.WAITING, actor, by_region=False)
    slot_ids = list(session.exec(select(RequestSlot.slot_id).where(RequestSlot.request_id == request.id)))
    if not slot_ids:
        raise ValidationError("slot_ids", N_("Pick at least one candidate slot."))
    _check_slots(session, slot_ids, planning_round, municipality.region_id, now)
    _join(request, planning_round)
    return _transition(
        session, request_id, RequestStatus.OPEN, actor, by_region=False, opened_at=now, poll_closed_at=None
    )


def withdraw_swarm_request(session: Session, request_id: int, *, actor: Actor) -> SwarmRequest:
    """Back to draft, e.g. to change it before it is planned (it keeps its round and slots)."""
    return _transition(session, request_id, RequestStatus.DRAFT, actor, by_region=False)


def mark_request_planned(
    session: Session, request_id: int, *, actor: Actor, clock: Clock = system_clock
) -> SwarmRequest:
    return _transition(session, request_id, RequestStatus.PLANNED, actor, by_region=True, planned_at=clock())


def mark_request_held(
    session: Session, request_id: int, *, actor: Actor, clock: Clock = system_clock
) -> SwarmRequest:
    return _transition(session, request_id, RequestStatus.HELD, actor, by_region=True, held_at=clock())


def set_pin(
    session: Session,
    request_id: int,
    professional_id: int,
    kind: PinKind,
    *,
    actor: Actor,
    clock: Clock = system_clock,
) -> Pin:
    """The organizer seats a professional at a request's session (include) or keeps them out (exclude)."""
    request = get(session, SwarmRequest, request_id)
    region_id = get(session, Municipality, request.municipality_id).region_id
    actor.require_region(region_id)
    get(session, Professional, professional_id)
    pin = session.exec(
        select(Pin).where(Pin.request_id == request_id, Pin.professional_id == professional_id)
    ).first() or Pin(request_id=request_id, professional_id=professional_id, created_by_id=actor.user_id)
    pin.kind = PinKind(kind)
    session.add(pin)
    session.flush()
    facts = {"kind": PinKind(pin.kind).value}
    _record_pin(session, AuditKind.PIN_SET, region_id, request_id, professional_id, actor, clock, facts)
    return pin


def remove_pin(
    session: Session, request_id: int, professional_id: int, *, actor: Actor, clock: Clock = system_clock
) -> None:
    request = get(session, SwarmRequest, request_id)
    region_id = get(session, Municipality, request.municipality_id).region_id
    actor.require_region(region_id)
    removed = session.exec(
        delete(Pin).where(Pin.request_id == request_id, Pin.professional_id == professional_id)
    )
    session.flush()
    if removed.rowcount:
        _record_pin(session, AuditKind.PIN_REMOVED, region_id, request_id, professional_id, actor, clock)


def _record_pin(
    session: Session,
    kind: AuditKind,
    region_id: int,
    request_id: int,
    professional_id: int,
    actor: Actor,
    clock: Clock,
    facts: dict | None = None,
) -> None:
    audit.record(
        session,
        kind,
        actor=actor,
        clock=clock,
        region_id=region_id,
        subject=("request", request_id),
        facts={"professional_id": professional_id, **(facts or {})},
    )


# -- reads for the pages --------------------------------------------------------------------------------------


def requests_of(session: Session, municipality_id: int) -> list[SwarmRequest]:
    return list(
        session.exec(
            select(SwarmRequest)
            .where(SwarmRequest.municipality_id == municipality_id)
            .order_by(SwarmRequest.created_at.desc())
        )
    )


def requests_of_region(session: Session, region_id: int) -> list[tuple[SwarmRequest, Municipality]]:
    """The region's requests, by deadline (those without a round last)."""
    rows = session.exec(
        select(SwarmRequest, Municipality)
        .join(Municipality, Municipality.id == SwarmRequest.municipality_id)
        .where(Municipality.region_id == region_id)
        .order_by(
            SwarmRequest.availability_deadline.is_(None), SwarmRequest.availability_deadline, SwarmRequest.id
        )
    )
    return list(rows.all())


def request_titles(session: Session, region_id: int, request_ids) -> dict[int, str]:
    """The titles of these requests of the region, by id (others are left out)."""
    ids = [i for i in request_ids if i is not None]
    if not ids:
        return {}
    return dict(
        session.exec(
            select(SwarmRequest.id, SwarmRequest.title)
            .join(Municipality, Municipality.id == SwarmRequest.municipality_id)
            .where(Municipality.region_id == region_id, SwarmRequest.id.in_(ids))
        ).all()
    )


def request_details(session: Session, request_id: int) -> dict:
    """Everything the request's page shows besides the schedule: needs, candidate slots, venues, exclusions."""
    needs = session.exec(
        select(RequestNeed, Skill)
        .join(Skill, Skill.id == RequestNeed.skill_id)
        .where(RequestNeed.request_id == request_id)
    ).all()
    slots = session.exec(
        select(Slot)
        .join(RequestSlot, RequestSlot.slot_id == Slot.id)
        .where(RequestSlot.request_id == request_id)
        .order_by(Slot.starts_at)
    ).all()
    venues = session.exec(
        select(Venue)
        .join(RequestVenue, RequestVenue.venue_id == Venue.id)
        .where(RequestVenue.request_id == request_id)
    ).all()
    exclusions = session.exec(
        select(RequestExclusion, Professional)
        .join(Professional, Professional.id == RequestExclusion.professional_id)
        .where(RequestExclusion.request_id == request_id)
    ).all()
    return {
        "needs": list(needs),
        "slots": list(slots),
        "venues": list(venues),
        "exclusions": list(exclusions),
    }


def slot_fill(
    session: Session, request_id: int, day: date, qualified: set[int] | None = None
) -> list[tuple[Slot, int, int]]:
    """Per candidate slot: how many qualified professionals answered yes, and how many 'if need be'.

    Excluded professionals (conflict of interest) are not counted.
    """
    request = session.get(SwarmRequest, request_id)
    excluded = set(
        session.exec(
            select(RequestExclusion.professional_id).where(RequestExclusion.request_id == request_id)
        ).all()
    )
    if qualified is None:
        qualified = qualified_ids(session, session.get(Municipality, request.municipality_id).region_id, day)
    qualified = qualified - excluded
    result = []
    for slot in request_details(session, request_id)["slots"]:
        answers = session.exec(
            select(Availability.professional_id, Availability.answer).where(Availability.slot_id == slot.id)
        ).all()
        yes = sum(1 for pid, answer in answers if pid in qualified and answer == AvailabilityAnswer.YES)
        maybe = sum(1 for pid, answer in answers if pid in qualified and answer == AvailabilityAnswer.MAYBE)
        result.append((slot, yes, maybe))
    return result


def open_questions_per_slot(session: Session, region_id: int) -> dict[int, list[str]]:
    """The titles of the region's open questions that may be discussed in each slot (for the availability grid)."""
    rows = session.exec(
        select(RequestSlot.slot_id, SwarmRequest.title)
        .join(SwarmRequest, SwarmRequest.id == RequestSlot.request_id)
        .join(Slot, Slot.id == RequestSlot.slot_id)
        .where(Slot.region_id == region_id, SwarmRequest.status == RequestStatus.OPEN)
        .order_by(SwarmRequest.title)
    )
    questions: dict[int, list[str]] = {}
    for slot_id, title in rows:
        questions.setdefault(slot_id, []).append(title)
    return questions


def request_for(session: Session, request_id: int, *, actor: Actor) -> SwarmRequest:
    """A request as ``actor`` may see it: its municipality's coordinator or an organizer of its region."""
    request = get(session, SwarmRequest, request_id)
    municipality = get(session, Municipality, request.municipality_id)
    actor.require_municipality(municipality.id, municipality.region_id)
    return request
