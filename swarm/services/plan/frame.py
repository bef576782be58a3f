"""A region's planning frame, kept by its organizer: planning rounds, time slots, venues and the region's policy."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlmodel import Session, func, select

from swarm.domain.actors import Actor
from swarm.domain.enums import PlanningRoundStatus
from swarm.domain.errors import ValidationError
from swarm.domain.rules import require_range, require_text
from swarm.domain.timeutil import slot_code, to_local, to_utc
from swarm.persistence.models import PlanningRound, Region, Slot, Venue, VenueUnavailability
from swarm.services.lookup import get, place_for_field


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def create_planning_round(
    session: Session,
    region_id: int,
    name: str,
    *,
    starts_on: date | None = None,
    ends_on: date | None = None,
    actor: Actor,
) -> PlanningRound:
    region = get(session, Region, region_id)
    actor.require_region(region.id)
    name = require_text(name, "name", max_length=120)
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError("ends_on", "The round cannot end before it starts.")
    last = session.exec(
        select(func.max(PlanningRound.sequence)).where(PlanningRound.region_id == region.id)
    ).one()
    planning_round = PlanningRound(
        region_id=region.id, sequence=(last or 0) + 1, name=name, starts_on=starts_on, ends_on=ends_on
    )
    session.add(planning_round)
    session.flush()
    return planning_round


def current_planning_round(session: Session, region_id: int) -> PlanningRound | None:
    """The region's newest round that is still open for requests."""
    return session.exec(
        select(PlanningRound)
        .where(PlanningRound.region_id == region_id, PlanningRound.status == PlanningRoundStatus.OPEN)
        .order_by(PlanningRound.sequence.desc())
    ).first()


def planning_round_for(session: Session, region_id: int, planning_round_id: int | None) -> PlanningRound:
    """The given round, or the region's newest one."""
    if planning_round_id is not None:
        planning_round = get(session, PlanningRound, planning_round_id)
        if planning_round.region_id != region_id:
            raise ValidationError("planning_round_id", "This planning round belongs to another region.")
        return planning_round
    planning_round = session.exec(
        select(PlanningRound)
        .where(PlanningRound.region_id == region_id)
        .order_by(PlanningRound.sequence.desc())
    ).first()
    if planning_round is None:
        raise ValidationError("planning_round_id", "The region has no planning round yet.")
    return planning_round


def create_slot(
    session: Session,
    region_id: int,
    starts_at: datetime,
    ends_at: datetime,
    *,
    planning_round_id: int | None = None,
    actor: Actor,
) -> Slot:
    """A time slot; naive times are Europe/Amsterdam wall-clock times."""
    region = get(session, Region, region_id)
    actor.require_region(region.id)
    start, end = to_utc(starts_at), to_utc(ends_at)
    if end <= start:
        raise ValidationError("ends_at", "A slot must end after it starts.")
    if (
        planning_round_id is not None
        and get(session, PlanningRound, planning_round_id).region_id != region.id
    ):
        raise ValidationError("planning_round_id", "This planning round belongs to another region.")
    code = slot_code(to_local(start))
    taken = session.exec(select(Slot.id).where(Slot.region_id == region.id, Slot.code == code)).first()
    if taken is not None:
        raise ValidationError("starts_at", f"The region already has a slot {code}.")
    slot = Slot(
        region_id=region.id, planning_round_id=planning_round_id, code=code, starts_at=start, ends_at=end
    )
    session.add(slot)
    session.flush()
    return slot


@dataclass(frozen=True)
class VenueInput:
    """A venue at a place from the list (or, from fixtures, exact coordinates), or online with a link."""

    name: str
    capacity: int
    tables: int
    address: str = ""
    place_id: int | None = None
    lat: float | None = None
    lon: float | None = None
    online: bool = False
    online_url: str = ""
    code: str = ""
    municipality_id: int | None = None


def _venue_values(session: Session, region: Region, data: VenueInput, own_id: int | None) -> dict:
    name = require_text(data.name, "name")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name + data.address + data.online_url):
        raise ValidationError("name", "Use letters, digits and punctuation only (no line breaks).")
    require_range(data.capacity, "capacity", minimum=1, maximum=10_000)
    require_range(data.tables, "tables", minimum=1, maximum=500)
    lat, lon = data.lat, data.lon
    municipality_id, place_id = data.municipality_id, None
    if data.online:
        if not data.online_url.startswith(("https://", "http://")) or len(data.online_url) > 500:
            raise ValidationError("online_url", "An online venue needs a web link (https://...).")
        lat = lon = None
    elif data.place_id is not None or lat is None or lon is None:
        place = place_for_field(session, data.place_id, "place_id")
        lat, lon, place_id = place.lat, place.lon, place.id
        municipality_id = municipality_id or place.municipality_id
    code = slugify(data.code or name)[:60]
    if not code:
        raise ValidationError("code", "Use letters or digits.")
    taken = session.exec(select(Venue.id).where(Venue.region_id == region.id, Venue.code == code)).first()
    if taken is not None and taken != own_id:
        raise ValidationError("name", "The region already has a venue with this name.")
    return {
        "code": code,
        "name": name,
        "address": data.address.strip()[:300],
        "municipality_id": municipality_id,
        "place_id": place_id,
        "lat": lat,
        "lon": lon,
        "capacity": data.capacity,
        "tables": data.tables,
        "online": data.online,
        "online_url": data.online_url.strip() if data.online else "",
    }


def create_venue(session: Session, region_id: int, data: VenueInput, *, actor: Actor) -> Venue:
    """A venue of the region: its organizers keep them, the administrator sets them up."""
    region = get(session, Region, region_id)
    actor.require_region_setup(region.id)
    venue = Venue(region_id=region.id, **_venue_values(session, region, data, None))
    session.add(venue)
    session.flush()
    return venue


def update_venue(session: Session, venue_id: int, data: VenueInput, *, actor: Actor) -> Venue:
    """Change a venue. Its code (the id in solver documents) stays what it was, whatever the new name."""
    venue = get(session, Venue, venue_id)
    region = get(session, Region, venue.region_id)
    actor.require_region_setup(region.id)
    values = _venue_values(session, region, replace(data, code=venue.code), venue.id)
    for name, value in values.items():
        setattr(venue, name, value)
    session.add(venue)
    session.flush()
    return venue


def set_venue_active(session: Session, venue_id: int, active: bool, *, actor: Actor) -> Venue:
    """A deactivated venue is offered for no new session; sessions planned there keep it."""
    venue = get(session, Venue, venue_id)
    actor.require_region_setup(venue.region_id)
    venue.active = active
    session.add(venue)
    session.flush()
    return venue


def set_venue_unavailable(
    session: Session, venue_id: int, slot_id: int, *, reason: str = "", actor: Actor
) -> VenueUnavailability:
    venue = get(session, Venue, venue_id)
    actor.require_region(venue.region_id)
    if get(session, Slot, slot_id).region_id != venue.region_id:
        raise ValidationError("slot_id", "This slot belongs to another region.")
    existing = session.exec(
        select(VenueUnavailability).where(
            VenueUnavailability.venue_id == venue_id, VenueUnavailability.slot_id == slot_id
        )
    ).first()
    row = existing or VenueUnavailability(venue_id=venue_id, slot_id=slot_id)
    row.reason = reason.strip()
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class PolicyInput:
    """The organizer's equal-treatment policy and planning settings of a region."""

    weight_fairness: int
    history_window_rounds: int
    rounds_per_session: int | None = None
    max_parallel_sessions: int | None = None


def update_region_policy(session: Session, region_id: int, data: PolicyInput, *, actor: Actor) -> Region:
    region = get(session, Region, region_id)
    actor.require_region(region.id)
    require_range(data.weight_fairness, "weight_fairness", minimum=0, maximum=10_000)
    require_range(data.history_window_rounds, "history_window_rounds", minimum=0, maximum=100)
    if data.rounds_per_session is not None:
        require_range(data.rounds_per_session, "rounds_per_session", minimum=1, maximum=10)
        region.rounds_per_session = data.rounds_per_session
    if data.max_parallel_sessions is not None:
        require_range(data.max_parallel_sessions, "max_parallel_sessions", minimum=1, maximum=100)
    region.max_parallel_sessions = data.max_parallel_sessions
    region.weight_fairness = data.weight_fairness
    region.history_window_rounds = data.history_window_rounds
    session.add(region)
    session.flush()
    return region


# -- reads for the pages --------------------------------------------------------------------------------------


def region_slots(session: Session, region_id: int) -> list[Slot]:
    return list(session.exec(select(Slot).where(Slot.region_id == region_id).order_by(Slot.starts_at)))


def all_venues(session: Session, region_id: int) -> list[Venue]:
    """Every venue of the region, those no longer offered too (the administrator's list)."""
    return list(
        session.exec(
            select(Venue).where(Venue.region_id == region_id).order_by(Venue.active.desc(), Venue.name)
        )
    )


def region_venues(session: Session, region_id: int) -> list[Venue]:
    return list(
        session.exec(select(Venue).where(Venue.region_id == region_id, Venue.active).order_by(Venue.name))
    )


def round_for(session: Session, planning_round_id: int, *, actor: Actor) -> PlanningRound:
    """A planning round, for an organizer of its region."""
    planning_round = get(session, PlanningRound, planning_round_id)
    actor.require_region(planning_round.region_id)
    return planning_round


def rounds_of_region(session: Session, region_id: int, *, actor: Actor) -> list[PlanningRound]:
    """The region's rounds, newest first, for its organizers."""
    actor.require_region(region_id)
    return list(
        session.exec(
            select(PlanningRound)
            .where(PlanningRound.region_id == region_id)
            .order_by(PlanningRound.sequence.desc())
        )
    )
