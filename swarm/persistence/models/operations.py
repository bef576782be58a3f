"""Operational state: solve jobs, the mail outbox and calendar feeds."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from swarm.domain.enums import FeedOwner, IcsMethod, OutboxStatus, SolveKind, SolveStatus
from swarm.persistence.columns import UTCDateTime, created, enum_type, fk, id_field, json_field, utcnow, when


class SolveRun(SQLModel, table=True):
    """A solve as a persisted job: queued by the web app or the scheduler, claimed by a worker, with live progress.

    ``input`` is the exact instance document solved (a snapshot: the database may change meanwhile),
    ``result`` the result document. ``parameters`` holds e.g. time_limit, workers and, for the shell, project ids.
    ``snapshot_reduced_at``: when retention took the professionals out of ``input`` and ``result``
    (see :mod:`swarm.services.ops.snapshot_retention`); None while the snapshot is whole.
    """

    __tablename__ = "solve_runs"
    __table_args__ = (sa.Index("ix_solve_runs_status_queued_at", "status", "queued_at"),)

    id: int | None = id_field()
    kind: SolveKind = Field(sa_type=enum_type(SolveKind))
    region_id: int = fk("regions.id")
    planning_round_id: int | None = fk("planning_rounds.id", nullable=True, ondelete="SET NULL")
    requested_by_id: int | None = fk("users.id", nullable=True, ondelete="SET NULL")
    status: SolveStatus = Field(default=SolveStatus.QUEUED, sa_type=enum_type(SolveStatus))
    input: dict = json_field()
    parameters: dict = json_field()
    seed: int = 0
    score: int | None = Field(default=None, sa_type=sa.BigInteger)
    bound: int | None = Field(default=None, sa_type=sa.BigInteger)
    best_score: int | None = Field(default=None, sa_type=sa.BigInteger)
    best_bound: int | None = Field(default=None, sa_type=sa.BigInteger)
    elapsed_seconds: float | None = None
    stage: str = Field(default="", max_length=60)
    result: dict | None = json_field(nullable=True)
    error: str = Field(default="", sa_type=sa.Text)
    worker_id: str = Field(default="", max_length=120)
    attempts: int = 0
    heartbeat_at: datetime | None = when()
    stop_requested: bool = False
    queued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    started_at: datetime | None = when()
    finished_at: datetime | None = when()
    notified_at: datetime | None = when()  # the organizer has been told the solve finished
    snapshot_reduced_at: datetime | None = when()


class OutboxMessage(SQLModel, table=True):
    """A mail written in the same transaction as the change that causes it; the sender job delivers it once."""

    __tablename__ = "outbox_messages"
    __table_args__ = (sa.Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),)

    id: int | None = id_field()
    idempotency_key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=40)  # invitation, update, cancellation, reminder, expiry_warning, ...
    region_id: int | None = fk(
        "regions.id", nullable=True, ondelete="SET NULL"
    )  # whose organizer sees failures
    recipient: str = Field(max_length=254)
    recipient_name: str = Field(default="", max_length=200)
    # e.g. the region's organizer, so that answers to a mail reach a person
    reply_to: str = Field(default="", max_length=320)
    subject: str = Field(max_length=300)
    body_text: str = Field(sa_type=sa.Text)
    ics_payload: str | None = Field(default=None, sa_type=sa.Text)
    ics_method: IcsMethod | None = Field(default=None, sa_type=enum_type(IcsMethod), nullable=True)
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_type=enum_type(OutboxStatus))
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_error: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = created()
    sent_at: datetime | None = when()


class CalendarFeed(SQLModel, table=True):
    """A read-only subscription feed at an unguessable URL; only a hash of its token is stored."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (sa.Index("ix_calendar_feeds_owner", "owner_kind", "owner_id"),)

    id: int | None = id_field()
    owner_kind: FeedOwner = Field(sa_type=enum_type(FeedOwner))
    owner_id: int
    token_hash: str = Field(max_length=128, unique=True)
    created_at: datetime = created()
    revoked_at: datetime | None = when()
    last_fetched_at: datetime | None = when()


class FormSubmission(SQLModel, table=True):
    """A one-time form token that has been used: the same form sent again creates nothing new.

    The page puts a fresh random ``token`` in each form that creates something; the view records it in the same
    transaction as what it creates, with ``location``, the page of the result. A second submission of that token
    (a double click, the back button, a retry after a lost answer) meets the row and is sent to ``location``.
    The primary key makes this hold across processes: a concurrent second insert waits for the first and then
    finds it. Rows older than a day are removed as new ones come in.
    """

    __tablename__ = "form_submissions"

    token: str = Field(max_length=64, primary_key=True)
    user_id: int | None = None  # no foreign key: the row outlives nothing, it is gone within a day
    location: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
