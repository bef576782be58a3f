"""Who calls the API: a personal token in ``Authorization: Bearer``, and nothing else (no cookies, so the API
has no CSRF surface). A token acts with its owner's role and scope (:class:`swarm.domain.actors.Actor`), and the
services check it exactly as for the owner's web pages.

Failed attempts (a missing or wrong token) count against the client address with the login throttle
(``services.people.throttle``, scope ``api``): past the limit the address gets 429 with Retry-After for the
lockout time. A valid token is never counted nor refused by the throttle. Each failure, and the lock it may
cause, is in the audit log (scope ``api``), as for the login form.
"""

from __future__ import annotations

from flask import abort, g, request

from swarm.domain.actors import Actor
from swarm.domain.enums import AuditKind, UserRole
from swarm.services.ops import audit
from swarm.services.people.api_tokens import authenticate_token
from swarm.services.people.throttle import Throttled, address_key, count_attempt
from swarm.webapp.auth import CurrentUser, throttle_limits
from swarm.webapp.clock import clock
from swarm.webapp.db import db, end_request_transaction, engine

THROTTLE_SCOPE = "api"


class TooManyFailures(Exception):
    def __init__(self, seconds: int):
        super().__init__(f"throttled for {seconds} s")
        self.seconds = seconds


def _presented_token() -> str | None:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    credentials = credentials.strip()
    return credentials if scheme.lower() == "bearer" and credentials else None


def _count_failure(presented: bool) -> None:
    limits = throttle_limits()
    end_request_transaction()  # SQLite: a write request holds the one write lock from its first statement
    try:
        count_attempt(
            engine(),
            [(address_key(THROTTLE_SCOPE, request.remote_addr), limits.per_address)],
            limits,
            clock=clock(),
        )
    except Throttled as throttled:
        if throttled.locked_now:
            _record(AuditKind.LOGIN_LOCKED, presented)
        raise TooManyFailures(throttled.seconds) from None
    _record(AuditKind.LOGIN_FAILED, presented)


def _record(kind: AuditKind, presented: bool) -> None:
    """A refused token in the audit log: no account is known, and the token itself is never written down."""
    audit.record_apart(
        engine(),
        kind,
        actor=None,
        clock=clock(),
        facts={"scope": THROTTLE_SCOPE, "known_account": False, "token_presented": presented},
    )


def authenticate() -> None:
    """Before every API request: the token's user, or 401 (429 when this address failed too often)."""
    secret = _presented_token()
    user = authenticate_token(db(), secret, clock=clock()) if secret else None
    if user is None:
        _count_failure(presented=secret is not None)
        abort(401)
    g.api_user = CurrentUser.from_user(user)


def current() -> CurrentUser:
    return g.api_user


def actor() -> Actor:
    return g.api_user.actor


def require_role(*roles: UserRole) -> Actor:
    """The token's actor if its role may use this operation at all; 403 otherwise (scope is the services')."""
    if g.api_user.role not in roles:
        abort(403)
    return g.api_user.actor
