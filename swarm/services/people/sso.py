"""Single sign-on for staff: the account that an OpenID Connect provider's verified claims point to.

The web app runs the protocol (Authlib: discovery, code flow with PKCE, state, nonce, ID token signature, issuer,
audience and expiry); this module decides who, if anyone, is logged in from the claims it hands over. Staff accounts
are never created here: the e-mail address must belong to an existing, active staff account.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from sqlmodel import Session, func, select

from swarm.domain.enums import STAFF_ROLES, UserRole
from swarm.domain.errors import ValidationError
from swarm.domain.rules import normalise_email
from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.models import User
from swarm.services.people.accounts import record_login


class Refusal(StrEnum):
    """Why the provider's answer logs nobody in; the web app words each for the user."""

    NO_EMAIL = "no_email"  # the configured claim is missing or not an address
    UNVERIFIED_EMAIL = "unverified_email"  # the provider says it has not verified the address
    UNKNOWN_ACCOUNT = "unknown_account"  # no account with this address
    NOT_STAFF = "not_staff"  # a professional's account: they log in with their password
    INACTIVE = "inactive"  # the account is switched off


class SignOnRefused(Exception):
    def __init__(self, reason: Refusal, email: str = ""):
        super().__init__(f"{reason.value}: {email}" if email else reason.value)
        self.reason = reason
        self.email = email


def email_from_claims(claims: Mapping[str, object], email_claim: str) -> str:
    """The address in ``email_claim``, lower-cased; refused when absent, not an address, or marked unverified."""
    value = claims.get(email_claim)
    try:
        email = normalise_email(value if isinstance(value, str) else "")
    except ValidationError:
        raise SignOnRefused(Refusal.NO_EMAIL) from None
    # Entra ID and ADFS often send no email_verified at all: only an explicit "not verified" is refused, and
    # only when the address comes from the email claim it speaks about (not from e.g. upn).
    if email_claim == "email" and claims.get("email_verified") in (False, "false"):
        raise SignOnRefused(Refusal.UNVERIFIED_EMAIL, email)
    return email


def sign_in_staff(
    session: Session, claims: Mapping[str, object], *, email_claim: str, clock: Clock = system_clock
) -> User:
    """The active staff account for the provider's verified claims; records the login like a password login.

    Raises SignOnRefused for a missing or unverified address, an unknown address, a professional's account or an
    inactive one. The claims must come from an ID token whose signature, issuer, audience, nonce and expiry the
    caller has checked.
    """
    email = email_from_claims(claims, email_claim)
    user = session.exec(select(User).where(func.lower(User.email) == email)).first()
    if user is None:
        raise SignOnRefused(Refusal.UNKNOWN_ACCOUNT, email)
    if UserRole(user.role) not in STAFF_ROLES:
        raise SignOnRefused(Refusal.NOT_STAFF, email)
    if not user.active:
        raise SignOnRefused(Refusal.INACTIVE, email)
    record_login(session, user, clock=clock)
    return user
