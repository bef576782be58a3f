"""Poll mails: when a round takes requests, everyone who fits one of them is asked once to mark their availability
by the deadline; two days before it, those who have not answered are reminded once."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from sqlmodel import select

from swarm.jobs import Intervals, jobs_for
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import (
    Availability,
    OutboxMessage,
    Place,
    PlanningRound,
    Professional,
    RequestExclusion,
    SwarmRequest,
)
from swarm.services.plan.polls import send_poll_mails
from tests.swarm.factories import add_professional


def poll_mails(engine, kind: str) -> dict[str, OutboxMessage]:
    with unit_of_work(engine) as db:
        rows = db.exec(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id))
        return {row.recipient: row for row in rows}


def newcomer(engine, n: int, **changes) -> Professional:
    """A qualified professional of the region who has not answered the poll yet."""
    with unit_of_work(engine) as db:
        ulft = db.exec(select(Place).where(Place.name == "Ulft")).one()
        return add_professional(db, SimpleNamespace(place=ulft), n, **changes)


def deadline_of(engine, plannable) -> PlanningRound:
    with unit_of_work(engine) as db:
        return db.get(PlanningRound, plannable.round_id).availability_deadline


def test_everyone_who_fits_is_asked_once_in_their_language(ops_engine, plannable, clock, config):
    late = newcomer(ops_engine, 20, email="nieuw@example.nl")
    written = send_poll_mails(ops_engine, config, clock)
    asked = poll_mails(ops_engine, "poll")
    assert written == len(asked) == len(plannable.people) + 1 and "nieuw@example.nl" in asked
    message = asked["nieuw@example.nl"]
    assert message.idempotency_key == f"poll:{plannable.round_id}:p-{late.id}"
    assert message.subject.startswith("Geef uw beschikbaarheid door voor 2027 Q1 (vóór 05-01-2027 17:00)")
    assert "Omgevingsplan" in message.body_text and "Energietransitie" in message.body_text
    assert "http://swarm.test/professional/availability" in message.body_text and message.ics_payload is None
    assert send_poll_mails(ops_engine, config, clock) == 0  # once each
    clock.advance(days=3)
    assert send_poll_mails(ops_engine, config, clock) == 0


def test_people_who_do_not_fit_are_not_asked(ops_engine, plannable, clock, config):
    unqualified = newcomer(ops_engine, 21, email="zonder@example.nl")
    excluded = newcomer(ops_engine, 22, email="belang@example.nl")
    far = newcomer(ops_engine, 23, email="ver@example.nl")
    with unit_of_work(ops_engine) as db:
        db.execute(
            sa.update(Professional).where(Professional.id == unqualified.id).values(agreement_signed_on=None)
        )
        for request_id in plannable.requests:  # a conflict of interest with both questions
            db.add(RequestExclusion(request_id=request_id, professional_id=excluded.id, reason="adviseur"))
        db.execute(
            sa.update(SwarmRequest).where(SwarmRequest.id.in_(plannable.requests)).values(max_travel_km=20)
        )
        db.execute(
            sa.update(Professional).where(Professional.id == far.id).values(lat=50.85, lon=5.69)
        )  # Maastricht
    send_poll_mails(ops_engine, config, clock)
    asked = poll_mails(ops_engine, "poll")
    assert len(asked) == len(plannable.people)
    assert not {"zonder@example.nl", "belang@example.nl", "ver@example.nl"} & set(asked)


def test_two_days_before_the_deadline_only_those_without_an_answer_are_reminded_once(
    ops_engine, plannable, clock, config
):
    silent = newcomer(ops_engine, 24, email="stil@example.nl")
    send_poll_mails(ops_engine, config, clock)
    deadline = deadline_of(ops_engine, plannable)
    clock.now = deadline - timedelta(days=2, minutes=1)
    assert send_poll_mails(ops_engine, config, clock) == 0  # not yet
    clock.now = deadline - timedelta(days=2)
    assert send_poll_mails(ops_engine, config, clock) == 1
    [reminded] = poll_mails(ops_engine, "poll_reminder").values()
    assert reminded.recipient == "stil@example.nl"
    assert reminded.idempotency_key == f"poll-reminder:{plannable.round_id}:p-{silent.id}"
    assert reminded.subject.startswith("Herinnering: uw beschikbaarheid voor 2027 Q1")
    clock.advance(hours=12)
    assert send_poll_mails(ops_engine, config, clock) == 0  # once
    clock.now = deadline
    assert send_poll_mails(ops_engine, config, clock) == 0  # the poll is over


def test_an_answer_of_no_counts_as_an_answer(ops_engine, plannable, clock, config):
    silent = newcomer(ops_engine, 25, email="nee@example.nl")
    send_poll_mails(ops_engine, config, clock)
    with unit_of_work(ops_engine) as db:
        db.add(Availability(professional_id=silent.id, slot_id=plannable.morning_id, answer="no"))
    clock.now = deadline_of(ops_engine, plannable) - timedelta(days=1)
    assert send_poll_mails(ops_engine, config, clock) == 0


def test_someone_asked_shortly_before_the_deadline_is_not_reminded_at_once(
    ops_engine, plannable, clock, config
):
    deadline = deadline_of(ops_engine, plannable)
    clock.now = deadline - timedelta(days=1, hours=12)  # the round (or their fit) came late
    newcomer(ops_engine, 26, email="laat@example.nl")
    send_poll_mails(ops_engine, config, clock)
    assert "laat@example.nl" in poll_mails(ops_engine, "poll")
    assert poll_mails(ops_engine, "poll_reminder") == {}
    clock.advance(hours=23)
    assert send_poll_mails(ops_engine, config, clock) == 0  # asked less than a day ago
    clock.advance(hours=1)
    assert send_poll_mails(ops_engine, config, clock) == 1


def test_the_scheduler_runs_the_poll_mails(ops_engine):
    jobs = {job.id: job for job in jobs_for(ops_engine, Intervals(poll_mails=42))}
    assert jobs["poll-mails"].function is send_poll_mails and jobs["poll-mails"].every_seconds == 42
