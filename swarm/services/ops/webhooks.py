"""Webhooks: a region's events POSTed to other systems, signed, through a delivery table processed like the mail
outbox (same job, same backoff, nothing lost).

An organizer registers a receiver per region: a URL (https; http only where ``SWARM_WEBHOOK_ALLOW_HTTP`` is on),
a secret (given, or made and shown once) and the events it wants. An event is written into ``webhook_deliveries``
in the transaction of the change that causes it (one row per receiver), so it exists exactly when the change
does. The ``send-outbox`` job claims due rows (a lease, as for mail), POSTs the stored body and records the
outcome; a failure is tried again after 1, 2, 4 ... minutes (at most two hours apart), and after
``SWARM_OUTBOX_MAX_ATTEMPTS`` it is marked failed and listed on the organizer's page with a button to retry.

Each POST carries ``X-Swarm-Event``, ``X-Swarm-Event-Id`` (the same on every retry: receivers drop repeats),
``X-Swarm-Timestamp`` (Unix seconds of this attempt) and ``X-Swarm-Signature: sha256=HEX``, the HMAC-SHA256 with
the secret of ``TIMESTAMP.BODY`` (the timestamp, a dot, the raw body): a receiver recomputes it, compares in
constant time and refuses old timestamps (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa
from sqlmodel import Session, select

from swarm.config import Config
from swarm.domain.actors import Actor
from swarm.domain.enums import OutboxStatus
from swarm.domain.errors import N_, NotFound, ValidationError
from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.db import is_sqlite, unit_of_work
from swarm.persistence.models import Region, Webhook, WebhookDelivery
from swarm.services.lookup import get
from swarm.services.ops.outbox import CLAIM_LEASE, retry_delay

log = logging.getLogger(__name__)

SCHEDULE_PUBLISHED = "schedule.published"
INVITATION_DECLINED = "invitation.declined"
TEAM_PROPOSED = "team.proposed"
EVENTS = (SCHEDULE_PUBLISHED, INVITATION_DECLINED, TEAM_PROPOSED)

SIGNATURE_HEADER = "X-Swarm-Signature"
TIMESTAMP_HEADER = "X-Swarm-Timestamp"
EVENT_HEADER = "X-Swarm-Event"
EVENT_ID_HEADER = "X-Swarm-Event-Id"
TIMEOUT_SECONDS = 10
MAX_WEBHOOKS_PER_REGION = 20

Post = Callable[[str, bytes, dict[str, str]], int]  # url, body, headers -> HTTP status


@dataclass(frozen=True)
class WebhookInput:
    url: str
    events: Sequence[str] = field(default_factory=lambda: list(EVENTS))
    secret: str = ""  # empty: one is made and shown once


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: ``sha256=`` and the hex HMAC-SHA256 of ``TIMESTAMP.BODY``."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def _check_url(url: str, *, allow_http: bool) -> str:
    cleaned = (url or "").strip()
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in cleaned) or len(cleaned) > 500:
        raise ValidationError("url", N_("Give the receiver's address, e.g. https://hr.example.nl/swarm."))
    parts = urlsplit(cleaned)
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes or not parts.hostname or parts.fragment:
        if parts.scheme == "http" and not allow_http:
            raise ValidationError("url", N_("Use an https:// address."))
        raise ValidationError("url", N_("Give the receiver's address, e.g. https://hr.example.nl/swarm."))
    return cleaned


def _check_events(events: Sequence[str]) -> list[str]:
    chosen = [event for event in EVENTS if event in set(events)]
    if not chosen or len(set(events)) != len(chosen):
        raise ValidationError("events", N_("Choose at least one event."))
    return chosen


def _check_secret(secret: str) -> str:
    cleaned = (secret or "").strip()
    if not cleaned:
        return "whsec_" + secrets.token_urlsafe(32)
    if not 16 <= len(cleaned) <= 200 or not cleaned.isascii() or not cleaned.isprintable():
        raise ValidationError("secret", N_("A secret has 16 to 200 letters, digits or punctuation."))
    return cleaned


def register_webhook(
    session: Session,
    region_id: int,
    data: WebhookInput,
    *,
    allow_http: bool = False,
    actor: Actor,
    clock: Clock = system_clock,
) -> tuple[Webhook, str]:
    """A receiver for the region's events; returns it with its secret (to show once)."""
    region = get(session, Region, region_id)
    actor.require_region(region.id)
    url = _check_url(data.url, allow_http=allow_http)
    events = _check_events(data.events)
    secret = _check_secret(data.secret)
    if len(webhooks_of(session, region.id, actor=actor)) >= MAX_WEBHOOKS_PER_REGION:
        raise ValidationError("url", N_("The region has 20 webhooks already; remove one first."))
    webhook = Webhook(
        region_id=region.id,
        url=url,
        secret=secret,
        events=events,
        created_by_id=actor.user_id,
        created_at=clock(),
    )
    session.add(webhook)
    session.flush()
    return webhook, secret


def _own(session: Session, webhook_id: int, actor: Actor) -> Webhook:
    webhook = get(session, Webhook, webhook_id)
    actor.require_region(webhook.region_id)
    return webhook


def set_webhook_active(
    session: Session, webhook_id: int, active: bool | None = None, *, actor: Actor
) -> Webhook:
    """Pause a receiver (no new events are written for it) or take it up again; None: the other way round."""
    webhook = _own(session, webhook_id, actor)
    webhook.active = (not webhook.active) if active is None else active
    session.add(webhook)
    session.flush()
    return webhook


def remove_webhook(session: Session, webhook_id: int, *, actor: Actor) -> None:
    """Remove a receiver with its deliveries (pending ones are not sent any more)."""
    webhook = _own(session, webhook_id, actor)
    session.execute(sa.delete(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id))
    session.delete(webhook)
    session.flush()


def webhooks_of(session: Session, region_id: int, *, actor: Actor) -> list[Webhook]:
    actor.require_region(region_id)
    return list(session.exec(select(Webhook).where(Webhook.region_id == region_id).order_by(Webhook.id)))


def emit(session: Session, region_id: int, event: str, data: dict, *, clock: Clock = system_clock) -> int:
    """Write ``event`` for every active receiver of the region that wants it, in the caller's transaction.
    Returns how many deliveries were written."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    receivers = [
        webhook
        for webhook in session.exec(
            select(Webhook).where(Webhook.region_id == region_id, Webhook.active).order_by(Webhook.id)
        )
        if event in (webhook.events or [])
    ]
    if not receivers:
        return 0
    now = clock()
    event_id = uuid.uuid4().hex
    body = json.dumps(
        {"id": event_id, "type": event, "created_at": now.isoformat(), "region_id": region_id, "data": data},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    for webhook in receivers:
        session.add(
            WebhookDelivery(
                webhook_id=webhook.id,
                event_id=event_id,
                event=event,
                body=body,
                next_attempt_at=now,
                created_at=now,
            )
        )
    session.flush()
    return len(receivers)


# -- delivery -------------------------------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    failed: int = 0

    def __bool__(self) -> bool:
        return bool(self.delivered or self.retried or self.failed)


def http_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST and return the status; redirects are not followed (a receiver answers where it was registered)."""
    response = requests.post(url, data=body, headers=headers, timeout=TIMEOUT_SECONDS, allow_redirects=False)
    response.close()
    return response.status_code


@dataclass(frozen=True)
class _Claimed:
    id: int
    attempts: int
    url: str
    secret: str
    event: str
    event_id: str
    body: str


def _claim_one(engine: sa.Engine, clock: Clock) -> _Claimed | None:
    with unit_of_work(engine, immediate=True) as session:
        now = clock()
        due = (WebhookDelivery.status == OutboxStatus.PENDING) & (WebhookDelivery.next_attempt_at <= now)
        pick = (
            select(WebhookDelivery)
            .where(due)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(1)
        )
        if not is_sqlite(engine):
            pick = pick.with_for_update(skip_locked=True)
        row = session.exec(pick).first()
        if row is None:
            return None
        attempts = row.attempts + 1  # read before the UPDATE, which refreshes the row in the session
        claimed = session.execute(
            sa.update(WebhookDelivery)
            .where(WebhookDelivery.id == row.id, due)
            .values(next_attempt_at=now + CLAIM_LEASE, attempts=WebhookDelivery.attempts + 1)
        )
        if claimed.rowcount != 1:
            return _claim_one(engine, clock)
        webhook = session.get(Webhook, row.webhook_id)
        return _Claimed(row.id, attempts, webhook.url, webhook.secret, row.event, row.event_id, row.body)


def _headers(claimed: _Claimed, moment: datetime) -> dict[str, str]:
    timestamp = int(moment.timestamp())
    return {
        "Content-Type": "application/json",
        "User-Agent": "swarm-webhooks/1",
        EVENT_HEADER: claimed.event,
        EVENT_ID_HEADER: claimed.event_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(claimed.secret, timestamp, claimed.body.encode("utf-8")),
    }


def deliver_due(
    engine: sa.Engine,
    config: Config,
    clock: Clock = system_clock,
    *,
    post: Post = http_post,
    limit: int = 200,
    keep_going: Callable[[], bool] = lambda: True,
) -> DeliveryReport:
    """POST the deliveries that are due, each in three steps: claim, send, record the outcome. ``keep_going`` is
    asked before each (the scheduler answers no once it has lost its lock)."""
    report = DeliveryReport()
    for _ in range(limit):
        if not keep_going():
            break
        claimed = _claim_one(engine, clock)
        if claimed is None:
            break
        try:
            status = post(claimed.url, claimed.body.encode("utf-8"), _headers(claimed, clock()))
            error = "" if 200 <= status < 300 else f"HTTP {status}"
        except requests.RequestException as problem:
            error = f"{type(problem).__name__}: {problem}"
        values: dict = {"last_error": error[:2000]}
        if not error:
            values |= {"status": OutboxStatus.SENT, "delivered_at": clock()}
            report.delivered += 1
        elif claimed.attempts >= config.outbox_max_attempts:
            values["status"] = OutboxStatus.FAILED
            report.failed += 1
        else:
            values["next_attempt_at"] = clock() + retry_delay(claimed.attempts)
            report.retried += 1
        if error:
            log.warning("webhook delivery %s: attempt %s failed: %s", claimed.id, claimed.attempts, error)
        with unit_of_work(engine, immediate=True) as session:
            session.execute(
                sa.update(WebhookDelivery).where(WebhookDelivery.id == claimed.id).values(**values)
            )
    return report


# -- what the organizer sees ----------------------------------------------------------------------------------


def failed_deliveries(
    session: Session, region_id: int, *, actor: Actor
) -> list[tuple[WebhookDelivery, Webhook]]:
    """Events the region's receivers did not take, newest first, with the last answer."""
    actor.require_region(region_id)
    rows = session.exec(
        select(WebhookDelivery, Webhook)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .where(Webhook.region_id == region_id, WebhookDelivery.status == OutboxStatus.FAILED)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
    )
    return list(rows.all())


def retry_delivery(session: Session, delivery_id: int, *, actor: Actor, clock: Clock = system_clock) -> None:
    """The receiver works again: send the failed event once more (same event id, fresh attempts)."""
    row = session.get(WebhookDelivery, delivery_id)
    if row is None:
        raise NotFound("WebhookDelivery", delivery_id)
    _own(session, row.webhook_id, actor)
    session.execute(
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.id == row.id, WebhookDelivery.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=clock(), last_error="")
    )
