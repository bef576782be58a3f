"""Storing a ``swarm-schedule/1`` result as the round's draft schedule, in one transaction.

The draft replaces the round's previous draft; published sessions are untouched until the organizer publishes.
Every invitation carries the reasons a person reads: the needs they meet, their answer, the distance, their turns.
A repair's result is stored beside the draft instead (``keep_draft``) and published at once by its caller.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, select

from solver.formats import SWARM_SCHEDULE, distance_km, km_int
from swarm.domain.enums import AvailabilityAnswer, InvitationResponse, SessionStatus
from swarm.domain.errors import N_, ValidationError
from swarm.domain.reasons import AVAILABILITY, SKILL, TRAVEL, TURNS, reason
from swarm.domain.refs import parse_ref, professional_ref
from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.models import (
    Availability,
    Invitation,
    Municipality,
    PlanningRound,
    Professional,
    ProfessionalSkill,
    Region,
    RequestNeed,
    Seat,
    SessionTable,
    Skill,
    Slot,
    SwarmRequest,
    Venue,
)
from swarm.persistence.models import Session as SwarmSession
from swarm.services.lookup import get
from swarm.services.plan.frame import planning_round_for
from swarm.services.plan.history import recent_invitations, rounds_waited

RESULT_DOES_NOT_FIT = N_("The planner's result does not fit: %(problem)s")


def _fail(path: str, message: str) -> None:
    """The engine's document does not fit the round: the sentence is worded at the edge, the detail (a path in
    the document, for whoever looks into it) stays as the check wrote it."""
    raise ValidationError("result", RESULT_DOES_NOT_FIT, problem=f"{path}: {message}")


def published_sessions(planning_round_id: int, *columns):
    """A query for the round's sessions beyond the draft (published, changed or cancelled): these columns."""
    return select(*columns).where(
        SwarmSession.planning_round_id == planning_round_id, SwarmSession.status != SessionStatus.DRAFT
    )


def round_declines(planning_round_id: int):
    """A query for the ids of the round's declined invitations."""
    return (
        select(Invitation.id)
        .join(SwarmSession, SwarmSession.id == Invitation.session_id)
        .where(
            SwarmSession.planning_round_id == planning_round_id,
            Invitation.response == InvitationResponse.DECLINED,
        )
    )


def schedule_basis(session: Session, planning_round_id: int) -> dict[str, str]:
    """Fingerprints of what a solve of the round builds on, taken when its instance is: ``published`` changes
    whenever a published session of the round is published, changed or cancelled (its version goes up), and
    ``declined`` whenever someone declines (or takes a decline back). A draft whose basis is no longer the round's
    is out of date; a repair whose ``published`` basis is no longer the round's would undo what changed since."""
    sessions = session.exec(
        published_sessions(
            planning_round_id, SwarmSession.id, SwarmSession.status, SwarmSession.version
        ).order_by(SwarmSession.id)
    ).all()
    declined = session.exec(round_declines(planning_round_id).order_by(Invitation.id)).all()

    def digest(rows) -> str:
        return hashlib.sha256(repr([tuple(str(v) for v in row) for row in rows]).encode()).hexdigest()[:32]

    return {"published": digest(sessions), "declined": digest((i,) for i in declined)}


def delete_draft_sessions(session: Session, planning_round_id: int) -> None:
    drafts = select(SwarmSession.id).where(
        SwarmSession.planning_round_id == planning_round_id, SwarmSession.status == SessionStatus.DRAFT
    )
    for model in (Seat, Invitation, SessionTable):
        session.exec(sa.delete(model).where(model.session_id.in_(drafts)))
    session.exec(
        sa.delete(SwarmSession).where(
            SwarmSession.planning_round_id == planning_round_id, SwarmSession.status == SessionStatus.DRAFT
        )
    )


def store_swarm_schedule(
    session: Session,
    region_id: int,
    document: dict,
    *,
    planning_round_id: int | None = None,
    solve_run_id: int | None = None,
    keep_draft: bool = False,
    clock: Clock = system_clock,
) -> list[SwarmSession]:
    """Check every reference of the result against the database, then write it as draft sessions.

    The result replaces the round's draft, unless ``keep_draft``: a repair's sessions are stored beside the
    organizer's draft, and its caller publishes (or removes) them in the same transaction."""
    region = get(session, Region, region_id)
    planning_round = planning_round_for(session, region.id, planning_round_id)
    if not isinstance(document, dict) or document.get("format") != SWARM_SCHEDULE:
        _fail("format", f'expected "{SWARM_SCHEDULE}"')
    slots = {s.code: s for s in session.exec(select(Slot).where(Slot.region_id == region.id))}
    venues = {v.code: v for v in session.exec(select(Venue).where(Venue.region_id == region.id))}
    requests = {
        r.id: r
        for r in session.exec(
            select(SwarmRequest)
            .join(Municipality, Municipality.id == SwarmRequest.municipality_id)
            .where(Municipality.region_id == region.id, SwarmRequest.planning_round_id == planning_round.id)
        )
    }
    planned = _checked(document, slots, venues, requests)
    people = {p for item in planned for table in item["tables"] for seats in table["rounds"] for p in seats}
    found = set(session.exec(select(Professional.id).where(Professional.id.in_(list(people)))))
    if found != people:
        _fail("sessions", f'unknown professional "{professional_ref(min(people - found))}"')

    if not keep_draft:
        delete_draft_sessions(session, planning_round.id)
    explain = _Explainer(session, region, planning_round)
    now = clock()
    stored = []
    for item in planned:
        slot, venue = item["slot"], item["venue"]
        rounds = max((len(t["rounds"]) for t in item["tables"]), default=1)
        row = SwarmSession(
            region_id=region.id,
            planning_round_id=planning_round.id,
            slot_id=slot.id,
            venue_id=venue.id,
            solve_run_id=solve_run_id,
            status=SessionStatus.DRAFT,
            rounds=max(rounds, 1),
            created_at=now,
        )
        session.add(row)
        session.flush()
        tables_of: dict[int, list[int]] = defaultdict(list)
        seats = []
        for position, table in enumerate(item["tables"], start=1):
            table_row = SessionTable(session_id=row.id, request_id=table["request"], position=position)
            session.add(table_row)
            session.flush()
            for k, members in enumerate(table["rounds"], start=1):
                for person in members:
                    seats.append(
                        {
                            "session_id": row.id,
                            "table_id": table_row.id,
                            "professional_id": person,
                            "round": k,
                        }
                    )
                    tables_of[person].append(table["request"])
        if seats:
            session.exec(sa.insert(Seat), params=seats)
        session.add_all(
            Invitation(
                session_id=row.id,
                professional_id=person,
                reasons=explain.reasons(person, slot, venue, sorted(set(request_ids))),
                created_at=now,
            )
            for person, request_ids in sorted(tables_of.items())
        )
        session.flush()
        stored.append(row)
    return stored


def _checked(document: dict, slots: dict, venues: dict, requests: dict) -> list[dict]:
    """The result's sessions with rows in place of ids; a dangling id fails with its JSON path."""
    sessions = document.get("sessions")
    if not isinstance(sessions, list):
        _fail("sessions", "expected a list")
    planned, seen = [], set()
    for i, item in enumerate(sessions):
        at = f"sessions[{i}]"
        if not isinstance(item, dict):
            _fail(at, "expected an object")
        slot, venue = slots.get(item.get("slot")), venues.get(item.get("venue"))
        if slot is None:
            _fail(f"{at}.slot", f'unknown slot "{item.get("slot")}"')
        if venue is None:
            _fail(f"{at}.venue", f'unknown venue "{item.get("venue")}"')
        tables = []
        for j, table in enumerate(item.get("tables") or []):
            t_at = f"{at}.tables[{j}]"
            ref = table.get("request") if isinstance(table, dict) else None
            request_id = parse_ref(ref or "", "r")
            if request_id not in requests:
                _fail(f"{t_at}.request", f'unknown request "{ref}" of this round')
            if request_id in seen:
                _fail(f"{t_at}.request", f'request "{ref}" sits at more than one table')
            seen.add(request_id)
            rounds = []
            for k, members in enumerate(table.get("rounds") or []):
                ids = [parse_ref(m, "p") if isinstance(m, str) else None for m in members]
                if None in ids:
                    _fail(f"{t_at}.rounds[{k}]", "expected professional ids like p-12")
                rounds.append(ids)
            tables.append({"request": request_id, "rounds": rounds})
        for k in range(max((len(t["rounds"]) for t in tables), default=0)):
            seated = [p for t in tables if k < len(t["rounds"]) for p in t["rounds"][k]]
            if len(seated) != len(set(seated)):
                _fail(f"{at}.tables", f"round {k + 1}: someone sits at two tables at once")
        planned.append({"slot": slot, "venue": venue, "tables": tables})
    return planned


class _Explainer:
    """Why someone was invited, as reasons (code and facts) the web app and the calendar word."""

    def __init__(self, session: Session, region: Region, planning_round: PlanningRound):
        self.session = session
        self.zone = ZoneInfo(region.timezone)
        self.history = recent_invitations(session, region.id, planning_round, region.history_window_rounds)
        self.window = region.history_window_rounds
        self.waited = rounds_waited(session, region.id, planning_round)
        self.codes = {s.id: s.code for s in session.exec(select(Skill))}

    def reasons(self, person_id: int, slot: Slot, venue: Venue, request_ids: list[int]) -> list[dict]:
        person = self.session.get(Professional, person_id)
        levels = {
            self.codes[s.skill_id]: s.level
            for s in self.session.exec(
                select(ProfessionalSkill).where(ProfessionalSkill.professional_id == person_id)
            )
        }
        reasons = []
        for need in self.session.exec(
            select(RequestNeed).where(RequestNeed.request_id.in_(request_ids)).order_by(RequestNeed.id)
        ):
            code = self.codes[need.skill_id]
            if levels.get(code, 0) >= need.min_level:
                reasons.append(
                    reason(
                        SKILL,
                        request=need.request_id,
                        skill=code,
                        level=levels[code],
                        min_level=need.min_level,
                    )
                )
        answer = self.session.exec(
            select(Availability.answer).where(
                Availability.professional_id == person_id, Availability.slot_id == slot.id
            )
        ).first()
        reasons.append(reason(AVAILABILITY, answer=AvailabilityAnswer(answer or "no").value))
        if not venue.online and venue.lat is not None and person.lat is not None:
            reasons.append(
                reason(TRAVEL, km=km_int(distance_km(person.lat, person.lon, venue.lat, venue.lon)))
            )
        reasons.append(
            reason(
                TURNS,
                recent_invitations=self.history.get(person_id, 0),
                window_rounds=self.window,
                # near ties go to the longest wait (docs/solver-swarm.md, "Equal treatment over time")
                rounds_waited=self.waited.get(person_id, 0),
            )
        )
        return reasons
