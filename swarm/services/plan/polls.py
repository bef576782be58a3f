"""The availability poll: asking people to answer it, reminding them, and closing it at the deadline.

Asking (the scheduler's ``poll-mails`` job): while a round is open and its deadline ahead, every professional who
fits one of its open requests is asked once, through the outbox, to mark their availability by the deadline; from
two days before the deadline those who have not answered for any of its slots are reminded, once. "Once" is the
outbox's idempotency key (``poll:<round>:<person>``, ``poll-reminder:<round>:<person>``): sent mail stays in the
outbox, so a key is never written twice. A request that joins the round later brings the people who fit it.

Closing (``close-polls``): idempotent, guarded by the round's ``poll_closed_at``. The round's open requests get the
same stamp (each request carries its round's deadline and poll state).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, select

from solver.formats import distance_km
from swarm.config import Config
from swarm.domain.actors import SYSTEM
from swarm.domain.enums import PlanningRoundStatus, RequestStatus
from swarm.domain.errors import ValidationError
from swarm.domain.timeutil import Clock, to_local
from swarm.mail import Mail, one_line
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import (
    Availability,
    OutboxMessage,
    PlanningRound,
    Professional,
    Region,
    RequestExclusion,
    RequestVenue,
    Slot,
    SwarmRequest,
    Venue,
)
from swarm.services.lookup import qualified_ids
from swarm.services.ops.outbox import enqueue_mail
from swarm.services.ops.session_calendar import language_of
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


REMIND_BEFORE_DEADLINE = timedelta(days=2)
REMIND_AFTER_ASKING = timedelta(days=1)  # a round opened late: no reminder on the heels of the question
POLL, POLL_REMINDER = "poll", "poll_reminder"

_POLL_TEXT = {
    "nl": {
        POLL: (
            "Geef uw beschikbaarheid door voor {round} (vóór {deadline})",
            "Er staat een nieuwe planningsronde open in {region}: {round}. Geef vóór {deadline} aan op welke "
            "momenten u kunt; daarna maakt de planner de indeling.",
        ),
        POLL_REMINDER: (
            "Herinnering: uw beschikbaarheid voor {round} (vóór {deadline})",
            "U heeft voor {round} in {region} nog niet aangegeven wanneer u kunt. Dat kan tot {deadline}; "
            "daarna maakt de planner de indeling.",
        ),
        "questions": "Vragen waarvoor u in aanmerking komt:",
        "link": "Beschikbaarheid doorgeven: {url}",
        "greeting": "Beste {name},",
        "closing": "Met vriendelijke groet,",
    },
    "en": {
        POLL: (
            "Tell us when you are available for {round} (before {deadline})",
            "A new planning round is open in {region}: {round}. Please mark before {deadline} when you can "
            "come; after that the planner makes the schedule.",
        ),
        POLL_REMINDER: (
            "Reminder: your availability for {round} (before {deadline})",
            "You have not yet marked when you can come for {round} in {region}. You can until {deadline}; after "
            "that the planner makes the schedule.",
        ),
        "questions": "Questions you may be invited for:",
        "link": "Mark your availability: {url}",
        "greeting": "Dear {name},",
        "closing": "Kind regards,",
    },
}
QUESTIONS_LISTED = 5


def fitting_professionals(session: Session, planning_round: PlanningRound) -> dict[int, list[SwarmRequest]]:
    """Who fits one of the round's open requests, with the requests they fit: qualified on the round's first
    slot day (documents checked, agreement signed, address confirmed), not excluded by the request, and within
    its travel limit of one of its venues (all of the region's when it names none)."""
    region = session.get(Region, planning_round.region_id)
    zone = ZoneInfo(region.timezone)
    requests = list(
        session.exec(
            select(SwarmRequest)
            .where(
                SwarmRequest.planning_round_id == planning_round.id,
                SwarmRequest.status == RequestStatus.OPEN,
            )
            .order_by(SwarmRequest.priority.desc(), SwarmRequest.id)
        )
    )
    if not requests:
        return {}
    first = session.exec(
        select(sa.func.min(Slot.starts_at)).where(Slot.planning_round_id == planning_round.id)
    ).one()
    day = to_local(first or planning_round.availability_deadline, zone).date()
    qualified = qualified_ids(session, region.id, day)
    people = list(
        session.exec(
            select(Professional).where(Professional.id.in_(sorted(qualified)), Professional.lat.is_not(None))
        )
    )
    ids = [r.id for r in requests]
    excluded: dict[int, set[int]] = defaultdict(set)
    for request_id, professional_id in session.exec(
        select(RequestExclusion.request_id, RequestExclusion.professional_id).where(
            RequestExclusion.request_id.in_(ids)
        )
    ):
        excluded[request_id].add(professional_id)
    region_venues = [v for v in session.exec(select(Venue).where(Venue.region_id == region.id))]
    allowed: dict[int, list[Venue]] = defaultdict(list)
    for request_id, venue in session.exec(
        select(RequestVenue.request_id, Venue)
        .join(Venue, Venue.id == RequestVenue.venue_id)
        .where(RequestVenue.request_id.in_(ids))
    ):
        allowed[request_id].append(venue)
    fits: dict[int, list[SwarmRequest]] = {}
    for person in people:
        for request in requests:
            if person.id in excluded[request.id]:
                continue
            if request.max_travel_km is not None and not any(
                venue.online
                or (
                    venue.lat is not None
                    and distance_km(person.lat, person.lon, venue.lat, venue.lon) <= request.max_travel_km
                )
                for venue in allowed.get(request.id) or region_venues
            ):
                continue
            fits.setdefault(person.id, []).append(request)
    return fits


def _poll_mail(
    kind: str,
    person: Professional,
    language: str,
    planning_round: PlanningRound,
    region: Region,
    questions: list[SwarmRequest],
    config: Config,
) -> Mail:
    words = _POLL_TEXT[language]
    subject, intro = words[kind]
    deadline = to_local(planning_round.availability_deadline, ZoneInfo(region.timezone)).strftime(
        "%d-%m-%Y %H:%M"
    )
    facts = {"round": one_line(planning_round.name), "region": one_line(region.name), "deadline": deadline}
    listed = [f"- {one_line(q.title)}" for q in questions[:QUESTIONS_LISTED]]
    url = f"{config.base_url.rstrip('/')}/professional/availability"
    body = [words["greeting"].format(name=one_line(person.name)), "", intro.format(**facts), ""]
    body += [
        words["questions"],
        *listed,
        "",
        words["link"].format(url=url),
        "",
        words["closing"],
        one_line(region.name),
    ]
    return Mail(
        kind=kind,
        idempotency_key=f"{'poll' if kind == POLL else 'poll-reminder'}:{planning_round.id}:p-{person.id}",
        recipient=person.email,
        recipient_name=one_line(person.name),
        subject=one_line(subject.format(**facts)),
        body_text="\n".join(body) + "\n",
    )


def send_poll_mails(engine: sa.Engine, config: Config, clock: Clock) -> int:
    """Ask everyone who fits an open round's requests to mark their availability, and remind, each once."""
    written = 0
    with unit_of_work(engine, immediate=True) as session:
        now = clock()
        rounds = session.exec(
            select(PlanningRound)
            .where(
                PlanningRound.status == PlanningRoundStatus.OPEN,
                PlanningRound.poll_closed_at.is_(None),
                PlanningRound.availability_deadline > now,
            )
            .order_by(PlanningRound.id)
        ).all()
        for planning_round in rounds:
            written += _poll_round(session, planning_round, config, clock)
    return written


def _poll_round(session: Session, planning_round: PlanningRound, config: Config, clock: Clock) -> int:
    now = clock()
    fits = fitting_professionals(session, planning_round)
    if not fits:
        return 0
    asked = {
        key: created
        for key, created in session.exec(
            select(OutboxMessage.idempotency_key, OutboxMessage.created_at).where(
                OutboxMessage.idempotency_key.like(f"poll%:{planning_round.id}:p-%")
            )
        )
    }
    remind = now >= planning_round.availability_deadline - REMIND_BEFORE_DEADLINE
    answered = set(
        session.exec(
            select(Availability.professional_id)
            .join(Slot, Slot.id == Availability.slot_id)
            .where(Slot.planning_round_id == planning_round.id)
        )
    )
    region = session.get(Region, planning_round.region_id)
    people = {p.id: p for p in session.exec(select(Professional).where(Professional.id.in_(sorted(fits))))}
    written = 0
    for person_id, questions in sorted(fits.items()):
        question_key = f"poll:{planning_round.id}:p-{person_id}"
        reminder_key = f"poll-reminder:{planning_round.id}:p-{person_id}"
        if question_key not in asked:
            kind = POLL
        elif (
            remind
            and person_id not in answered
            and reminder_key not in asked
            and asked[question_key] <= now - REMIND_AFTER_ASKING
        ):
            kind = POLL_REMINDER
        else:
            continue
        person = people[person_id]
        message = _poll_mail(
            kind, person, language_of(session, person_id), planning_round, region, questions, config
        )
        written += enqueue_mail(session, message, region_id=region.id, clock=clock)
    return written
