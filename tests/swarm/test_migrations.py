"""The schema comes from Alembic alone: up, down and up again on both databases, and it matches the models."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from swarm.persistence import migrate
from swarm.persistence.db import create_engine
from tests.conftest import BACKENDS, _create_postgres_database, _drop_postgres_database, postgres_server_url


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    server = postgres_server_url()
    if server is None:
        pytest.skip("PostgreSQL tests skipped: set SWARM_TEST_POSTGRES_URL")
    url, admin = _create_postgres_database(server)
    try:
        yield url
    finally:
        _drop_postgres_database(admin, url)


def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(empty_url):
    migrate.upgrade(empty_url)
    assert set(SQLModel.metadata.tables) <= table_names(empty_url)

    migrate.downgrade(empty_url, "base")
    assert table_names(empty_url) <= {"alembic_version"}

    migrate.upgrade(empty_url)
    engine = create_engine(empty_url)
    try:
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()


def test_migrations_match_the_models(database_url):
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, SQLModel.metadata) == []
    finally:
        engine.dispose()


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    finally:
        engine.dispose()
