"""Migration 0003: people erased by an earlier version lose their stored copies too, and snapshots lose names."""

from __future__ import annotations

import pytest
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import select

from swarm.config import Config
from swarm.domain.actors import SYSTEM
from swarm.persistence import migrate
from swarm.persistence.db import create_engine, unit_of_work
from swarm.persistence.models import OutboxMessage, Professional, Seat, SolveRun
from swarm.services.people.professionals import set_availability
from swarm.services.plan.publish import publish_round
from swarm.services.plan.queue import enqueue_solve
from tests.conftest import BACKENDS, _create_postgres_database, _drop_postgres_database, postgres_server_url
from tests.swarm.factories import CLOCK, NOW, add_professional, build_world
from tests.swarm.test_privacy import open_request, solve, stored_mentions

BEFORE = "0002_outbox_reply_to"


@pytest.fixture(params=BACKENDS)
def old_url(request, tmp_path):
    """A database at the newest revision: the test writes its data with today's models, then takes the schema back
    to the revision before the migration (0003 changes data only, its downgrade none) and upgrades again."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
        migrate.upgrade(url)
        yield url
        return
    server = postgres_server_url()
    if server is None:
        pytest.skip("PostgreSQL tests skipped: set SWARM_TEST_POSTGRES_URL")
    url, admin = _create_postgres_database(server)
    try:
        migrate.upgrade(url)
        yield url
    finally:
        _drop_postgres_database(admin, url)


def test_people_erased_before_lose_their_stored_copies_and_snapshots_lose_names(old_url):
    engine = create_engine(old_url)
    try:
        with unit_of_work(engine) as db:
            world = build_world(db)
            people = [add_professional(db, world, n) for n in range(1, 7)]
            for person in people:
                set_availability(db, person.id, {world.morning.id: "yes"}, actor=SYSTEM, clock=CLOCK)
            for title in ("Omgevingsplan", "Energietransitie"):
                open_request(db, world, title)
            run = enqueue_solve(db, world.round.id, actor=world.organizer, clock=CLOCK)
            for entry in run.input["professionals"]:  # snapshots of the earlier version held names
                entry["name"] = next(p.name for p in people if f"p-{p.id}" == entry["id"])
            flag_modified(run, "input")
            result = solve(db, run)
            seated = set(db.exec(select(Seat.professional_id)))
            victim = db.get(Professional, min(seated))
            name, email = victim.name, victim.email
            # An older engine wrote names into its reasons.
            result["unscheduled"].append({"request": "r-0", "reason": f'nearest: "{name}" at 52 km'})
            flag_modified(run, "result")
            publish_round(
                db, world.round.id, actor=world.organizer, config=Config.for_tests(old_url), clock=CLOCK
            )
            waiting = enqueue_solve(db, world.round.id, actor=world.organizer, clock=CLOCK)
            waiting.input["professionals"][0]["name"] = "Someone"
            flag_modified(waiting, "input")
            # Erased as the earlier version did: the row only.
            victim.name, victim.email, victim.anonymised_at = (
                "Geanonimiseerd",
                f"anonymised-{victim.id}@invalid",
                NOW,
            )
            run_id, waiting_id = run.id, waiting.id
        with unit_of_work(engine) as db:
            assert stored_mentions(db, victim.id, name, email)["name"]  # still there before the migration

        migrate.downgrade(old_url, BEFORE)
        migrate.upgrade(old_url)

        with unit_of_work(engine) as db:
            found = stored_mentions(db, victim.id, name, email)
            assert found["name"] == found["email"] == set(), found
            assert found["id"] <= {"professionals.email"}, found  # the unsent invitation went, key and all
            done, queued = db.get(SolveRun, run_id), db.get(SolveRun, waiting_id)
            assert {"id": "erased-1"} in done.input["professionals"]
            assert not any("name" in p for r in (done, queued) for p in r.input["professionals"])
            assert len(queued.input["professionals"]) == len(people) - 1
            assert queued.result is None
            invited = {m.recipient for m in db.exec(select(OutboxMessage))}  # everyone else's mail is kept
            assert invited == {p.email for p in people if p.id in seated - {victim.id}}
    finally:
        engine.dispose()
