"""Read-only calendar subscriptions at unguessable URLs: one per professional, organizer and municipality.

Only a SHA-256 hash of each token is stored, so the database cannot give the URLs away; rotating makes a new
token and revokes the old one. The feed's bytes depend only on the sessions (DTSTAMP is their last change), so
the ETag is stable between fetches and clients that send If-None-Match get a 304.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, select

from swarm import calendars as cal
from swarm.config import Config
from swarm.domain.actors import Actor
from swarm.domain.enums import FeedOwner, SessionStatus, UserRole
from swarm.domain.errors import NotAllowed
from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.models import (
    CalendarFeed,
    Invitation,
    Municipality,
    Professional,
    Region,
    SessionTable,
    SwarmRequest,
    User,
)
from swarm.persistence.models import Session as SwarmSession
from swarm.services.lookup import get
from swarm.services.ops.outbox import mail_host
from swarm.services.ops.session_calendar import attendee_key, session_view

_VISIBLE = (SessionStatus.PUBLISHED, SessionStatus.CANCELLED)
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _require_owner(session: Session, owner_kind: FeedOwner, owner_id: int, actor: Actor) -> None:
    """Only the owner (or the system) manages a feed: the professional, the organizer, the municipality's
    coordinator."""
    owner_kind = FeedOwner(owner_kind)
    if owner_kind is FeedOwner.PROFESSIONAL:
        get(session, Professional, owner_id)
        actor.require_professional(owner_id)
    elif owner_kind is FeedOwner.ORGANIZER:
        user = get(session, User, owner_id)
        if user.role != UserRole.ORGANIZER:
            raise NotAllowed("Only organizers have an organizer feed.")
        if not (actor.is_system or actor.user_id == user.id):
            raise NotAllowed("Only the organizer themselves may do this.")
    else:
        municipality = get(session, Municipality, owner_id)
        if actor.role is UserRole.ORGANIZER:
            raise NotAllowed("Only this municipality's coordinator may do this.")
        actor.require_municipality(municipality.id)


def create_feed(
    session: Session, owner_kind: FeedOwner, owner_id: int, *, actor: Actor, clock: Clock = system_clock
) -> str:
    """A new feed token for the owner (any earlier one stops working); the token is shown once, never stored."""
    _require_owner(session, owner_kind, owner_id, actor)
    revoke_feed(session, owner_kind, owner_id, actor=actor, clock=clock)
    token = secrets.token_urlsafe(32)
    session.add(
        CalendarFeed(
            owner_kind=FeedOwner(owner_kind),
            owner_id=owner_id,
            token_hash=token_hash(token),
            created_at=clock(),
        )
    )
    session.flush()
    return token


rotate_feed = create_feed


def revoke_feed(
    session: Session, owner_kind: FeedOwner, owner_id: int, *, actor: Actor, clock: Clock = system_clock
) -> int:
    """Stop the owner's feed; how many tokens were revoked."""
    _require_owner(session, owner_kind, owner_id, actor)
    result = session.execute(
        sa.update(CalendarFeed)
        .where(
            CalendarFeed.owner_kind == FeedOwner(owner_kind),
            CalendarFeed.owner_id == owner_id,
            CalendarFeed.revoked_at.is_(None),
        )
        .values(revoked_at=clock())
    )
    return result.rowcount


def has_feed(session: Session, owner_kind: FeedOwner, owner_id: int) -> bool:
    return (
        session.exec(
            select(CalendarFeed.id).where(
                CalendarFeed.owner_kind == FeedOwner(owner_kind),
                CalendarFeed.owner_id == owner_id,
                CalendarFeed.revoked_at.is_(None),
            )
        ).first()
        is not None
    )


class FeedResponse(NamedTuple):
    """What the feed route serves; also unpacks as ``body, etag, last_modified``."""

    body: bytes
    etag: str  # quoted, as the ETag header wants it
    last_modified: datetime


def render_feed(
    session: Session, token: str, *, config: Config, clock: Clock = system_clock, language: str = "nl"
) -> FeedResponse | None:
    """The calendar behind ``token``, or None for an unknown or revoked token (the web app answers 404)."""
    if not token or len(token) > 200:
        return None
    feed = session.exec(
        select(CalendarFeed).where(
            CalendarFeed.token_hash == token_hash(token), CalendarFeed.revoked_at.is_(None)
        )
    ).first()
    if feed is None:
        return None
    rows, name, own = _sessions_for(session, feed)
    calendars = [session_view(session, row, config, language=language).calendar for row in rows]
    changed = [
        moment for row in rows for moment in (row.published_at, row.updated_at, row.cancelled_at) if moment
    ]
    last_modified = max(changed, default=_EPOCH).replace(microsecond=0)
    body = cal.feed(
        calendars, name, host=mail_host(config), stamp=last_modified, attendee_key=own, language=language
    )
    feed.last_fetched_at = clock()
    session.add(feed)
    session.flush()
    return FeedResponse(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"', last_modified)


def _sessions_for(session: Session, feed: CalendarFeed) -> tuple[list[SwarmSession], str, str | None]:
    query = select(SwarmSession).where(SwarmSession.status.in_(_VISIBLE)).order_by(SwarmSession.id)
    kind = FeedOwner(feed.owner_kind)
    if kind is FeedOwner.PROFESSIONAL:
        person = get(session, Professional, feed.owner_id)
        query = query.join(Invitation, Invitation.session_id == SwarmSession.id).where(
            Invitation.professional_id == person.id,
            sa.or_(Invitation.cancelled_at.is_(None), SwarmSession.status == SessionStatus.CANCELLED),
        )
        return list(session.exec(query)), f"Zwermsessies {person.name}", attendee_key(person.id)
    if kind is FeedOwner.ORGANIZER:
        user = get(session, User, feed.owner_id)
        region = get(session, Region, user.region_id)
        return (
            list(session.exec(query.where(SwarmSession.region_id == region.id))),
            f"Zwermsessies {region.name}",
            None,
        )
    municipality = get(session, Municipality, feed.owner_id)
    query = (
        query.join(SessionTable, SessionTable.session_id == SwarmSession.id)
        .join(SwarmRequest, SwarmRequest.id == SessionTable.request_id)
        .where(SwarmRequest.municipality_id == municipality.id)
        .distinct()
    )
    return list(session.exec(query)), f"Zwermsessies {municipality.name}", None
