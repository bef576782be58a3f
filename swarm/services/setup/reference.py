"""Reference data from ``fixtures/``: real regions, municipalities (CBS codes), GeoNames places and the skill catalogue.

Idempotent: running it again updates names and links and adds what is missing, never duplicates.
"""

from __future__ import annotations

from sqlmodel import Session, select

from swarm.persistence.models import Municipality, Place, Region, Skill
from swarm.seed import catalogue
from swarm.seed import regions as fixture_regions


def seed_skills(session: Session) -> dict[str, Skill]:
    existing = {skill.code: skill for skill in session.exec(select(Skill))}
    for item in catalogue.skills():
        skill = existing.get(item.code) or Skill(code=item.code, name_nl=item.name_nl, name_en=item.name_en)
        skill.name_nl, skill.name_en = item.name_nl, item.name_en
        session.add(skill)
        existing[item.code] = skill
    session.flush()
    return existing


def seed_region(session: Session, slug: str) -> Region:
    """The region with its municipalities and the places in and around it (the home places people pick)."""
    source = fixture_regions.region(slug)
    region = session.exec(select(Region).where(Region.slug == slug)).first() or Region(
        slug=slug, name=source.name
    )
    region.name = source.name
    session.add(region)
    session.flush()

    by_code = {m.cbs_code: m for m in session.exec(select(Municipality))}
    for item in source.municipalities:
        municipality = by_code.get(item.cbs_code) or Municipality(
            cbs_code=item.cbs_code, name=item.name, region_id=region.id
        )
        municipality.name, municipality.region_id = item.name, region.id
        municipality.seat_name = item.town_hall_name
        municipality.lat, municipality.lon = item.town_hall.lat, item.town_hall.lon
        session.add(municipality)
        by_code[item.cbs_code] = municipality
    session.flush()

    by_geonameid = {p.geonameid: p for p in session.exec(select(Place).where(Place.geonameid.is_not(None)))}
    for item in fixture_regions.region_places(slug):
        place = by_geonameid.get(item.geonameid) or Place(
            geonameid=item.geonameid, name=item.name, lat=item.lat, lon=item.lon
        )
        place.name, place.lat, place.lon, place.population = item.name, item.lat, item.lon, item.population
        owner = by_code.get(item.municipality_code) if item.municipality_code else None
        if owner is not None:
            place.municipality_id = owner.id
        session.add(place)
        by_geonameid[item.geonameid] = place
    session.flush()
    return region


def seed_reference(session: Session, slug: str) -> Region:
    seed_skills(session)
    return seed_region(session, slug)
