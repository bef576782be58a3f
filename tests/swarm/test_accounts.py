"""Accounts: one scope per role, hashed passwords, login, revoking sessions."""

from __future__ import annotations

import pytest

from swarm.domain.actors import Actor
from swarm.domain.enums import UserRole
from swarm.domain.errors import NotAllowed, ValidationError
from swarm.persistence.models import User
from swarm.services.people.accounts import (
    Scope,
    actor_for,
    authenticate,
    change_password,
    create_user,
    revoke_sessions,
    verify_password,
)
from tests.swarm.factories import CLOCK, NOW, count


def organizer(db, world, email="org@example.nl"):
    return create_user(
        db, email, "long enough pw", Scope(UserRole.ORGANIZER, region_id=world.region.id), clock=CLOCK
    )


def test_password_is_stored_hashed_and_login_works(db, world):
    user = organizer(db, world)
    assert "long enough pw" not in user.password_hash and verify_password(
        user.password_hash, "long enough pw"
    )
    assert authenticate(db, " Org@Example.nl", "long enough pw", clock=CLOCK) == user
    assert user.last_login_at == NOW
    assert authenticate(db, "org@example.nl", "wrong password", clock=CLOCK) is None
    assert authenticate(db, "nobody@example.nl", "long enough pw", clock=CLOCK) is None


def test_inactive_users_cannot_log_in(db, world):
    user = organizer(db, world)
    user.active = False
    assert authenticate(db, "org@example.nl", "long enough pw", clock=CLOCK) is None


def test_email_taken_short_password_and_wrong_scope_are_refused(db, world):
    organizer(db, world)
    for email, password, scope, field in [
        ("org@example.nl", "long enough pw", Scope(UserRole.ORGANIZER, region_id=world.region.id), "email"),
        ("new@example.nl", "short", Scope(UserRole.ORGANIZER, region_id=world.region.id), "password"),
        (
            "new@example.nl",
            "long enough pw",
            Scope(UserRole.ORGANIZER, municipality_id=world.municipality.id),
            "role",
        ),
    ]:
        with pytest.raises(ValidationError) as refused:
            create_user(db, email, password, scope, clock=CLOCK)
        assert refused.value.field == field
    assert count(db, User) == 1


def test_the_database_holds_exactly_one_scope_per_account(db, world):
    import sqlalchemy as sa

    with pytest.raises(sa.exc.IntegrityError), db.begin_nested():
        db.add(
            User(
                email="x@example.nl",
                password_hash="x",
                role=UserRole.ORGANIZER,
                municipality_id=world.municipality.id,
            )
        )
        db.flush()


def test_revoking_sessions_raises_the_session_version(db, world):
    user = organizer(db, world)
    before = user.session_version
    revoke_sessions(db, user.id, actor=actor_for(user))
    assert user.session_version == before + 1
    other = create_user(
        db,
        "c@example.nl",
        "long enough pw",
        Scope(UserRole.COORDINATOR, municipality_id=world.municipality.id),
    )
    with pytest.raises(NotAllowed):
        revoke_sessions(db, user.id, actor=actor_for(other))


def test_change_password_checks_the_current_one(db, world):
    user = organizer(db, world)
    me = actor_for(user)
    with pytest.raises(ValidationError) as refused:
        change_password(db, user.id, "wrong", "another long pw", actor=me)
    assert refused.value.field == "current_password"
    change_password(db, user.id, "long enough pw", "another long pw", actor=me)
    assert authenticate(db, "org@example.nl", "another long pw", clock=CLOCK) == user
    assert me == Actor(UserRole.ORGANIZER, user_id=user.id, region_id=world.region.id)
