"""Closing the availability poll: at its deadline a request stops collecting answers and its round is solved.

Run by the scheduler's ``close-polls`` job; idempotent, guarded by the request's ``poll_closed_at``.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlmodel import select

from swarm.config import Config
from swarm.domain.actors import SYSTEM
from swarm.domain.enums import RequestStatus
from swarm.domain.errors import ValidationError
from swarm.domain.timeutil import Clock
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import SwarmRequest
from swarm.services.plan.queue import enqueue_solve

log = logging.getLogger(__name__)


def close_due_polls(engine: sa.Engine, config: Config, clock: Clock) -> list[int]:
    """Close the poll of every open request past its deadline and queue a solve per round; the rounds queued."""
    with unit_of_work(engine, immediate=True) as session:
        now = clock()
        due = (
            (SwarmRequest.status == RequestStatus.OPEN)
            & SwarmRequest.poll_closed_at.is_(None)
            & (SwarmRequest.availability_deadline <= now)
        )
        rounds = set()
        for request_id, round_id in session.exec(
            select(SwarmRequest.id, SwarmRequest.planning_round_id).where(due)
        ):
            closed = session.execute(
                sa.update(SwarmRequest).where(SwarmRequest.id == request_id, due).values(poll_closed_at=now)
            )
            if closed.rowcount == 1:
                rounds.add(round_id)
        queued = []
        for round_id in sorted(rounds):
            try:
                enqueue_solve(session, round_id, actor=SYSTEM, clock=clock)
                queued.append(round_id)
            except ValidationError as error:  # e.g. nothing left to plan: the poll is closed all the same
                log.warning("round %s: no solve queued: %s", round_id, error)
    return queued
