"""A planning round's history: the invitations that count as a turn, the fairness window, the rounds waited,
and the published schedule as a document.

Shared by the instance export (:mod:`swarm.services.plan.instance`), the draft (:mod:`swarm.services.plan.draft`)
and the review (:mod:`swarm.services.plan.review`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, select

from swarm.domain.enums import AvailabilityAnswer, SessionStatus
from swarm.domain.refs import professional_ref, request_ref
from swarm.persistence.models import Availability, Invitation, PlanningRound, Seat, SessionTable, Slot, Venue
from swarm.persistence.models import Session as SwarmSession
from swarm.services.lookup import get


def standing_invitations(*columns):
    """``select(*columns)`` over the invitations that count as a turn: to a published session, not
    cancelled (joined to their session; callers add the region and rounds they look at)."""
    return (
        select(*columns)
        .join(SwarmSession, SwarmSession.id == Invitation.session_id)
        .where(SwarmSession.status == SessionStatus.PUBLISHED, Invitation.cancelled_at.is_(None))
    )


def recent_invitations(
    session: Session, region_id: int, planning_round: PlanningRound, window: int
) -> Counter:
    """Invitations per professional to published sessions of the region's ``window`` rounds before this one."""
    if window <= 0:
        return Counter()
    rows = session.exec(
        standing_invitations(Invitation.professional_id)
        .join(PlanningRound, PlanningRound.id == SwarmSession.planning_round_id)
        .where(
            PlanningRound.region_id == region_id,
            PlanningRound.sequence < planning_round.sequence,
            PlanningRound.sequence >= planning_round.sequence - window,
        )
    )
    return Counter(rows)


def group_by(rows, key, value) -> dict:
    grouped: dict = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(value(row))
    return grouped


def published_schedule(session: Session, planning_round: PlanningRound, zone: ZoneInfo) -> dict | None:
    """The round's published sessions as a ``swarm-schedule/1`` document (for ``previous``), or None."""
    sessions = list(
        session.exec(
            select(SwarmSession)
            .where(
                SwarmSession.planning_round_id == planning_round.id,
                SwarmSession.status == SessionStatus.PUBLISHED,
            )
            .order_by(SwarmSession.id)
        )
    )
    if not sessions:
        return None
    return {
        "format": "swarm-schedule/1",
        "instance": f"round-{planning_round.sequence}",
        "status": "feasible",
        "sessions": [schedule_session_document(session, s) for s in sessions],
        "unscheduled": [],
    }


def schedule_session_document(session: Session, swarm_session: SwarmSession) -> dict:
    """One stored session in the ``sessions[]`` shape of ``swarm-schedule/1``."""
    slot = get(session, Slot, swarm_session.slot_id)
    venue = get(session, Venue, swarm_session.venue_id)
    tables = list(
        session.exec(
            select(SessionTable)
            .where(SessionTable.session_id == swarm_session.id)
            .order_by(SessionTable.position)
        )
    )
    seats = group_by(
        session.exec(
            select(Seat).where(Seat.session_id == swarm_session.id).order_by(Seat.round, Seat.professional_id)
        ),
        lambda s: (s.table_id, s.round),
        lambda s: professional_ref(s.professional_id),
    )
    return {
        "slot": slot.code,
        "venue": venue.code,
        "tables": [
            {
                "request": request_ref(t.request_id),
                "rounds": [seats.get((t.id, k), []) for k in range(1, swarm_session.rounds + 1)],
            }
            for t in tables
        ],
    }


def rounds_waited(session: Session, region_id: int, planning_round: PlanningRound) -> dict[int, int]:
    """Per professional: the region's planning rounds, up to and including this one, in which they said
    yes or if-need-be to a slot since their last invitation to a published session. Rounds in which
    someone was not available are no wait, so those who are rarely free do not crowd out those who were
    passed over; whoever is missing waited no round."""
    last_invited = (
        standing_invitations(
            Invitation.professional_id, sa.func.max(PlanningRound.sequence).label("sequence")
        )
        .join(PlanningRound, PlanningRound.id == SwarmSession.planning_round_id)
        .where(PlanningRound.region_id == region_id, PlanningRound.sequence < planning_round.sequence)
        .group_by(Invitation.professional_id)
        .subquery()
    )
    rows = session.exec(
        select(Availability.professional_id, sa.func.count(sa.distinct(PlanningRound.id)))
        .join(Slot, Slot.id == Availability.slot_id)
        .join(PlanningRound, PlanningRound.id == Slot.planning_round_id)
        .outerjoin(last_invited, last_invited.c.professional_id == Availability.professional_id)
        .where(
            PlanningRound.region_id == region_id,
            PlanningRound.sequence <= planning_round.sequence,
            PlanningRound.sequence > sa.func.coalesce(last_invited.c.sequence, 0),
            Availability.answer.in_([AvailabilityAnswer.YES, AvailabilityAnswer.MAYBE]),
        )
        .group_by(Availability.professional_id)
    )
    return dict(rows.all())
