"""Migration 0011: the table of one-time form tokens comes and goes; the claim works on the migrated schema."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from swarm.persistence import migrate
from swarm.persistence.db import create_engine, unit_of_work
from swarm.services.ops import form_submissions
from tests.swarm.test_privacy_migration import old_url  # noqa: F401 (the fixture: a database per backend)

BEFORE = "0013_invitation_answers"
NOW = datetime(2027, 1, 6, 9, tzinfo=UTC)


def test_the_form_token_table_survives_a_downgrade_and_an_upgrade(old_url):  # noqa: F811
    engine = create_engine(old_url)
    try:
        migrate.downgrade(old_url, BEFORE)
        assert "form_submissions" not in sa.inspect(engine).get_table_names()
        migrate.upgrade(old_url)
        engine.dispose()
        assert "form_submissions" in sa.inspect(engine).get_table_names()
        with unit_of_work(engine) as db:
            assert form_submissions.claim(db, "a" * 20, 1, clock=lambda: NOW - timedelta(days=2)) is None
            form_submissions.record_location(db, "a" * 20, "/coordinator/requests/1")
        with unit_of_work(engine) as db:
            assert form_submissions.claim(db, "b" * 20, 1, clock=lambda: NOW) is None  # forgets the old token
            assert form_submissions.claim(
                db, "b" * 20, 1, clock=lambda: NOW
            ) == form_submissions.EarlierSubmission(None)
        with engine.connect() as connection:
            tokens = connection.execute(sa.text("SELECT token FROM form_submissions")).scalars().all()
        assert tokens == ["b" * 20]
    finally:
        engine.dispose()
