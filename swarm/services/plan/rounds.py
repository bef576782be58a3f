"""A planning round's life: opened (by hand, the command line or the cadence), changed, closed, and the requests
that roll over to the next round.

A round takes requests and availability until its deadline; then the scheduler closes its poll and queues its
solve (:mod:`.polls`); the organizer reviews and publishes (:mod:`.publish`); at last the organizer closes it.
Requests move on by themselves: whenever a round takes requests (it opens, or another round is published or
closed), every request waiting for a round and every request a published or closed round left unplanned joins
it, with all its candidate slots, and the round it left is kept with why it was not planned (``RequestRound``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, delete, func, select

from swarm.domain.actors import Actor
from swarm.domain.enums import (
    PlanningRoundStatus,
    RequestStatus,
    RoundOutcome,
    SessionStatus,
    SolveKind,
    SolveStatus,
)
from swarm.domain.errors import N_, ValidationError
from swarm.domain.lifecycle import round_phase
from swarm.domain.refs import request_ref
from swarm.domain.rules import require_text
from swarm.domain.timeutil import Clock, system_clock, to_local, to_utc
from swarm.persistence.models import (
    Municipality,
    PlanningRound,
    Region,
    RequestRound,
    RequestSlot,
    SessionTable,
    Slot,
    SlotVenue,
    SolveRun,
    SwarmRequest,
)
from swarm.persistence.models import Session as SwarmSession
from swarm.services.lookup import get
from swarm.services.plan.draft import delete_draft_sessions
from swarm.services.plan.frame import (
    create_slot,
    region_zone,
    round_slots,
    round_taking_requests,
    set_slot_venues,
    slots_with_sessions,
)
from swarm.services.plan.requests import move_request

MAX_TIME_LIMIT = 3600  # seconds, as for any solve (plan.queue)
UNPLANNED = (PlanningRoundStatus.PLANNED, PlanningRoundStatus.CLOSED)  # rounds whose open requests move on


@dataclass(frozen=True)
class SlotInput:
    """A candidate slot: naive times are the region's wall-clock times."""

    starts_at: datetime
    ends_at: datetime
    venue_ids: Sequence[int] = ()


@dataclass(frozen=True)
class RoundInput:
    """A new round as the organizer's form, the command line or a cadence gives it."""

    name: str
    availability_deadline: datetime  # naive: the region's wall-clock time
    slots: Sequence[SlotInput]
    time_limit_seconds: int | None = None  # None: SWARM_SOLVE_TIME_LIMIT


@dataclass(frozen=True)
class ExistingSlot:
    """A slot the round already has: the venues it keeps, or taken out of the round."""

    slot_id: int
    venue_ids: Sequence[int] = ()
    remove: bool = False


@dataclass(frozen=True)
class RoundChange:
    """The organizer's changes to a round; slots and deadline can change only while its poll is open."""

    name: str
    availability_deadline: datetime
    time_limit_seconds: int | None = None
    existing: Sequence[ExistingSlot] = ()
    slots: Sequence[SlotInput] = field(default_factory=tuple)  # slots to add


# -- opening, changing, closing -------------------------------------------------------------------------------


def check_time_limit(seconds: int | None) -> None:
    if seconds is not None and not 1 <= seconds <= MAX_TIME_LIMIT:
        raise ValidationError("time_limit_seconds", N_("Give a time limit between 1 second and an hour."))


def _deadline(value: datetime, region: Region, clock: Clock) -> datetime:
    deadline = to_utc(value, region_zone(region))
    if deadline <= clock():
        raise ValidationError("availability_deadline", N_("The deadline must lie in the future."))
    return deadline


def _check_new_slots(slots: Sequence[SlotInput], region: Region, clock: Clock) -> list[datetime]:
    """Each new slot starts in the future, ends after it starts and has a venue: checked before anything is
    written. Their starts (UTC)."""
    zone, now, starts = region_zone(region), clock(), []
    for i, slot in enumerate(slots):
        start, end = to_utc(slot.starts_at, zone), to_utc(slot.ends_at, zone)
        if start <= now:
            raise ValidationError(f"slots[{i}].starts_at", N_("A time slot must start in the future."))
        if end <= start:
            raise ValidationError(f"slots[{i}].ends_at", N_("A slot must end after it starts."))
        if not slot.venue_ids:
            raise ValidationError(f"slots[{i}].venue_ids", N_("Pick at least one venue for this time slot."))
        starts.append(start)
    return starts


def _check_deadline_before_slots(deadline: datetime, starts: Sequence[datetime]) -> None:
    if starts and deadline >= min(starts):
        raise ValidationError("availability_deadline", N_("The deadline must be before the first time slot."))


def open_planning_round(
    session: Session,
    region_id: int,
    data: RoundInput,
    *,
    actor: Actor,
    clock: Clock = system_clock,
    cadence_date: date | None = None,
) -> PlanningRound:
    """A new round with its slots, taking requests until its deadline; waiting and unplanned requests join the
    round that now takes requests (this one, unless another closes sooner)."""
    region = get(session, Region, region_id)
    actor.require_region(region.id)
    name = require_text(data.name, "name", max_length=120)
    check_time_limit(data.time_limit_seconds)
    if not data.slots:
        raise ValidationError("slots", N_("Add at least one time slot."))
    starts = _check_new_slots(data.slots, region, clock)
    deadline = _deadline(data.availability_deadline, region, clock)
    _check_deadline_before_slots(deadline, starts)
    last = session.exec(
        select(func.max(PlanningRound.sequence)).where(PlanningRound.region_id == region.id)
    ).one()
    planning_round = PlanningRound(
        region_id=region.id,
        sequence=(last or 0) + 1,
        name=name,
        availability_deadline=deadline,
        time_limit_seconds=data.time_limit_seconds,
        cadence_date=cadence_date,
        created_at=clock(),
    )
    session.add(planning_round)
    session.flush()
    for i, slot in enumerate(data.slots):
        create_slot(
            session,
            planning_round.id,
            slot.starts_at,
            slot.ends_at,
            slot.venue_ids,
            field=f"slots[{i}]",
            actor=actor,
            clock=clock,
        )
    _set_span(session, planning_round)
    roll_over_requests(session, region.id, clock=clock)
    return planning_round


def update_planning_round(
    session: Session, planning_round_id: int, data: RoundChange, *, actor: Actor, clock: Clock = system_clock
) -> PlanningRound:
    """Rename the round, change its time limit and, while its poll is open, its deadline and slots."""
    planning_round = get(session, PlanningRound, planning_round_id)
    actor.require_region(planning_round.region_id)
    region = get(session, Region, planning_round.region_id)
    if planning_round.status == PlanningRoundStatus.CLOSED:
        raise ValidationError("status", N_("A closed round can no longer be changed."))
    planning_round.name = require_text(data.name, "name", max_length=120)
    check_time_limit(data.time_limit_seconds)
    planning_round.time_limit_seconds = data.time_limit_seconds
    now = clock()
    poll_open = (
        planning_round.status == PlanningRoundStatus.OPEN and planning_round.availability_deadline > now
    )
    deadline = to_utc(data.availability_deadline, region_zone(region))
    changes_frame = (
        deadline != planning_round.availability_deadline
        or data.slots
        or any(e.remove for e in data.existing)
        or _venues_change(session, data.existing)
    )
    if changes_frame and not poll_open:
        raise ValidationError(
            "availability_deadline",
            N_(
                "The availability poll of this round has closed; its deadline and time slots stay as they are."
            ),
        )
    if poll_open:
        _change_frame(session, planning_round, region, data, actor, clock)
    session.add(planning_round)
    session.flush()
    return planning_round


def _venues_change(session: Session, existing: Sequence[ExistingSlot]) -> bool:
    for item in existing:
        current = set(session.exec(select(SlotVenue.venue_id).where(SlotVenue.slot_id == item.slot_id)))
        if not item.remove and current != set(item.venue_ids):
            return True
    return False


def _change_frame(
    session: Session,
    planning_round: PlanningRound,
    region: Region,
    data: RoundChange,
    actor: Actor,
    clock: Clock,
) -> None:
    """The deadline and the slots of a round whose poll is open; its requests follow."""
    new_starts = _check_new_slots(data.slots, region, clock)
    deadline = _deadline(data.availability_deadline, region, clock)
    slots = {slot.id: slot for slot in round_slots(session, planning_round.id)}
    removed = {item.slot_id for item in data.existing if item.remove}
    for i, item in enumerate(data.existing):
        if item.slot_id not in slots:
            raise ValidationError(f"existing[{i}].venue_ids", N_("This time slot is not part of the round."))
    planned = slots_with_sessions(session, sorted(removed))
    if planned:
        index = next(i for i, item in enumerate(data.existing) if item.slot_id in planned)
        raise ValidationError(f"existing[{index}].remove", N_("A time slot with a planned session stays."))
    kept_starts = [s.starts_at for slot_id, s in slots.items() if slot_id not in removed]
    _check_deadline_before_slots(deadline, kept_starts + new_starts)
    if len(removed) == len(slots) and not data.slots:
        raise ValidationError("slots", N_("Add at least one time slot."))
    for i, item in enumerate(data.existing):
        if not item.remove:
            set_slot_venues(
                session, item.slot_id, item.venue_ids, field=f"existing[{i}].venue_ids", actor=actor
            )
    if removed:
        # Answers and request choices for a slot that is taken out go with it (their rows cascade).
        session.exec(delete(Slot).where(Slot.id.in_(sorted(removed))))
        session.flush()
        session.expire_all()
    for i, slot in enumerate(data.slots):
        create_slot(
            session,
            planning_round.id,
            slot.starts_at,
            slot.ends_at,
            slot.venue_ids,
            field=f"slots[{i}]",
            actor=actor,
            clock=clock,
        )
    planning_round.availability_deadline = deadline
    _set_span(session, planning_round)
    remaining = [slot.id for slot in round_slots(session, planning_round.id, after=clock())]
    for request in _requests_in(session, planning_round.id):
        request.availability_deadline = deadline
        chosen = session.exec(select(RequestSlot.id).where(RequestSlot.request_id == request.id)).first()
        if chosen is None and request.status == RequestStatus.OPEN:
            # its only slots were taken out: it may now be held in any slot of the round
            session.add_all(RequestSlot(request_id=request.id, slot_id=slot_id) for slot_id in remaining)
        session.add(request)
    session.flush()


def _set_span(session: Session, planning_round: PlanningRound) -> None:
    zone = region_zone(get(session, Region, planning_round.region_id))
    days = [to_local(slot.starts_at, zone).date() for slot in round_slots(session, planning_round.id)]
    planning_round.starts_on, planning_round.ends_on = (min(days), max(days)) if days else (None, None)
    session.add(planning_round)
    session.flush()


def _requests_in(session: Session, planning_round_id: int) -> list[SwarmRequest]:
    return list(
        session.exec(
            select(SwarmRequest)
            .where(SwarmRequest.planning_round_id == planning_round_id)
            .order_by(SwarmRequest.id)
        )
    )


def close_planning_round(
    session: Session, planning_round_id: int, *, actor: Actor, clock: Clock = system_clock
) -> PlanningRound:
    """The round is finished: no more requests, availability, solves or repairs. Its draft is dropped, a solve
    still queued is cancelled, and what it left unplanned moves on to the next round."""
    planning_round = get(session, PlanningRound, planning_round_id)
    actor.require_region(planning_round.region_id)
    now = clock()
    if planning_round.status == PlanningRoundStatus.CLOSED:
        raise ValidationError("status", N_("This round is already closed."))
    to_come = session.exec(
        select(SwarmSession.id)
        .join(Slot, Slot.id == SwarmSession.slot_id)
        .where(
            SwarmSession.planning_round_id == planning_round.id,
            SwarmSession.status == SessionStatus.PUBLISHED,
            Slot.ends_at > now,
        )
    ).first()
    if to_come is not None:
        raise ValidationError(
            "status", N_("This round still has sessions to come; close it after the last one.")
        )
    delete_draft_sessions(session, planning_round.id)
    session.execute(
        sa.update(SolveRun)
        .where(SolveRun.planning_round_id == planning_round.id, SolveRun.status == SolveStatus.QUEUED)
        .values(status=SolveStatus.CANCELLED, finished_at=now)
    )
    planning_round.status = PlanningRoundStatus.CLOSED
    planning_round.closed_at = now
    session.add(planning_round)
    session.flush()
    roll_over_requests(session, planning_round.region_id, clock=clock)
    return planning_round


# -- requests moving on -----------------------------------------------------------------------------------------


def roll_over_requests(session: Session, region_id: int, *, clock: Clock = system_clock) -> list[int]:
    """Move waiting requests, and open requests of published or closed rounds, into the round that takes
    requests now (none: they stay where they are). Each gets every slot of the round that has not begun; the
    round it leaves is kept with why it was not planned. The ids moved."""
    now = clock()
    target = round_taking_requests(session, region_id, now)
    if target is None:
        return []
    finished_rounds = select(PlanningRound.id).where(
        PlanningRound.region_id == region_id, PlanningRound.status.in_(UNPLANNED)
    )
    moving = list(
        session.exec(
            select(SwarmRequest)
            .join(Municipality, Municipality.id == SwarmRequest.municipality_id)
            .where(
                Municipality.region_id == region_id,
                sa.or_(
                    SwarmRequest.status == RequestStatus.WAITING,
                    (SwarmRequest.status == RequestStatus.OPEN)
                    & SwarmRequest.planning_round_id.in_(finished_rounds),
                ),
            )
            .order_by(SwarmRequest.id)
        )
    )
    slots = [slot.id for slot in round_slots(session, target.id, after=now)]
    for request in moving:
        if request.planning_round_id is not None:
            outcome, run_id = why_unplanned(session, request.planning_round_id, request.id)
            session.add(
                RequestRound(
                    request_id=request.id,
                    planning_round_id=request.planning_round_id,
                    outcome=outcome,
                    solve_run_id=run_id,
                    left_at=now,
                )
            )
        session.exec(delete(RequestSlot).where(RequestSlot.request_id == request.id))
        session.add_all(RequestSlot(request_id=request.id, slot_id=slot_id) for slot_id in slots)
        if request.status == RequestStatus.WAITING:
            move_request(request, RequestStatus.OPEN)
        request.planning_round_id = target.id
        request.availability_deadline = target.availability_deadline
        request.opened_at, request.poll_closed_at, request.planned_at = now, None, None
        session.add(request)
    session.flush()
    return [request.id for request in moving]


def why_unplanned(
    session: Session, planning_round_id: int, request_id: int
) -> tuple[RoundOutcome, int | None]:
    """Why a request of this round has no published table: its session was cancelled, or the newest solve of the
    round that left it unscheduled (with that run, whose result words the reason), or the round was never
    solved for it."""
    cancelled = session.exec(
        select(SessionTable.id)
        .join(SwarmSession, SwarmSession.id == SessionTable.session_id)
        .where(
            SessionTable.request_id == request_id,
            SwarmSession.planning_round_id == planning_round_id,
            SwarmSession.status == SessionStatus.CANCELLED,
        )
    ).first()
    if cancelled is not None:
        return RoundOutcome.SESSION_CANCELLED, None
    run = _run_leaving_out(session, planning_round_id, request_id)
    if run is not None:
        return RoundOutcome.UNSCHEDULED, run.id
    return RoundOutcome.NOT_SOLVED, None


def _run_leaving_out(session: Session, planning_round_id: int, request_id: int) -> SolveRun | None:
    ref = request_ref(request_id)
    runs = session.exec(
        select(SolveRun)
        .where(
            SolveRun.planning_round_id == planning_round_id,
            SolveRun.kind == SolveKind.SWARM,
            SolveRun.status == SolveStatus.SUCCEEDED,
        )
        .order_by(SolveRun.id.desc())
    )
    for run in runs:
        if unscheduled_item(run, request_id) is not None:
            return run
        if any(
            t.get("request") == ref for s in (run.result or {}).get("sessions") or [] for t in s["tables"]
        ):
            return None  # the newest solve planned it (a later repair or cancellation took it off)
    return None


def unscheduled_item(run: SolveRun | None, request_id: int) -> dict | None:
    """The result's ``unscheduled`` entry of the request (code, facts, English reason), if it has one."""
    if run is None:
        return None
    ref = request_ref(request_id)
    return next(
        (item for item in (run.result or {}).get("unscheduled") or [] if item.get("request") == ref), None
    )


# -- reads for the pages ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundHistoryItem:
    """A round a request was in and left unplanned, with the reason (an ``unscheduled`` item) when known."""

    planning_round: PlanningRound
    outcome: RoundOutcome
    reason: dict | None


def request_history(session: Session, request_id: int) -> list[RoundHistoryItem]:
    """The rounds the request left unplanned, oldest first."""
    rows = session.exec(
        select(RequestRound, PlanningRound)
        .join(PlanningRound, PlanningRound.id == RequestRound.planning_round_id)
        .where(RequestRound.request_id == request_id)
        .order_by(PlanningRound.sequence)
    ).all()
    return [
        RoundHistoryItem(
            planning_round,
            RoundOutcome(row.outcome),
            unscheduled_item(
                session.get(SolveRun, row.solve_run_id) if row.solve_run_id else None, request_id
            ),
        )
        for row, planning_round in rows
    ]


def current_unplanned(session: Session, request: SwarmRequest) -> RoundHistoryItem | None:
    """For an open request that its round's published plan left out (it moves on with the next round)."""
    if request.status != RequestStatus.OPEN or request.planning_round_id is None:
        return None
    planning_round = get(session, PlanningRound, request.planning_round_id)
    if planning_round.status not in UNPLANNED:
        return None
    outcome, run_id = why_unplanned(session, planning_round.id, request.id)
    run = session.get(SolveRun, run_id) if run_id else None
    return RoundHistoryItem(planning_round, outcome, unscheduled_item(run, request.id))


@dataclass(frozen=True)
class RoundSummary:
    planning_round: PlanningRound
    phase: str
    slots: int
    requests: int


def rounds_of_region(session: Session, region_id: int, *, now: datetime) -> list[RoundSummary]:
    """Every round of the region, newest first, with its phase and how many slots and requests it has."""
    slot_counts = dict(
        session.exec(
            select(Slot.planning_round_id, func.count(Slot.id))
            .where(Slot.region_id == region_id)
            .group_by(Slot.planning_round_id)
        ).all()
    )
    request_counts = dict(
        session.exec(
            select(SwarmRequest.planning_round_id, func.count(SwarmRequest.id))
            .join(PlanningRound, PlanningRound.id == SwarmRequest.planning_round_id)
            .where(PlanningRound.region_id == region_id)
            .group_by(SwarmRequest.planning_round_id)
        ).all()
    )
    rounds = session.exec(
        select(PlanningRound)
        .where(PlanningRound.region_id == region_id)
        .order_by(PlanningRound.sequence.desc())
    )
    return [
        RoundSummary(
            r,
            round_phase(r.status, r.availability_deadline, now).value,
            slot_counts.get(r.id, 0),
            request_counts.get(r.id, 0),
        )
        for r in rounds
    ]


@dataclass(frozen=True)
class RoundToPlan:
    planning_round: PlanningRound
    phase: str


def rounds_to_plan(session: Session, region_id: int, *, now: datetime) -> list[RoundToPlan]:
    """The region's rounds that are not closed, newest first, with their phase: the review's list of rounds, in one
    query (``rounds_of_region`` counts slots and requests besides, which the list does not show)."""
    rounds = session.exec(
        select(PlanningRound)
        .where(PlanningRound.region_id == region_id, PlanningRound.status != PlanningRoundStatus.CLOSED)
        .order_by(PlanningRound.sequence.desc())
    )
    return [RoundToPlan(r, round_phase(r.status, r.availability_deadline, now).value) for r in rounds]


def round_numbered(session: Session, region_id: int, sequence: int) -> PlanningRound:
    """The region's round with this number (1 for its first)."""
    planning_round = session.exec(
        select(PlanningRound).where(PlanningRound.region_id == region_id, PlanningRound.sequence == sequence)
    ).first()
    if planning_round is None:
        raise ValidationError("round", N_("The region has no such planning round."))
    return planning_round


def waiting_requests(session: Session, region_id: int) -> list[SwarmRequest]:
    """Requests submitted while no round took requests: they join the next round that opens."""
    return list(
        session.exec(
            select(SwarmRequest)
            .join(Municipality, Municipality.id == SwarmRequest.municipality_id)
            .where(Municipality.region_id == region_id, SwarmRequest.status == RequestStatus.WAITING)
            .order_by(SwarmRequest.id)
        )
    )
