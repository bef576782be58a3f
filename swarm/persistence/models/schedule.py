"""The swarm schedule: sessions, their theme tables, seats per round, invitations and the organizer's pins."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from swarm.domain.enums import InvitationResponse, PinKind, SessionStatus
from swarm.persistence.columns import UTCDateTime, created, enum_type, fk, id_field, json_field, when


def new_uid() -> str:
    return uuid.uuid4().hex


class Session(SQLModel, table=True):
    """One slot at one venue. ``uid`` is the stable calendar identity: a repaired schedule that keeps a session
    keeps its uid and raises ``version`` (the iCalendar SEQUENCE follows it)."""

    __tablename__ = "sessions"

    id: int | None = id_field()
    uid: str = Field(default_factory=new_uid, max_length=64, unique=True)
    region_id: int = fk("regions.id")
    planning_round_id: int = fk("planning_rounds.id")
    slot_id: int = fk("slots.id", ondelete="RESTRICT")
    venue_id: int = fk("venues.id", ondelete="RESTRICT")
    solve_run_id: int | None = fk("solve_runs.id", nullable=True, ondelete="SET NULL")
    status: SessionStatus = Field(default=SessionStatus.DRAFT, sa_type=enum_type(SessionStatus), index=True)
    version: int = 0
    rounds: int = 1
    created_at: datetime = created()
    updated_at: datetime | None = when()
    published_at: datetime | None = when()
    cancelled_at: datetime | None = when()


class SessionTable(SQLModel, table=True):
    """A theme table: one request discussed in one session."""

    __tablename__ = "session_tables"
    __table_args__ = (sa.UniqueConstraint("session_id", "request_id"),)

    id: int | None = id_field()
    session_id: int = fk("sessions.id")
    request_id: int = fk("swarm_requests.id")
    position: int = 0  # table number shown in the room, from 1


class Seat(SQLModel, table=True):
    """Who sits at which table in which round; a participant sits at one table per round."""

    __tablename__ = "seats"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "round", "professional_id"),
        sa.CheckConstraint("round >= 1", name="round"),
    )

    id: int | None = id_field()
    session_id: int = fk("sessions.id")
    table_id: int = fk("session_tables.id")
    professional_id: int = fk("professionals.id")
    round: int


class Invitation(SQLModel, table=True):
    """A participant's invitation to a session with their response (iCalendar PARTSTAT) and why they were invited.

    ``sequence`` is the iCalendar SEQUENCE of the last version sent (or to send); ``cancelled_at`` marks someone
    taken off the session (a CANCEL goes out).
    """

    __tablename__ = "invitations"
    __table_args__ = (sa.UniqueConstraint("session_id", "professional_id"),)

    id: int | None = id_field()
    session_id: int = fk("sessions.id")
    professional_id: int = fk("professionals.id")
    response: InvitationResponse = Field(
        default=InvitationResponse.NEEDS_ACTION, sa_type=enum_type(InvitationResponse)
    )
    sequence: int = 0
    reasons: list = json_field(list)
    # the professional's own words, for the organizer (a server default: bulk inserts name no such column)
    decline_reason: str = Field(default="", max_length=500, sa_column_kwargs={"server_default": ""})
    created_at: datetime = created()
    sent_at: datetime | None = when()
    responded_at: datetime | None = when()
    cancelled_at: datetime | None = when()


class InvitationLink(SQLModel, table=True):
    """A one-time answer link (accept or decline) in an invitation mail: only the SHA-256 of its secret is stored.

    It answers for the invitation's ``sequence`` it was sent with (a later update sends new links), works once
    (``used_at``) and expires when the session ends.
    """

    __tablename__ = "invitation_links"

    id: int | None = id_field()
    invitation_id: int = fk("invitations.id")
    answer: str = Field(
        max_length=16
    )  # accept or decline (the web's words, see InvitationResponse.from_reply)
    sequence: int = 0
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = created()
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = when()


class Pin(SQLModel, table=True):
    """An organizer's decision for a request: seat this professional (include) or keep them out (exclude)."""

    __tablename__ = "pins"
    __table_args__ = (sa.UniqueConstraint("request_id", "professional_id"),)

    id: int | None = id_field()
    request_id: int = fk("swarm_requests.id")
    professional_id: int = fk("professionals.id")
    kind: PinKind = Field(default=PinKind.INCLUDE, sa_type=enum_type(PinKind))
    created_by_id: int | None = fk("users.id", nullable=True, ondelete="SET NULL")
    created_at: datetime = created()
