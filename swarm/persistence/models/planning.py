"""A region's planning cycle: rounds with their candidate slots and the venues free in each, and the cadence
that opens the next round by itself."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from swarm.domain.enums import PlanningRoundStatus
from swarm.persistence.columns import UTCDateTime, created, enum_type, fk, id_field, json_field, when


class PlanningRound(SQLModel, table=True):
    """One planning cycle of a region (e.g. 2027 Q1). The fairness history counts invitations per round.

    Life: open (taking requests and availability until ``availability_deadline``) -> the poll closes at the
    deadline and the round is solved -> planned (published) -> closed. The deadline is the round's: its requests
    carry a copy (``SwarmRequest.availability_deadline``) that the services keep equal to it.
    """

    __tablename__ = "planning_rounds"
    __table_args__ = (
        sa.UniqueConstraint("region_id", "sequence"),
        sa.UniqueConstraint("region_id", "cadence_date"),  # a cadence never opens two rounds for one day
    )

    id: int | None = id_field()
    region_id: int = fk("regions.id")
    sequence: int
    name: str = Field(max_length=120)
    status: PlanningRoundStatus = Field(
        default=PlanningRoundStatus.OPEN, sa_type=enum_type(PlanningRoundStatus)
    )
    starts_on: date | None = None
    ends_on: date | None = None
    availability_deadline: datetime = Field(sa_type=UTCDateTime)
    time_limit_seconds: int | None = None  # None: SWARM_SOLVE_TIME_LIMIT
    cadence_date: date | None = None  # the cadence's opening day that opened this round (None: by hand)
    created_at: datetime = created()
    poll_closed_at: datetime | None = when()  # set by the deadline job when it queues the round's solve
    published_at: datetime | None = when()
    closed_at: datetime | None = when()


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


class SlotVenue(SQLModel, table=True):
    """A venue where a candidate slot can be held: a slot lists every venue free at that time, and no other."""

    __tablename__ = "slot_venues"
    __table_args__ = (sa.UniqueConstraint("slot_id", "venue_id"),)

    id: int | None = id_field()
    slot_id: int = fk("slots.id")
    venue_id: int = fk("venues.id")


class RoundCadence(SQLModel, table=True):
    """How a region's rounds keep coming: the scheduler opens one on every opening day of this rule.

    Opening days: the ``week_of_month``-th (-1: last) ``weekday`` of every ``every_months``-th month, from
    ``active_from`` on. A round has its slots ``slots_after_weeks`` later at ``slot_times`` in ``venues``, and
    its availability deadline ``deadline_days_before`` the first slot (``swarm/domain/cadence.py``).
    """

    __tablename__ = "round_cadences"

    id: int | None = id_field()
    region_id: int = Field(
        default=None, foreign_key="regions.id", ondelete="CASCADE", nullable=False, unique=True
    )
    active: bool = True
    name: str = Field(max_length=80)  # the rounds are called "<name> <day of the sessions>"
    weekday: int  # 0 Monday .. 6 Sunday
    week_of_month: int  # 1..4, -1: the last
    every_months: int = 1
    slots_after_weeks: int
    slot_times: list = json_field(list)  # [{"starts": "09:00", "ends": "12:00"}, ...]
    deadline_days_before: int
    time_limit_seconds: int | None = None
    active_from: date
    last_opened_on: date | None = None  # the newest opening day handled (opened, or skipped)
    last_skip_reason: str = Field(
        default="", max_length=300
    )  # why that day's round was not opened ("": it was)
    updated_at: datetime = created()


class CadenceVenue(SQLModel, table=True):
    """A venue the slots of a cadence's rounds can be held in."""

    __tablename__ = "round_cadence_venues"
    __table_args__ = (sa.UniqueConstraint("cadence_id", "venue_id"),)

    id: int | None = id_field()
    cadence_id: int = fk("round_cadences.id")
    venue_id: int = fk("venues.id")
