"""Database fixtures shared by every test package.

``db`` runs a test once on SQLite and once on PostgreSQL. PostgreSQL is used when ``SWARM_TEST_POSTGRES_URL`` names
a server (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``): each test session (each xdist worker)
creates its own throwaway database there, migrates it with Alembic and drops it at the end. Without the variable
the PostgreSQL runs are skipped, and the summary says why.

Isolation: ``db`` wraps each test in a transaction that is rolled back (``session.commit()`` inside only releases
a savepoint). Tests that need real commits (CLI, unit of work, several sessions) use ``committing_engine``;
every table is emptied after them.
"""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher, profiles
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

import swarm.persistence.models  # noqa: F401  (every table on the metadata)
from swarm.persistence import migrate
from swarm.persistence.db import create_engine
from swarm.persistence.files import DocumentStore
from swarm.services.people.accounts import use_password_hasher
from swarm.webapp.i18n import TRANSLATIONS_DIR

POSTGRES_ENV = "SWARM_TEST_POSTGRES_URL"
CLOCK_AHEAD_ENV = "SWARM_TEST_CLOCK_AHEAD_DAYS"
NO_POSTGRES = (
    f"PostgreSQL tests skipped: set {POSTGRES_ENV}, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test"
)

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def pytest_configure(config):
    """With SWARM_TEST_CLOCK_AHEAD_DAYS=N the whole run sees a system clock N days ahead (time-machine, in-process).

    Tests read time only through injected clocks; this proves it: a test that passes today but fails a year
    from now is reading the system clock somewhere. Threading waits use the monotonic clock, which stays real.
    """
    days = os.environ.get(CLOCK_AHEAD_ENV)
    if not days:
        return
    import time_machine

    traveller = time_machine.travel(datetime.now(UTC) + timedelta(days=int(days)), tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)


def _messages(mo: bytes) -> list[tuple[str, str, str]]:
    """A compiled catalogue's translations, without its header (which may carry the time of compiling)."""
    return sorted((repr(m.id), m.context or "", repr(m.string)) for m in read_mo(io.BytesIO(mo)) if m.id)


def stale_catalogues() -> list[str]:
    """The compiled catalogues (.mo) that are missing or do not hold what their .po compiles to."""
    stale = []
    for po in sorted(TRANSLATIONS_DIR.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as source:
            catalogue = read_po(source, locale=po.parents[1].name)
        compiled = io.BytesIO()
        write_mo(compiled, catalogue)
        mo = po.with_suffix(".mo")
        if not mo.is_file() or _messages(mo.read_bytes()) != _messages(compiled.getvalue()):
            stale.append(str(mo.relative_to(TRANSLATIONS_DIR.parent.parent)))
    return stale


def pytest_sessionstart(session):
    """Refuse to test texts of yesterday: the build compiles the catalogues (setup.py), nothing at start-up, so
    after a .po changes (an edit, a merge) the checkout's .mo files are stale until compiled again."""
    stale = stale_catalogues()
    if stale:
        pytest.exit(
            f"stale translations: {', '.join(stale)} differ from their .po; compile them with the build step: "
            "pip install --no-deps -e .",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )


def pytest_report_header(config):
    days = os.environ.get(CLOCK_AHEAD_ENV)
    return f"system clock moved {days} days ahead ({CLOCK_AHEAD_ENV})" if days else None


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing():
    """Real argon2, with its cheapest parameters: the default ones cost a second per login on a busy CI box."""
    use_password_hasher(PasswordHasher.from_parameters(profiles.CHEAPEST))


def postgres_server_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def _create_postgres_database(server_url: str) -> tuple[str, sa.Engine]:
    """A fresh database on the server; returns its URL and an admin engine to drop it with."""
    name = f"swarm_test_{secrets.token_hex(6)}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    return url, admin


def _drop_postgres_database(admin: sa.Engine, url: str) -> None:
    name = make_url(url).database
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> str:
    """An empty SQLite file for this test session (not migrated)."""
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'swarm-test.db'}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """An empty throwaway PostgreSQL database for this test session (not migrated); skips without a server."""
    server = postgres_server_url()
    if server is None:
        pytest.skip(NO_POSTGRES)
    url, admin = _create_postgres_database(server)
    try:
        yield url
    finally:
        _drop_postgres_database(admin, url)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request) -> str:
    """A migrated database, once per backend."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url) -> Iterator[sa.Engine]:
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def store(tmp_path) -> DocumentStore:
    """An empty document store of the test's own."""
    return DocumentStore(tmp_path / "documents")


@pytest.fixture
def db(engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


def empty_all_tables(engine: sa.Engine) -> None:
    tables = SQLModel.metadata.sorted_tables
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        else:
            for table in reversed(tables):
                connection.execute(table.delete())


@pytest.fixture
def committing_engine(engine) -> Iterator[sa.Engine]:
    """The migrated engine for tests that commit for real; every table is emptied afterwards."""
    empty_all_tables(engine)
    try:
        yield engine
    finally:
        empty_all_tables(engine)
