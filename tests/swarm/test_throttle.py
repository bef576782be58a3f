"""Login throttling in the database (SQLite and PostgreSQL): counted per key, locked past the limit, lifted after
the lockout, forgiven after a success; keys are hashes, IPv6 counts per /64."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from swarm.domain.timeutil import fixed_clock
from swarm.persistence.models import LoginThrottle
from swarm.services.people.throttle import Limits, Throttled, account_key, address_key, count_attempt, forgive
from tests.swarm.factories import NOW

LIMITS = Limits(per_account=3, per_address=5, window=timedelta(minutes=15), lockout=timedelta(minutes=10))


def attempt(engine, email="olga@example.nl", address="192.0.2.1", at=NOW):
    keys = [
        (account_key("login", email), LIMITS.per_account),
        (address_key("login", address), LIMITS.per_address),
    ]
    count_attempt(engine, keys, LIMITS, clock=fixed_clock(at))


def test_past_the_limit_the_account_waits_for_the_lockout(committing_engine):
    for _ in range(3):
        attempt(committing_engine)
    with pytest.raises(Throttled) as locked:
        attempt(committing_engine)
    assert locked.value.seconds == 600
    with pytest.raises(Throttled) as still:
        attempt(committing_engine, at=NOW + timedelta(minutes=4))
    assert still.value.seconds == 360  # the lock does not grow with more attempts
    attempt(committing_engine, address="192.0.2.2", at=NOW + timedelta(minutes=10))


def test_a_window_that_passed_starts_the_count_again(committing_engine):
    for minute in (0, 1, 2):
        attempt(committing_engine, at=NOW + timedelta(minutes=minute))
    for minute in (16, 17, 18):
        attempt(committing_engine, at=NOW + timedelta(minutes=minute))


def test_a_success_forgives_the_account_and_its_own_attempt_on_the_address(committing_engine):
    for _ in range(2):
        attempt(committing_engine)
    with Session(committing_engine) as session:
        forgive(session, account_key("login", "olga@example.nl"), address_key("login", "192.0.2.1"))
        session.commit()
        rows = {row.key_hash: row.attempts for row in session.exec(select(LoginThrottle))}
    assert account_key("login", "olga@example.nl") not in rows
    assert rows[address_key("login", "192.0.2.1")] == 1
    assert all("olga" not in key and "192" not in key for key in rows)


def test_ipv6_addresses_of_one_network_count_together():
    assert address_key("login", "2001:db8:1:2::1") == address_key("login", "2001:db8:1:2:ffff::9")
    assert address_key("login", "2001:db8:1:3::1") != address_key("login", "2001:db8:1:2::1")
    assert address_key("login", "192.0.2.1") != address_key("login", "192.0.2.2")
    assert address_key("login", None) == address_key("login", "")
