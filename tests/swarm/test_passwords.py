"""The password rule: long enough, not common, not the own e-mail address; and who may hold which account."""

from __future__ import annotations

import pytest

from swarm.domain.actors import Actor
from swarm.domain.enums import UserRole
from swarm.domain.errors import NotAllowed, ValidationError
from swarm.domain.passwords import check_password, common_passwords
from swarm.persistence.models import User
from swarm.services.people.accounts import Scope, authenticate, create_user
from tests.swarm.factories import CLOCK


@pytest.mark.parametrize(
    "password, message",
    [
        ("short", "Use at least 10 characters."),
        ("aaaaaaaaaa", "Use more different characters."),
        ("1212121212", "Use more different characters."),
        ("1234567890", "This password is too common. Choose a longer or less predictable one."),
        ("wachtwoord", "This password is too common. Choose a longer or less predictable one."),
        ("Wachtwoord2026!", "This password is too common. Choose a longer or less predictable one."),
        ("anne.de.vries@example.nl", "Do not use your email address as your password."),
        ("my Anne.de.Vries@example.nl!", "Do not use your email address as your password."),
        ("x" * 150 + "y" * 51, "Use at most 200 characters."),
    ],
)
def test_a_weak_password_is_refused_with_a_message_naming_the_field(password, message):
    with pytest.raises(ValidationError) as refused:
        check_password(password, email="anne.de.vries@example.nl", field="new_password")
    assert (refused.value.field, refused.value.message) == ("new_password", message)


@pytest.mark.parametrize("password", ["correct horse battery", "zwerm-demo-2027", "Bram zet koffie 7x"])
def test_a_long_uncommon_password_is_accepted(password):
    check_password(password, email="anne.de.vries@example.nl")


def test_the_shipped_list_holds_thousands_of_common_passwords():
    assert len(common_passwords()) > 5000
    assert {"1234567890", "aaaaaaaaaa", "wachtwoord", "password1"} <= common_passwords()


def test_an_administrator_acts_for_no_region_and_only_the_system_or_an_administrator_makes_one(db, world):
    admin = create_user(
        db, "beheer@example.nl", "beheer wachtwoord 1", Scope(UserRole.ADMINISTRATOR), clock=CLOCK
    )
    assert (admin.region_id, admin.municipality_id, admin.professional_id) == (None, None, None)
    assert authenticate(db, "beheer@example.nl", "beheer wachtwoord 1", clock=CLOCK) == admin
    second = create_user(
        db,
        "beheer2@example.nl",
        None,
        Scope(UserRole.ADMINISTRATOR),
        actor=Actor(UserRole.ADMINISTRATOR, user_id=admin.id),
        clock=CLOCK,
    )
    assert second.password_hash == ""  # invited: no password yet, and none matches
    assert authenticate(db, "beheer2@example.nl", "", clock=CLOCK) is None
    with pytest.raises(NotAllowed):
        create_user(
            db, "x@example.nl", None, Scope(UserRole.ADMINISTRATOR), actor=world.organizer, clock=CLOCK
        )
    with pytest.raises(ValidationError) as refused:
        create_user(db, "y@example.nl", None, Scope(UserRole.ADMINISTRATOR, region_id=world.region.id))
    assert refused.value.field == "role"


def test_the_database_refuses_an_administrator_with_a_scope(db, world):
    import sqlalchemy as sa

    db.add(
        User(email="z@example.nl", password_hash="", role=UserRole.ADMINISTRATOR, region_id=world.region.id)
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.flush()
    db.rollback()


def test_a_name_with_a_line_break_is_refused(db, world):
    with pytest.raises(ValidationError) as refused:
        create_user(
            db,
            "o@example.nl",
            None,
            Scope(UserRole.ORGANIZER, region_id=world.region.id),
            name="Olga\r\nBcc: everyone@example.nl",
        )
    assert refused.value.field == "name"
