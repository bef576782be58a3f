"""Migration 0009 on a database in use: documents that existed count as approved (without a check), and
profiles that shared a KvK number are resolved before the number becomes unique: the first registration keeps
it, a later one loses the number and its KvK extract's approval."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from swarm.persistence import migrate
from swarm.persistence.db import create_engine, unit_of_work
from swarm.services.people.qualifications import KVK_NUMBER_SHARED
from tests.swarm.test_administrator_migration import url  # noqa: F401  (the fixture: SQLite and PostgreSQL)
from tests.web import world

BEFORE = "0008_pending_imports"


def rows(engine, query: str) -> list[tuple]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(query))]


def test_existing_documents_stay_approved_and_a_shared_kvk_number_goes_to_the_first(url):  # noqa: F811
    migrate.upgrade(url)
    engine = create_engine(url)
    try:
        with unit_of_work(engine) as session:
            built = world.build(session)
        first, later = built.professionals["home"].id, built.professionals["foreign"].id
        migrate.downgrade(url, BEFORE)
        with engine.begin() as connection:  # before this rule: two profiles with one number
            connection.execute(sa.text("UPDATE professionals SET kvk_number = '12345678'"))
        migrate.upgrade(url)

        assert rows(engine, "SELECT id, kvk_number FROM professionals ORDER BY id") == [
            (first, "12345678"),
            (later, ""),
        ]
        documents = rows(
            engine,
            "SELECT professional_id, kind, status, rejection_reason, checked_by_id, "
            "checked_at IS NOT NULL FROM qualification_documents ORDER BY professional_id, kind",
        )
        assert {d[2] for d in documents if d[0] == first} == {"approved"}
        assert all(d[4] is None and d[5] for d in documents)  # approved without a check, at their upload
        assert [(d[1], d[2], d[3]) for d in documents if d[0] == later and d[2] != "approved"] == [
            ("kvk_extract", "rejected", KVK_NUMBER_SHARED)
        ]
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.execute(
                sa.text(f"UPDATE professionals SET kvk_number = '12345678' WHERE id = {later}")
            )
    finally:
        engine.dispose()
