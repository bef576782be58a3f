"""Engine, unit of work and column types behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import select

from swarm.domain.errors import ValidationError
from swarm.persistence.db import new_session, unit_of_work
from swarm.persistence.models import Professional, Region, SolveRun
from swarm.services.people.professionals import register_professional
from swarm.services.setup.reference import seed_reference
from tests.swarm.factories import CLOCK, build_world, profile


def test_datetimes_come_back_aware_in_utc(db):
    region = Region(slug="x", name="X")
    db.add(region)
    db.flush()
    moment = datetime(2027, 3, 28, 3, 30, tzinfo=timezone(timedelta(hours=2)))  # just after the spring switch
    run = SolveRun(kind="swarm", region_id=region.id, queued_at=moment, input={"a": [1, "ü"]})
    db.add(run)
    db.flush()
    db.expire_all()
    loaded = db.get(SolveRun, run.id)
    assert loaded.queued_at == moment and loaded.queued_at.tzinfo == UTC
    assert loaded.input == {"a": [1, "ü"]}


def test_naive_datetimes_are_refused(db):
    db.add(Region(slug="y", name="Y", created_at=datetime(2027, 1, 1)))
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        db.flush()


def test_enums_reject_unknown_values(db):
    region = Region(slug="z", name="Z")
    db.add(region)
    db.flush()
    with pytest.raises((sa.exc.StatementError, LookupError)):
        db.add(SolveRun(kind="quantum", region_id=region.id))
        db.flush()


def test_foreign_keys_are_enforced(db):
    with pytest.raises(sa.exc.IntegrityError), db.begin_nested():
        db.add(Professional(name="X", email="x@example.nl", kvk_number="12345678", region_id=424242))
        db.flush()


def test_a_refused_change_in_a_unit_of_work_stores_nothing(committing_engine):
    with unit_of_work(committing_engine) as session:
        world = build_world(session)
        region_id = world.region.id
    with pytest.raises(ValidationError), unit_of_work(committing_engine) as session:
        register_professional(session, profile(world, 1), clock=CLOCK)  # written and flushed ...
        register_professional(session, profile(world, 2, kvk_number="123"), clock=CLOCK)  # ... then refused
    with new_session(committing_engine) as session:
        assert session.exec(select(Professional)).all() == []
        assert session.get(Region, region_id) is not None


def test_reference_seeding_is_idempotent(db):
    first = seed_reference(db, "achterhoek")
    places = db.exec(select(sa.func.count()).select_from(sa.text("places"))).one()
    again = seed_reference(db, "achterhoek")
    assert first.id == again.id
    assert db.exec(select(sa.func.count()).select_from(sa.text("places"))).one() == places


def test_sqlite_read_then_write_next_to_another_writer_needs_immediate(tmp_path):
    """WAL refuses a deferred reader-turned-writer after another commit; IMMEDIATE makes it wait its turn."""
    import threading
    import time

    from swarm.persistence import migrate
    from swarm.persistence.db import create_engine as make_engine

    url = f"sqlite:///{tmp_path / 'two.db'}"
    migrate.upgrade(url)
    first, second = make_engine(url), make_engine(url)
    try:
        with unit_of_work(first) as session:
            session.add(Region(slug="a", name="A"))

        def rename(engine, name, *, immediate, holding=None):
            with unit_of_work(engine, immediate=immediate) as session:
                region = session.exec(select(Region)).one()
                if holding is not None:  # keep the lock a while after telling the test it is held
                    holding.set()
                    time.sleep(0.5)
                region.name = name

        reader = new_session(first)
        reader.exec(select(Region)).all()  # a deferred transaction with a read snapshot
        rename(second, "B", immediate=False)
        with pytest.raises(sa.exc.OperationalError, match="locked"):
            reader.exec(select(Region)).one().name = "A2"
            reader.commit()
        reader.close()

        holding = threading.Event()
        slow = threading.Thread(
            target=rename, args=(second, "slow"), kwargs={"immediate": True, "holding": holding}
        )
        slow.start()
        assert holding.wait(10)
        rename(first, "fast", immediate=True)  # waits for the slow writer instead of failing
        slow.join()
        with new_session(first) as session:
            assert session.exec(select(Region)).one().name == "fast"
    finally:
        first.dispose()
        second.dispose()
