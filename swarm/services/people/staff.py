"""Staff accounts, kept by the administrator: organizers of a region, coordinators of a municipality, other
administrators. A new account has no password: its owner gets an invitation mail with a one-time link to set one
(or, with single sign-on only, the way to log in with the municipality account)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from swarm.domain.actors import Actor
from swarm.domain.enums import STAFF_ROLES, AuditKind, TokenPurpose, UserRole
from swarm.domain.errors import N_, NotFound, ValidationError
from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.models import Municipality, Region, User
from swarm.services.lookup import get
from swarm.services.ops import audit
from swarm.services.ops.outbox import enqueue_mail
from swarm.services.people.account_mail import Links, account_mail, role_words
from swarm.services.people.accounts import Scope, create_user
from swarm.services.people.tokens import digest, issue_token


@dataclass(frozen=True)
class StaffInput:
    email: str
    name: str
    role: UserRole
    region_id: int | None = None  # organizers
    municipality_id: int | None = None  # coordinators
    locale: str = "nl"


@dataclass(frozen=True)
class StaffAccount:
    """A staff account as the administrator's list shows it."""

    user: User
    scope_name: str
    invited: bool  # no password set and never logged in: the invitation is still open


def _scope(data: StaffInput) -> Scope:
    role = UserRole(data.role)
    if role not in STAFF_ROLES:
        raise ValidationError("role", N_("Choose organizer, coordinator or administrator."))
    if role is UserRole.ORGANIZER:
        if data.region_id is None:
            raise ValidationError("region_id", N_("Choose the region this organizer works for."))
        return Scope(role, region_id=data.region_id)
    if role is UserRole.COORDINATOR:
        if data.municipality_id is None:
            raise ValidationError(
                "municipality_id", N_("Choose the municipality this coordinator works for.")
            )
        return Scope(role, municipality_id=data.municipality_id)
    return Scope(role)


def scope_name(session: Session, user: User) -> str:
    if user.region_id is not None:
        return get(session, Region, user.region_id).name
    if user.municipality_id is not None:
        return get(session, Municipality, user.municipality_id).name
    return ""


def _region_of(session: Session, user: User) -> int | None:
    if user.municipality_id is not None:
        return get(session, Municipality, user.municipality_id).region_id
    return user.region_id


def invite_staff(
    session: Session,
    data: StaffInput,
    *,
    links: Links,
    staff_passwords: bool = True,
    actor: Actor,
    clock: Clock = system_clock,
) -> User:
    """A new staff account without a password, and its invitation mail (through the outbox)."""
    actor.require_administrator()
    if data.locale not in ("nl", "en"):
        raise ValidationError("locale", N_("Choose Nederlands or English."))
    user = create_user(
        session, data.email, None, _scope(data), name=data.name, locale=data.locale, actor=actor, clock=clock
    )
    send_invitation(session, user, links=links, staff_passwords=staff_passwords, clock=clock)
    _record(session, AuditKind.STAFF_INVITED, user, actor, clock)
    return user


def _record(session: Session, kind: AuditKind, user: User, actor: Actor, clock: Clock) -> None:
    audit.record(
        session,
        kind,
        actor=actor,
        clock=clock,
        region_id=_region_of(session, user),
        subject=("user", user.id),
        facts={"role": UserRole(user.role).value},
    )


def send_invitation(
    session: Session, user: User, *, links: Links, staff_passwords: bool, clock: Clock = system_clock
) -> None:
    role = role_words(user, scope_name(session, user))
    if staff_passwords:
        secret = issue_token(session, user, TokenPurpose.INVITE, clock=clock)
        mail = account_mail(
            user,
            "staff_invitation",
            f"invite:{user.id}:{digest(secret)[:16]}",
            "invite_subject",
            "invite_body",
            role=role,
            link=links.token(secret),
            forgot=links.forgot,
        )
    else:
        mail = account_mail(
            user,
            "staff_invitation",
            f"invite-sso:{user.id}:{clock().isoformat()}",
            "invite_subject",
            "invite_sso_body",
            role=role,
            login=links.login,
        )
    enqueue_mail(session, mail, region_id=_region_of(session, user), clock=clock)


def _staff_user(session: Session, user_id: int) -> User:
    user = get(session, User, user_id)
    if UserRole(user.role) not in STAFF_ROLES:
        raise NotFound("User", user_id)  # professionals' accounts are not the administrator's to see
    return user


def resend_invitation(
    session: Session,
    user_id: int,
    *,
    links: Links,
    staff_passwords: bool = True,
    actor: Actor,
    clock: Clock = system_clock,
) -> User:
    """A new invitation link (the old one stops working); only while the invitation is still open."""
    actor.require_administrator()
    user = _staff_user(session, user_id)
    if not user.active:
        raise ValidationError("user", N_("This account is switched off; switch it on first."))
    if user.password_hash or user.last_login_at is not None:
        raise ValidationError(
            "user", N_("This person has already logged in; they can use 'Forgot password?'.")
        )
    send_invitation(session, user, links=links, staff_passwords=staff_passwords, clock=clock)
    _record(session, AuditKind.STAFF_INVITATION_RESENT, user, actor, clock)
    return user


def set_staff_active(
    session: Session, user_id: int, active: bool, *, actor: Actor, clock: Clock = system_clock
) -> User:
    """Switch a staff account off (every session of it ends at once) or on again."""
    actor.require_administrator()
    user = _staff_user(session, user_id)
    if not active and user.id == actor.user_id:
        raise ValidationError("user", N_("You cannot switch off your own account."))
    if user.active and not active:
        user.session_version += 1
    changed = user.active != active
    user.active = active
    session.add(user)
    session.flush()
    if changed:
        kind = AuditKind.ACCOUNT_SWITCHED_ON if active else AuditKind.ACCOUNT_SWITCHED_OFF
        _record(session, kind, user, actor, clock)
    return user


def staff_accounts(session: Session, *, actor: Actor) -> list[StaffAccount]:
    """Every staff account, administrators first, then by role and name. Professionals are not listed."""
    actor.require_administrator()
    order = {UserRole.ADMINISTRATOR: 0, UserRole.ORGANIZER: 1, UserRole.COORDINATOR: 2}
    users = session.exec(select(User).where(User.role.in_([r.value for r in STAFF_ROLES]))).all()
    accounts = [
        StaffAccount(user, scope_name(session, user), not user.password_hash and user.last_login_at is None)
        for user in users
    ]
    return sorted(accounts, key=lambda a: (order[UserRole(a.user.role)], a.scope_name, a.user.name.lower()))
