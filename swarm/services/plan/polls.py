"""Closing the availability poll: at its round's deadline a round stops collecting answers and is solved.

Run by the scheduler's ``close-polls`` job; idempotent, guarded by the round's ``poll_closed_at``. The round's
open requests get the same stamp (each request carries its round's deadline and poll state).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlmodel import select

from swarm.config import Config
from swarm.domain.actors import SYSTEM
from swarm.domain.enums import PlanningRoundStatus, RequestStatus
from swarm.domain.errors import ValidationError
from swarm.domain.timeutil import Clock
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import PlanningRound, SwarmRequest
from swarm.services.plan.queue import enqueue_solve

log = logging.getLogger(__name__)


def close_due_polls(engine: sa.Engine, config: Config, clock: Clock) -> list[int]:
    """Close the poll of every open round past its deadline and queue its solve; the rounds queued."""
    with unit_of_work(engine, immediate=True) as session:
        now = clock()
        due = (
            (PlanningRound.status == PlanningRoundStatus.OPEN)
            & PlanningRound.poll_closed_at.is_(None)
            & (PlanningRound.availability_deadline <= now)
        )
        closed = []
        for round_id in session.exec(select(PlanningRound.id).where(due).order_by(PlanningRound.id)):
            claimed = session.execute(
                sa.update(PlanningRound).where(PlanningRound.id == round_id, due).values(poll_closed_at=now)
            )
            if claimed.rowcount == 1:
                session.execute(
                    sa.update(SwarmRequest)
                    .where(
                        SwarmRequest.planning_round_id == round_id,
                        SwarmRequest.status == RequestStatus.OPEN,
                        SwarmRequest.poll_closed_at.is_(None),
                    )
                    .values(poll_closed_at=now)
                )
                closed.append(round_id)
        queued = []
        for round_id in closed:
            try:
                enqueue_solve(session, round_id, actor=SYSTEM, clock=clock)
                queued.append(round_id)
            except ValidationError as error:  # e.g. nothing to plan: the poll is closed all the same
                log.warning("round %s: no solve queued: %s", round_id, error)
    return queued
