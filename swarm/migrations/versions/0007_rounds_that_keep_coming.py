"""Rounds that keep coming: the round owns its deadline and slots, drafts need no round, a cadence opens rounds.

- ``planning_rounds`` gets ``availability_deadline`` (the round is now its source), ``time_limit_seconds``,
  ``poll_closed_at``, ``closed_at`` and ``cadence_date`` (unique per region: a cadence never opens two rounds
  for one day). An existing round's deadline is the latest deadline of its requests, so that no request's poll
  closes before the deadline it was given; a round without requests takes a week before its first slot, or its
  creation time. Its ``poll_closed_at`` is the latest of its requests'.
- ``swarm_requests``: ``planning_round_id`` and ``availability_deadline`` may be empty (a draft, or a request
  waiting for the next round), the status ``waiting`` is new, and every request in a round carries the round's
  deadline (the services keep the copy equal to it from here on).
- ``slot_venues`` replaces ``venue_unavailabilities``: a slot lists the venues free for it. Every slot gets the
  venues of its region but those that were unavailable for it (their free-text reason is not kept).
- New: ``request_rounds`` (the rounds a request left unplanned), ``round_cadences`` and ``round_cadence_venues``.

The downgrade puts requests without a round into their region's newest round (as drafts when they were
waiting) or, in a region without rounds, deletes them; ``venue_unavailabilities`` is rebuilt from the venues a
slot does not list.

Revision ID: 0007_rounds_that_keep_coming
Revises: 0006_administrator_and_links
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0007_rounds_that_keep_coming"
down_revision: str | None = "0006_administrator_and_links"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_REQUEST_STATUSES = ("draft", "open", "planned", "held")
NEW_REQUEST_STATUSES = ("draft", "waiting", "open", "planned", "held")

# The columns this reads and writes, as they are at this revision.
rounds = sa.table(
    "planning_rounds",
    sa.column("id", sa.Integer),
    sa.column("region_id", sa.Integer),
    sa.column("sequence", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("availability_deadline", sa.DateTime(timezone=True)),
    sa.column("poll_closed_at", sa.DateTime(timezone=True)),
)
requests = sa.table(
    "swarm_requests",
    sa.column("id", sa.Integer),
    sa.column("municipality_id", sa.Integer),
    sa.column("planning_round_id", sa.Integer),
    sa.column("availability_deadline", sa.DateTime(timezone=True)),
    sa.column("poll_closed_at", sa.DateTime(timezone=True)),
    sa.column("status", sa.String),
)
municipalities = sa.table("municipalities", sa.column("id", sa.Integer), sa.column("region_id", sa.Integer))
slots = sa.table(
    "slots",
    sa.column("id", sa.Integer),
    sa.column("region_id", sa.Integer),
    sa.column("planning_round_id", sa.Integer),
    sa.column("starts_at", sa.DateTime(timezone=True)),
)
venues = sa.table("venues", sa.column("id", sa.Integer), sa.column("region_id", sa.Integer))
slot_venues = sa.table("slot_venues", sa.column("slot_id", sa.Integer), sa.column("venue_id", sa.Integer))
unavailable = sa.table(
    "venue_unavailabilities",
    sa.column("slot_id", sa.Integer),
    sa.column("venue_id", sa.Integer),
    sa.column("reason", sa.String),
)
# Rows that belong to a request, deleted with it on downgrade (SQLite runs migrations without foreign keys).
REQUEST_CHILDREN = ("request_needs", "request_slots", "request_venues", "request_exclusions", "pins")


def _status_check(statuses: Sequence[str]) -> str:
    return "status IN (" + ", ".join(f"'{s}'" for s in statuses) + ")"


def _request_status(statuses: Sequence[str]) -> None:
    with op.batch_alter_table("swarm_requests") as batch_op:
        batch_op.drop_constraint(op.f("ck_swarm_requests_request_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_swarm_requests_request_status"), _status_check(statuses))


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("planning_rounds") as batch_op:
        batch_op.add_column(sa.Column("availability_deadline", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("time_limit_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cadence_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("poll_closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    of_round = requests.c.planning_round_id == rounds.c.id
    bind.execute(
        sa.update(rounds).values(
            availability_deadline=sa.select(sa.func.max(requests.c.availability_deadline))
            .where(of_round)
            .scalar_subquery(),
            poll_closed_at=sa.select(sa.func.max(requests.c.poll_closed_at))
            .where(of_round)
            .scalar_subquery(),
        )
    )
    for round_id, created_at in bind.execute(
        sa.select(rounds.c.id, rounds.c.created_at).where(rounds.c.availability_deadline.is_(None))
    ).all():
        first_slot = bind.execute(
            sa.select(sa.func.min(slots.c.starts_at)).where(slots.c.planning_round_id == round_id)
        ).scalar()
        deadline = first_slot - timedelta(days=7) if first_slot is not None else created_at
        bind.execute(sa.update(rounds).where(rounds.c.id == round_id).values(availability_deadline=deadline))
    with op.batch_alter_table("planning_rounds") as batch_op:
        batch_op.alter_column(
            "availability_deadline", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.create_unique_constraint(
            op.f("uq_planning_rounds_region_id_cadence_date"), ["region_id", "cadence_date"]
        )

    with op.batch_alter_table("swarm_requests") as batch_op:
        batch_op.alter_column("planning_round_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column(
            "availability_deadline", existing_type=sa.DateTime(timezone=True), nullable=True
        )
    _request_status(NEW_REQUEST_STATUSES)
    bind.execute(
        sa.update(requests)
        .where(requests.c.planning_round_id.is_not(None))
        .values(
            availability_deadline=sa.select(rounds.c.availability_deadline)
            .where(rounds.c.id == requests.c.planning_round_id)
            .scalar_subquery()
        )
    )

    op.create_table(
        "slot_venues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["slots.id"], name=op.f("fk_slot_venues_slot_id_slots"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"], ["venues.id"], name=op.f("fk_slot_venues_venue_id_venues"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slot_venues")),
        sa.UniqueConstraint("slot_id", "venue_id", name=op.f("uq_slot_venues_slot_id_venue_id")),
    )
    with op.batch_alter_table("slot_venues") as batch_op:
        batch_op.create_index(batch_op.f("ix_slot_venues_slot_id"), ["slot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_slot_venues_venue_id"), ["venue_id"], unique=False)
    was_unavailable = sa.exists().where(
        unavailable.c.slot_id == slots.c.id, unavailable.c.venue_id == venues.c.id
    )
    bind.execute(
        sa.insert(slot_venues).from_select(
            ["slot_id", "venue_id"],
            sa.select(slots.c.id, venues.c.id)
            .join(venues, venues.c.region_id == slots.c.region_id)
            .where(~was_unavailable),
        )
    )
    with op.batch_alter_table("venue_unavailabilities") as batch_op:
        batch_op.drop_index(batch_op.f("ix_venue_unavailabilities_slot_id"))
        batch_op.drop_index(batch_op.f("ix_venue_unavailabilities_venue_id"))
    op.drop_table("venue_unavailabilities")

    op.create_table(
        "request_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("planning_round_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "unscheduled",
                "session_cancelled",
                "not_solved",
                name="round_outcome",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("solve_run_id", sa.Integer(), nullable=True),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["planning_round_id"],
            ["planning_rounds.id"],
            name=op.f("fk_request_rounds_planning_round_id_planning_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["swarm_requests.id"],
            name=op.f("fk_request_rounds_request_id_swarm_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["solve_run_id"],
            ["solve_runs.id"],
            name=op.f("fk_request_rounds_solve_run_id_solve_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_rounds")),
        sa.UniqueConstraint(
            "request_id", "planning_round_id", name=op.f("uq_request_rounds_request_id_planning_round_id")
        ),
    )
    with op.batch_alter_table("request_rounds") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_request_rounds_planning_round_id"), ["planning_round_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_request_rounds_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_request_rounds_solve_run_id"), ["solve_run_id"], unique=False)

    op.create_table(
        "round_cadences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("week_of_month", sa.Integer(), nullable=False),
        sa.Column("every_months", sa.Integer(), nullable=False),
        sa.Column("slots_after_weeks", sa.Integer(), nullable=False),
        sa.Column("slot_times", sa.JSON(), nullable=False),
        sa.Column("deadline_days_before", sa.Integer(), nullable=False),
        sa.Column("time_limit_seconds", sa.Integer(), nullable=True),
        sa.Column("active_from", sa.Date(), nullable=False),
        sa.Column("last_opened_on", sa.Date(), nullable=True),
        sa.Column("last_skip_reason", sa.String(length=300), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"],
            ["regions.id"],
            name=op.f("fk_round_cadences_region_id_regions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_cadences")),
        sa.UniqueConstraint("region_id", name=op.f("uq_round_cadences_region_id")),
    )
    op.create_table(
        "round_cadence_venues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cadence_id", sa.Integer(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cadence_id"],
            ["round_cadences.id"],
            name=op.f("fk_round_cadence_venues_cadence_id_round_cadences"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_round_cadence_venues_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_cadence_venues")),
        sa.UniqueConstraint(
            "cadence_id", "venue_id", name=op.f("uq_round_cadence_venues_cadence_id_venue_id")
        ),
    )
    with op.batch_alter_table("round_cadence_venues") as batch_op:
        batch_op.create_index(batch_op.f("ix_round_cadence_venues_cadence_id"), ["cadence_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_round_cadence_venues_venue_id"), ["venue_id"], unique=False)


def downgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("round_cadence_venues") as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_cadence_venues_cadence_id"))
        batch_op.drop_index(batch_op.f("ix_round_cadence_venues_venue_id"))
    op.drop_table("round_cadence_venues")
    op.drop_table("round_cadences")
    with op.batch_alter_table("request_rounds") as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_rounds_planning_round_id"))
        batch_op.drop_index(batch_op.f("ix_request_rounds_request_id"))
        batch_op.drop_index(batch_op.f("ix_request_rounds_solve_run_id"))
    op.drop_table("request_rounds")

    op.create_table(
        "venue_unavailabilities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["slots.id"],
            name=op.f("fk_venue_unavailabilities_slot_id_slots"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venues.id"],
            name=op.f("fk_venue_unavailabilities_venue_id_venues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_venue_unavailabilities")),
        sa.UniqueConstraint("venue_id", "slot_id", name=op.f("uq_venue_unavailabilities_venue_id_slot_id")),
    )
    with op.batch_alter_table("venue_unavailabilities") as batch_op:
        batch_op.create_index(batch_op.f("ix_venue_unavailabilities_slot_id"), ["slot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_venue_unavailabilities_venue_id"), ["venue_id"], unique=False)
    listed = sa.exists().where(slot_venues.c.slot_id == slots.c.id, slot_venues.c.venue_id == venues.c.id)
    bind.execute(
        sa.insert(unavailable).from_select(
            ["slot_id", "venue_id", "reason"],
            sa.select(slots.c.id, venues.c.id, sa.literal(""))
            .join(venues, venues.c.region_id == slots.c.region_id)
            .where(~listed),
        )
    )
    with op.batch_alter_table("slot_venues") as batch_op:
        batch_op.drop_index(batch_op.f("ix_slot_venues_slot_id"))
        batch_op.drop_index(batch_op.f("ix_slot_venues_venue_id"))
    op.drop_table("slot_venues")

    bind.execute(sa.update(requests).where(requests.c.status == "waiting").values(status="draft"))
    newest_round = (
        sa.select(rounds.c.id)
        .join(municipalities, municipalities.c.region_id == rounds.c.region_id)
        .where(municipalities.c.id == requests.c.municipality_id)
        .order_by(rounds.c.sequence.desc())
        .limit(1)
        .scalar_subquery()
    )
    bind.execute(
        sa.update(requests)
        .where(requests.c.planning_round_id.is_(None))
        .values(planning_round_id=newest_round)
    )
    roundless = sa.select(requests.c.id).where(requests.c.planning_round_id.is_(None))
    for child in REQUEST_CHILDREN:
        child_table = sa.table(child, sa.column("request_id", sa.Integer))
        bind.execute(sa.delete(child_table).where(child_table.c.request_id.in_(roundless)))
    bind.execute(sa.delete(requests).where(requests.c.planning_round_id.is_(None)))
    bind.execute(
        sa.update(requests)
        .where(requests.c.availability_deadline.is_(None))
        .values(
            availability_deadline=sa.select(rounds.c.availability_deadline)
            .where(rounds.c.id == requests.c.planning_round_id)
            .scalar_subquery()
        )
    )
    _request_status(OLD_REQUEST_STATUSES)
    with op.batch_alter_table("swarm_requests") as batch_op:
        batch_op.alter_column("planning_round_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column(
            "availability_deadline", existing_type=sa.DateTime(timezone=True), nullable=False
        )

    with op.batch_alter_table("planning_rounds") as batch_op:
        batch_op.drop_constraint(op.f("uq_planning_rounds_region_id_cadence_date"), type_="unique")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("poll_closed_at")
        batch_op.drop_column("cadence_date")
        batch_op.drop_column("time_limit_seconds")
        batch_op.drop_column("availability_deadline")
