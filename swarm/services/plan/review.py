"""A schedule as people read it: the sessions of a round with their tables per round and invitations (the
organizer's review), whether each table's needs are covered, the published tables of a request, a professional's
invitations, invitations per round for the fairness overview with its measured effect (and the engine's
``NEAR_TIE`` margin the policy page quotes), and the pins of a round.

Read only; each function is scoped by the ids it is given, which the views take from the logged-in user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from solver.swarm.model import NEAR_TIE as NEAR_TIE  # re-exported: the policy page quotes the margin
from swarm.domain.enums import AvailabilityAnswer, PinKind, PlanningRoundStatus, SessionStatus
from swarm.domain.equality import gini
from swarm.persistence.models import (
    Availability,
    Invitation,
    Municipality,
    Pin,
    PlanningRound,
    Professional,
    ProfessionalSkill,
    RequestNeed,
    Seat,
    SessionTable,
    Skill,
    Slot,
    SwarmRequest,
    Venue,
)
from swarm.persistence.models import Session as ScheduledSession
from swarm.services.lookup import get, region_professionals
from swarm.services.plan.history import standing_invitations


@dataclass
class TableView:
    table: SessionTable
    request: SwarmRequest
    rounds: list[list[Professional]]


@dataclass
class SessionView:
    session: ScheduledSession
    slot: Slot
    venue: Venue
    tables: list[TableView]
    invitations: list[tuple[Invitation, Professional]]


def sessions_of_round(
    session: Session, planning_round_id: int, statuses: tuple[SessionStatus, ...]
) -> list[SessionView]:
    rows = session.exec(
        select(ScheduledSession, Slot, Venue)
        .join(Slot, Slot.id == ScheduledSession.slot_id)
        .join(Venue, Venue.id == ScheduledSession.venue_id)
        .where(ScheduledSession.planning_round_id == planning_round_id, ScheduledSession.status.in_(statuses))
        .order_by(Slot.starts_at, Venue.name)
    ).all()
    return [_session_view(session, *row) for row in rows]


def _session_view(session: Session, scheduled: ScheduledSession, slot: Slot, venue: Venue) -> SessionView:
    tables = session.exec(
        select(SessionTable, SwarmRequest)
        .join(SwarmRequest, SwarmRequest.id == SessionTable.request_id)
        .where(SessionTable.session_id == scheduled.id)
        .order_by(SessionTable.position)
    ).all()
    seats = session.exec(
        select(Seat, Professional)
        .join(Professional, Professional.id == Seat.professional_id)
        .where(Seat.session_id == scheduled.id)
    ).all()
    table_views = []
    for table, swarm_request in tables:
        rounds: list[list[Professional]] = [[] for _ in range(scheduled.rounds)]
        for seat, person in seats:
            if seat.table_id == table.id and 1 <= seat.round <= scheduled.rounds:
                rounds[seat.round - 1].append(person)
        for people in rounds:
            people.sort(key=lambda p: p.name)
        table_views.append(TableView(table, swarm_request, rounds))
    invitations = session.exec(
        select(Invitation, Professional)
        .join(Professional, Professional.id == Invitation.professional_id)
        .where(Invitation.session_id == scheduled.id)
        .order_by(Professional.name)
    ).all()
    return SessionView(scheduled, slot, venue, table_views, list(invitations))


def session_view(session: Session, session_id: int) -> SessionView:
    """One session with its tables per round and its invitations."""
    scheduled = get(session, ScheduledSession, session_id)
    return _session_view(
        session, scheduled, get(session, Slot, scheduled.slot_id), get(session, Venue, scheduled.venue_id)
    )


def published_tables_for_request(session: Session, request_id: int) -> list[SessionView]:
    """The published session(s) in which this request has a table."""
    rows = session.exec(
        select(ScheduledSession, Slot, Venue)
        .join(SessionTable, SessionTable.session_id == ScheduledSession.id)
        .join(Slot, Slot.id == ScheduledSession.slot_id)
        .join(Venue, Venue.id == ScheduledSession.venue_id)
        .where(SessionTable.request_id == request_id, ScheduledSession.status == SessionStatus.PUBLISHED)
    ).all()
    return [_session_view(session, *row) for row in rows]


@dataclass(frozen=True)
class SeatOf:
    """Where the professional sits in one round of a session: the table's number and its question."""

    round: int
    table: int
    request: SwarmRequest
    municipality: str


@dataclass(frozen=True)
class InvitationCard:
    """One invitation as its professional reads it: when, where once, their table round by round, and whether
    the organizer placed them (a pin) at one of its tables."""

    invitation: Invitation
    session: ScheduledSession
    slot: Slot
    venue: Venue
    seats: list[SeatOf]
    pinned: bool


@dataclass(frozen=True)
class InvitationsOf:
    """A professional's invitations to published sessions: those still to come (soonest first), then those that
    have begun (latest first), which can no longer be answered."""

    upcoming: list[InvitationCard]
    past: list[InvitationCard]


def invitations_of(session: Session, professional_id: int, *, now: datetime) -> InvitationsOf:
    rows = session.exec(
        select(Invitation, ScheduledSession, Slot, Venue)
        .join(ScheduledSession, ScheduledSession.id == Invitation.session_id)
        .join(Slot, Slot.id == ScheduledSession.slot_id)
        .join(Venue, Venue.id == ScheduledSession.venue_id)
        .where(
            Invitation.professional_id == professional_id, ScheduledSession.status == SessionStatus.PUBLISHED
        )
        .order_by(Slot.starts_at, Invitation.id)
    ).all()
    session_ids = [row[1].id for row in rows]
    seats: dict[int, list[SeatOf]] = {}
    pinned_requests = set(
        session.exec(
            select(Pin.request_id).where(Pin.professional_id == professional_id, Pin.kind == PinKind.INCLUDE)
        )
    )
    pinned_sessions: set[int] = set()
    for seat, table, swarm_request, town in session.exec(
        select(Seat, SessionTable, SwarmRequest, Municipality.name)
        .join(SessionTable, SessionTable.id == Seat.table_id)
        .join(SwarmRequest, SwarmRequest.id == SessionTable.request_id)
        .join(Municipality, Municipality.id == SwarmRequest.municipality_id)
        .where(Seat.professional_id == professional_id, Seat.session_id.in_(session_ids))
        .order_by(Seat.round)
    ):
        seats.setdefault(seat.session_id, []).append(SeatOf(seat.round, table.position, swarm_request, town))
        if swarm_request.id in pinned_requests:
            pinned_sessions.add(seat.session_id)
    cards = [
        InvitationCard(invitation, row, slot, venue, seats.get(row.id, []), row.id in pinned_sessions)
        for invitation, row, slot, venue in rows
    ]
    upcoming = [card for card in cards if card.slot.starts_at > now]
    past = [card for card in cards if card.slot.starts_at <= now]
    return InvitationsOf(upcoming=upcoming, past=past[::-1])


def invitation_card(session: Session, invitation_id: int) -> InvitationCard | None:
    """One invitation to a published session as its professional reads it (None: not published, or unknown)."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        return None
    found = invitations_of(session, invitation.professional_id, now=datetime.min.replace(tzinfo=UTC))
    return next((card for card in found.upcoming if card.invitation.id == invitation_id), None)


def coverage(session: Session, view: SessionView) -> list[dict]:
    """Per table and need: the fewest people meeting the need in any round, against what is asked."""
    people = {p.id for t in view.tables for r in t.rounds for p in r}
    levels: dict[tuple[int, int], int] = {
        (row.professional_id, row.skill_id): row.level
        for row in session.exec(
            select(ProfessionalSkill).where(ProfessionalSkill.professional_id.in_(list(people)))
        )
    }
    result = []
    for table in view.tables:
        needs = session.exec(
            select(RequestNeed, Skill)
            .join(Skill, Skill.id == RequestNeed.skill_id)
            .where(RequestNeed.request_id == table.request.id)
        ).all()
        for need, skill in needs:
            met = [
                sum(1 for p in r if levels.get((p.id, skill.id), 0) >= need.min_level) for r in table.rounds
            ] or [0]
            result.append(
                {
                    "table": table,
                    "skill": skill,
                    "need": need,
                    "fewest": min(met),
                    "ok": min(met) >= need.count,
                }
            )
    return result


def invitation_counts(
    session: Session, region_id: int, last_rounds: int
) -> tuple[list[PlanningRound], list[tuple[Professional, list[int]]]]:
    """Invitations per professional in each of the region's last rounds (published sessions, not cancelled)."""
    rounds = list(
        session.exec(
            select(PlanningRound)
            .where(PlanningRound.region_id == region_id)
            .order_by(PlanningRound.sequence.desc())
            .limit(max(last_rounds, 1))
        )
    )[::-1]
    counts: dict[tuple[int, int], int] = {}
    for professional_id, round_id in session.exec(
        standing_invitations(Invitation.professional_id, ScheduledSession.planning_round_id).where(
            ScheduledSession.region_id == region_id
        )
    ):
        counts[(professional_id, round_id)] = counts.get((professional_id, round_id), 0) + 1
    table = [
        (p, [counts.get((p.id, r.id), 0) for r in rounds]) for p in region_professionals(session, region_id)
    ]
    return rounds, table


@dataclass
class FairnessEffect:
    """The measured effect of the fairness policy over some published rounds.

    ``people``: the region's professionals who said yes or if need be to a slot of at least one of the rounds;
    ``gini``: the Gini coefficient of their invitation rates (invitations / rounds in which they were available);
    ``left_out``: the ids of those of them not invited in any of the rounds.
    """

    rounds: int
    people: int
    gini: float
    left_out: frozenset[int] = frozenset()

    @property
    def never(self) -> int:
        return len(self.left_out)


def fairness_effect(session: Session, region_id: int, rounds: list[PlanningRound]) -> FairnessEffect:
    """How evenly the published schedules of these rounds (the region's) invited those who were available.

    Only rounds with a published schedule count (planned or closed): an open round has no invitations yet.
    Same measure as the fairness simulation in docs/benchmarks.md, with "available" (yes or if need be to one
    of the round's slots) for "fits a request"."""
    published = [
        r.id
        for r in rounds
        if r.region_id == region_id and r.status in (PlanningRoundStatus.PLANNED, PlanningRoundStatus.CLOSED)
    ]
    if not published:
        return FairnessEffect(rounds=0, people=0, gini=0.0)
    available: dict[int, int] = {}
    for professional_id, _round_id in session.exec(
        select(Availability.professional_id, Slot.planning_round_id)
        .join(Slot, Slot.id == Availability.slot_id)
        .join(Professional, Professional.id == Availability.professional_id)
        .where(
            Slot.planning_round_id.in_(published),
            Availability.answer.in_([AvailabilityAnswer.YES, AvailabilityAnswer.MAYBE]),
            Professional.region_id == region_id,
            Professional.anonymised_at.is_(None),
        )
        .distinct()
    ):
        available[professional_id] = available.get(professional_id, 0) + 1
    invited: dict[int, int] = {}
    for professional_id, n in session.exec(
        standing_invitations(Invitation.professional_id, func.count(Invitation.id))
        .where(ScheduledSession.region_id == region_id, ScheduledSession.planning_round_id.in_(published))
        .group_by(Invitation.professional_id)
    ):
        invited[professional_id] = n
    rates = [invited.get(p, 0) / rounds_available for p, rounds_available in available.items()]
    return FairnessEffect(
        rounds=len(published),
        people=len(available),
        gini=gini(rates),
        left_out=frozenset(p for p in available if not invited.get(p)),
    )


def pins_of_round(session: Session, planning_round_id: int) -> list[tuple[Pin, Professional, SwarmRequest]]:
    rows = session.exec(
        select(Pin, Professional, SwarmRequest)
        .join(Professional, Professional.id == Pin.professional_id)
        .join(SwarmRequest, SwarmRequest.id == Pin.request_id)
        .where(SwarmRequest.planning_round_id == planning_round_id)
        .order_by(SwarmRequest.title, Professional.name)
    )
    return list(rows.all())
