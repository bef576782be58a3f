"""Swarm requests: a municipality's question with what it needs, when and where it can be discussed."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from swarm.domain.enums import RequestStatus, RoundOutcome
from swarm.persistence.columns import UTCDateTime, created, enum_type, fk, id_field, when


class SwarmRequest(SQLModel, table=True):
    """A question (vraagstuk) for a swarm session. Life cycle: draft -> (waiting ->) open -> planned -> held.

    A draft or a waiting request need not be in a round (``planning_round_id`` None). ``availability_deadline``
    is its round's deadline, copied when it joins the round and kept equal by the services (None without one).
    """

    __tablename__ = "swarm_requests"
    __table_args__ = (
        sa.CheckConstraint("table_size_min >= 1 AND table_size_max >= table_size_min", name="table_size"),
        sa.CheckConstraint("priority BETWEEN 1 AND 5", name="priority"),
    )

    id: int | None = id_field()
    municipality_id: int = fk("municipalities.id")
    planning_round_id: int | None = fk("planning_rounds.id", nullable=True, ondelete="RESTRICT")
    title: str = Field(max_length=200)
    question: str = Field(default="", sa_type=sa.Text)
    table_size_min: int = 4
    table_size_max: int = 8
    priority: int = 1
    max_travel_km: float | None = None
    availability_deadline: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    status: RequestStatus = Field(default=RequestStatus.DRAFT, sa_type=enum_type(RequestStatus), index=True)
    created_by_id: int | None = fk("users.id", nullable=True, ondelete="SET NULL")
    created_at: datetime = created()
    updated_at: datetime | None = when()
    opened_at: datetime | None = when()
    poll_closed_at: datetime | None = when()  # set by the deadline job when it queues the round's solve
    planned_at: datetime | None = when()
    held_at: datetime | None = when()


class RequestNeed(SQLModel, table=True):
    """At least ``count`` people at the table with ``skill`` at level >= ``min_level`` (in every round)."""

    __tablename__ = "request_needs"
    __table_args__ = (
        sa.UniqueConstraint("request_id", "skill_id"),
        sa.CheckConstraint("count >= 0", name="count"),
        sa.CheckConstraint("min_level BETWEEN 1 AND 3", name="min_level"),
    )

    id: int | None = id_field()
    request_id: int = fk("swarm_requests.id")
    skill_id: int = fk("skills.id", ondelete="RESTRICT")
    count: int = 1
    min_level: int = 1


class RequestSlot(SQLModel, table=True):
    __tablename__ = "request_slots"
    __table_args__ = (sa.UniqueConstraint("request_id", "slot_id"),)

    id: int | None = id_field()
    request_id: int = fk("swarm_requests.id")
    slot_id: int = fk("slots.id")


class RequestVenue(SQLModel, table=True):
    """An allowed venue; a request without any may be held at every venue of the region."""

    __tablename__ = "request_venues"
    __table_args__ = (sa.UniqueConstraint("request_id", "venue_id"),)

    id: int | None = id_field()
    request_id: int = fk("swarm_requests.id")
    venue_id: int = fk("venues.id")


class RequestExclusion(SQLModel, table=True):
    """A professional kept away from a question because of a conflict of interest."""

    __tablename__ = "request_exclusions"
    __table_args__ = (sa.UniqueConstraint("request_id", "professional_id"),)

    id: int | None = id_field()
    request_id: int = fk("swarm_requests.id")
    professional_id: int = fk("professionals.id")
    reason: str = Field(default="", max_length=500)
    created_at: datetime = created()


class RequestRound(SQLModel, table=True):
    """A round a request was in and left unplanned: it rolled over to a later round. Why it was not planned is
    read from ``solve_run_id``'s result (the run that left it unscheduled), or ``outcome`` says what happened."""

    __tablename__ = "request_rounds"
    __table_args__ = (sa.UniqueConstraint("request_id", "planning_round_id"),)

    id: int | None = id_field()
    request_id: int = fk("swarm_requests.id")
    planning_round_id: int = fk("planning_rounds.id")
    outcome: RoundOutcome = Field(sa_type=enum_type(RoundOutcome))
    solve_run_id: int | None = fk("solve_runs.id", nullable=True, ondelete="SET NULL")
    left_at: datetime = created()
