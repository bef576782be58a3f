"""Alembic environment: migrates the database of ``swarm.config`` (or the URL/connection the caller passes)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import swarm.persistence.models  # noqa: F401  (registers every table on the metadata)
from swarm.config import Config
from swarm.persistence.db import create_engine

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or Config.from_env().resolved_database_url


def _run(connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(_url())
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                # Batch mode copies tables; foreign keys must not fire while it does: with them on, dropping the
                # old copy of a table deletes the rows that refer to it (ON DELETE CASCADE). SQLite ignores this
                # pragma inside a transaction, and every statement through SQLAlchemy begins one here
                # (persistence.db emits BEGIN), so it goes straight to the driver's connection, in autocommit.
                connection.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")
            _run(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
