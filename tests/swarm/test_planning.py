"""The region's planning frame and role book, kept by organizers and coordinators."""

from __future__ import annotations

from datetime import datetime

import pytest

from swarm.domain.actors import SYSTEM, Actor
from swarm.domain.enums import UserRole
from swarm.domain.errors import NotAllowed, ValidationError
from swarm.persistence.models import Role, RoleSkill, Slot, SlotVenue, Venue
from swarm.services.plan.frame import (
    PolicyInput,
    VenueInput,
    create_slot,
    create_venue,
    set_slot_venues,
    update_region_policy,
    venues_of_slots,
)
from swarm.services.team.rolebook import RoleInput, create_role, delete_role, update_role
from tests.swarm.factories import CLOCK, count


def add_slot(db, world, start: datetime, end: datetime, *, actor=None, clock=CLOCK, venues=None):
    return create_slot(
        db,
        world.round.id,
        start,
        end,
        [world.venue.id] if venues is None else venues,
        actor=actor or world.organizer,
        clock=clock,
    )


def test_a_slot_ending_before_it_starts_is_refused(db, world):
    before = count(db, Slot)
    with pytest.raises(ValidationError) as refused:
        add_slot(db, world, datetime(2027, 1, 13, 12), datetime(2027, 1, 13, 9))
    assert refused.value.field == "slot.ends_at"
    assert count(db, Slot) == before


def test_a_slot_must_start_in_the_future(db, world):
    with pytest.raises(ValidationError) as refused:
        add_slot(db, world, datetime(2026, 12, 1, 9), datetime(2026, 12, 1, 12))  # 08:00 UTC: an hour ago
    assert refused.value.field == "slot.starts_at" and refused.value.message == (
        "A time slot must start in the future."
    )


def test_slots_are_stored_in_utc_and_coded_by_local_time(db, world):
    slot = add_slot(db, world, datetime(2027, 3, 29, 9), datetime(2027, 3, 29, 12))
    assert slot.code == "2027-03-29-am" and slot.starts_at.hour == 7  # CEST
    with pytest.raises(ValidationError) as refused:
        add_slot(db, world, datetime(2027, 3, 29, 9, 30), datetime(2027, 3, 29, 11))
    assert refused.value.field == "slot.starts_at"


def test_a_slot_lists_the_venues_free_for_it(db, world):
    online = create_venue(
        db,
        world.region.id,
        VenueInput("Online", 30, 4, online=True, online_url="https://meet.example"),
        actor=world.organizer,
    )
    slot = add_slot(db, world, datetime(2027, 1, 13, 9), datetime(2027, 1, 13, 12), venues=[online.id])
    assert [v.name for v in venues_of_slots(db, [slot.id])[slot.id]] == ["Online"]
    set_slot_venues(db, slot.id, [world.venue.id, online.id], actor=world.organizer)
    assert count(db, SlotVenue) == 2 + 2  # and the world's two slots have its one venue
    for venues, message in (([], "Pick at least one venue"), ([987654], "Pick venues of your region")):
        with pytest.raises(ValidationError) as refused:
            set_slot_venues(db, slot.id, venues, actor=world.organizer)
        assert refused.value.field == "venue_ids" and refused.value.message.startswith(message)


def test_only_the_regions_organizer_keeps_its_frame(db, world):
    with pytest.raises(NotAllowed):
        add_slot(db, world, datetime(2027, 2, 2, 9), datetime(2027, 2, 2, 12), actor=world.coordinator)
    with pytest.raises(NotAllowed):
        create_venue(
            db,
            world.region.id,
            VenueInput("Zaal", 10, 2, place_id=world.place.id),
            actor=Actor(UserRole.ORGANIZER, region_id=-1),
        )


def test_venues_need_a_known_place_or_an_online_link(db, world):
    for data, field in [
        (VenueInput("Zaal", 10, 2, place_id=987654), "place_id"),
        (VenueInput("Online", 10, 2, online=True, online_url="teams"), "online_url"),
        (VenueInput("Zaal", 0, 2, place_id=world.place.id), "capacity"),
        (VenueInput("Gemeentehuis Ulft", 10, 2, place_id=world.place.id), "name"),
    ]:
        with pytest.raises(ValidationError) as refused:
            create_venue(db, world.region.id, data, actor=world.organizer)
        assert refused.value.field == field
    online = create_venue(
        db,
        world.region.id,
        VenueInput("Online", 30, 4, online=True, online_url="https://meet.example"),
        actor=world.organizer,
    )
    assert online.lat is None and online.code == "online"
    assert count(db, Venue) == 2


def test_the_organizer_sets_the_equal_treatment_policy(db, world):
    update_region_policy(
        db,
        world.region.id,
        PolicyInput(weight_fairness=12, history_window_rounds=6, max_parallel_sessions=2),
        actor=world.organizer,
    )
    assert world.region.swarm_weights()["fairness"] == 12 and world.region.history_window_rounds == 6
    with pytest.raises(ValidationError) as refused:
        update_region_policy(
            db,
            world.region.id,
            PolicyInput(weight_fairness=-1, history_window_rounds=6),
            actor=world.organizer,
        )
    assert refused.value.field == "weight_fairness"


def test_the_guaranteed_turn_is_off_until_the_organizer_sets_it_and_reaches_the_solver(db, world):
    from solver.swarm.instance import GuaranteedTurn, parse_instance
    from swarm.services.plan.instance import build_swarm_instance

    assert "policy" not in build_swarm_instance(db, world.region.id)
    update_region_policy(
        db,
        world.region.id,
        PolicyInput(
            weight_fairness=5,
            history_window_rounds=4,
            guaranteed_turn_after_rounds=3,
            guaranteed_turn_max_skill_percent=10,
        ),
        actor=world.organizer,
    )
    document = build_swarm_instance(db, world.region.id)
    assert document["policy"] == {"guaranteed_turn": {"after_rounds": 3, "max_skill_percent": 10}}
    assert parse_instance(document).guaranteed_turn == GuaranteedTurn(3, 10)

    # Saving the form without the share keeps it; without the rounds switches the turn off.
    update_region_policy(
        db, world.region.id, PolicyInput(5, 4, guaranteed_turn_after_rounds=2), actor=world.organizer
    )
    assert world.region.swarm_policy() == {"guaranteed_turn": {"after_rounds": 2, "max_skill_percent": 10}}
    update_region_policy(db, world.region.id, PolicyInput(5, 4), actor=world.organizer)
    assert "policy" not in build_swarm_instance(db, world.region.id)


@pytest.mark.parametrize(
    ("after", "percent", "field"),
    [(0, None, "guaranteed_turn_after_rounds"), (3, 101, "guaranteed_turn_max_skill_percent")],
)
def test_a_guaranteed_turn_out_of_range_is_refused_at_its_field(db, world, after, percent, field):
    with pytest.raises(ValidationError) as refused:
        update_region_policy(
            db,
            world.region.id,
            PolicyInput(5, 4, guaranteed_turn_after_rounds=after, guaranteed_turn_max_skill_percent=percent),
            actor=world.organizer,
        )
    assert refused.value.field == field


def test_role_book_entries_with_skills(db, world):
    role = create_role(
        db,
        world.municipality.id,
        RoleInput("Omgevingsjurist", "Toetst plannen", skills={"omgevingsrecht": 2}),
        actor=world.coordinator,
    )
    assert count(db, RoleSkill) == 1
    update_role(
        db,
        role.id,
        RoleInput("Omgevingsjurist", skills={"omgevingsrecht": 3, "participatie": 1}),
        actor=world.coordinator,
    )
    assert count(db, RoleSkill) == 2
    with pytest.raises(ValidationError) as refused:
        create_role(db, world.municipality.id, RoleInput("Omgevingsjurist"), actor=world.coordinator)
    assert refused.value.field == "name"
    with pytest.raises(NotAllowed):
        delete_role(db, role.id, actor=Actor(UserRole.COORDINATOR, municipality_id=world.neighbour.id))
    delete_role(db, role.id, actor=SYSTEM)
    assert count(db, Role) == 0 and count(db, RoleSkill) == 0
