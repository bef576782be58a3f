"""Migration 0007: the round takes over the deadline and the slots their venues; nothing is lost either way."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from swarm.domain.actors import SYSTEM
from swarm.domain.timeutil import fixed_clock
from swarm.persistence import migrate
from swarm.persistence.db import create_engine, unit_of_work
from swarm.services.plan.frame import VenueInput, create_venue
from swarm.services.plan.requests import submit_swarm_request
from tests.swarm.factories import CLOCK, build_world
from tests.swarm.test_privacy_migration import old_url  # noqa: F401 (the fixture: a database per backend)
from tests.swarm.test_rounds import draft

BEFORE = "0005_reasons_code_and_facts"
LATER = fixed_clock(
    datetime(2027, 1, 6, 9, tzinfo=UTC)
)  # after the first round's deadline: no round takes requests


def rows(engine, query: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(query))]


def aware(value) -> datetime:
    """A stored instant as an aware UTC datetime (SQLite keeps no offset)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def test_deadlines_and_slot_venues_survive_a_downgrade_and_an_upgrade(old_url):  # noqa: F811
    engine = create_engine(old_url)
    try:
        with unit_of_work(engine) as db:
            world = build_world(db)
            online = create_venue(
                db,
                world.region.id,
                VenueInput("Online", 30, 4, online=True, online_url="https://x.nl"),
                actor=SYSTEM,
            )
            early = draft(db, world, "Omgevingsplan", slot_ids=[world.morning.id])
            late = draft(db, world, "Energietransitie", slot_ids=[world.afternoon.id])
            for request in (early, late):
                submit_swarm_request(db, request.id, actor=SYSTEM, clock=CLOCK)
            waiting = draft(db, world, "Jeugdzorg", clock=LATER)
            submit_swarm_request(db, waiting.id, actor=SYSTEM, clock=LATER)
            ids = {
                "round": world.round.id,
                "online": online.id,
                "venue": world.venue.id,
                "waiting": waiting.id,
            }
            ids |= {"early": early.id, "late": late.id, "morning": world.morning.id}
        counted = "SELECT (SELECT count(*) FROM slots), (SELECT count(*) FROM swarm_requests), " + (
            "(SELECT count(*) FROM request_slots)"
        )
        before = rows(engine, counted)

        migrate.downgrade(old_url, BEFORE)
        assert rows(engine, counted) == before  # nothing went with the tables that were copied
        assert sorted(rows(engine, "SELECT venue_id FROM venue_unavailabilities")) == [(ids["online"],)] * 2
        assert rows(
            engine, f"SELECT status, planning_round_id FROM swarm_requests WHERE id = {ids['waiting']}"
        ) == [("draft", ids["round"])]
        # An earlier version let each request have its own deadline.
        with engine.begin() as connection:
            for key, day in (("early", 4), ("late", 6)):
                connection.execute(
                    sa.text("UPDATE swarm_requests SET availability_deadline = :at WHERE id = :id"),
                    {"at": datetime(2027, 1, day, 16), "id": ids[key]},
                )

        migrate.upgrade(old_url)
        assert rows(engine, counted) == before
        [(deadline,)] = rows(
            engine, f"SELECT availability_deadline FROM planning_rounds WHERE id = {ids['round']}"
        )
        assert aware(deadline) == datetime(
            2027, 1, 6, 16, tzinfo=UTC
        )  # no request's poll closes sooner than it was told
        request_deadlines = rows(engine, "SELECT DISTINCT availability_deadline FROM swarm_requests")
        assert [aware(d) for (d,) in request_deadlines] == [aware(deadline)]
        assert sorted(rows(engine, f"SELECT venue_id FROM slot_venues WHERE slot_id = {ids['morning']}")) == [
            (ids["venue"],)
        ]
    finally:
        engine.dispose()
