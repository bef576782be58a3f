"""Engines and sessions.

SQLite (the embedded default) gets WAL, a busy timeout and foreign keys on every connection; PostgreSQL is
reached through psycopg 3 (``postgresql+psycopg://``). Services only flush; :func:`unit_of_work` is the one place
that commits, or rolls everything back.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import Session

SQLITE_BUSY_TIMEOUT_MS = 15_000


def _on_sqlite_connect(dbapi_connection, _record) -> None:
    # The driver's own transaction handling is switched off so that BEGIN below is the only one (see SQLAlchemy's
    # "Serializable isolation / Savepoints / Transactional DDL" notes for pysqlite).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


IMMEDIATE = "swarm_sqlite_begin_immediate"


def _on_sqlite_begin(connection) -> None:
    # A plain BEGIN is deferred: readers never wait. A transaction that reads and then writes after another process
    # committed meanwhile fails at once with "database is locked" (the WAL snapshot rule; busy_timeout cannot retry
    # it), so such transactions ask for BEGIN IMMEDIATE (see unit_of_work(..., immediate=True)) and wait their turn.
    immediate = connection.get_execution_options().get(IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_engine(url: str, *, application_name: str | None = None, **kwargs) -> sa.Engine:
    """An engine for any SQLAlchemy URL; the folder of a SQLite file is created when missing.

    ``application_name`` (PostgreSQL) names the process's connections in ``pg_stat_activity``, e.g.
    ``swarm-worker:4711``, so that an operator (or a test) can tell whose they are and end them on purpose.
    Connections are checked before use (``pool_pre_ping``): one the server dropped while it sat in the pool is
    replaced unseen.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, **kwargs)
        sa.event.listen(engine, "connect", _on_sqlite_connect)
        sa.event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if application_name and parsed.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {"application_name": application_name[:63], **kwargs.get("connect_args", {})}
    return sa.create_engine(url, **kwargs)


def process_name(role: str) -> str:
    """The ``application_name`` of this process's connections: its role and pid."""
    return f"swarm-{role}:{os.getpid()}"


def is_sqlite(engine_or_session: sa.Engine | Session) -> bool:
    bind = engine_or_session.get_bind() if isinstance(engine_or_session, Session) else engine_or_session
    return bind.dialect.name == "sqlite"


def new_session(engine: sa.Engine) -> Session:
    # Rows stay readable after commit (views render what they just saved).
    return Session(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(engine: sa.Engine, *, immediate: bool = False) -> Iterator[Session]:
    """One transaction: commit when the block ends normally, roll back when it raises.

    ``immediate``: on SQLite, take the write lock at the start (read-then-write work next to other processes,
    e.g. claiming a job or a form post); PostgreSQL ignores it.
    """
    session = new_session(engine)
    try:
        if immediate and engine.dialect.name == "sqlite":
            session.connection(execution_options={IMMEDIATE: True})
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
