"""Login throttling, kept in the database so that it holds across web workers and restarts.

Every attempt counts against two keys: the account (the e-mail address as typed, whether or not it exists, so
that a refusal tells nothing about existence) and the client address (IPv6: its /64 network, which one person
usually has whole). Past the limit within the window, the key is locked for the lockout time and every attempt
is refused before any password is checked (argon2 costs CPU). A successful login forgives the account's count
and its own attempt on the address; the failures from that address keep counting.

Counting runs in a short transaction of its own, committed before the password is checked: a refused login
answers with an error status, which rolls the request's own transaction back.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.db import is_sqlite, unit_of_work
from swarm.persistence.models import LoginThrottle


@dataclass(frozen=True)
class Limits:
    per_account: int
    per_address: int
    window: timedelta
    lockout: timedelta


class Throttled(Exception):
    """Too many attempts: try again after ``retry_after`` (whole seconds, at least 1). ``locked_now``: this very
    attempt locked a key (the audit log notes the lockout once, not every refusal after it)."""

    def __init__(self, retry_after: timedelta, *, locked_now: bool = False):
        super().__init__(f"throttled for {retry_after}")
        self.seconds = max(1, math.ceil(retry_after.total_seconds()))
        self.locked_now = locked_now


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def account_key(scope: str, email: str) -> str:
    return _hash(f"{scope}:account:{(email or '').strip().lower()[:320]}")


def address_key(scope: str, address: str | None) -> str:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        network = address or "unknown"
    else:
        network = str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)
    return _hash(f"{scope}:address:{network}")


def count_attempt(
    engine: sa.Engine, keys: list[tuple[str, int]], limits: Limits, *, clock: Clock = system_clock
) -> None:
    """Count one attempt against each (key, limit); raise Throttled when one of them is locked (now or by this
    attempt). Committed at once, in its own transaction."""
    now = clock()
    wait = timedelta(0)
    locked_now = False
    with unit_of_work(engine, immediate=True) as session:
        dialect = sqlite if is_sqlite(engine) else postgresql
        table = LoginThrottle.__table__
        for key, _limit in keys:
            session.execute(
                dialect.insert(table)
                .values(key_hash=key, attempts=0, window_started_at=now)
                .on_conflict_do_nothing(index_elements=["key_hash"])
            )
        for key, limit in keys:
            pick = select(LoginThrottle).where(LoginThrottle.key_hash == key)
            if not is_sqlite(engine):
                pick = pick.with_for_update()
            row = session.exec(pick).one()
            was_locked = row.locked_until is not None and row.locked_until > now
            wait = max(wait, _count(row, limit, limits, now))
            locked_now |= not was_locked and row.locked_until is not None and row.locked_until > now
            session.add(row)
        # Forget what no longer matters, so the table stays as small as the current attempts.
        session.execute(
            sa.delete(LoginThrottle).where(
                LoginThrottle.window_started_at < now - limits.window - limits.lockout,
                sa.or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now),
            )
        )
    if wait > timedelta(0):
        raise Throttled(wait, locked_now=locked_now)


def _count(row: LoginThrottle, limit: int, limits: Limits, now: datetime) -> timedelta:
    if row.locked_until is not None and row.locked_until > now:
        return row.locked_until - now  # refused without counting: the lock does not grow by itself
    if row.locked_until is not None or row.window_started_at + limits.window <= now:
        row.attempts, row.window_started_at, row.locked_until = 0, now, None
    row.attempts += 1
    if row.attempts > limit:
        row.locked_until = now + limits.lockout
        return limits.lockout
    return timedelta(0)


def forgive(session: Session, account: str, address: str) -> None:
    """After a successful login: the account starts afresh, and this attempt no longer counts for the address."""
    session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key_hash == account))
    session.execute(
        sa.update(LoginThrottle)
        .where(LoginThrottle.key_hash == address, LoginThrottle.attempts > 0)
        .values(attempts=LoginThrottle.attempts - 1)
    )
