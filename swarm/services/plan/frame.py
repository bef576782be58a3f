"""A region's planning frame, kept by its organizer: time slots and the venues free in each, venues, the region's
policy, and which round is current (a round's life, from opening to closing, is in :mod:`.rounds`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, delete, select

from swarm.domain.actors import Actor
from swarm.domain.enums import AuditKind, PlanningRoundStatus
from swarm.domain.errors import N_, ValidationError
from swarm.domain.rules import has_control_character, require_range, require_text
from swarm.domain.timeutil import Clock, slot_code, system_clock, to_local, to_utc
from swarm.persistence.models import PlanningRound, Region, Slot, SlotVenue, Venue
from swarm.persistence.models import Session as SwarmSession
from swarm.services.lookup import get, place_for_field
from swarm.services.ops import audit


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def current_planning_round(session: Session, region_id: int) -> PlanningRound | None:
    """The region's newest open round (taking requests, or past its deadline and not yet published)."""
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
            raise ValidationError("planning_round_id", N_("This planning round belongs to another region."))
        return planning_round
    planning_round = session.exec(
        select(PlanningRound)
        .where(PlanningRound.region_id == region_id)
        .order_by(PlanningRound.sequence.desc())
    ).first()
    if planning_round is None:
        raise ValidationError("planning_round_id", N_("The region has no planning round yet."))
    return planning_round


def round_taking_requests(session: Session, region_id: int, now: datetime) -> PlanningRound | None:
    """The open round whose availability poll is still open: new requests join it (the one closing first)."""
    return session.exec(
        select(PlanningRound)
        .where(
            PlanningRound.region_id == region_id,
            PlanningRound.status == PlanningRoundStatus.OPEN,
            PlanningRound.availability_deadline > now,
        )
        .order_by(PlanningRound.availability_deadline, PlanningRound.sequence)
    ).first()


def region_zone(region: Region) -> ZoneInfo:
    return ZoneInfo(region.timezone)


def create_slot(
    session: Session,
    planning_round_id: int,
    starts_at: datetime,
    ends_at: datetime,
    venue_ids: Sequence[int],
    *,
    field: str = "slot",
    actor: Actor,
    clock: Clock = system_clock,
) -> Slot:
    """A candidate slot of a round at the given venues; naive times are the region's wall-clock times.

    A slot must start in the future; ``field`` names the form row a refusal is about (``slots[2]``).
    """
    planning_round = get(session, PlanningRound, planning_round_id)
    region = get(session, Region, planning_round.region_id)
    actor.require_region(region.id)
    zone = region_zone(region)
    start, end = to_utc(starts_at, zone), to_utc(ends_at, zone)
    if start <= clock():
        raise ValidationError(f"{field}.starts_at", N_("A time slot must start in the future."))
    if end <= start:
        raise ValidationError(f"{field}.ends_at", N_("A slot must end after it starts."))
    code = slot_code(to_local(start, zone))
    taken = session.exec(select(Slot.id).where(Slot.region_id == region.id, Slot.code == code)).first()
    if taken is not None:
        raise ValidationError(
            f"{field}.starts_at", N_("The region already has a time slot in this part of that day.")
        )
    slot = Slot(
        region_id=region.id, planning_round_id=planning_round.id, code=code, starts_at=start, ends_at=end
    )
    session.add(slot)
    session.flush()
    set_slot_venues(session, slot.id, venue_ids, field=f"{field}.venue_ids", actor=actor)
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


def venue_values(session: Session, region: Region, data: VenueInput, own_id: int | None) -> dict:
    """Every check of a venue before anything is written; the row's values."""
    name = require_text(data.name, "name")
    if has_control_character(name + data.address + data.online_url):
        raise ValidationError("name", N_("Use letters, digits and punctuation only (no line breaks)."))
    require_range(data.capacity, "capacity", minimum=1, maximum=10_000)
    require_range(data.tables, "tables", minimum=1, maximum=500)
    lat, lon = data.lat, data.lon
    municipality_id, place_id = data.municipality_id, None
    if data.online:
        if not data.online_url.startswith(("https://", "http://")) or len(data.online_url) > 500:
            raise ValidationError("online_url", N_("An online venue needs a web link (https://...)."))
        lat = lon = None
    elif data.place_id is not None or lat is None or lon is None:
        place = place_for_field(session, data.place_id, "place_id")
        lat, lon, place_id = place.lat, place.lon, place.id
        municipality_id = municipality_id or place.municipality_id
    code = slugify(data.code or name)[:60]
    if not code:
        raise ValidationError("code", N_("Use letters or digits."))
    taken = session.exec(select(Venue.id).where(Venue.region_id == region.id, Venue.code == code)).first()
    if taken is not None and taken != own_id:
        raise ValidationError("name", N_("The region already has a venue with this name."))
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
    venue = Venue(region_id=region.id, **venue_values(session, region, data, None))
    session.add(venue)
    session.flush()
    return venue


def update_venue(session: Session, venue_id: int, data: VenueInput, *, actor: Actor) -> Venue:
    """Change a venue. Its code (the id in solver documents) stays what it was, whatever the new name."""
    venue = get(session, Venue, venue_id)
    region = get(session, Region, venue.region_id)
    actor.require_region_setup(region.id)
    values = venue_values(session, region, replace(data, code=venue.code), venue.id)
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


def set_slot_venues(
    session: Session, slot_id: int, venue_ids: Sequence[int], *, field: str = "venue_ids", actor: Actor
) -> list[SlotVenue]:
    """The venues free for the slot: these, and no others."""
    slot = get(session, Slot, slot_id)
    actor.require_region(slot.region_id)
    wanted = list(dict.fromkeys(venue_ids))
    if not wanted:
        raise ValidationError(field, N_("Pick at least one venue for this time slot."))
    found = session.exec(select(Venue).where(Venue.id.in_(wanted))).all()
    if len(found) != len(wanted) or any(v.region_id != slot.region_id for v in found):
        raise ValidationError(field, N_("Pick venues of your region."))
    session.exec(delete(SlotVenue).where(SlotVenue.slot_id == slot.id))
    rows = [SlotVenue(slot_id=slot.id, venue_id=venue_id) for venue_id in wanted]
    session.add_all(rows)
    session.flush()
    return rows


@dataclass(frozen=True)
class PolicyInput:
    """The organizer's equal-treatment policy and planning settings of a region."""

    weight_fairness: int
    history_window_rounds: int
    rounds_per_session: int | None = None
    max_parallel_sessions: int | None = None
    # The guaranteed turn: seat someone who waited this many rounds (None: off) ...
    guaranteed_turn_after_rounds: int | None = None
    # ... when the schedule gives up at most this share of its skill match for it (None: keep the region's).
    guaranteed_turn_max_skill_percent: int | None = None


POLICY_FIELDS = (
    "weight_fairness",
    "history_window_rounds",
    "rounds_per_session",
    "max_parallel_sessions",
    "guaranteed_turn_after_rounds",
    "guaranteed_turn_max_skill_percent",
)


def update_region_policy(
    session: Session, region_id: int, data: PolicyInput, *, actor: Actor, clock: Clock = system_clock
) -> Region:
    """The region's policy; what changed goes into the audit log (nothing when nothing changed)."""
    region = get(session, Region, region_id)
    actor.require_region(region.id)
    before = {name: getattr(region, name) for name in POLICY_FIELDS}
    require_range(data.weight_fairness, "weight_fairness", minimum=0, maximum=10_000)
    require_range(data.history_window_rounds, "history_window_rounds", minimum=0, maximum=100)
    if data.rounds_per_session is not None:
        require_range(data.rounds_per_session, "rounds_per_session", minimum=1, maximum=10)
        region.rounds_per_session = data.rounds_per_session
    if data.max_parallel_sessions is not None:
        require_range(data.max_parallel_sessions, "max_parallel_sessions", minimum=1, maximum=100)
    region.max_parallel_sessions = data.max_parallel_sessions
    if data.guaranteed_turn_after_rounds is not None:
        require_range(
            data.guaranteed_turn_after_rounds, "guaranteed_turn_after_rounds", minimum=1, maximum=100
        )
    region.guaranteed_turn_after_rounds = data.guaranteed_turn_after_rounds
    if data.guaranteed_turn_max_skill_percent is not None:
        require_range(
            data.guaranteed_turn_max_skill_percent,
            "guaranteed_turn_max_skill_percent",
            minimum=0,
            maximum=100,
        )
        region.guaranteed_turn_max_skill_percent = data.guaranteed_turn_max_skill_percent
    region.weight_fairness = data.weight_fairness
    region.history_window_rounds = data.history_window_rounds
    session.add(region)
    session.flush()
    changed = {
        name: [before[name], getattr(region, name)]
        for name in POLICY_FIELDS
        if before[name] != getattr(region, name)
    }
    if changed:
        audit.record(
            session,
            AuditKind.POLICY_CHANGED,
            actor=actor,
            clock=clock,
            region_id=region.id,
            subject=("region", region.id),
            facts={"changed": changed},
        )
    return region


# -- reads for the pages --------------------------------------------------------------------------------------


def round_slots(session: Session, planning_round_id: int, *, after: datetime | None = None) -> list[Slot]:
    """The round's candidate slots, first first; with ``after``, only those starting later."""
    query = select(Slot).where(Slot.planning_round_id == planning_round_id)
    if after is not None:
        query = query.where(Slot.starts_at > after)
    return list(session.exec(query.order_by(Slot.starts_at)))


def slots_open_for_availability(session: Session, region_id: int, now: datetime) -> list[Slot]:
    """The slots a professional can still answer for: not begun, in a round whose poll is open."""
    return list(
        session.exec(
            select(Slot)
            .join(PlanningRound, PlanningRound.id == Slot.planning_round_id)
            .where(
                Slot.region_id == region_id,
                Slot.starts_at > now,
                PlanningRound.status == PlanningRoundStatus.OPEN,
                PlanningRound.availability_deadline > now,
            )
            .order_by(Slot.starts_at)
        )
    )


def venues_of_slots(session: Session, slot_ids: Sequence[int]) -> dict[int, list[Venue]]:
    """Per slot: the venues free for it, by name."""
    rows = session.exec(
        select(SlotVenue.slot_id, Venue)
        .join(Venue, Venue.id == SlotVenue.venue_id)
        .where(SlotVenue.slot_id.in_(list(slot_ids)))
        .order_by(Venue.name)
    )
    venues: dict[int, list[Venue]] = {slot_id: [] for slot_id in slot_ids}
    for slot_id, venue in rows:
        venues[slot_id].append(venue)
    return venues


def slots_with_sessions(session: Session, slot_ids: Sequence[int]) -> set[int]:
    """The slots a session (draft, published or cancelled) was planned in: they stay as they are."""
    return set(session.exec(select(SwarmSession.slot_id).where(SwarmSession.slot_id.in_(list(slot_ids)))))


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
