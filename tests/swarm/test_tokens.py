"""One-time links: only a hash is stored, each works once and for its purpose's lifetime, the newest replaces
the older, and a refused password leaves the link working."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from swarm.domain.enums import TokenPurpose, UserRole
from swarm.domain.errors import ValidationError
from swarm.domain.timeutil import fixed_clock
from swarm.persistence.models import AccountToken
from swarm.services.people.accounts import Scope, authenticate, create_user
from swarm.services.people.recovery import confirm_email, set_password_with_link
from swarm.services.people.tokens import LinkProblem, LinkRefused, check_link, digest, issue_token, use_link
from tests.swarm.factories import CLOCK, NOW


@pytest.fixture
def organizer(db, world):
    return create_user(
        db, "olga@example.nl", None, Scope(UserRole.ORGANIZER, region_id=world.region.id), clock=CLOCK
    )


def refused(problem, call):
    with pytest.raises(LinkRefused) as error:
        call()
    assert error.value.problem is problem


def test_only_the_hash_of_the_secret_is_stored(db, organizer):
    secret = issue_token(db, organizer, TokenPurpose.INVITE, clock=CLOCK)
    [row] = db.exec(select(AccountToken)).all()
    assert row.token_hash == digest(secret) and secret not in row.token_hash and len(secret) >= 43
    assert row.expires_at == NOW + timedelta(days=7)


@pytest.mark.parametrize(
    "purpose, lifetime",
    [
        (TokenPurpose.INVITE, timedelta(days=7)),
        (TokenPurpose.RESET, timedelta(hours=2)),
        (TokenPurpose.CONFIRM, timedelta(days=7)),
    ],
)
def test_a_link_works_until_its_purpose_lifetime_ends(db, organizer, purpose, lifetime):
    secret = issue_token(db, organizer, purpose, clock=CLOCK)
    check_link(db, secret, clock=fixed_clock(NOW + lifetime - timedelta(seconds=1)))
    refused(LinkProblem.EXPIRED, lambda: check_link(db, secret, clock=fixed_clock(NOW + lifetime)))


def test_a_link_works_once_and_a_newer_one_replaces_it(db, organizer):
    old = issue_token(db, organizer, TokenPurpose.RESET, clock=CLOCK)
    new = issue_token(db, organizer, TokenPurpose.RESET, clock=CLOCK)
    refused(LinkProblem.UNKNOWN, lambda: check_link(db, old, clock=CLOCK))
    use_link(db, new, clock=CLOCK)
    refused(LinkProblem.USED, lambda: use_link(db, new, clock=CLOCK))
    refused(LinkProblem.UNKNOWN, lambda: check_link(db, "", clock=CLOCK))
    refused(LinkProblem.UNKNOWN, lambda: check_link(db, "é" * 43, clock=CLOCK))


def test_a_refused_password_leaves_the_link_working_and_a_good_one_uses_it_up(db, organizer):
    secret = issue_token(db, organizer, TokenPurpose.INVITE, clock=CLOCK)
    with pytest.raises(ValidationError) as error:
        set_password_with_link(db, secret, "olga@example.nl", clock=CLOCK)
    assert error.value.field == "password"
    version = organizer.session_version
    set_password_with_link(db, secret, "olga zet de planning klaar", clock=CLOCK)
    assert authenticate(db, "olga@example.nl", "olga zet de planning klaar", clock=CLOCK) == organizer
    assert organizer.session_version == version + 1
    refused(LinkProblem.USED, lambda: set_password_with_link(db, secret, "nog een andere zin", clock=CLOCK))


def test_a_confirmation_link_confirms_but_sets_no_password(db, organizer):
    organizer.email_confirmed_at = None
    secret = issue_token(db, organizer, TokenPurpose.CONFIRM, clock=CLOCK)
    refused(
        LinkProblem.WRONG_PURPOSE,
        lambda: set_password_with_link(db, secret, "olga zet de planning klaar", clock=CLOCK),
    )
    confirm_email(db, secret, clock=CLOCK)
    assert organizer.email_confirmed_at == NOW
