"""Migration 0006 on a database in use: nothing is lost (SQLite copies the tables it changes), accounts that
existed count as confirmed, and the downgrade takes administrators out before the old checks come back."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from swarm.persistence import migrate
from swarm.persistence.db import create_engine, unit_of_work
from tests.conftest import BACKENDS, _create_postgres_database, _drop_postgres_database, postgres_server_url
from tests.web import world

BEFORE = "0005_reasons_code_and_facts"
TABLES = ("users", "venues", "sessions", "solve_runs", "invitations", "request_slots", "outbox_messages")


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'in-use.db'}"
        return
    server = postgres_server_url()
    if server is None:
        pytest.skip("PostgreSQL tests skipped: set SWARM_TEST_POSTGRES_URL")
    url, admin = _create_postgres_database(server)
    try:
        yield url
    finally:
        _drop_postgres_database(admin, url)


def counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {t: connection.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in TABLES}


def test_the_migration_keeps_every_row_and_confirms_existing_accounts(url):
    migrate.upgrade(url)
    engine = create_engine(url)
    try:
        with unit_of_work(engine) as session:
            world.build(session)
        before = counts(engine)
        assert all(before.values()), before
        migrate.downgrade(url, BEFORE)
        # the world's administrator has no scope the earlier schema can hold; everything else stays
        after = {**before, "users": before["users"] - 1}
        assert counts(engine) == after
        migrate.upgrade(url)
        assert counts(engine) == after
        with engine.connect() as connection:
            unconfirmed = connection.execute(
                sa.text(
                    "SELECT count(*) FROM users"
                    " WHERE email_confirmed_at IS NULL OR email_confirmed_at <> created_at"
                )
            ).scalar()
        assert unconfirmed == 0
    finally:
        engine.dispose()
