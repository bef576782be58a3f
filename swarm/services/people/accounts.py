"""User accounts: passwords (argon2), login, revoking every session of a user, who may manage whose account."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, func, select

from swarm.domain import passwords
from swarm.domain.actors import SYSTEM, Actor
from swarm.domain.enums import STAFF_ROLES, AuditKind, UserRole
from swarm.domain.errors import N_, NotAllowed, ValidationError
from swarm.domain.rules import has_control_character, normalise_email
from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import Municipality, Professional, Region, User
from swarm.services.lookup import get
from swarm.services.ops import audit

_hasher = PasswordHasher()  # argon2id with the library's recommended (RFC 9106) parameters
# Verified when the email is unknown, so that a login takes as long whether or not the account exists.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def use_password_hasher(hasher: PasswordHasher) -> None:
    """Swap the argon2 parameters (the tests use the cheapest profile; production keeps the default)."""
    global _hasher, _DUMMY_HASH
    _hasher = hasher
    _DUMMY_HASH = hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches; an account without a password (invited, single sign-on) matches nothing,
    after the same argon2 work, so that the answer takes as long."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def check_password(password: str, field: str = "password", *, email: str = "") -> None:
    """The password rule (:mod:`swarm.domain.passwords`): length, not common, not the e-mail address."""
    passwords.check_password(password, email=email, field=field)


def actor_for(user: User) -> Actor:
    return Actor(
        role=UserRole(user.role),
        user_id=user.id,
        municipality_id=user.municipality_id,
        professional_id=user.professional_id,
        region_id=user.region_id,
    )


def email_taken(session: Session, email: str) -> bool:
    return session.exec(select(func.count()).select_from(User).where(User.email == email)).one() > 0


@dataclass(frozen=True)
class Scope:
    """What an account acts for: exactly one of the three, matching its role."""

    role: UserRole
    municipality_id: int | None = None
    professional_id: int | None = None
    region_id: int | None = None


def create_user(
    session: Session,
    email: str,
    password: str | None,
    scope: Scope,
    *,
    name: str = "",
    locale: str = "nl",
    password_hash: str | None = None,
    confirmed: bool = True,
    actor: Actor = SYSTEM,
    clock: Clock = system_clock,
) -> User:
    """A new login. The system (command line, registration, seeding), the administrator or, for the staff of
    their region, an organizer creates accounts.

    ``password`` None: the account has no password yet (an invited staff member sets it through a link).
    ``password_hash``: a hash of ``password`` made before (seeding many accounts with one password).
    ``confirmed`` False: the e-mail address still has to be confirmed (self-registration).
    """
    email = normalise_email(email)
    name = require_plain_name(name)
    if password is not None:
        check_password(password, email=email)
    _check_scope(session, scope, actor)
    if email_taken(session, email):
        raise ValidationError("email", N_("An account with this email address already exists."))
    user = User(
        email=email,
        password_hash=(password_hash or hash_password(password)) if password is not None else "",
        name=name,
        role=scope.role,
        municipality_id=scope.municipality_id,
        professional_id=scope.professional_id,
        region_id=scope.region_id,
        locale=locale,
        created_at=clock(),
        email_confirmed_at=clock() if confirmed else None,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        AuditKind.ACCOUNT_CREATED,
        actor=actor,
        clock=clock,
        region_id=region_of_user(session, user),
        subject=("user", user.id),
        facts={"role": scope.role.value},
    )
    return user


def region_of_user(session: Session, user: User) -> int | None:
    """The region an account belongs to (None for an administrator)."""
    if user.region_id is not None:
        return user.region_id
    if user.municipality_id is not None:
        return get(session, Municipality, user.municipality_id).region_id
    if user.professional_id is not None:
        return get(session, Professional, user.professional_id).region_id
    return None


def record_refused_login(
    engine: sa.Engine,
    email: str,
    *,
    locked: bool,
    scope: str = "login",
    reason: str = "",
    clock: Clock = system_clock,
) -> None:
    """Record a failed login (or, ``locked``, the throttle's lock after too many) in a transaction of its own: the
    refused request itself is rolled back. The record names the account by id when it exists, never the address
    typed; ``reason`` says why where the caller knows more than "wrong password" (single sign-on)."""
    with unit_of_work(engine) as session:
        user = session.exec(select(User).where(User.email == (email or "").strip().lower()[:320])).first()
        audit.record(
            session,
            AuditKind.LOGIN_LOCKED if locked else AuditKind.LOGIN_FAILED,
            actor=None,
            clock=clock,
            region_id=region_of_user(session, user) if user is not None else None,
            subject=("user", user.id) if user is not None else ("", None),
            facts={"scope": scope, "known_account": user is not None}
            | ({"reason": reason} if reason else {}),
        )


def require_plain_name(name: str | None, field: str = "name") -> str:
    """A person's name as mail headers and pages show it: one line, no control characters."""
    cleaned = (name or "").strip()
    if has_control_character(cleaned):
        raise ValidationError(field, N_("Use letters, digits and punctuation only (no line breaks)."))
    if len(cleaned) > 200:
        raise ValidationError(field, N_("At most 200 characters."))
    return cleaned


def _check_scope(session: Session, scope: Scope, actor: Actor) -> None:
    ids = {
        UserRole.COORDINATOR: (scope.municipality_id, Municipality),
        UserRole.PROFESSIONAL: (scope.professional_id, Professional),
        UserRole.ORGANIZER: (scope.region_id, Region),
    }
    given = [role for role, (ident, _) in ids.items() if ident is not None]
    if scope.role is UserRole.ADMINISTRATOR:
        if given:
            raise ValidationError("role", N_("An administrator acts for no single region or municipality."))
        actor.require_administrator()
        return
    if given != [scope.role]:
        raise ValidationError(
            "role", N_("An account acts for exactly one municipality, professional or region.")
        )
    ident, model = ids[scope.role]
    row = get(session, model, ident)
    if actor.is_system or (actor.is_administrator and scope.role in STAFF_ROLES):
        return
    region_id = row.id if model is Region else getattr(row, "region_id", None)
    actor.require_region(region_id)


class PasswordLoginOff(NotAllowed):
    """This installation lets staff log in only through single sign-on (SWARM_STAFF_PASSWORD_LOGIN=false)."""


class EmailNotConfirmed(NotAllowed):
    """The password is right, but the account's e-mail address has not been confirmed through the mailed link."""


def authenticate(
    session: Session,
    email: str,
    password: str,
    *,
    staff_passwords: bool = True,
    clock: Clock = system_clock,
) -> User | None:
    """The active user with these credentials, or None. Records the login time; rehashes outdated hashes.

    With ``staff_passwords`` off, a staff account's correct password raises PasswordLoginOff (checked after the
    password, so the message tells only someone who knows it that this account is a staff account).
    """
    user = session.exec(select(User).where(User.email == (email or "").strip().lower())).first()
    if user is None or not user.active:
        verify_password(_DUMMY_HASH, password or "")
        return None
    if not verify_password(user.password_hash, password or ""):
        return None
    if not staff_passwords and UserRole(user.role) in STAFF_ROLES:
        raise PasswordLoginOff("Staff accounts log in through single sign-on.")
    if user.email_confirmed_at is None:
        raise EmailNotConfirmed("Confirm your email address first.")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    record_login(session, user, clock=clock)
    return user


def record_login(session: Session, user: User, *, clock: Clock = system_clock) -> None:
    """Every way of logging in (password, single sign-on) notes when it happened."""
    user.last_login_at = clock()
    session.add(user)
    session.flush()


def revoke_sessions(session: Session, user_id: int, *, actor: Actor) -> User:
    """Sign the user out everywhere: every login session carries ``session_version`` and goes stale."""
    user = get(session, User, user_id)
    require_account_manager(session, user, actor)
    user.session_version += 1
    session.add(user)
    session.flush()
    return user


def change_password(
    session: Session, user_id: int, current: str, new: str, *, actor: Actor, clock: Clock = system_clock
) -> User:
    """A new password, given the current one; every other login session of the user ends."""
    user = get(session, User, user_id)
    if not (actor.is_system or actor.user_id == user.id):
        raise NotAllowed("Only the account's owner changes its password.")
    if not actor.is_system and not verify_password(user.password_hash, current or ""):
        raise ValidationError("current_password", N_("This is not your current password."))
    if current and new == current:
        raise ValidationError("new_password", N_("Choose a password other than the current one."))
    check_password(new, "new_password", email=user.email)
    user.password_hash = hash_password(new)
    user.session_version += 1  # other devices must log in again
    session.add(user)
    session.flush()
    audit.record(
        session,
        AuditKind.PASSWORD_CHANGED,
        actor=actor,
        clock=clock,
        region_id=region_of_user(session, user),
        subject=("user", user.id),
    )
    return user


def set_locale(session: Session, user_id: int, locale: str, *, actor: Actor) -> User:
    user = get(session, User, user_id)
    require_account_manager(session, user, actor)
    if locale not in ("nl", "en"):
        raise ValidationError("locale", N_("Choose Nederlands or English."))
    user.locale = locale
    session.add(user)
    session.flush()
    return user


def require_account_manager(session: Session, user: User, actor: Actor) -> None:
    """The owner, the system, the administrator (staff accounts only: professionals' data are not theirs) or an
    organizer of the account's region."""
    if actor.is_system or actor.user_id == user.id:
        return
    if actor.is_administrator and UserRole(user.role) in STAFF_ROLES:
        return
    if UserRole(user.role) is UserRole.ADMINISTRATOR:
        raise NotAllowed("Only an administrator manages an administrator's account.")
    raise_if_not_region_organizer(session, user, actor)


def raise_if_not_region_organizer(session: Session, user: User, actor: Actor) -> None:
    """Organizers manage the accounts of their own region; everyone else only their own."""
    actor.require_region(region_of_user(session, user))
