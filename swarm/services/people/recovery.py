"""What a one-time link does: confirm a self-registered e-mail address, set the first password of an invited staff
member, reset a forgotten password. Asking for a reset never tells whether the address has an account."""

from __future__ import annotations

from sqlmodel import Session, select

from swarm.domain.enums import STAFF_ROLES, AuditKind, TokenPurpose, UserRole
from swarm.domain.errors import ValidationError
from swarm.domain.rules import normalise_email
from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.models import Professional, User
from swarm.services.ops import audit
from swarm.services.ops.outbox import enqueue_mail
from swarm.services.people.account_mail import Links, account_mail
from swarm.services.people.accounts import (
    PasswordLoginOff,
    actor_for,
    check_password,
    hash_password,
    region_of_user,
)
from swarm.services.people.tokens import check_link, digest, issue_token, use_link

PASSWORD_LINKS = (TokenPurpose.INVITE, TokenPurpose.RESET)


def send_confirmation(session: Session, user: User, *, links: Links, clock: Clock = system_clock) -> None:
    """The mail with the link that confirms a self-registered professional's e-mail address."""
    secret = issue_token(session, user, TokenPurpose.CONFIRM, clock=clock)
    region_id = None
    if user.professional_id is not None:
        professional = session.get(Professional, user.professional_id)
        region_id = professional.region_id if professional else None
    mail = account_mail(
        user,
        "email_confirmation",
        f"confirm:{user.id}:{digest(secret)[:16]}",
        "confirm_subject",
        "confirm_body",
        link=links.token(secret),
    )
    enqueue_mail(session, mail, region_id=region_id, clock=clock)


def request_password_reset(
    session: Session,
    email: str,
    *,
    links: Links,
    staff_passwords: bool = True,
    clock: Clock = system_clock,
) -> None:
    """Mail a reset link to the active account of ``email``; nothing at all for an unknown address.

    With staff passwords switched off, a staff member gets a mail that says how to log in instead (a page that
    said so would tell anyone that the address is a staff account)."""
    try:
        email = normalise_email(email)
    except ValidationError:
        return
    user = session.exec(select(User).where(User.email == email, User.active)).first()
    if user is None:
        return
    if not staff_passwords and UserRole(user.role) in STAFF_ROLES:
        mail = account_mail(
            user,
            "password_reset",
            f"reset-sso:{user.id}:{clock().date().isoformat()}",  # at most one such mail a day
            "reset_sso_subject",
            "reset_sso_body",
            login=links.login,
        )
    else:
        secret = issue_token(session, user, TokenPurpose.RESET, clock=clock)
        mail = account_mail(
            user,
            "password_reset",
            f"reset:{user.id}:{digest(secret)[:16]}",
            "reset_subject",
            "reset_body",
            link=links.token(secret),
        )
    enqueue_mail(session, mail, clock=clock)


def set_password_with_link(
    session: Session, secret: str, password: str, *, staff_passwords: bool = True, clock: Clock = system_clock
) -> User:
    """Set the password of the link's account and use the link up. The link also confirms the address (it came
    by mail), and every other session of the account ends. The password is checked before the link is used, so
    a refused password leaves the link working."""
    token = check_link(session, secret, PASSWORD_LINKS, clock=clock)
    user = session.get(User, token.user_id)
    if user is not None and not staff_passwords and UserRole(user.role) in STAFF_ROLES:
        raise PasswordLoginOff("Staff accounts log in through single sign-on.")
    check_password(password, email=user.email if user else "")
    used, user = use_link(session, secret, PASSWORD_LINKS, clock=clock)
    user.password_hash = hash_password(password)
    user.session_version += 1
    if user.email_confirmed_at is None:
        user.email_confirmed_at = clock()
    session.add(user)
    session.flush()
    audit.record(
        session,
        AuditKind.PASSWORD_CHANGED,
        actor=actor_for(user),
        clock=clock,
        region_id=region_of_user(session, user),
        subject=("user", user.id),
        facts={"link": TokenPurpose(used.purpose).value},
    )
    return user


def confirm_email(session: Session, secret: str, *, clock: Clock = system_clock) -> User:
    """Use a confirmation link: the account may now log in, and its professional be invited."""
    _token, user = use_link(session, secret, (TokenPurpose.CONFIRM,), clock=clock)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = clock()
    session.add(user)
    session.flush()
    return user
