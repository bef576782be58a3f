"""When the database goes away: telling a lost connection from other errors, waiting it out, logging it once.

The scheduler, the solve workers and the outbox wrap their database steps in :func:`retry_while_lost` (or feed
their failures to an :class:`Outage` themselves). Engines use ``pool_pre_ping``, so a connection that died while it
sat in the pool is replaced unseen; what reaches this module is a connection lost in the middle of a statement, or
a database that does not answer at all. Each process logs one warning when an outage starts and one when it ends,
never a traceback per attempt.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa

T = TypeVar("T")


_SQLITE_PASSING = ("database is locked", "unable to open database file", "disk i/o error")


def connection_lost(error: BaseException) -> bool:
    """Whether ``error`` says the database could not be reached or dropped the connection (worth waiting for),
    as opposed to a bug or bad data. On SQLite, whose OperationalError also means "no such table", only a locked
    or unreadable database file counts."""
    if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
        return True
    if not isinstance(error, sa.exc.OperationalError | sa.exc.InterfaceError):
        return False
    if isinstance(getattr(error, "orig", None), sqlite3.Error):
        return any(words in str(error.orig).lower() for words in _SQLITE_PASSING)
    return True


def first_line(error: BaseException) -> str:
    """The error without the SQL and parameters SQLAlchemy appends (they may hold personal data)."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".strip()


@dataclass(frozen=True)
class Backoff:
    """Seconds to wait after the 1st, 2nd, 3rd ... failure in a row: first, 2 x first, 4 x first ... at most
    ``longest``."""

    first: float = 0.5
    longest: float = 30.0

    def delay(self, failures: int) -> float:
        return min(self.first * 2 ** max(failures - 1, 0), self.longest)


class Outage:
    """The database as one process sees it: ``failed`` on each lost attempt (the seconds to wait), ``recovered``
    when a step succeeds again. The first failure and the recovery are logged as warnings, with how long the
    database was gone; the attempts in between only at debug level."""

    def __init__(self, logger: logging.Logger, who: str, backoff: Backoff = Backoff()):
        self.logger, self.who, self.backoff = logger, who, backoff
        self.failures = 0
        self._since = 0.0
        self._lock = threading.Lock()

    @property
    def ongoing(self) -> bool:
        return self.failures > 0

    def failed(self, error: BaseException) -> float:
        with self._lock:
            self.failures += 1
            failures = self.failures
            if failures == 1:
                self._since = time.monotonic()
        delay = self.backoff.delay(failures)
        if failures == 1:
            self.logger.warning(
                "%s: lost the database (%s); trying again, waiting %.1f s and longer up to %.0f s between tries",
                self.who,
                first_line(error),
                delay,
                self.backoff.longest,
            )
        else:
            self.logger.debug(
                "%s: database still unreachable (try %d): %s", self.who, failures, first_line(error)
            )
        return delay

    def recovered(self) -> None:
        with self._lock:
            failures, self.failures = self.failures, 0
        if failures:
            self.logger.warning(
                "%s: the database is back after %.1f s (%d failed tries); carrying on",
                self.who,
                time.monotonic() - self._since,
                failures,
            )


def retry_while_lost(
    step: Callable[[], T],
    outage: Outage,
    *,
    stop: threading.Event | None = None,
    tries: int | None = None,
) -> T:
    """``step()``, tried again with backoff for as long as the database connection is lost; any other error
    passes at once. Gives up, raising the last error, when ``stop`` is set or after ``tries`` failed tries."""
    failures = 0
    while True:
        try:
            result = step()
        except Exception as error:
            if not connection_lost(error):
                raise
            failures += 1
            delay = outage.failed(error)
            if (tries is not None and failures >= tries) or (stop is not None and stop.is_set()):
                raise
            if stop is not None:
                if stop.wait(delay):
                    raise
            else:
                time.sleep(delay)
            continue
        outage.recovered()
        return result
