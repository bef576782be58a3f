"""Small builders for service tests: a real region from fixtures/ plus the planning frame the tests need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, func, select

from swarm.domain.actors import SYSTEM, Actor
from swarm.domain.enums import DocumentKind, UserRole
from swarm.domain.timeutil import fixed_clock
from swarm.persistence.models import Municipality, Place, PlanningRound, Region, Slot, Venue
from swarm.services.people.professionals import DocumentInput, ProfileInput, register_professional
from swarm.services.plan.frame import VenueInput, create_venue
from swarm.services.plan.rounds import RoundInput, SlotInput, open_planning_round
from swarm.services.setup.reference import seed_reference

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CLOCK = fixed_clock(NOW)
DEADLINE = datetime(
    2027, 1, 5, 17, 0
)  # the first round's, Amsterdam wall-clock time: a week before its slots


@dataclass
class World:
    region: Region
    municipality: Municipality  # Oude IJsselstreek
    neighbour: Municipality  # Winterswijk, same region
    place: Place  # Ulft
    round: PlanningRound
    morning: Slot
    afternoon: Slot
    venue: Venue

    @property
    def coordinator(self) -> Actor:
        return Actor(UserRole.COORDINATOR, user_id=None, municipality_id=self.municipality.id)

    @property
    def organizer(self) -> Actor:
        return Actor(UserRole.ORGANIZER, region_id=self.region.id)


def place_named(db: Session, name: str) -> Place:
    return db.exec(select(Place).where(Place.name == name)).one()


def municipality_coded(db: Session, cbs_code: str) -> Municipality:
    return db.exec(select(Municipality).where(Municipality.cbs_code == cbs_code)).one()


def build_world(db: Session) -> World:
    region = seed_reference(db, "achterhoek")
    place = place_named(db, "Ulft")
    venue = create_venue(
        db,
        region.id,
        VenueInput(name="Gemeentehuis Ulft", capacity=40, tables=5, place_id=place.id),
        actor=SYSTEM,
    )
    planning_round = open_planning_round(
        db,
        region.id,
        RoundInput(
            "2027 Q1",
            availability_deadline=DEADLINE,
            slots=[
                SlotInput(datetime(2027, 1, 12, 9), datetime(2027, 1, 12, 12), [venue.id]),
                SlotInput(datetime(2027, 1, 12, 13), datetime(2027, 1, 12, 16), [venue.id]),
            ],
        ),
        actor=SYSTEM,
        clock=CLOCK,
    )
    morning, afternoon = db.exec(
        select(Slot).where(Slot.planning_round_id == planning_round.id).order_by(Slot.starts_at)
    ).all()
    return World(
        region=region,
        municipality=municipality_coded(db, "GM1509"),
        neighbour=municipality_coded(db, "GM0294"),
        place=place,
        round=planning_round,
        morning=morning,
        afternoon=afternoon,
        venue=venue,
    )


def all_documents(expires_on: date = date(2027, 12, 31)) -> list[DocumentInput]:
    return [DocumentInput(kind, expires_on=expires_on) for kind in DocumentKind]


def profile(world: World, n: int = 1, **changes) -> ProfileInput:
    values = dict(
        name=f"Professional {n}",
        email=f"pro{n}@example.nl",
        kvk_number=f"{12345670 + n:08d}",
        home_place_id=world.place.id,
        travel_radius_km=40,
        hourly_rate=90,
        hours_per_week=24,
        skills={"participatie": 2},
        agreement_signed=True,
    )
    values.update(changes)
    return ProfileInput(**values)


def add_professional(db: Session, world: World, n: int = 1, **changes):
    return register_professional(db, profile(world, n, **changes), documents=all_documents(), clock=CLOCK)


def count(db: Session, model) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


def open_round(db: Session, world: World, name: str, *days: datetime) -> PlanningRound:
    """Another round of the world's region with a morning slot on each of ``days`` at its venue; the deadline a
    week before the first (the days are Amsterdam dates at 09:00)."""
    first = min(days)
    return open_planning_round(
        db,
        world.region.id,
        RoundInput(
            name,
            availability_deadline=first.replace(hour=17) - timedelta(days=7),
            slots=[SlotInput(day.replace(hour=9), day.replace(hour=12), [world.venue.id]) for day in days],
        ),
        actor=SYSTEM,
        clock=CLOCK,
    )
