"""Personal API tokens: created and revoked by their owner (or on the command line), checked on every API call.

A token is ``swarm_`` and 43 random URL-safe characters (256 bits); the database keeps only its SHA-256 and the
first characters (``prefix``) so that the owner can tell tokens apart. A token acts as its user, with the user's
role and scope, while it is neither revoked nor expired and the user is active.

Logging out everywhere (``session_version``) and changing the password leave API tokens alone, on purpose: a
token is the credential of another system (an HR system, a dashboard), which should not stop when its owner
logs out on their phone. The owner revokes a token on the account page; switching the user off stops all of them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, select

from swarm.domain.actors import Actor
from swarm.domain.errors import N_, NotAllowed, NotFound, ValidationError
from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.models import ApiToken, User
from swarm.services.lookup import get
from swarm.services.people.accounts import require_plain_name

SCHEME = "swarm_"
SECRET_BYTES = 32
PREFIX_LENGTH = 12  # "swarm_" and 6 random characters: enough to tell one's tokens apart, useless to guess
MAX_TOKEN_LENGTH = 100
MAX_TOKENS_PER_USER = 50
MAX_LIFETIME_DAYS = 3650
LAST_USED_RESOLUTION = timedelta(minutes=1)  # last_used_at is written at most once a minute per token


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _require_owner(user_id: int, actor: Actor) -> None:
    """A user manages their own tokens; the system (command line) anyone's."""
    if not (actor.is_system or actor.user_id == user_id):
        raise NotAllowed("Only the owner manages their API tokens.")


def create_api_token(
    session: Session,
    user_id: int,
    name: str,
    *,
    expires_in_days: int | None = None,
    actor: Actor,
    clock: Clock = system_clock,
) -> tuple[ApiToken, str]:
    """A new token for ``user_id``; returns the row and the secret, which is shown once and never stored."""
    _require_owner(user_id, actor)
    user = get(session, User, user_id)
    if not user.active:
        raise ValidationError("user", N_("This account is switched off; switch it on first."))
    label = require_plain_name(name, "name")
    if not label:
        raise ValidationError("name", N_("This field is required."))
    if len(label) > 100:
        raise ValidationError("name", N_("At most 100 characters."))
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_LIFETIME_DAYS:
        raise ValidationError("expires_in_days", N_("Must be between 1 and 3650."))
    if len(active_tokens_of(session, user_id, actor=actor, clock=clock)) >= MAX_TOKENS_PER_USER:
        raise ValidationError("name", N_("You have 50 tokens already; revoke one first."))
    secret = SCHEME + secrets.token_urlsafe(SECRET_BYTES)
    now = clock()
    token = ApiToken(
        user_id=user.id,
        name=label,
        token_hash=digest(secret),
        prefix=secret[:PREFIX_LENGTH],
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(token)
    session.flush()
    return token, secret


def revoke_api_token(
    session: Session, token_id: int, *, actor: Actor, clock: Clock = system_clock
) -> ApiToken:
    """Stop a token for good (revoking twice keeps the first moment)."""
    token = get(session, ApiToken, token_id)
    try:
        _require_owner(token.user_id, actor)
    except NotAllowed:
        raise NotFound("ApiToken", token_id) from None  # another user's token ids reveal nothing
    if token.revoked_at is None:
        token.revoked_at = clock()
        session.add(token)
        session.flush()
    return token


def is_usable(token: ApiToken, now: datetime) -> bool:
    return token.revoked_at is None and (token.expires_at is None or token.expires_at > now)


def tokens_of(session: Session, user_id: int, *, actor: Actor) -> list[ApiToken]:
    """Every token of the user, newest first (revoked and expired ones too, for the record)."""
    _require_owner(user_id, actor)
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.user_id == user_id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def active_tokens_of(
    session: Session, user_id: int, *, actor: Actor, clock: Clock = system_clock
) -> list[ApiToken]:
    now = clock()
    return [token for token in tokens_of(session, user_id, actor=actor) if is_usable(token, now)]


def authenticate_token(session: Session, secret: str, *, clock: Clock = system_clock) -> User | None:
    """The active user a presented token acts for; None for an unknown, revoked or expired token, or one whose
    user is switched off. Notes when the token was last used."""
    if not secret or len(secret) > MAX_TOKEN_LENGTH or not secret.isascii() or not secret.startswith(SCHEME):
        return None
    wanted = digest(secret)
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == wanted)).first()
    # Found by its hash; compare once more in constant time, as an index lookup gives no such promise.
    if token is None or not hmac.compare_digest(token.token_hash, wanted):
        return None
    now = clock()
    if not is_usable(token, now):
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        session.add(token)
        session.flush()
    return user
