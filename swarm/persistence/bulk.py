"""Bulk inserts of trusted rows straight through the driver (PostgreSQL COPY, SQLite executemany).

For seeding and imports of hundreds of thousands of rows, where per-row ORM/Core parameter processing would take
minutes. Values are converted here once: aware datetimes to UTC, enums to their values, JSON to text.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from enum import Enum
from functools import lru_cache

import sqlalchemy as sa
from sqlmodel import Session


def reserve_ids(session: Session, table: sa.Table, count: int) -> list[int]:
    """Ids for ``count`` new rows, so that bulk inserts need no RETURNING (which SQLite would do row by row)."""
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        sequence = sa.func.pg_get_serial_sequence(table.name, "id")
        statement = sa.select(sa.func.nextval(sequence)).select_from(sa.func.generate_series(1, count))
        return list(session.execute(statement).scalars())
    # SQLite: this transaction has written already, so it holds the write lock while it counts on.
    start = session.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()
    return list(range(start + 1, start + count + 1))


def bulk_insert(session: Session, model, rows: list[dict]) -> list[int]:
    """Insert rows straight through the driver (PostgreSQL COPY, SQLite executemany); their new ids in order.

    Seeding writes hundreds of thousands of trusted rows; per-row ORM/Core parameter processing would take
    minutes, so the values are converted here once: aware datetimes to UTC, enums to values, JSON to text.
    """
    table = model.__table__
    ids = reserve_ids(session, table, len(rows))
    if not rows:
        return ids
    columns = ["id", *rows[0]]
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        names = ", ".join(columns)
        cursor = connection.connection.driver_connection.cursor()
        with cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for ident, row in zip(ids, rows, strict=True):
                copy.write_row([ident, *(_pg_value(v) for v in row.values())])
        return ids
    values = [
        (ident, *(_sqlite_value(v) for v in row.values())) for ident, row in zip(ids, rows, strict=True)
    ]
    marks = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", values)
    return ids


_PLAIN = (int, float, str, type(None))


def _pg_value(value):
    if type(value) in _PLAIN:
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


@lru_cache(maxsize=4096)
def _sqlite_datetime(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_value(value):
    """The text SQLAlchemy's SQLite types store (see ``swarm.persistence.columns.UTCDateTime``)."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, datetime):
        return _sqlite_datetime(value)  # the same few instants repeat across many rows
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return _pg_value(value)
