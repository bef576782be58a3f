"""Rounds that keep coming: a round's life, drafts at any time, waiting requests and roll-overs with their reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from swarm.config import Config
from swarm.domain.actors import SYSTEM, Actor
from swarm.domain.enums import PlanningRoundStatus, RequestStatus, RoundOutcome, SessionStatus, UserRole
from swarm.domain.errors import NotAllowed, ValidationError
from swarm.domain.timeutil import fixed_clock
from swarm.persistence.models import PlanningRound, RequestSlot, Session, Slot, SlotVenue
from swarm.services.people.professionals import set_availability
from swarm.services.plan.frame import round_slots, round_taking_requests
from swarm.services.plan.publish import cancel_session, publish_round
from swarm.services.plan.queue import enqueue_solve
from swarm.services.plan.requests import (
    NeedInput,
    RequestInput,
    create_swarm_request,
    submit_swarm_request,
    update_swarm_request,
    withdraw_swarm_request,
)
from swarm.services.plan.rounds import (
    ExistingSlot,
    RoundChange,
    RoundInput,
    SlotInput,
    close_planning_round,
    current_unplanned,
    open_planning_round,
    request_history,
    rounds_of_region,
    update_planning_round,
)
from tests.swarm.factories import CLOCK, NOW, add_professional, count, open_round
from tests.swarm.test_privacy import solve

AFTER_THE_DEADLINE = fixed_clock(
    datetime(2027, 1, 6, 9, tzinfo=UTC)
)  # the first round's poll closed on the 5th


def draft(db, world, title="Jeugdzorg in kleine kernen", clock=CLOCK, **changes):
    values = dict(
        municipality_id=world.municipality.id,
        title=title,
        table_size_min=2,
        table_size_max=2,
        needs=[NeedInput("participatie", 1)],
    )
    values.update(changes)
    return create_swarm_request(db, RequestInput(**values), actor=world.coordinator, clock=clock)


def february(world, **changes) -> RoundInput:
    values = dict(
        name="Februari",
        availability_deadline=datetime(2027, 1, 25, 17),
        slots=[
            SlotInput(datetime(2027, 2, 1, 9), datetime(2027, 2, 1, 12), [world.venue.id]),
            SlotInput(datetime(2027, 2, 1, 13), datetime(2027, 2, 1, 16), [world.venue.id]),
        ],
        time_limit_seconds=20,
    )
    values.update(changes)
    return RoundInput(**values)


def refuse_round(db, world, field, clock=CLOCK, **changes):
    rounds, slots = count(db, PlanningRound), count(db, Slot)
    with pytest.raises(ValidationError) as refused:
        open_planning_round(
            db, world.region.id, february(world, **changes), actor=world.organizer, clock=clock
        )
    assert refused.value.field == field
    assert (count(db, PlanningRound), count(db, Slot)) == (rounds, slots)
    return refused.value.message


def test_a_round_opens_with_its_slots_venues_deadline_and_time_limit(db, world):
    planning_round = open_planning_round(
        db, world.region.id, february(world), actor=world.organizer, clock=CLOCK
    )
    assert (planning_round.sequence, planning_round.status) == (2, PlanningRoundStatus.OPEN)
    assert planning_round.availability_deadline == datetime(2027, 1, 25, 16, tzinfo=UTC)  # 17:00 in Amsterdam
    assert planning_round.time_limit_seconds == 20
    assert str(planning_round.starts_on) == str(planning_round.ends_on) == "2027-02-01"
    slots = round_slots(db, planning_round.id)
    assert [s.code for s in slots] == ["2027-02-01-am", "2027-02-01-pm"]
    assert set(db.exec(select(SlotVenue.venue_id).where(SlotVenue.slot_id == slots[0].id))) == {
        world.venue.id
    }
    phases = {
        summary.planning_round.name: summary.phase
        for summary in rounds_of_region(db, world.region.id, now=NOW)
    }
    assert phases == {"Februari": "taking_requests", "2027 Q1": "taking_requests"}


def test_bad_rounds_are_refused_at_their_field_and_nothing_is_written(db, world):
    assert refuse_round(
        db, world, "availability_deadline", availability_deadline=datetime(2026, 11, 30, 17)
    ) == ("The deadline must lie in the future.")
    assert refuse_round(
        db, world, "availability_deadline", availability_deadline=datetime(2027, 2, 1, 10)
    ) == ("The deadline must be before the first time slot.")
    past = [SlotInput(datetime(2026, 11, 30, 9), datetime(2026, 11, 30, 12), [world.venue.id])]
    assert (
        refuse_round(db, world, "slots[0].starts_at", slots=past) == "A time slot must start in the future."
    )
    backwards = [SlotInput(datetime(2027, 2, 1, 12), datetime(2027, 2, 1, 9), [world.venue.id])]
    assert refuse_round(db, world, "slots[0].ends_at", slots=backwards) == "A slot must end after it starts."
    no_venue = [SlotInput(datetime(2027, 2, 1, 9), datetime(2027, 2, 1, 12), [])]
    assert refuse_round(db, world, "slots[0].venue_ids", slots=no_venue).startswith("Pick at least one venue")
    refuse_round(db, world, "slots", slots=[])
    refuse_round(db, world, "name", name=" ")
    refuse_round(db, world, "time_limit_seconds", time_limit_seconds=0)


def test_a_draft_saved_while_no_round_takes_requests_has_no_round_and_waits_when_submitted(db, world):
    later = AFTER_THE_DEADLINE
    assert round_taking_requests(db, world.region.id, later()) is None
    request = draft(db, world, clock=later)
    assert (request.planning_round_id, request.availability_deadline) == (None, None)
    with pytest.raises(ValidationError) as refused:
        draft(db, world, "Met tijdvak", clock=later, slot_ids=[world.morning.id])
    assert refused.value.field == "slot_ids" and "next round" in refused.value.message
    submit_swarm_request(db, request.id, actor=world.coordinator, clock=later)
    assert request.status == RequestStatus.WAITING and request.planning_round_id is None
    withdraw_swarm_request(db, request.id, actor=world.coordinator)
    assert request.status == RequestStatus.DRAFT


def test_a_waiting_request_joins_the_next_round_with_all_its_slots_and_its_deadline(db, world):
    later = AFTER_THE_DEADLINE
    request = draft(db, world, clock=later)
    submit_swarm_request(db, request.id, actor=world.coordinator, clock=later)
    next_round = open_planning_round(db, world.region.id, february(world), actor=world.organizer, clock=later)
    assert request.status == RequestStatus.OPEN and request.planning_round_id == next_round.id
    assert request.availability_deadline == next_round.availability_deadline
    chosen = set(db.exec(select(RequestSlot.slot_id).where(RequestSlot.request_id == request.id)))
    assert chosen == {slot.id for slot in round_slots(db, next_round.id)}
    assert request_history(db, request.id) == []  # it was in no round before


def test_a_draft_joins_the_round_taking_requests_and_offers_only_its_slots(db, world):
    request = draft(db, world, slot_ids=[world.morning.id])
    assert request.planning_round_id == world.round.id
    february_round = open_round(db, world, "Februari", datetime(2027, 2, 2))
    [february_slot] = round_slots(db, february_round.id)
    with pytest.raises(ValidationError) as refused:  # the first round closes sooner: it takes the requests
        update_swarm_request(
            db,
            request.id,
            RequestInput(world.municipality.id, "Jeugdzorg", slot_ids=[february_slot.id]),
            actor=world.coordinator,
            clock=CLOCK,
        )
    assert refused.value.field == "slot_ids"


@pytest.fixture
def published_with_one_left_out(db, world):
    """Four people; two questions for the morning, one of which needs a skill nobody has: solved and published."""
    people = [add_professional(db, world, n, skills={"participatie": 2}) for n in range(1, 5)]
    for person in people:
        set_availability(db, person.id, {world.morning.id: "yes"}, actor=SYSTEM, clock=CLOCK)
    planned = draft(db, world, "Omgevingsplan", slot_ids=[world.morning.id])
    left_out = draft(
        db, world, "Jeugdzorg", slot_ids=[world.morning.id], needs=[NeedInput("jeugdzorg", 2, min_level=3)]
    )
    for request in (planned, left_out):
        submit_swarm_request(db, request.id, actor=world.coordinator, clock=CLOCK)
    run = enqueue_solve(db, world.round.id, actor=world.organizer, clock=CLOCK)
    solve(db, run)
    publish_round(db, world.round.id, actor=world.organizer, config=config_of(db), clock=CLOCK)
    assert (planned.status, left_out.status) == (RequestStatus.PLANNED, RequestStatus.OPEN)
    return planned, left_out, run


def config_of(db) -> Config:
    return Config.for_tests(db.get_bind().engine.url.render_as_string(hide_password=False))


def test_a_request_a_published_round_left_out_rolls_over_to_the_next_round_with_its_reason(
    db, world, published_with_one_left_out
):
    planned, left_out, run = published_with_one_left_out
    waiting_for_next = current_unplanned(db, left_out)
    assert waiting_for_next.outcome == RoundOutcome.UNSCHEDULED
    assert waiting_for_next.reason["code"] == "no_slot_with_need"

    next_round = open_round(db, world, "Februari", datetime(2027, 2, 2))
    assert left_out.planning_round_id == next_round.id and left_out.status == RequestStatus.OPEN
    assert (
        left_out.poll_closed_at is None and left_out.availability_deadline == next_round.availability_deadline
    )
    assert planned.planning_round_id == world.round.id  # what was planned stays where it was planned
    [history] = request_history(db, left_out.id)
    assert history.planning_round.id == world.round.id and history.outcome == RoundOutcome.UNSCHEDULED
    assert history.reason["code"] == "no_slot_with_need" and history.reason["facts"]["skill"] == "jeugdzorg"
    assert current_unplanned(db, left_out) is None  # it is in an open round again


def test_publishing_moves_what_it_left_out_into_a_round_that_already_takes_requests(db, world):
    people = [add_professional(db, world, n, skills={"participatie": 2}) for n in range(1, 3)]
    for person in people:
        set_availability(db, person.id, {world.morning.id: "yes"}, actor=SYSTEM, clock=CLOCK)
    planned = draft(db, world, "Omgevingsplan", slot_ids=[world.morning.id])
    left_out = draft(
        db, world, "Jeugdzorg", slot_ids=[world.morning.id], needs=[NeedInput("jeugdzorg", 1, 3)]
    )
    for request in (planned, left_out):
        submit_swarm_request(db, request.id, actor=world.coordinator, clock=CLOCK)
    next_round = open_round(db, world, "Februari", datetime(2027, 2, 2))
    solve(db, enqueue_solve(db, world.round.id, actor=world.organizer, clock=CLOCK))
    assert left_out.planning_round_id == world.round.id  # the first round is not published yet
    publish_round(db, world.round.id, actor=world.organizer, config=config_of(db), clock=CLOCK)
    assert left_out.planning_round_id == next_round.id


def test_a_cancelled_session_is_why_its_request_rolled_over(db, world, published_with_one_left_out):
    planned, _left_out, _run = published_with_one_left_out
    [session] = db.exec(select(Session).where(Session.status == SessionStatus.PUBLISHED)).all()
    cancel_session(db, session.id, actor=world.organizer, config=config_of(db), clock=CLOCK)
    assert planned.status == RequestStatus.OPEN
    open_round(db, world, "Februari", datetime(2027, 2, 2))
    [history] = request_history(db, planned.id)
    assert history.outcome == RoundOutcome.SESSION_CANCELLED and history.reason is None


def test_the_deadline_and_slots_change_while_the_poll_is_open_and_requests_follow(db, world):
    request = draft(db, world, slot_ids=[world.afternoon.id])
    submit_swarm_request(db, request.id, actor=world.coordinator, clock=CLOCK)
    change = RoundChange(
        name="Januari",
        availability_deadline=datetime(2027, 1, 8, 12),
        existing=[
            ExistingSlot(world.morning.id, [world.venue.id]),
            ExistingSlot(world.afternoon.id, remove=True),
        ],
        slots=[SlotInput(datetime(2027, 1, 13, 9), datetime(2027, 1, 13, 12), [world.venue.id])],
    )
    update_planning_round(db, world.round.id, change, actor=world.organizer, clock=CLOCK)
    assert world.round.name == "Januari" and str(world.round.ends_on) == "2027-01-13"
    assert request.availability_deadline == datetime(2027, 1, 8, 11, tzinfo=UTC)
    assert [s.code for s in round_slots(db, world.round.id)] == ["2027-01-12-am", "2027-01-13-am"]
    # its only slot was taken out: it may now be held in any slot of the round
    assert count(db, RequestSlot) == 2


def test_after_the_poll_closed_the_deadline_and_slots_stay_but_the_name_may_change(db, world):
    later = AFTER_THE_DEADLINE
    keep = [
        ExistingSlot(world.morning.id, [world.venue.id]),
        ExistingSlot(world.afternoon.id, [world.venue.id]),
    ]
    deadline = datetime(2027, 1, 5, 17)
    update_planning_round(
        db,
        world.round.id,
        RoundChange("Januari", deadline, 30, existing=keep),
        actor=world.organizer,
        clock=later,
    )
    assert (world.round.name, world.round.time_limit_seconds) == ("Januari", 30)
    with pytest.raises(ValidationError) as refused:
        update_planning_round(
            db,
            world.round.id,
            RoundChange("Januari", datetime(2027, 1, 9, 17), existing=keep),
            actor=world.organizer,
            clock=later,
        )
    assert refused.value.field == "availability_deadline" and "closed" in refused.value.message


def test_an_open_request_is_changed_only_while_its_poll_is_open(db, world):
    request = draft(db, world, slot_ids=[world.morning.id])
    submit_swarm_request(db, request.id, actor=world.coordinator, clock=CLOCK)
    data = RequestInput(world.municipality.id, "Jeugdzorg (bijgewerkt)", slot_ids=[world.morning.id])
    update_swarm_request(db, request.id, data, actor=world.coordinator, clock=CLOCK)
    with pytest.raises(ValidationError) as refused:
        update_swarm_request(db, request.id, data, actor=world.coordinator, clock=AFTER_THE_DEADLINE)
    assert refused.value.field == "status" and "withdraw" in refused.value.message


def test_a_round_with_sessions_to_come_is_closed_only_after_them(db, world, published_with_one_left_out):
    _planned, left_out, _run = published_with_one_left_out
    with pytest.raises(ValidationError) as refused:
        close_planning_round(db, world.round.id, actor=world.organizer, clock=CLOCK)
    assert refused.value.field == "status" and "sessions to come" in refused.value.message
    after_the_sessions = fixed_clock(datetime(2027, 1, 13, 9, tzinfo=UTC))
    close_planning_round(db, world.round.id, actor=world.organizer, clock=after_the_sessions)
    assert world.round.status == PlanningRoundStatus.CLOSED and left_out.status == RequestStatus.OPEN
    march = open_planning_round(
        db,
        world.region.id,
        february(
            world,
            availability_deadline=datetime(2027, 2, 22, 17),
            slots=[SlotInput(datetime(2027, 3, 1, 9), datetime(2027, 3, 1, 12), [world.venue.id])],
        ),
        actor=world.organizer,
        clock=after_the_sessions,
    )
    assert left_out.planning_round_id == march.id
    with pytest.raises(ValidationError):
        close_planning_round(db, world.round.id, actor=world.organizer, clock=after_the_sessions)
    with pytest.raises(ValidationError) as not_planned:
        enqueue_solve(db, world.round.id, actor=world.organizer, clock=after_the_sessions)
    assert "closed" in not_planned.value.message


def test_availability_only_for_slots_that_have_not_begun_in_a_round_whose_poll_is_open(db, world):
    person = add_professional(db, world)
    me = Actor(UserRole.PROFESSIONAL, professional_id=person.id)
    set_availability(db, person.id, {world.morning.id: "yes"}, actor=me, clock=CLOCK)
    for moment, message in (
        (AFTER_THE_DEADLINE, "The availability poll for this time slot has closed."),
        (fixed_clock(datetime(2027, 1, 12, 9, tzinfo=UTC)), "This time slot has already begun."),
    ):
        with pytest.raises(ValidationError) as refused:
            set_availability(db, person.id, {world.morning.id: "no"}, actor=me, clock=moment)
        assert refused.value.field == f"availability.{world.morning.id}" and refused.value.message == message


def test_only_the_regions_organizer_opens_changes_and_closes_its_rounds(db, world):
    stranger = Actor(UserRole.ORGANIZER, region_id=-1)
    with pytest.raises(NotAllowed):
        open_planning_round(db, world.region.id, february(world), actor=stranger, clock=CLOCK)
    with pytest.raises(NotAllowed):
        open_planning_round(db, world.region.id, february(world), actor=world.coordinator, clock=CLOCK)
    with pytest.raises(NotAllowed):
        close_planning_round(db, world.round.id, actor=stranger, clock=CLOCK)
    with pytest.raises(NotAllowed):
        update_planning_round(
            db, world.round.id, RoundChange("X", datetime(2027, 1, 5, 17)), actor=stranger, clock=CLOCK
        )
