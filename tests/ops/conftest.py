"""Fixtures for the operations tests: a clock the test moves, a committing database with a small plannable
region (the shared fixtures of tests/conftest.py underneath), and the settings the jobs read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from swarm.config import Config
from swarm.domain.actors import SYSTEM, Actor
from swarm.domain.enums import UserRole
from swarm.persistence.db import unit_of_work
from swarm.services.accounts import Scope, create_user
from swarm.services.professionals import set_availability
from swarm.services.requests import NeedInput, RequestInput, create_swarm_request, open_swarm_request
from tests.swarm.factories import NOW, add_professional, build_world

DEADLINE = datetime(2027, 1, 5, 17, 0)  # Amsterdam wall-clock time, a week before the slots of 12 January


class MovableClock:
    """The time as the test says it is; ``advance`` moves it on. Jobs and services read it through ``clock()``."""

    def __init__(self, now: datetime = NOW):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


def url_of(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def config(committing_engine) -> Config:
    return Config.for_tests(
        url_of(committing_engine),
        solve_time_limit=2,
        solve_workers=1,
        worker_heartbeat_seconds=1,
        outbox_max_attempts=3,
        smtp_host="127.0.0.1",
        smtp_port=2525,
        smtp_from="planning@swarm.test",
    )


@dataclass(frozen=True)
class Plannable:
    """Ids of a region ready to plan: one round, two slots, a venue, an organizer, people and two open requests."""

    region_id: int
    round_id: int
    morning_id: int
    afternoon_id: int
    venue_id: int
    organizer_email: str
    people: tuple[int, ...]
    requests: tuple[int, ...]

    @property
    def organizer(self) -> Actor:
        return Actor(UserRole.ORGANIZER, region_id=self.region_id)


def build_plannable(engine: sa.Engine, clock, people: int = 6) -> Plannable:
    with unit_of_work(engine) as db:
        world = build_world(db)
        create_user(
            db,
            "organizer@achterhoek.test",
            "organizer-password-1",
            Scope(UserRole.ORGANIZER, region_id=world.region.id),
            name="Olga Organisator",
            clock=clock,
        )
        persons = [
            add_professional(db, world, n, skills={"participatie": 1 + n % 3}) for n in range(1, people + 1)
        ]
        for person in persons:
            set_availability(
                db, person.id, {world.morning.id: "yes", world.afternoon.id: "yes"}, actor=SYSTEM, clock=clock
            )
        requests = []
        for title in ("Omgevingsplan", "Energietransitie"):
            request = create_swarm_request(
                db,
                RequestInput(
                    municipality_id=world.municipality.id,
                    title=title,
                    availability_deadline=DEADLINE,
                    table_size_min=2,
                    table_size_max=2,
                    needs=[NeedInput("participatie", 1)],
                    slot_ids=[world.morning.id],
                    venue_ids=[world.venue.id],
                ),
                actor=SYSTEM,
                clock=clock,
            )
            open_swarm_request(db, request.id, actor=SYSTEM, clock=clock)
            requests.append(request.id)
        return Plannable(
            region_id=world.region.id,
            round_id=world.round.id,
            morning_id=world.morning.id,
            afternoon_id=world.afternoon.id,
            venue_id=world.venue.id,
            organizer_email="organizer@achterhoek.test",
            people=tuple(p.id for p in persons),
            requests=tuple(requests),
        )


@pytest.fixture
def plannable(committing_engine, clock) -> Plannable:
    return build_plannable(committing_engine, clock)
