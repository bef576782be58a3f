"""Fixtures for the operations tests: a clock the test moves, a database of their own holding a small plannable
region, and the settings the jobs read.

The region is built once per backend into a template (a SQLite file, a PostgreSQL template database); every test
gets a fresh copy, so tests commit for real, subprocesses can share the database, and nothing is rebuilt. The
PostgreSQL runs use the server of tests/conftest.py (``SWARM_TEST_POSTGRES_URL``) and are skipped without it.
"""

from __future__ import annotations

import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from swarm.config import Config
from swarm.domain.actors import SYSTEM, Actor
from swarm.domain.enums import UserRole
from swarm.persistence import migrate
from swarm.persistence.db import create_engine, unit_of_work
from swarm.services.people.accounts import Scope, create_user
from swarm.services.people.professionals import set_availability
from swarm.services.plan.requests import NeedInput, RequestInput, create_swarm_request, submit_swarm_request
from tests.conftest import (
    BACKENDS,
    NO_POSTGRES,
    _create_postgres_database,
    _drop_postgres_database,
    postgres_server_url,
)
from tests.swarm.factories import NOW, add_professional, build_world


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
def config(ops_engine) -> Config:
    return Config.for_tests(
        url_of(ops_engine),
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
                    table_size_min=2,
                    table_size_max=2,
                    needs=[NeedInput("participatie", 1)],
                    slot_ids=[world.morning.id],
                    venue_ids=[world.venue.id],
                ),
                actor=SYSTEM,
                clock=clock,
            )
            submit_swarm_request(db, request.id, actor=SYSTEM, clock=clock)
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


def _built(url: str) -> Plannable:
    migrate.upgrade(url)
    engine = create_engine(url)
    try:
        return build_plannable(engine, MovableClock())
    finally:
        engine.dispose()
        if (
            make_url(url).get_backend_name() == "sqlite"
        ):  # everything into the main file, which is what gets copied
            connection = sqlite3.connect(make_url(url).database)
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> tuple[Path, Plannable]:
    path = tmp_path_factory.mktemp("ops-template") / "swarm.db"
    return path, _built(f"sqlite:///{path}")


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[tuple[str, sa.Engine, Plannable]]:
    server = postgres_server_url()
    if server is None:
        pytest.skip(NO_POSTGRES)
    url, admin = _create_postgres_database(server)
    try:
        yield url, admin, _built(url)
    finally:
        _drop_postgres_database(admin, url)


@dataclass(frozen=True)
class OpsDatabase:
    url: str
    plannable: Plannable


@pytest.fixture(params=BACKENDS)
def ops_database(request, tmp_path) -> Iterator[OpsDatabase]:
    """A fresh copy of the template for this test: a SQLite file in tmp_path, or a PostgreSQL database."""
    if request.param == "sqlite":
        template, plannable = request.getfixturevalue("sqlite_template")
        path = tmp_path / "swarm.db"
        shutil.copyfile(template, path)
        yield OpsDatabase(f"sqlite:///{path}", plannable)
        return
    template_url, admin, plannable = request.getfixturevalue("postgres_template")
    name = f"swarm_ops_{secrets.token_hex(6)}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template_url).database}"')
    url = make_url(template_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield OpsDatabase(url, plannable)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def ops_engine(ops_database) -> Iterator[sa.Engine]:
    engine = create_engine(ops_database.url)
    yield engine
    engine.dispose()


@pytest.fixture
def plannable(ops_database) -> Plannable:
    return ops_database.plannable


def solve_and_publish(engine: sa.Engine, plannable: Plannable, clock, config: Config):
    """Queue, solve and publish the round; the publish report."""
    from swarm.services.plan import publish, queue, worker

    with unit_of_work(engine) as db:
        queue.enqueue_solve(db, plannable.round_id, actor=plannable.organizer, clock=clock)
    [outcome] = worker.run_queued_solves(engine, config, clock=clock)
    assert outcome.status.value == "succeeded", outcome
    with unit_of_work(engine) as db:
        return publish.publish_round(
            db, plannable.round_id, actor=plannable.organizer, config=config, clock=clock
        )
