"""The administrator sets a region up from nothing: region, municipalities (CBS codes), their places, venues."""

from __future__ import annotations

import pytest

from swarm.domain.actors import Actor
from swarm.domain.enums import UserRole
from swarm.domain.errors import NotAllowed, ValidationError
from swarm.persistence.models import Municipality, Place, Region
from swarm.services.plan.frame import VenueInput, create_venue, set_venue_active, update_venue
from swarm.services.setup.regions import (
    MunicipalityInput,
    RegionInput,
    add_place,
    create_municipality,
    create_region,
    places_of,
    remove_place,
    search_places,
    update_region,
)
from tests.swarm.factories import count

ADMIN = Actor(UserRole.ADMINISTRATOR, user_id=1)


def refused(call, field):
    with pytest.raises(ValidationError) as error:
        call()
    assert error.value.field == field, error.value
    return error.value


def test_a_region_gets_a_slug_from_its_name_that_the_administrator_may_change(db):
    region = create_region(db, RegionInput(name="Noord-Veluwe", max_parallel_sessions=2), actor=ADMIN)
    assert (region.slug, region.timezone, region.rounds_per_session) == (
        "noord-veluwe",
        "Europe/Amsterdam",
        3,
    )
    update_region(db, region.id, RegionInput(name="Noord-Veluwe", slug="nv"), actor=ADMIN)
    assert region.slug == "nv"
    refused(lambda: create_region(db, RegionInput(name="Ander", slug="NV"), actor=ADMIN), "slug")
    refused(
        lambda: create_region(db, RegionInput(name="X", timezone="Mars/Olympus"), actor=ADMIN), "timezone"
    )
    refused(lambda: create_region(db, RegionInput(name="A\x00B"), actor=ADMIN), "name")
    refused(
        lambda: create_region(db, RegionInput(name="Y", rounds_per_session=0), actor=ADMIN),
        "rounds_per_session",
    )
    with pytest.raises(NotAllowed):
        create_region(db, RegionInput(name="Z"), actor=Actor(UserRole.ORGANIZER, region_id=region.id))


def test_a_municipality_has_a_unique_cbs_code_and_its_seat_becomes_its_first_place(db):
    region = create_region(db, RegionInput(name="Noord-Veluwe"), actor=ADMIN)
    ermelo = create_municipality(db, MunicipalityInput("Ermelo", "gm0233", region.id, "Ermelo"), actor=ADMIN)
    assert ermelo.cbs_code == "GM0233" and ermelo.seat_name == "Ermelo" and ermelo.lat
    assert [p.name for p in places_of(db, ermelo.id)] == ["Ermelo"]
    refused(
        lambda: create_municipality(db, MunicipalityInput("X", "GM0233", region.id, "Putten"), actor=ADMIN),
        "cbs_code",
    )
    refused(
        lambda: create_municipality(db, MunicipalityInput("X", "0233", region.id, "Putten"), actor=ADMIN),
        "cbs_code",
    )
    refused(
        lambda: create_municipality(db, MunicipalityInput("X", "GM9999", None, "Putten"), actor=ADMIN),
        "region_id",
    )
    refused(
        lambda: create_municipality(
            db, MunicipalityInput("X", "GM9999", region.id, "Nergenshuizen"), actor=ADMIN
        ),
        "seat",
    )
    refused(
        lambda: create_municipality(
            db, MunicipalityInput("X\r\nY", "GM9999", region.id, "Putten"), actor=ADMIN
        ),
        "name",
    )
    assert count(db, Municipality) == 1


def test_places_are_found_in_any_spelling_among_all_dutch_places_and_belong_to_one_municipality(db):
    region = create_region(db, RegionInput(name="Noord-Veluwe"), actor=ADMIN)
    ermelo = create_municipality(db, MunicipalityInput("Ermelo", "GM0233", region.id, "Ermelo"), actor=ADMIN)
    putten = create_municipality(db, MunicipalityInput("Putten", "GM0273", region.id, "Putten"), actor=ADMIN)
    matches = search_places(db, "putt")
    assert (
        matches[0].name == "Putten" and matches[0].province == "Gelderland" and matches[0].owner == "Putten"
    )
    assert {m.name for m in search_places(db, "den haag")} | {m.name for m in search_places(db, "'s-grav")}
    assert search_places(db, "") == [] and search_places(db, "\x00") == []
    harderwijk = next(m for m in search_places(db, "Harderwijk") if m.name == "Harderwijk")
    place = add_place(db, ermelo.id, harderwijk.geonameid, actor=ADMIN)
    assert place.municipality_id == ermelo.id
    error = refused(lambda: add_place(db, putten.id, harderwijk.geonameid, actor=ADMIN), "geonameid")
    assert error.message == "This place already belongs to another municipality."
    refused(lambda: add_place(db, putten.id, 2**63, actor=ADMIN), "geonameid")
    remove_place(db, ermelo.id, place.id, actor=ADMIN)
    assert add_place(db, putten.id, harderwijk.geonameid, actor=ADMIN).id == place.id
    assert count(db, Place) == 3


def test_venues_are_set_up_by_the_administrator_edited_and_deactivated(db):
    region = create_region(db, RegionInput(name="Noord-Veluwe"), actor=ADMIN)
    ermelo = create_municipality(db, MunicipalityInput("Ermelo", "GM0233", region.id, "Ermelo"), actor=ADMIN)
    [town] = places_of(db, ermelo.id)
    venue = create_venue(
        db,
        region.id,
        VenueInput(name="Gemeentehuis Ermelo", capacity=40, tables=5, place_id=town.id),
        actor=ADMIN,
    )
    assert (venue.place_id, venue.municipality_id, venue.code) == (town.id, ermelo.id, "gemeentehuis-ermelo")
    update_venue(
        db, venue.id, VenueInput(name="Raadhuis", capacity=30, tables=4, place_id=town.id), actor=ADMIN
    )
    assert (venue.name, venue.capacity, venue.code) == ("Raadhuis", 30, "gemeentehuis-ermelo")
    refused(
        lambda: update_venue(
            db, venue.id, VenueInput(name="R", capacity=0, tables=4, place_id=town.id), actor=ADMIN
        ),
        "capacity",
    )
    refused(
        lambda: create_venue(
            db, region.id, VenueInput(name="Online", capacity=9, tables=2, online=True), actor=ADMIN
        ),
        "online_url",
    )
    set_venue_active(db, venue.id, False, actor=ADMIN)
    assert not venue.active
    other = create_region(db, RegionInput(name="Elders"), actor=ADMIN)
    with pytest.raises(NotAllowed):
        set_venue_active(db, venue.id, True, actor=Actor(UserRole.ORGANIZER, region_id=other.id))
    assert count(db, Region) == 2
