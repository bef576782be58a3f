"""Single sign-on picks an existing, active staff account by the provider's e-mail claim; the password switch for
staff. (The protocol itself is tested against a real provider in tests/web/test_sso.py.)"""

from __future__ import annotations

import pytest

from swarm.domain.enums import STAFF_ROLES, UserRole
from swarm.persistence.models import User
from swarm.services.people.accounts import PasswordLoginOff, Scope, authenticate, create_user
from swarm.services.people.professionals import register_professional
from swarm.services.people.sso import Refusal, SignOnRefused, sign_in_staff
from tests.swarm.factories import CLOCK, NOW, count, profile

PASSWORD = "long enough pw"


@pytest.fixture
def staff(db, world):
    organizer = create_user(
        db, "Organisator@Achterhoek.nl", PASSWORD, Scope(UserRole.ORGANIZER, region_id=world.region.id)
    )
    coordinator = create_user(
        db,
        "hr@oude-ijsselstreek.nl",
        PASSWORD,
        Scope(UserRole.COORDINATOR, municipality_id=world.municipality.id),
    )
    return organizer, coordinator


@pytest.fixture
def professional_user(db, world):
    professional = register_professional(db, profile(world), clock=CLOCK)
    return create_user(
        db, professional.email, PASSWORD, Scope(UserRole.PROFESSIONAL, professional_id=professional.id)
    )


def refusal(db, claims, email_claim="email") -> Refusal:
    with pytest.raises(SignOnRefused) as refused:
        sign_in_staff(db, claims, email_claim=email_claim, clock=CLOCK)
    return refused.value.reason


def test_staff_are_every_role_but_the_professional():
    assert set(UserRole) - {UserRole.PROFESSIONAL} == STAFF_ROLES


def test_the_email_claim_finds_the_staff_account_whatever_its_case_and_records_the_login(db, staff):
    organizer, coordinator = staff
    assert (
        sign_in_staff(db, {"email": "ORGANISATOR@achterhoek.NL "}, email_claim="email", clock=CLOCK)
        == organizer
    )
    assert organizer.last_login_at == NOW and coordinator.last_login_at is None
    assert (
        sign_in_staff(db, {"upn": "hr@oude-ijsselstreek.nl"}, email_claim="upn", clock=CLOCK) == coordinator
    )


def test_nobody_is_signed_in_without_a_usable_verified_address(db, staff):
    assert refusal(db, {}) is Refusal.NO_EMAIL
    assert refusal(db, {"email": ""}) is Refusal.NO_EMAIL
    assert refusal(db, {"email": ["organisator@achterhoek.nl"]}) is Refusal.NO_EMAIL
    assert refusal(db, {"email": "not an address"}) is Refusal.NO_EMAIL
    assert (
        refusal(db, {"email": "organisator@achterhoek.nl", "email_verified": False})
        is Refusal.UNVERIFIED_EMAIL
    )
    # email_verified speaks about the email claim, not about the upn an installation may use instead
    organizer, _ = staff
    claims = {"upn": "organisator@achterhoek.nl", "email_verified": False}
    assert sign_in_staff(db, claims, email_claim="upn", clock=CLOCK) == organizer


def test_an_unknown_address_is_refused_and_no_account_is_made(db, staff):
    before = count(db, User)
    assert refusal(db, {"email": "nieuw@achterhoek.nl"}) is Refusal.UNKNOWN_ACCOUNT
    assert count(db, User) == before


def test_a_professional_or_an_inactive_account_is_refused(db, staff, professional_user):
    assert refusal(db, {"email": professional_user.email}) is Refusal.NOT_STAFF
    organizer, _ = staff
    organizer.active = False
    assert refusal(db, {"email": organizer.email}) is Refusal.INACTIVE
    assert organizer.last_login_at is None


def test_with_staff_passwords_off_only_professionals_log_in_with_a_password(db, staff, professional_user):
    organizer, coordinator = staff
    for user in (organizer, coordinator):
        with pytest.raises(PasswordLoginOff):
            authenticate(db, user.email, PASSWORD, staff_passwords=False, clock=CLOCK)
        assert user.last_login_at is None
        # a wrong password says no more than it always does
        assert authenticate(db, user.email, "wrong password", staff_passwords=False, clock=CLOCK) is None
    assert authenticate(db, professional_user.email, PASSWORD, staff_passwords=False, clock=CLOCK) == (
        professional_user
    )
    assert authenticate(db, organizer.email, PASSWORD, clock=CLOCK) == organizer
