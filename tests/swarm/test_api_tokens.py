"""Personal API tokens: only a hash is stored, a token acts for its active owner until revoked or expired, and
only its owner (or the command line) manages it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from swarm.domain.actors import SYSTEM
from swarm.domain.enums import UserRole
from swarm.domain.errors import NotAllowed, NotFound, ValidationError
from swarm.domain.timeutil import fixed_clock
from swarm.persistence.models import ApiToken
from swarm.services.people.accounts import Scope, actor_for, create_user, revoke_sessions
from swarm.services.people.api_tokens import (
    authenticate_token,
    create_api_token,
    digest,
    revoke_api_token,
    tokens_of,
)
from tests.swarm.factories import CLOCK, NOW


@pytest.fixture
def organizer(db, world):
    return create_user(
        db, "olga@example.nl", None, Scope(UserRole.ORGANIZER, region_id=world.region.id), clock=CLOCK
    )


@pytest.fixture
def another(db, world):
    return create_user(
        db, "otto@example.nl", None, Scope(UserRole.ORGANIZER, region_id=world.region.id), clock=CLOCK
    )


def test_only_the_hash_and_a_short_prefix_are_stored(db, organizer):
    token, secret = create_api_token(db, organizer.id, "HR-systeem", actor=actor_for(organizer), clock=CLOCK)
    [row] = db.exec(select(ApiToken)).all()
    assert row.token_hash == digest(secret) and secret not in (row.token_hash, row.prefix)
    assert secret.startswith("swarm_") and len(secret) >= 49 and secret.startswith(row.prefix)
    assert len(row.prefix) == 12 and row.name == "HR-systeem" and row.created_at == NOW


def test_a_token_acts_for_its_owner_and_notes_when_it_was_used(db, organizer):
    _token, secret = create_api_token(db, organizer.id, "dashboard", actor=actor_for(organizer), clock=CLOCK)
    later = NOW + timedelta(hours=2)
    assert authenticate_token(db, secret, clock=fixed_clock(later)).id == organizer.id
    assert db.exec(select(ApiToken)).one().last_used_at == later


@pytest.mark.parametrize(
    "presented",
    ["", "swarm_", "swarm_not-a-token", "Bearer x", "swarm_" + "a" * 200, "swarm_\x00", "swarm_é"],
)
def test_anything_else_is_no_token(db, organizer, presented):
    create_api_token(db, organizer.id, "dashboard", actor=actor_for(organizer), clock=CLOCK)
    assert authenticate_token(db, presented, clock=CLOCK) is None


def test_a_revoked_token_stops_at_once_and_revoking_again_keeps_the_moment(db, organizer):
    token, secret = create_api_token(db, organizer.id, "old", actor=actor_for(organizer), clock=CLOCK)
    revoke_api_token(db, token.id, actor=actor_for(organizer), clock=CLOCK)
    revoke_api_token(db, token.id, actor=actor_for(organizer), clock=fixed_clock(NOW + timedelta(days=1)))
    assert authenticate_token(db, secret, clock=CLOCK) is None
    assert db.get(ApiToken, token.id).revoked_at == NOW


def test_an_expired_token_stops_on_its_day(db, organizer):
    _token, secret = create_api_token(
        db, organizer.id, "trial", expires_in_days=30, actor=actor_for(organizer), clock=CLOCK
    )
    assert authenticate_token(db, secret, clock=fixed_clock(NOW + timedelta(days=29))) is not None
    assert authenticate_token(db, secret, clock=fixed_clock(NOW + timedelta(days=30))) is None


def test_a_switched_off_account_s_tokens_stop_but_logging_out_everywhere_keeps_them(db, organizer):
    _token, secret = create_api_token(db, organizer.id, "hr", actor=actor_for(organizer), clock=CLOCK)
    revoke_sessions(db, organizer.id, actor=actor_for(organizer))
    assert authenticate_token(db, secret, clock=CLOCK).id == organizer.id
    organizer.active = False
    db.add(organizer)
    db.flush()
    assert authenticate_token(db, secret, clock=CLOCK) is None


def test_only_the_owner_or_the_command_line_manages_tokens(db, organizer, another):
    token, _secret = create_api_token(db, organizer.id, "mine", actor=SYSTEM, clock=CLOCK)
    with pytest.raises(NotAllowed):
        create_api_token(db, organizer.id, "theirs", actor=actor_for(another), clock=CLOCK)
    with pytest.raises(NotAllowed):
        tokens_of(db, organizer.id, actor=actor_for(another))
    with pytest.raises(NotFound):
        revoke_api_token(db, token.id, actor=actor_for(another), clock=CLOCK)
    assert [t.name for t in tokens_of(db, organizer.id, actor=actor_for(organizer))] == ["mine"]


@pytest.mark.parametrize(
    ("name", "days", "field"),
    [("", None, "name"), ("a\nb", None, "name"), ("x" * 101, None, "name"), ("ok", 0, "expires_in_days")],
)
def test_a_bad_name_or_lifetime_is_refused_and_stores_nothing(db, organizer, name, days, field):
    with pytest.raises(ValidationError) as error:
        create_api_token(
            db, organizer.id, name, expires_in_days=days, actor=actor_for(organizer), clock=CLOCK
        )
    assert error.value.field == field
    assert db.exec(select(ApiToken)).all() == []
