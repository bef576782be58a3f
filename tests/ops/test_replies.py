"""Calendar answers from a real mailbox: Accept/Decline sent by a mail client as an iMIP REPLY to the reply mailbox
is read over IMAP (dovecot on loopback) by the scheduler's job and applied like the web's answer."""

from __future__ import annotations

import dataclasses
import imaplib
from email.message import EmailMessage

import pytest
from icalendar import Calendar, Event, vCalAddress
from sqlmodel import select

from swarm.config import Config, ConfigError
from swarm.domain.enums import InvitationResponse, SolveStatus
from swarm.jobs import Intervals, jobs_for
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import Invitation, OutboxMessage, Professional, SolveRun
from swarm.services.plan.replies import KEYWORD, parse_reply, read_replies
from tests.ops.conftest import solve_and_publish
from tests.ops.imap_server import start_dovecot, stop_dovecot

REPLY_ADDRESS = "antwoord@swarm.test"


@pytest.fixture
def mailbox():
    server, process, root = start_dovecot()
    try:
        yield server
    finally:
        stop_dovecot(process, root)


@pytest.fixture
def reading(config, mailbox) -> Config:
    return dataclasses.replace(
        config,
        imap_host=mailbox.host,
        imap_port=mailbox.port,
        imap_tls="none",
        imap_user=mailbox.user,
        imap_password=mailbox.password,
        reply_address=REPLY_ADDRESS,
    )


def invitation_to(engine, email: str) -> tuple[OutboxMessage, Invitation]:
    with unit_of_work(engine) as db:
        message = db.exec(
            select(OutboxMessage).where(OutboxMessage.kind == "invitation", OutboxMessage.recipient == email)
        ).one()
        invitation = db.exec(
            select(Invitation)
            .join(Professional, Professional.id == Invitation.professional_id)
            .where(Professional.email == email)
        ).one()
        return message, invitation


def reply_mail(
    request_ics: str, sender: str, partstat: str, *, attendee: str | None = None, comment: str = ""
):
    """What Outlook sends on Accept/Decline: a REPLY with the event's UID and SEQUENCE and one ATTENDEE."""
    [request] = Calendar.from_ical(request_ics).walk("VEVENT")
    calendar = Calendar()
    calendar.add("PRODID", "-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN")
    calendar.add("VERSION", "2.0")
    calendar.add("METHOD", "REPLY")
    event = Event()
    for name in ("UID", "SEQUENCE", "DTSTART", "DTEND", "DTSTAMP", "ORGANIZER"):
        event.add(name, request.decoded(name) if name in ("DTSTART", "DTEND", "DTSTAMP") else request[name])
    address = vCalAddress(f"mailto:{attendee or sender}")
    address.params["PARTSTAT"] = partstat
    event.add("ATTENDEE", address)
    if comment:
        event.add("COMMENT", comment)
    calendar.add_component(event)
    message = EmailMessage()
    message["From"], message["To"] = sender, REPLY_ADDRESS
    message["Subject"] = f"{partstat.title()}: zwermsessie"
    message.set_content("Sent from Outlook")
    message.add_alternative(
        calendar.to_ical(), maintype="text", subtype="calendar", params={"method": "REPLY"}
    )
    return message.as_bytes()


def deliver(server, *raw: bytes) -> None:
    client = imaplib.IMAP4(server.host, server.port)
    try:
        client.login(server.user, server.password)
        for message in raw:
            client.append("INBOX", None, None, message)
    finally:
        client.logout()


def flags(server) -> list[bytes]:
    client = imaplib.IMAP4(server.host, server.port)
    try:
        client.login(server.user, server.password)
        client.select("INBOX")
        _, data = client.fetch("1:*", "(FLAGS)")
        return [item for item in data if item]
    finally:
        client.logout()


def test_invitations_ask_for_a_calendar_answer_to_the_mailbox_that_is_read(
    ops_engine, plannable, clock, reading
):
    solve_and_publish(ops_engine, plannable, clock, reading)
    message, _ = invitation_to(ops_engine, "pro1@example.nl")
    [event] = Calendar.from_ical(message.ics_payload).walk("VEVENT")
    assert str(event["ORGANIZER"]) == f"mailto:{REPLY_ADDRESS}"
    own = [a for a in event.get("ATTENDEE") if str(a) == "mailto:pro1@example.nl"]
    assert own and own[0].params["RSVP"] == "TRUE"


def test_a_decline_from_a_mail_client_is_applied_once_and_other_mail_is_left_alone(
    ops_engine, plannable, clock, reading, mailbox
):
    solve_and_publish(ops_engine, plannable, clock, reading)
    message, invitation = invitation_to(ops_engine, "pro1@example.nl")
    other_message, other = invitation_to(ops_engine, "pro2@example.nl")
    plain = EmailMessage()
    plain["From"], plain["To"], plain["Subject"] = "pro3@example.nl", REPLY_ADDRESS, "Vraag over parkeren"
    plain.set_content("Kan ik bij het gemeentehuis parkeren?")
    deliver(
        mailbox,
        reply_mail(message.ics_payload, "pro1@example.nl", "DECLINED", comment="Op vakantie die week."),
        # someone else answering for pro2 is not pro2's answer
        reply_mail(
            other_message.ics_payload, "kwaadwillend@example.nl", "DECLINED", attendee="pro2@example.nl"
        ),
        plain.as_bytes(),
    )
    assert read_replies(ops_engine, reading, clock) == 1
    with unit_of_work(ops_engine) as db:
        declined = db.get(Invitation, invitation.id)
        assert declined.response == InvitationResponse.DECLINED
        assert declined.decline_reason == "Op vakantie die week."
        assert db.get(Invitation, other.id).response == InvitationResponse.NEEDS_ACTION
        assert db.exec(select(SolveRun).where(SolveRun.status == SolveStatus.QUEUED)).all()  # the repair
    seen = flags(mailbox)
    assert len(seen) == 3 and all(KEYWORD.encode() in item and b"\\Seen" not in item for item in seen)
    assert read_replies(ops_engine, reading, clock) == 0  # read once


def test_an_accept_for_an_older_version_changes_nothing(ops_engine, plannable, clock, reading, mailbox):
    solve_and_publish(ops_engine, plannable, clock, reading)
    message, invitation = invitation_to(ops_engine, "pro1@example.nl")
    with unit_of_work(ops_engine) as db:  # an update went out after the mail the client answers
        row = db.get(Invitation, invitation.id)
        row.sequence += 1
        db.add(row)
    deliver(mailbox, reply_mail(message.ics_payload, "pro1@example.nl", "ACCEPTED"))
    assert read_replies(ops_engine, reading, clock) == 0
    with unit_of_work(ops_engine) as db:
        assert db.get(Invitation, invitation.id).response == InvitationResponse.NEEDS_ACTION


def test_a_wrong_password_fails_the_run_and_reads_nothing(ops_engine, plannable, clock, reading, mailbox):
    with pytest.raises(imaplib.IMAP4.error):
        read_replies(ops_engine, dataclasses.replace(reading, imap_password="wrong"), clock)


def test_without_a_reply_mailbox_nothing_is_read(ops_engine, config, clock):
    assert not config.reads_replies and read_replies(ops_engine, config, clock) == 0


def test_a_reply_mailbox_needs_its_address_and_login():
    with pytest.raises(ConfigError, match="SWARM_REPLY_ADDRESS"):
        Config.for_tests(imap_host="imap.example.nl", imap_user="antwoord").validate()
    with pytest.raises(ConfigError, match="SWARM_IMAP_USER"):
        Config.for_tests(imap_host="imap.example.nl", reply_address="a@example.nl").validate()
    with pytest.raises(ConfigError, match="SWARM_IMAP_TLS"):
        Config.for_tests(
            imap_host="imap.example.nl", imap_user="a", reply_address="a@example.nl", imap_tls="tls"
        ).validate()


def test_a_mail_without_a_calendar_reply_is_no_answer():
    message = EmailMessage()
    message["From"] = "pro1@example.nl"
    message.set_content("Ik kom!")
    assert parse_reply(message.as_bytes()) is None


def test_the_scheduler_reads_the_reply_mailbox(ops_engine):
    jobs = {job.id: job for job in jobs_for(ops_engine, Intervals(replies=77))}
    assert jobs["read-replies"].function is read_replies and jobs["read-replies"].every_seconds == 77
