"""One-time links, one mechanism for every purpose (staff invitation, password reset, e-mail confirmation).

The link carries a random secret; the database keeps only its SHA-256, so a copy of the database opens no
account. A link is valid for its purpose's lifetime (``swarm.domain.tokens.LIFETIME``) and works once: using it
is a guarded UPDATE (``used_at IS NULL``), so two clicks at the same moment cannot both succeed. Issuing a new
link of a purpose removes the user's unused older ones of that purpose: only the newest link works.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session, select

from swarm.domain.enums import TokenPurpose
from swarm.domain.timeutil import Clock, system_clock
from swarm.domain.tokens import LIFETIME
from swarm.persistence.models import AccountToken, User

SECRET_BYTES = 32
MAX_SECRET_LENGTH = 100  # token_urlsafe(32) has 43 characters; anything much longer is no link of ours


class LinkProblem(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    WRONG_PURPOSE = "wrong_purpose"


class LinkRefused(Exception):
    """The link cannot be used; ``problem`` says why (the page words it and offers a new link)."""

    def __init__(self, problem: LinkProblem, purpose: TokenPurpose | None = None):
        super().__init__(problem.value)
        self.problem = problem
        self.purpose = purpose


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(session: Session, user: User, purpose: TokenPurpose, *, clock: Clock = system_clock) -> str:
    """A new link secret for ``user``; only its hash is stored. Older unused links of this purpose stop working."""
    session.execute(
        sa.delete(AccountToken).where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
    )
    secret = secrets.token_urlsafe(SECRET_BYTES)
    now = clock()
    session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=digest(secret),
            created_at=now,
            expires_at=now + LIFETIME[purpose],
        )
    )
    session.flush()
    return secret


def check_link(
    session: Session,
    secret: str,
    purposes: tuple[TokenPurpose, ...] = tuple(TokenPurpose),
    *,
    clock: Clock = system_clock,
) -> AccountToken:
    """The unused, unexpired token of this secret; LinkRefused otherwise. Does not use it up."""
    if not secret or len(secret) > MAX_SECRET_LENGTH or not secret.isascii():
        raise LinkRefused(LinkProblem.UNKNOWN)
    wanted = digest(secret)
    token = session.exec(select(AccountToken).where(AccountToken.token_hash == wanted)).first()
    # The lookup is by hash; compare once more in constant time, as a hash index gives no such promise.
    if token is None or not hmac.compare_digest(token.token_hash, wanted):
        raise LinkRefused(LinkProblem.UNKNOWN)
    purpose = TokenPurpose(token.purpose)
    if purpose not in purposes:
        raise LinkRefused(LinkProblem.WRONG_PURPOSE, purpose)
    if token.used_at is not None:
        raise LinkRefused(LinkProblem.USED, purpose)
    if token.expires_at <= clock():
        raise LinkRefused(LinkProblem.EXPIRED, purpose)
    return token


def use_link(
    session: Session,
    secret: str,
    purposes: tuple[TokenPurpose, ...] = tuple(TokenPurpose),
    *,
    clock: Clock = system_clock,
) -> tuple[AccountToken, User]:
    """Use the link up (once, also under concurrent clicks) and return it with its active user."""
    token = check_link(session, secret, purposes, clock=clock)
    used = session.execute(
        sa.update(AccountToken)
        .where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=clock())
    )
    if used.rowcount != 1:
        raise LinkRefused(LinkProblem.USED, TokenPurpose(token.purpose))
    session.refresh(token)
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        raise LinkRefused(LinkProblem.UNKNOWN, TokenPurpose(token.purpose))
    return token, user
