"""The whole chain with a clock the test moves and a real SMTP server on loopback:
deadline -> solve -> organizer notified -> publish -> invitations -> a decline -> repair -> updated invitations with a
higher SEQUENCE and a CANCEL to the person taken off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from sqlmodel import select

from swarm import jobs
from swarm.domain.actors import Actor
from swarm.domain.enums import UserRole
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import Invitation, Professional
from swarm.services.plan import polls, publish
from tests.swarm.test_mail_support import smtp_server

DEADLINE = datetime(2027, 1, 5, 16, 0, tzinfo=UTC)


def calendar_of(message) -> tuple[str, object] | None:
    part = next((p for p in message.walk() if p.get_content_type() == "text/calendar"), None)
    if part is None:
        return None
    calendar = Calendar.from_ical(part.get_content())
    [event] = calendar.walk("VEVENT")
    assert part.get_param("method") == str(calendar["METHOD"])
    return str(calendar["METHOD"]), event


def test_from_deadline_to_repaired_invitations(ops_engine, plannable, clock, config):
    with smtp_server() as server:
        config = config.with_overrides(smtp_port=server.port)
        inbox = server.inbox

        def deliver() -> list:
            before = len(inbox.messages)
            jobs.send_outbox(ops_engine, config, clock)
            return inbox.messages[before:]

        clock.now = DEADLINE - timedelta(hours=1)
        assert polls.close_due_polls(ops_engine, config, clock) == []
        assert jobs.run_solves(ops_engine, config, clock) == []

        clock.now = DEADLINE + timedelta(minutes=1)  # the scheduler's next tick after the deadline
        assert polls.close_due_polls(ops_engine, config, clock) == [plannable.round_id]
        [solved] = jobs.run_solves(ops_engine, config, clock)
        assert solved.status.value == "succeeded"
        [notice] = deliver()
        assert notice["To"].addresses[0].addr_spec == plannable.organizer_email
        assert notice["Subject"].startswith("Planning klaar") and calendar_of(notice) is None

        clock.advance(hours=2)  # the organizer reviews and publishes
        with unit_of_work(ops_engine) as db:
            publish.publish_round(
                db, plannable.round_id, actor=plannable.organizer, config=config, clock=clock
            )
        invitations = deliver()
        assert len(invitations) == 4
        methods = {calendar_of(m)[0] for m in invitations}
        uids = {str(calendar_of(m)[1]["UID"]) for m in invitations}
        assert methods == {"REQUEST"} and len(uids) == 1
        assert {calendar_of(m)[1]["SEQUENCE"] for m in invitations} == {0}

        clock.advance(days=1)  # one of them cannot come after all
        with unit_of_work(ops_engine) as db:
            invitation = db.exec(select(Invitation).order_by(Invitation.professional_id)).first()
            decliner = db.get(Professional, invitation.professional_id)
            publish.respond_to_invitation(
                db,
                invitation.id,
                "decline",
                actor=Actor(UserRole.PROFESSIONAL, professional_id=decliner.id),
                clock=clock,
            )
        clock.advance(seconds=10)
        [repaired] = jobs.run_solves(ops_engine, config, clock)
        assert repaired.status.value == "succeeded"
        changes = deliver()

    by_recipient = {m["To"].addresses[0].addr_spec: m for m in changes}
    cancel = by_recipient.pop(decliner.email)
    method, event = calendar_of(cancel)
    assert method == "CANCEL" and event["SEQUENCE"] == 1 and str(event["UID"]) in uids
    organizer_notice = by_recipient.pop(plannable.organizer_email)
    assert "hersteld" in organizer_notice.get_body(("plain",)).get_content()
    assert (
        len(by_recipient) == 4
    )  # three who stay (an update) and the one who takes the free seat (an invitation)
    for message in by_recipient.values():
        method, event = calendar_of(message)
        assert method == "REQUEST" and event["SEQUENCE"] == 1 and str(event["UID"]) in uids
        attendees = [str(a) for a in event.get("ATTENDEE")]
        recipient = message["To"].addresses[0].addr_spec
        assert attendees == [
            f"mailto:{recipient}",
            f"mailto:{plannable.organizer_email}",
        ]  # nobody else (AVG)
    assert sorted(m["Subject"].split(":")[0] for m in by_recipient.values()).count("Gewijzigd") == 3
