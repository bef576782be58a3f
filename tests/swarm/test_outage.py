"""Lost database connections: told apart from other errors, waited out with backoff, logged once per outage."""

from __future__ import annotations

import logging
import sqlite3
import threading

import pytest
import sqlalchemy as sa

from swarm.persistence.outage import Backoff, Outage, connection_lost, retry_while_lost

log = logging.getLogger("tests.outage")


def operational(message: str, orig: Exception | None = None) -> sa.exc.OperationalError:
    return sa.exc.OperationalError("SELECT 1", {}, orig or Exception(message))


def test_a_dropped_or_refused_connection_counts_as_lost_and_a_missing_table_on_sqlite_does_not():
    assert connection_lost(operational("terminating connection due to administrator command"))
    assert connection_lost(sa.exc.InterfaceError("SELECT 1", {}, Exception("connection already closed")))
    assert connection_lost(operational("", sqlite3.OperationalError("database is locked")))
    assert not connection_lost(operational("", sqlite3.OperationalError("no such table: solve_runs")))
    assert not connection_lost(sa.exc.IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not connection_lost(ValueError("a bug"))


def test_the_backoff_doubles_from_half_a_second_up_to_thirty():
    assert [Backoff().delay(n) for n in (1, 2, 3, 4, 7, 20)] == [0.5, 1, 2, 4, 30, 30]


def test_an_outage_is_logged_once_when_it_starts_and_once_when_it_ends(caplog):
    outage = Outage(log, "worker w1", Backoff(first=0.001, longest=0.002))
    failures = iter([operational("server closed the connection unexpectedly")] * 5)

    def step() -> str:
        error = next(failures, None)
        if error is not None:
            raise error
        return "stored"

    with caplog.at_level(logging.DEBUG, logger="tests.outage"):
        assert retry_while_lost(step, outage) == "stored"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert warnings[0].startswith("worker w1: lost the database (OperationalError:")
    assert "SELECT 1" not in warnings[0]  # no SQL, no parameters: they may hold personal data
    assert (
        warnings[1].startswith("worker w1: the database is back after") and "(5 failed tries)" in warnings[1]
    )


def test_other_errors_pass_at_once_and_waiting_gives_up_when_told_to_stop():
    outage = Outage(log, "worker w2", Backoff(first=0.001, longest=0.001))
    with pytest.raises(ValueError):
        retry_while_lost(lambda: (_ for _ in ()).throw(ValueError("a bug")), outage)
    assert outage.failures == 0

    def lost() -> None:
        raise operational("connection refused")

    with pytest.raises(sa.exc.OperationalError):
        retry_while_lost(lost, outage, tries=3)
    assert outage.failures == 3
    stop = threading.Event()
    stop.set()
    with pytest.raises(sa.exc.OperationalError):
        retry_while_lost(lost, outage, stop=stop)
