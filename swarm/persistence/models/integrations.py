"""Integrations with other systems: personal API tokens and a region's webhooks with their deliveries."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from swarm.domain.enums import OutboxStatus
from swarm.persistence.columns import UTCDateTime, created, enum_type, fk, id_field, json_field, utcnow, when


class ApiToken(SQLModel, table=True):
    """A personal token for the JSON API: it acts as its user, with the user's role and scope.

    Only the SHA-256 of the secret is stored; ``prefix`` (the secret's first characters) lets the owner tell
    tokens apart. A token works while it is not revoked, not expired and its user is active.
    """

    __tablename__ = "api_tokens"

    id: int | None = id_field()
    user_id: int = fk("users.id")
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)
    created_at: datetime = created()
    last_used_at: datetime | None = when()
    expires_at: datetime | None = when()
    revoked_at: datetime | None = when()


class Webhook(SQLModel, table=True):
    """A URL of another system that a region's events are POSTed to, signed with ``secret`` (HMAC-SHA256).

    The secret is kept as given: signing needs it, so it is shown once and stored like the SMTP password.
    """

    __tablename__ = "webhooks"

    id: int | None = id_field()
    region_id: int = fk("regions.id")
    url: str = Field(max_length=500)
    secret: str = Field(max_length=200)
    events: list = json_field(list)
    active: bool = True
    created_by_id: int | None = fk("users.id", nullable=True, ondelete="SET NULL")
    created_at: datetime = created()


class WebhookDelivery(SQLModel, table=True):
    """One event for one webhook, written with the change that causes it and delivered later (like the outbox).

    ``body`` is the exact JSON sent and signed; retried with backoff until it is delivered or marked failed.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("webhook_id", "event_id"),
        sa.Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: int | None = id_field()
    webhook_id: int = fk("webhooks.id")
    event_id: str = Field(max_length=64)
    event: str = Field(max_length=40)
    body: str = Field(sa_type=sa.Text)
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_type=enum_type(OutboxStatus))
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_error: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = created()
    delivered_at: datetime | None = when()
