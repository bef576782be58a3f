"""The mail outbox: written in the transaction of the change that causes the mail, delivered later by a job.

Each message has an idempotency key; writing it twice keeps one row. Delivery claims a message first (a guarded
UPDATE that moves its next attempt a lease ahead, with ``SKIP LOCKED`` on PostgreSQL), sends it, then marks it
sent. A sender killed in between leaves the claim to expire, and the message goes out on a later run: nothing
is lost. (SMTP cannot be exactly-once; the Message-ID comes from the key, so a repeat is recognisably the same.)
Failures are retried with exponential backoff and marked failed after SWARM_OUTBOX_MAX_ATTEMPTS; any error of
one message (not only the mail server's) is recorded on it, and the batch goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from functools import partial
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from swarm import mail as mailing
from swarm.config import Config
from swarm.domain.actors import Actor
from swarm.domain.enums import OutboxStatus
from swarm.domain.errors import NotFound
from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.db import is_sqlite, unit_of_work
from swarm.persistence.models import OutboxMessage
from swarm.persistence.outage import Outage, retry_while_lost

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=5)  # a claimed message not marked sent by then is tried again
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=2)

Sender = Callable[[EmailMessage], None]


def enqueue_mail(
    session: Session, message: mailing.Mail, *, region_id: int | None = None, clock: Clock = system_clock
) -> bool:
    """Add ``message`` to the outbox in the caller's transaction; False when its key is there already."""
    now = clock()
    values = {
        "idempotency_key": message.idempotency_key,
        "kind": message.kind[:40],
        "region_id": region_id,
        "recipient": message.recipient,
        "recipient_name": message.recipient_name[:200],
        "reply_to": message.reply_to[:320],
        "subject": message.subject[:300],
        "body_text": message.body_text,
        "ics_payload": message.ics,
        "ics_method": message.method,
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": "",
        "created_at": now,
    }
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = OutboxMessage.__table__
    # Column types (UTC datetimes, enums) apply through the table; a repeated key is silently kept once.
    statement = (
        dialect.insert(table)
        .values(values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.id)
    )
    return session.execute(statement).first() is not None


def smtp_settings(config: Config) -> mailing.SmtpSettings:
    return mailing.SmtpSettings(
        host=config.smtp_host,
        port=config.smtp_port,
        security=mailing.Security(config.smtp_tls),
        username=config.smtp_user or None,
        password=config.smtp_password or None,
    )


def mail_host(config: Config) -> str:
    """The host name in Message-IDs and calendar UIDs: the web app's public address."""
    return urlsplit(config.base_url).hostname or "localhost"


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes after the 1st, 2nd, 3rd ... failed attempt, at most two hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __bool__(self) -> bool:  # a run that found nothing to send stays out of the scheduler's log
        return bool(self.sent or self.retried or self.failed)


RECORD_TRIES = 6  # about 15 s of backoff for the database to come back before a step gives up (see below)


def send_due(
    engine: sa.Engine,
    config: Config,
    clock: Clock = system_clock,
    *,
    sender: Sender | None = None,
    limit: int = 500,
    keep_going: Callable[[], bool] = lambda: True,
) -> SendReport:
    """Deliver the messages that are due, each in three short steps: claim, send, record the outcome.

    Whatever goes wrong with one message stays with that message: its error is recorded, it is tried again later
    or marked failed, and the batch goes on. Only a mail server that cannot be reached ends the batch early, so
    the rest waits for the next run instead of hammering it. ``keep_going`` is asked before every message (the
    scheduler answers no once it has lost its lock). A lost database connection is waited for a few seconds
    per step; after that the error goes to the caller, and a message already sent is sent again once its claim
    expires (at most that one message twice).
    """
    settings = smtp_settings(config)
    sender = sender or (lambda message: mailing.send(message, settings))
    report = SendReport()
    outage = Outage(log, "outbox")
    for _ in range(limit):
        if not keep_going():
            break
        claimed = retry_while_lost(
            lambda: _claim_one(engine, clock, config.outbox_max_attempts), outage, tries=RECORD_TRIES
        )
        if claimed is None:
            break
        row_id, attempts, message = claimed
        try:
            sender(_to_email(message, config, clock()))
        except Exception as error:  # one bad message must never stop the batch
            temporary = _worth_retrying(error)
            description = _describe(error, message)
            if not isinstance(error, mailing.MailError):  # not a mail problem we know: keep how it happened
                log.warning("outbox message %s: unexpected error", row_id, exc_info=True)
            outcome = retry_while_lost(
                partial(_record_failure, engine, row_id, attempts, description, temporary, config, clock),
                outage,
                tries=RECORD_TRIES,
            )
            setattr(report, outcome, getattr(report, outcome) + 1)
            if isinstance(error, mailing.MailDeliveryError) and error.temporary:
                break  # the server is down or busy: the rest waits for the next run rather than hammering it
            continue
        retry_while_lost(partial(_record_sent, engine, row_id, clock), outage, tries=RECORD_TRIES)
        report.sent += 1
    return report


def _worth_retrying(error: Exception) -> bool:
    """A server that is down or busy, or an error we do not know: try again later (until the last attempt).
    A refusal (5xx), a bad login or a message that cannot be composed fails at once: the same again fails again."""
    if isinstance(error, mailing.MailDeliveryError):
        return error.temporary
    return not isinstance(error, mailing.MailError)


def _describe(error: Exception, message: mailing.Mail) -> str:
    """The error as the organizer reads it: its kind and text, without the recipient's name or the subject
    (an error may quote a header); the address stays, it is what the organizer checks."""
    text = str(error) if isinstance(error, mailing.MailError) else f"{type(error).__name__}: {error}"
    for value in (message.recipient_name, message.subject):
        for form in {value, repr(value)[1:-1]}:
            if len(form.strip()) >= 3:
                text = text.replace(form, "[…]")
    return text[:2000] or type(error).__name__


def _claim_one(
    engine: sa.Engine, clock: Clock, max_attempts: int | None = None
) -> tuple[int, int, mailing.Mail] | None:
    """Claim the next due message: its id, the number of this attempt and the mail. A message whose earlier
    claims all ran out without an outcome (its sender was stopped each time) is marked failed when it has had
    ``max_attempts``, instead of being tried for ever."""
    while True:
        with unit_of_work(engine, immediate=True) as session:
            now = clock()
            due = (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= now)
            pick = (
                select(OutboxMessage)
                .where(due)
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(1)
            )
            if not is_sqlite(engine):
                pick = pick.with_for_update(skip_locked=True)
            row = session.exec(pick).first()
            if row is None:
                return None
            if max_attempts is not None and row.attempts >= max_attempts:
                session.execute(
                    sa.update(OutboxMessage)
                    .where(OutboxMessage.id == row.id, due)
                    .values(status=OutboxStatus.FAILED, last_error=_gave_up(row))
                )
                log.warning(
                    "outbox message %s: no outcome after %s attempts; marked failed", row.id, row.attempts
                )
                continue
            attempts = row.attempts + 1
            claimed = session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.id == row.id, due)
                .values(next_attempt_at=now + CLAIM_LEASE, attempts=OutboxMessage.attempts + 1)
            )
            if claimed.rowcount != 1:  # another sender was quicker (SQLite); ask again
                continue
            message = mailing.Mail(
                kind=row.kind,
                idempotency_key=row.idempotency_key,
                recipient=row.recipient,
                recipient_name=row.recipient_name,
                subject=row.subject,
                body_text=row.body_text,
                ics=row.ics_payload,
                reply_to=row.reply_to,
            )
            return row.id, attempts, message


def _gave_up(row: OutboxMessage) -> str:
    why = f"The sending stopped without an outcome {row.attempts} times; not tried again."
    return f"{why} Last error: {row.last_error}"[:2000] if row.last_error else why


def _to_email(message: mailing.Mail, config: Config, stamp: datetime) -> EmailMessage:
    return mailing.to_message(message, sender=config.smtp_from, host=mail_host(config), stamp=stamp)


def _record_sent(engine: sa.Engine, row_id: int, clock: Clock) -> None:
    with unit_of_work(engine, immediate=True) as session:
        session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(status=OutboxStatus.SENT, sent_at=clock(), last_error="")
        )


def _record_failure(
    engine: sa.Engine, row_id: int, attempts: int, error: str, temporary: bool, config: Config, clock: Clock
) -> str:
    give_up = not temporary or attempts >= config.outbox_max_attempts
    values: dict = {"last_error": error[:2000]}
    if give_up:
        values["status"] = OutboxStatus.FAILED
    else:
        values["next_attempt_at"] = clock() + retry_delay(attempts)
    with unit_of_work(engine, immediate=True) as session:
        session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values))
    log.warning("outbox message %s: attempt %s failed: %s", row_id, attempts, error)
    return "failed" if give_up else "retried"


# -- what the organizer sees ------------------------------------------------------------------------------------


def failed_messages(session: Session, region_id: int, *, actor: Actor) -> list[OutboxMessage]:
    """Mail of the region that could not be delivered, newest first, with the server's last answer."""
    actor.require_region(region_id)
    return list(
        session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.region_id == region_id, OutboxMessage.status == OutboxStatus.FAILED)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        )
    )


def retry_message(session: Session, message_id: int, *, actor: Actor, clock: Clock = system_clock) -> None:
    """The organizer fixed the cause (e.g. a wrong address) or saw the message: send the failed message again.

    A line break in the name or subject (the mail builder refuses it: it could start a header of its own) is
    folded into a space first, so a message that failed for that goes out on the retry.
    """
    row = session.get(OutboxMessage, message_id)
    if row is None or row.region_id is None:
        raise NotFound("OutboxMessage", message_id)
    actor.require_region(row.region_id)
    session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == row.id, OutboxMessage.status == OutboxStatus.FAILED)
        .values(
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=clock(),
            last_error="",
            recipient_name=mailing.one_line(row.recipient_name)[:200],
            subject=mailing.one_line(row.subject)[:300],
        )
    )
