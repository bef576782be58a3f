"""A schedule as people read it: the sessions of a round with their tables per round and invitations (the
organizer's review), whether each table's needs are covered, the published tables of a request, a professional's
invitations, invitations per round for the fairness overview with its measured effect (and the engine's
``NEAR_TIE`` margin the policy page quotes), and the pins of a round.

Read only; each function is scoped by the ids it is given, which the views take from the logged-in user.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from solver.formats import distance_km
from solver.swarm.model import NEAR_TIE as NEAR_TIE  # re-exported: the policy page quotes the margin
from swarm.domain.enums import AvailabilityAnswer, PinKind, PlanningRoundStatus, SessionStatus
from swarm.domain.equality import gini
from swarm.domain.errors import N_, ValidationError
from swarm.domain.rules import MAX_ROW_ID, has_control_character
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


@dataclass(frozen=True, slots=True)
class Seated:
    """A professional at a table: their number and name, all that a schedule shows of them (read as two columns,
    not as the whole professional: a draft seats a hundred people or more, each in several rounds)."""

    id: int
    name: str


@dataclass
class TableView:
    table: SessionTable
    request: SwarmRequest
    rounds: list[list[Seated]]

    @property
    def same_every_round(self) -> bool:
        """Whether the same people sit at this table in every round (of several): a session with one table."""
        seated = [sorted(p.id for p in people) for people in self.rounds]
        return len(seated) > 1 and all(ids == seated[0] for ids in seated)


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
    return _session_views(session, rows)


def _session_views(session: Session, rows) -> list[SessionView]:
    """The views of these (session, slot, venue) rows, in their order: three queries for all of them (their tables,
    seats and invitations), not three per session."""
    ids = [scheduled.id for scheduled, _slot, _venue in rows]
    if not ids:
        return []
    tables: dict[int, list[tuple[SessionTable, SwarmRequest]]] = {i: [] for i in ids}
    for table, swarm_request in session.exec(
        select(SessionTable, SwarmRequest)
        .join(SwarmRequest, SwarmRequest.id == SessionTable.request_id)
        .where(SessionTable.session_id.in_(ids))
        .order_by(SessionTable.session_id, SessionTable.position)
    ):
        tables[table.session_id].append((table, swarm_request))
    seats: dict[int, list[tuple[int, int, Seated]]] = {i: [] for i in ids}  # (table id, round, person)
    people: dict[int, Seated] = {}  # one Seated per person, however often they sit
    for session_id, table_id, round_number, person_id, name in session.exec(
        select(Seat.session_id, Seat.table_id, Seat.round, Professional.id, Professional.name)
        .join(Professional, Professional.id == Seat.professional_id)
        .where(Seat.session_id.in_(ids))
        .order_by(Seat.session_id, Seat.id)
    ):
        person = people.get(person_id)
        if person is None:
            person = people[person_id] = Seated(person_id, name)
        seats[session_id].append((table_id, round_number, person))
    invitations: dict[int, list[tuple[Invitation, Professional]]] = {i: [] for i in ids}
    for invitation, person in session.exec(
        select(Invitation, Professional)
        .join(Professional, Professional.id == Invitation.professional_id)
        .where(Invitation.session_id.in_(ids))
        .order_by(Professional.name, Invitation.id)
    ):
        invitations[invitation.session_id].append((invitation, person))
    return [
        _session_view(
            scheduled, slot, venue, tables[scheduled.id], seats[scheduled.id], invitations[scheduled.id]
        )
        for scheduled, slot, venue in rows
    ]


def _session_view(
    scheduled: ScheduledSession,
    slot: Slot,
    venue: Venue,
    tables: list[tuple[SessionTable, SwarmRequest]],
    seats: list[tuple[int, int, Seated]],
    invitations: list[tuple[Invitation, Professional]],
) -> SessionView:
    at_table: dict[int, list[list[Seated]]] = {
        table.id: [[] for _ in range(scheduled.rounds)] for table, _request in tables
    }
    for table_id, round_number, person in seats:
        rounds = at_table.get(table_id)
        if rounds is not None and 1 <= round_number <= scheduled.rounds:
            rounds[round_number - 1].append(person)
    table_views = []
    for table, swarm_request in tables:
        for people in at_table[table.id]:
            people.sort(key=lambda p: p.name)
        table_views.append(TableView(table, swarm_request, at_table[table.id]))
    return SessionView(scheduled, slot, venue, table_views, invitations)


def session_view(session: Session, session_id: int) -> SessionView:
    """One session with its tables per round and its invitations."""
    scheduled = get(session, ScheduledSession, session_id)
    return _session_views(
        session, [(scheduled, get(session, Slot, scheduled.slot_id), get(session, Venue, scheduled.venue_id))]
    )[0]


def published_tables_for_request(session: Session, request_id: int) -> list[SessionView]:
    """The published session(s) in which this request has a table."""
    rows = session.exec(
        select(ScheduledSession, Slot, Venue)
        .join(SessionTable, SessionTable.session_id == ScheduledSession.id)
        .join(Slot, Slot.id == ScheduledSession.slot_id)
        .join(Venue, Venue.id == ScheduledSession.venue_id)
        .where(SessionTable.request_id == request_id, ScheduledSession.status == SessionStatus.PUBLISHED)
    ).all()
    return _session_views(session, rows)


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
    return coverages(session, [view])[view.session.id]


def coverages(session: Session, views: list[SessionView]) -> dict[int, list[dict]]:
    """``coverage`` of each session, by session id: two queries for all of them (skills and needs)."""
    people = {p.id for view in views for t in view.tables for r in t.rounds for p in r}
    levels: dict[tuple[int, int], int] = (
        {
            (professional_id, skill_id): level
            for professional_id, skill_id, level in session.exec(
                select(
                    ProfessionalSkill.professional_id, ProfessionalSkill.skill_id, ProfessionalSkill.level
                ).where(ProfessionalSkill.professional_id.in_(list(people)))
            )
        }
        if people
        else {}
    )
    request_ids = {table.request.id for view in views for table in view.tables}
    needs: dict[int, list[tuple[RequestNeed, Skill]]] = {request_id: [] for request_id in request_ids}
    if request_ids:
        for need, skill in session.exec(
            select(RequestNeed, Skill)
            .join(Skill, Skill.id == RequestNeed.skill_id)
            .where(RequestNeed.request_id.in_(list(request_ids)))
            .order_by(RequestNeed.request_id, RequestNeed.id)
        ):
            needs[need.request_id].append((need, skill))
    result: dict[int, list[dict]] = {}
    for view in views:
        items = result[view.session.id] = []
        for table in view.tables:
            for need, skill in needs[table.request.id]:
                met = [
                    sum(1 for p in r if levels.get((p.id, skill.id), 0) >= need.min_level)
                    for r in table.rounds
                ] or [0]
                items.append(
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
    ``left_out``: the ids of those of them not invited in any of the rounds;
    ``invitations``: each of them (by id) with their number of invitations in the rounds.
    """

    rounds: int
    people: int
    gini: float
    left_out: frozenset[int] = frozenset()
    invitations: dict[int, int] = field(default_factory=dict)

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
        invitations={p: invited.get(p, 0) for p in available},
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


# -- the person field of a pin ---------------------------------------------------------------------------------

NO_SUCH_PROFESSIONAL = N_(
    "No professional of the region has this name or number; pick one of the suggestions."
)
SEVERAL_PROFESSIONALS = N_("Several professionals of the region have this name; type their number.")
_NUMBERED = re.compile(r"\(#?([0-9]+)\)\s*$")


def _typed_number(text: str) -> int | None:
    """The professional number a typed pin names (``Name (#12)`` or ``12``), 0 for a number no row can have, None
    for a name."""
    numbered = _NUMBERED.search(text)
    digits = numbered.group(1) if numbered else text if text.isascii() and text.isdigit() else None
    if digits is None:
        return None
    number = int(digits)
    return number if number <= MAX_ROW_ID else 0


@dataclass(frozen=True)
class PinCandidate:
    """A professional the organizer may pin to a table: their answer for the table's slot (None: no answer) and
    how far they live from its venue (None: online, or no home place), against the radius they travel."""

    id: int
    name: str
    answer: AvailabilityAnswer | None
    km: float | None
    radius_km: int

    @property
    def label(self) -> str:
        """What the field holds once chosen (the number makes it unique): ``Name (#12)``."""
        return f"{self.name} (#{self.id})"

    @property
    def within_radius(self) -> bool:
        return self.km is None or self.km <= self.radius_km


def _table_place(session: Session, request_id: int) -> tuple[int | None, Venue | None]:
    """The slot and venue of the session where this request has its table (the draft first, else published)."""
    rows = session.exec(
        select(ScheduledSession.slot_id, Venue, ScheduledSession.status)
        .join(SessionTable, SessionTable.session_id == ScheduledSession.id)
        .join(Venue, Venue.id == ScheduledSession.venue_id)
        .where(
            SessionTable.request_id == request_id,
            ScheduledSession.status.in_([SessionStatus.DRAFT, SessionStatus.PUBLISHED]),
        )
    ).all()
    ordered = sorted(rows, key=lambda row: row[2] != SessionStatus.DRAFT)
    return (ordered[0][0], ordered[0][1]) if ordered else (None, None)


def pin_candidates(
    session: Session, region_id: int, request_id: int, query: str, *, limit: int = 10
) -> list[PinCandidate]:
    """The region's professionals whose name contains ``query`` (or whose number it is), those available for the
    table's slot first, then the nearest; nothing for an empty query (the field starts empty)."""
    text = query.strip()
    if not text or has_control_character(text):  # no name holds a control character (the forms refuse them)
        return []
    number = _typed_number(text)
    matches = select(Professional).where(
        Professional.region_id == region_id, Professional.anonymised_at.is_(None)
    )
    if number is not None:
        matches = matches.where(Professional.id == number)
    else:
        pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        matches = matches.where(func.lower(Professional.name).like(pattern, escape="\\"))
    people = list(session.exec(matches.order_by(Professional.name).limit(200)))
    slot_id, venue = _table_place(session, request_id)
    answers: dict[int, AvailabilityAnswer] = {}
    if slot_id is not None and people:
        answers = {
            row.professional_id: row.answer
            for row in session.exec(
                select(Availability).where(
                    Availability.slot_id == slot_id,
                    Availability.professional_id.in_([p.id for p in people]),
                )
            )
        }
    rank = {AvailabilityAnswer.YES: 0, AvailabilityAnswer.MAYBE: 1}
    candidates = [
        PinCandidate(
            id=p.id,
            name=p.name,
            answer=answers.get(p.id),
            km=(
                round(distance_km(p.lat, p.lon, venue.lat, venue.lon), 1)
                if venue is not None and None not in (p.lat, p.lon, venue.lat, venue.lon)
                else None
            ),
            radius_km=p.travel_radius_km,
        )
        for p in people
    ]
    candidates.sort(
        key=lambda c: (
            rank.get(c.answer, 2) if c.answer else 2,
            c.km if c.km is not None else math.inf,
            c.name,
        )
    )
    return candidates[:limit]


def find_professional(session: Session, region_id: int, text: str) -> Professional:
    """The region's professional a typed pin names: ``Name (#12)`` (a suggestion), a number, or a whole name."""
    typed = text.strip()
    if has_control_character(typed):
        raise ValidationError("professional_id", NO_SUCH_PROFESSIONAL)
    number = _typed_number(typed)
    if number is not None:
        person = session.get(Professional, number) if number else None
        if person is None or person.region_id != region_id or person.anonymised_at is not None:
            raise ValidationError("professional_id", NO_SUCH_PROFESSIONAL)
        return person
    people = list(
        session.exec(
            select(Professional).where(
                Professional.region_id == region_id,
                Professional.anonymised_at.is_(None),
                func.lower(Professional.name) == typed.lower(),
            )
        )
    )
    if not people:
        raise ValidationError("professional_id", NO_SUCH_PROFESSIONAL)
    if len(people) > 1:
        raise ValidationError("professional_id", SEVERAL_PROFESSIONALS)
    return people[0]
