"""The outbox against a real SMTP server on loopback (aiosmtpd): kept once per key, sent once, never lost."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import select

from swarm.domain.enums import OutboxStatus
from swarm.domain.errors import NotAllowed
from swarm.mail import Mail, send
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import OutboxMessage
from swarm.services.ops import outbox
from tests.swarm.test_mail_support import Inbox, smtp_server


def note(n: int, ics: str | None = None) -> Mail:
    return Mail(
        kind="reminder",
        idempotency_key=f"test:{n}",
        recipient=f"person{n}@example.nl",
        recipient_name=f"Person {n}",
        subject=f"Bericht {n}",
        body_text=f"Tekst {n}\n",
        ics=ics,
    )


def write(engine, clock, *mails: Mail, region_id: int | None = None) -> list[bool]:
    with unit_of_work(engine) as db:
        return [outbox.enqueue_mail(db, m, region_id=region_id, clock=clock) for m in mails]


def rows(engine) -> list[OutboxMessage]:
    with unit_of_work(engine) as db:
        return list(db.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


def subjects(inbox: Inbox) -> list[str]:
    return sorted(m["Subject"] for m in inbox.messages)


def test_a_message_written_twice_is_kept_once(ops_engine, clock):
    assert write(ops_engine, clock, note(1), note(1), note(2)) == [True, False, True]
    assert [r.idempotency_key for r in rows(ops_engine)] == ["test:1", "test:2"]


def test_a_message_written_in_a_transaction_that_rolls_back_is_gone(ops_engine, clock):
    with pytest.raises(RuntimeError), unit_of_work(ops_engine) as db:
        outbox.enqueue_mail(db, note(1), clock=clock)
        raise RuntimeError("the change that caused the mail failed")
    assert rows(ops_engine) == []


def test_due_messages_are_delivered_and_marked_sent(ops_engine, clock, config):
    write(ops_engine, clock, note(1), note(2))
    with smtp_server() as server:
        report = outbox.send_due(ops_engine, config.with_overrides(smtp_port=server.port), clock)
    assert report.sent == 2 and subjects(server.inbox) == ["Bericht 1", "Bericht 2"]
    assert all(
        r.status == OutboxStatus.SENT and r.sent_at == clock() and r.attempts == 1 for r in rows(ops_engine)
    )
    with smtp_server() as again:  # a second run finds nothing left to send
        assert outbox.send_due(ops_engine, config.with_overrides(smtp_port=again.port), clock).sent == 0
    assert again.inbox.messages == []


def test_with_the_server_down_nothing_is_lost_and_all_is_delivered_once_it_is_back(ops_engine, clock, config):
    write(ops_engine, clock, note(1), note(2), note(3))
    down = config.with_overrides(smtp_port=_closed_port())
    report = outbox.send_due(ops_engine, down, clock)
    assert (report.sent, report.retried) == (0, 1)  # it stops at the first failure instead of hammering
    first = rows(ops_engine)[0]
    assert first.status == OutboxStatus.PENDING and "could not be reached" in first.last_error
    assert first.next_attempt_at == clock() + outbox.retry_delay(1)
    with smtp_server() as server:
        up = config.with_overrides(smtp_port=server.port)
        assert outbox.send_due(ops_engine, up, clock).sent == 2  # the others were not held back
        clock.advance(minutes=1)
        assert outbox.send_due(ops_engine, up, clock).sent == 1
        clock.advance(hours=3)
        assert outbox.send_due(ops_engine, up, clock).sent == 0
    assert subjects(server.inbox) == ["Bericht 1", "Bericht 2", "Bericht 3"]
    ids = [m["Message-ID"] for m in server.inbox.messages]
    assert len(set(ids)) == 3


def test_the_backoff_doubles_up_to_two_hours():
    assert [outbox.retry_delay(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert outbox.retry_delay(20) == timedelta(hours=2)


def test_after_the_last_attempt_a_message_is_failed_and_the_organizer_sees_it(
    ops_engine, clock, config, plannable
):
    write(ops_engine, clock, note(1), region_id=plannable.region_id)
    down = config.with_overrides(smtp_port=_closed_port())
    for _ in range(config.outbox_max_attempts):
        outbox.send_due(ops_engine, down, clock)
        clock.advance(hours=3)
    [message] = rows(ops_engine)
    assert message.status == OutboxStatus.FAILED and message.attempts == config.outbox_max_attempts
    with unit_of_work(ops_engine) as db:
        assert [m.id for m in outbox.failed_messages(db, plannable.region_id, actor=plannable.organizer)] == [
            message.id
        ]
        outbox.retry_message(db, message.id, actor=plannable.organizer, clock=clock)
    with smtp_server() as server:
        assert outbox.send_due(ops_engine, config.with_overrides(smtp_port=server.port), clock).sent == 1


def test_another_regions_organizer_does_not_see_the_failures(ops_engine, plannable):
    from swarm.domain.actors import Actor
    from swarm.domain.enums import UserRole

    with unit_of_work(ops_engine) as db, pytest.raises(NotAllowed):
        outbox.failed_messages(db, plannable.region_id, actor=Actor(UserRole.ORGANIZER, region_id=-1))


def test_a_refused_recipient_fails_at_once(ops_engine, clock, config):
    write(ops_engine, clock, note(1))
    with smtp_server(Inbox(rcpt_answer="550 5.1.1 no such user")) as server:
        report = outbox.send_due(ops_engine, config.with_overrides(smtp_port=server.port), clock)
    [message] = rows(ops_engine)
    assert report.failed == 1 and message.status == OutboxStatus.FAILED and "550" in message.last_error


def test_a_poisoned_message_is_marked_failed_with_its_error_while_the_rest_of_the_batch_goes_out(
    ops_engine, clock, config, plannable
):
    # Written before names were checked at input: a line break in the name would start a header of its own.
    poisoned = replace(note(2), recipient_name="Jan Jansen\r\nBcc: everyone@example.nl")
    write(ops_engine, clock, note(1), poisoned, note(3), region_id=plannable.region_id)
    with smtp_server() as server:
        report = outbox.send_due(ops_engine, config.with_overrides(smtp_port=server.port), clock)
    assert (report.sent, report.failed) == (2, 1) and subjects(server.inbox) == ["Bericht 1", "Bericht 3"]
    assert all(m["Bcc"] is None for m in server.inbox.messages)
    failed = rows(ops_engine)[1]
    assert (
        failed.status == OutboxStatus.FAILED and failed.attempts == 1
    )  # refused at once: retrying cannot help
    assert failed.last_error == (
        "mail.recipient_name: a mail header may not contain a line break or another control character"
    )
    with unit_of_work(ops_engine) as db:
        listed = outbox.failed_messages(db, plannable.region_id, actor=plannable.organizer)
        assert [m.id for m in listed] == [failed.id]
        outbox.retry_message(db, failed.id, actor=plannable.organizer, clock=clock)
    with smtp_server() as server:  # sent again, the name folded onto one line
        assert outbox.send_due(ops_engine, config.with_overrides(smtp_port=server.port), clock).sent == 1
    [message] = server.inbox.messages
    assert message["To"].addresses[0].display_name == "Jan Jansen Bcc: everyone@example.nl"
    assert message["Bcc"] is None and rows(ops_engine)[1].status == OutboxStatus.SENT


def test_an_unexpected_error_is_recorded_per_message_retried_and_failed_after_the_last_attempt(
    ops_engine, clock, config
):
    write(ops_engine, clock, note(1), note(2), note(3))
    with smtp_server() as server:
        settings = outbox.smtp_settings(config.with_overrides(smtp_port=server.port))

        def sender(message):  # a fault injected into the second message: an error no one foresaw
            if message["Subject"] == "Bericht 2":
                raise RuntimeError("the calendar library broke on Bericht 2 for Person 2")
            send(message, settings)

        up = config.with_overrides(smtp_port=server.port)
        report = outbox.send_due(ops_engine, up, clock, sender=sender)
        assert (report.sent, report.retried) == (2, 1) and subjects(server.inbox) == [
            "Bericht 1",
            "Bericht 3",
        ]
        second = rows(ops_engine)[1]
        assert second.status == OutboxStatus.PENDING and second.attempts == 1
        # Its kind and text, without the name or the subject the error quoted.
        assert second.last_error == "RuntimeError: the calendar library broke on […] for […]"
        assert second.next_attempt_at == clock() + outbox.retry_delay(1)
        for _ in range(config.outbox_max_attempts - 1):
            clock.advance(hours=3)
            outbox.send_due(ops_engine, up, clock, sender=sender)
    second = rows(ops_engine)[1]
    assert second.status == OutboxStatus.FAILED and second.attempts == config.outbox_max_attempts
    assert second.last_error.startswith("RuntimeError:")


def test_a_message_whose_sender_dies_on_every_attempt_is_failed_after_the_last(ops_engine, clock, config):
    write(ops_engine, clock, note(1))
    for _ in range(config.outbox_max_attempts):  # claimed, then the sender was killed mid-send, each time
        assert outbox._claim_one(ops_engine, clock, config.outbox_max_attempts) is not None
        clock.advance(seconds=outbox.CLAIM_LEASE.total_seconds())
    with smtp_server() as server:
        report = outbox.send_due(ops_engine, config.with_overrides(smtp_port=server.port), clock)
    [message] = rows(ops_engine)
    assert report.sent == 0 and server.inbox.messages == []
    assert message.status == OutboxStatus.FAILED and message.last_error.startswith(
        f"The sending stopped without an outcome {config.outbox_max_attempts} times"
    )


def test_a_claimed_message_whose_sender_died_is_sent_after_the_lease(ops_engine, clock, config):
    write(ops_engine, clock, note(1))
    assert outbox._claim_one(ops_engine, clock) is not None  # claimed, then the sender was killed
    with smtp_server() as server:
        up = config.with_overrides(smtp_port=server.port)
        assert outbox.send_due(ops_engine, up, clock).sent == 0  # still leased to the dead sender
        clock.advance(seconds=outbox.CLAIM_LEASE.total_seconds())
        assert outbox.send_due(ops_engine, up, clock).sent == 1
    assert subjects(server.inbox) == ["Bericht 1"]


def test_an_invitation_keeps_its_calendar_part(ops_engine, clock, config):
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//NL\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:x@swarm.test\r\n"
        "DTSTAMP:20261201T090000Z\r\nDTSTART:20270112T080000Z\r\nDTEND:20270112T110000Z\r\nSUMMARY:x\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    write(ops_engine, clock, note(1, ics=ics))
    assert rows(ops_engine)[0].ics_method == "REQUEST"
    with smtp_server() as server:
        outbox.send_due(ops_engine, config.with_overrides(smtp_port=server.port), clock)
    [received] = server.inbox.messages
    calendar = next(p for p in received.walk() if p.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "REQUEST"


def _closed_port() -> int:
    from tests.swarm.test_calendars_support import free_port

    return free_port()  # nothing listens there


def test_two_senders_at_once_send_each_message_once(ops_engine, clock, config):
    from concurrent.futures import ThreadPoolExecutor

    write(ops_engine, clock, *(note(n) for n in range(20)))
    with smtp_server() as server:
        up = config.with_overrides(smtp_port=server.port)
        with ThreadPoolExecutor(max_workers=2) as pool:
            reports = list(pool.map(lambda _: outbox.send_due(ops_engine, up, clock), range(2)))
    assert sum(r.sent for r in reports) == 20
    ids = [m["Message-ID"] for m in server.inbox.messages]
    assert len(ids) == len(set(ids)) == 20
