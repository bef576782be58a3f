"""Swarm requests: a coordinator's question, its life cycle, conflicts of interest, and the organizer's pins."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, delete, select

from swarm.domain.actors import Actor
from swarm.domain.enums import AvailabilityAnswer, PinKind, RequestStatus
from swarm.domain.errors import ValidationError
from swarm.domain.lifecycle import check_request_transition
from swarm.domain.rules import require_level, require_range, require_text
from swarm.domain.timeutil import Clock, system_clock, to_utc
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
from swarm.services.plan.frame import current_planning_round


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
    """A swarm request as the coordinator's form gives it. Naive deadlines are Europe/Amsterdam times."""

    municipality_id: int
    title: str
    availability_deadline: datetime
    question: str = ""
    table_size_min: int = 4
    table_size_max: int = 8
    needs: Sequence[NeedInput] = ()
    slot_ids: Sequence[int] = ()
    venue_ids: Sequence[int] = ()  # empty: every venue of the region
    priority: int = 1
    max_travel_km: float | None = None
    exclusions: Sequence[ExclusionInput] = ()
    planning_round_id: int | None = None  # default: the region's current open round


def _validated(session: Session, data: RequestInput, clock: Clock) -> dict:
    """Every check before anything is written, so a refusal stores nothing."""
    municipality = get(session, Municipality, data.municipality_id)
    region_id = municipality.region_id
    title = require_text(data.title, "title")
    require_range(data.table_size_min, "table_size_min", minimum=1, maximum=100)
    if data.table_size_max < data.table_size_min:
        raise ValidationError("table_size_max", "The largest table size cannot be below the smallest.")
    require_range(data.table_size_max, "table_size_max", minimum=1, maximum=100)
    require_range(data.priority, "priority", minimum=1, maximum=5)
    if data.max_travel_km is not None:
        require_range(data.max_travel_km, "max_travel_km", minimum=0, maximum=1000)
    deadline = to_utc(data.availability_deadline)
    if deadline <= clock():
        raise ValidationError("availability_deadline", "The deadline must lie in the future.")
    round_id = data.planning_round_id
    if round_id is None:
        current = current_planning_round(session, region_id)
        if current is None:
            raise ValidationError("planning_round_id", "The region has no open planning round.")
        round_id = current.id
    elif get(session, PlanningRound, round_id).region_id != region_id:
        raise ValidationError("planning_round_id", "This planning round belongs to another region.")
    slots = list(session.exec(select(Slot).where(Slot.id.in_(list(data.slot_ids)))))
    if len(slots) != len(set(data.slot_ids)) or any(s.region_id != region_id for s in slots):
        raise ValidationError("slot_ids", "Pick slots of your region.")
    if slots and deadline >= min(s.starts_at for s in slots):
        raise ValidationError(
            "availability_deadline", "The deadline must be before the first candidate slot."
        )
    venues = list(session.exec(select(Venue).where(Venue.id.in_(list(data.venue_ids)))))
    if len(venues) != len(set(data.venue_ids)) or any(v.region_id != region_id for v in venues):
        raise ValidationError("venue_ids", "Pick venues of your region.")
    codes = [need.skill for need in data.needs]
    if len(set(codes)) != len(codes):
        raise ValidationError("needs", "Name each skill once.")
    skills = skills_by_code(session, codes, "needs")
    for i, need in enumerate(data.needs):
        require_range(need.count, f"needs[{i}].count", minimum=0, maximum=100)
        require_level(need.min_level, f"needs[{i}].min_level")
    excluded = [e.professional_id for e in data.exclusions]
    found = set(session.exec(select(Professional.id).where(Professional.id.in_(excluded))))
    if len(set(excluded)) != len(excluded) or found != set(excluded):
        raise ValidationError("exclusions", "Pick each excluded professional once from the list.")
    return {
        "region_id": region_id,
        "title": title,
        "deadline": deadline,
        "round_id": round_id,
        "skills": skills,
    }


def create_swarm_request(
    session: Session, data: RequestInput, *, actor: Actor, clock: Clock = system_clock
) -> SwarmRequest:
    """A new request in status draft."""
    municipality = get(session, Municipality, data.municipality_id)
    actor.require_municipality(municipality.id, municipality.region_id)
    checked = _validated(session, data, clock)
    request = SwarmRequest(
        municipality_id=municipality.id,
        planning_round_id=checked["round_id"],
        created_by_id=actor.user_id,
        created_at=clock(),
    )
    _apply(session, request, data, checked)
    return request


def update_swarm_request(
    session: Session, request_id: int, data: RequestInput, *, actor: Actor, clock: Clock = system_clock
) -> SwarmRequest:
    """Change a draft or open request (the municipality cannot be changed)."""
    request = get(session, SwarmRequest, request_id)
    municipality = get(session, Municipality, request.municipality_id)
    actor.require_municipality(municipality.id, municipality.region_id)
    if request.status not in (RequestStatus.DRAFT, RequestStatus.OPEN):
        raise ValidationError("status", "A planned or held request can no longer be changed.")
    if data.municipality_id != request.municipality_id:
        raise ValidationError("municipality_id", "A request stays with its municipality.")
    checked = _validated(session, data, clock)
    request.planning_round_id = checked["round_id"]
    request.updated_at = clock()
    _apply(session, request, data, checked)
    return request


def _apply(session: Session, request: SwarmRequest, data: RequestInput, checked: dict) -> None:
    request.title = checked["title"]
    request.question = data.question.strip()
    request.table_size_min, request.table_size_max = data.table_size_min, data.table_size_max
    request.priority = data.priority
    request.max_travel_km = data.max_travel_km
    request.availability_deadline = checked["deadline"]
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


def open_swarm_request(
    session: Session, request_id: int, *, actor: Actor, clock: Clock = system_clock
) -> SwarmRequest:
    """Publish the question to the region: professionals can now mark their availability for its slots."""
    request = get(session, SwarmRequest, request_id)
    municipality = get(session, Municipality, request.municipality_id)
    actor.require_municipality(municipality.id, municipality.region_id)
    if not session.exec(select(RequestSlot.id).where(RequestSlot.request_id == request.id)).first():
        raise ValidationError("slot_ids", "Pick at least one candidate slot.")
    if request.availability_deadline <= clock():
        raise ValidationError("availability_deadline", "The deadline must lie in the future.")
    return _transition(session, request_id, RequestStatus.OPEN, actor, by_region=False, opened_at=clock())


def withdraw_swarm_request(session: Session, request_id: int, *, actor: Actor) -> SwarmRequest:
    """Back to draft, e.g. to change it before it is planned."""
    return _transition(session, request_id, RequestStatus.DRAFT, actor, by_region=False)


def mark_request_planned(
    session: Session, request_id: int, *, actor: Actor, clock: Clock = system_clock
) -> SwarmRequest:
    return _transition(session, request_id, RequestStatus.PLANNED, actor, by_region=True, planned_at=clock())


def mark_request_held(
    session: Session, request_id: int, *, actor: Actor, clock: Clock = system_clock
) -> SwarmRequest:
    return _transition(session, request_id, RequestStatus.HELD, actor, by_region=True, held_at=clock())


def set_pin(session: Session, request_id: int, professional_id: int, kind: PinKind, *, actor: Actor) -> Pin:
    """The organizer seats a professional at a request's session (include) or keeps them out (exclude)."""
    request = get(session, SwarmRequest, request_id)
    actor.require_region(get(session, Municipality, request.municipality_id).region_id)
    get(session, Professional, professional_id)
    pin = session.exec(
        select(Pin).where(Pin.request_id == request_id, Pin.professional_id == professional_id)
    ).first() or Pin(request_id=request_id, professional_id=professional_id, created_by_id=actor.user_id)
    pin.kind = PinKind(kind)
    session.add(pin)
    session.flush()
    return pin


def remove_pin(session: Session, request_id: int, professional_id: int, *, actor: Actor) -> None:
    request = get(session, SwarmRequest, request_id)
    actor.require_region(get(session, Municipality, request.municipality_id).region_id)
    session.exec(delete(Pin).where(Pin.request_id == request_id, Pin.professional_id == professional_id))
    session.flush()


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
    rows = session.exec(
        select(SwarmRequest, Municipality)
        .join(Municipality, Municipality.id == SwarmRequest.municipality_id)
        .where(Municipality.region_id == region_id)
        .order_by(SwarmRequest.availability_deadline)
    )
    return list(rows.all())


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
