"""A region's planning cycle: rounds, time slots and venues."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from swarm.domain.enums import PlanningRoundStatus
from swarm.persistence.columns import UTCDateTime, created, enum_type, fk, id_field, when


class PlanningRound(SQLModel, table=True):
    """One planning cycle of a region (e.g. 2027 Q1). The fairness history counts invitations per round."""

    __tablename__ = "planning_rounds"
    __table_args__ = (sa.UniqueConstraint("region_id", "sequence"),)

    id: int | None = id_field()
    region_id: int = fk("regions.id")
    sequence: int
    name: str = Field(max_length=120)
    status: PlanningRoundStatus = Field(
        default=PlanningRoundStatus.OPEN, sa_type=enum_type(PlanningRoundStatus)
    )
    starts_on: date | None = None
    ends_on: date | None = None
    created_at: datetime = created()
    published_at: datetime | None = when()


class Slot(SQLModel, table=True):
    """A time slot in which sessions can take place; stored in UTC, shown in Europe/Amsterdam."""

    __tablename__ = "slots"
    __table_args__ = (
        sa.UniqueConstraint("region_id", "code"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: int | None = id_field()
    region_id: int = fk("regions.id")
    planning_round_id: int | None = fk("planning_rounds.id", nullable=True, ondelete="SET NULL")
    code: str = Field(max_length=40)  # 2027-01-12-am: the slot id in the solver formats
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ends_at: datetime = Field(sa_type=UTCDateTime)


class Venue(SQLModel, table=True):
    """A place where sessions are held, or an online room (then ``online_url`` and no coordinates)."""

    __tablename__ = "venues"
    __table_args__ = (
        sa.UniqueConstraint("region_id", "code"),
        sa.CheckConstraint("capacity >= 0 AND tables >= 0", name="sizes"),
    )

    id: int | None = id_field()
    region_id: int = fk("regions.id")
    code: str = Field(max_length=60)  # the venue id in the solver formats
    name: str = Field(max_length=200)
    address: str = Field(default="", max_length=300)
    municipality_id: int | None = fk("municipalities.id", nullable=True, ondelete="SET NULL")
    place_id: int | None = fk("places.id", nullable=True, ondelete="SET NULL")  # picked from the list
    lat: float | None = None
    lon: float | None = None
    capacity: int
    tables: int
    online: bool = False
    online_url: str = Field(default="", max_length=500)
    active: bool = True


class VenueUnavailability(SQLModel, table=True):
    __tablename__ = "venue_unavailabilities"
    __table_args__ = (sa.UniqueConstraint("venue_id", "slot_id"),)

    id: int | None = id_field()
    venue_id: int = fk("venues.id")
    slot_id: int = fk("slots.id")
    reason: str = Field(default="", max_length=200)
