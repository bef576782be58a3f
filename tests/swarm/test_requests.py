"""Swarm requests: creating them, their life cycle and the checks that keep bad requests out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from swarm.domain.actors import SYSTEM, Actor
from swarm.domain.enums import PinKind, RequestStatus, UserRole
from swarm.domain.errors import InvalidTransition, NotAllowed, ValidationError
from swarm.domain.timeutil import fixed_clock
from swarm.persistence.models import Pin, RequestExclusion, RequestNeed, RequestSlot, SwarmRequest
from swarm.services.plan.requests import (
    ExclusionInput,
    NeedInput,
    RequestInput,
    create_swarm_request,
    mark_request_held,
    mark_request_planned,
    remove_pin,
    set_pin,
    submit_swarm_request,
    update_swarm_request,
)
from tests.swarm.factories import CLOCK, add_professional, count


def request_input(world, **changes) -> RequestInput:
    values = dict(
        municipality_id=world.municipality.id,
        title="Hoe betrekken we inwoners bij het omgevingsplan?",
        question="Wat werkt in kleine kernen?",
        table_size_min=4,
        table_size_max=8,
        needs=[NeedInput("participatie", 2), NeedInput("omgevingsrecht", 1, min_level=2)],
        slot_ids=[world.morning.id, world.afternoon.id],
        venue_ids=[world.venue.id],
        priority=3,
        max_travel_km=50,
    )
    values.update(changes)
    return RequestInput(**values)


def refuse(db, world, field, **changes):
    with pytest.raises(ValidationError) as refused:
        create_swarm_request(db, request_input(world, **changes), actor=world.coordinator, clock=CLOCK)
    assert refused.value.field == field
    assert count(db, SwarmRequest) == count(db, RequestNeed) == count(db, RequestSlot) == 0


def test_a_coordinator_creates_a_draft_request_with_needs_slots_and_exclusions(db, world):
    excluded = add_professional(db, world)
    request = create_swarm_request(
        db,
        request_input(world, exclusions=[ExclusionInput(excluded.id, "works for the applicant")]),
        actor=world.coordinator,
        clock=CLOCK,
    )
    assert request.status == RequestStatus.DRAFT
    assert request.planning_round_id == world.round.id
    assert request.availability_deadline == world.round.availability_deadline
    assert world.round.availability_deadline == datetime(2027, 1, 5, 16, 0, tzinfo=UTC)  # 17:00 in Amsterdam
    assert count(db, RequestNeed) == 2 and count(db, RequestSlot) == 2 and count(db, RequestExclusion) == 1


def test_min_table_size_above_max_is_refused(db, world):
    refuse(db, world, "table_size_max", table_size_min=6, table_size_max=4)


def test_a_slot_that_has_begun_is_refused(db, world):
    with pytest.raises(ValidationError) as refused:
        create_swarm_request(
            db,
            request_input(world, planning_round_id=world.round.id),
            actor=world.coordinator,
            clock=fixed_clock(
                datetime(2027, 1, 12, 8, 30, tzinfo=UTC)
            ),  # the morning slot began at 08:00 UTC
        )
    assert refused.value.field == "slot_ids" and "begun" in refused.value.message


def test_other_bad_input_is_refused_at_its_field(db, world):
    refuse(db, world, "title", title="  ")
    refuse(db, world, "priority", priority=9)
    refuse(db, world, "slot_ids", slot_ids=[424242])
    refuse(db, world, "needs", needs=[NeedInput("participatie"), NeedInput("participatie")])
    refuse(db, world, "needs[0].min_level", needs=[NeedInput("participatie", 1, min_level=5)])
    refuse(db, world, "exclusions", exclusions=[ExclusionInput(424242)])


def test_a_coordinator_of_another_municipality_may_not_create_it(db, world):
    stranger = Actor(UserRole.COORDINATOR, municipality_id=world.neighbour.id)
    with pytest.raises(NotAllowed):
        create_swarm_request(db, request_input(world), actor=stranger, clock=CLOCK)


def test_life_cycle_draft_open_planned_held(db, world):
    request = create_swarm_request(db, request_input(world), actor=world.coordinator, clock=CLOCK)
    submit_swarm_request(db, request.id, actor=world.coordinator, clock=CLOCK)
    with pytest.raises(NotAllowed):
        mark_request_planned(db, request.id, actor=world.coordinator, clock=CLOCK)
    mark_request_planned(db, request.id, actor=world.organizer, clock=CLOCK)
    with pytest.raises(ValidationError):
        update_swarm_request(db, request.id, request_input(world), actor=world.coordinator, clock=CLOCK)
    mark_request_held(db, request.id, actor=SYSTEM, clock=CLOCK)
    assert request.status == RequestStatus.HELD
    with pytest.raises(InvalidTransition):
        submit_swarm_request(db, request.id, actor=world.coordinator, clock=CLOCK)


def test_a_request_without_slots_cannot_open(db, world):
    request = create_swarm_request(
        db, request_input(world, slot_ids=[]), actor=world.coordinator, clock=CLOCK
    )
    with pytest.raises(ValidationError) as refused:
        submit_swarm_request(db, request.id, actor=world.coordinator, clock=CLOCK)
    assert refused.value.field == "slot_ids"


def test_update_replaces_needs_and_slots(db, world):
    request = create_swarm_request(db, request_input(world), actor=world.coordinator, clock=CLOCK)
    update_swarm_request(
        db,
        request.id,
        request_input(world, needs=[NeedInput("jeugdzorg", 1)], slot_ids=[world.morning.id]),
        actor=world.coordinator,
        clock=CLOCK,
    )
    assert count(db, RequestNeed) == 1 and count(db, RequestSlot) == 1


def test_organizer_pins_and_unpins_a_professional(db, world):
    request = create_swarm_request(db, request_input(world), actor=world.coordinator, clock=CLOCK)
    professional = add_professional(db, world)
    set_pin(db, request.id, professional.id, PinKind.INCLUDE, actor=world.organizer)
    set_pin(db, request.id, professional.id, PinKind.EXCLUDE, actor=world.organizer)
    assert count(db, Pin) == 1
    with pytest.raises(NotAllowed):
        set_pin(db, request.id, professional.id, PinKind.INCLUDE, actor=world.coordinator)
    remove_pin(db, request.id, professional.id, actor=world.organizer)
    assert count(db, Pin) == 0
