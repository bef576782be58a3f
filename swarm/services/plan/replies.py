"""Calendar answers by mail: iMIP REPLY messages read from the reply mailbox over IMAP, applied like the web's.

When Outlook, Google or Apple answer an invitation (Accept, Tentative, Decline), they mail an iCalendar REPLY to
the invitation's ORGANIZER. With a reply mailbox configured (SWARM_IMAP_HOST, SWARM_REPLY_ADDRESS) the invitations
name that mailbox as ORGANIZER and ask for an answer (RSVP=TRUE); the scheduler's ``read-replies`` job reads the
mailbox and applies each answer through ``plan.publish.respond_to_invitation``, so a decline queues a repair.

A REPLY counts when its UID is one of our published sessions, its ATTENDEE is invited to it, the mail's From is that
same address, and its SEQUENCE is not older than the invitation's. Every message read (answer or not) gets the IMAP
keyword ``$SwarmRead`` once its outcome is committed, so it is read once; a database failure leaves it for the next
run. ``\\Seen`` is left alone (PEEK), so a person sharing the mailbox still sees what is new to them.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import imaplib
import logging
import ssl
from dataclasses import dataclass
from email.utils import parseaddr

import sqlalchemy as sa
from icalendar import Calendar
from sqlmodel import Session, select

from swarm.config import Config
from swarm.domain.actors import Actor
from swarm.domain.enums import UserRole
from swarm.domain.errors import NotFound, ValidationError
from swarm.domain.timeutil import Clock
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import Invitation, Professional
from swarm.persistence.models import Session as SwarmSession
from swarm.services.ops.outbox import mail_host
from swarm.services.plan.publish import DECLINE_REASON_LIMIT, respond_to_invitation

log = logging.getLogger(__name__)

KEYWORD = "$SwarmRead"
UID_PREFIX = "swarm-session-"
ANSWERS = {"ACCEPTED": "accept", "TENTATIVE": "maybe", "DECLINED": "decline"}
TIMEOUT = 30.0


@dataclass(frozen=True)
class CalendarReply:
    """What one iMIP REPLY says: which event, which version, who answers what, and who sent the mail."""

    uid: str
    sequence: int
    attendee: str
    partstat: str
    sender: str
    comment: str = ""


def parse_reply(raw: bytes) -> CalendarReply | None:
    """The REPLY in a mail (its text/calendar part or .ics attachment); None for any other mail."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    sender = parseaddr(str(message.get("From", "")))[1].strip().lower()
    for part in message.walk():
        if part.get_content_type() not in ("text/calendar", "application/ics"):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        try:
            calendar = Calendar.from_ical(payload)
        except ValueError:
            continue
        if str(calendar.get("METHOD", "")).upper() != "REPLY":
            continue
        for event in calendar.walk("VEVENT"):
            attendee = event.get("ATTENDEE")
            if isinstance(attendee, list):
                if len(attendee) != 1:
                    continue  # a REPLY answers for one attendee
                attendee = attendee[0]
            if attendee is None or "UID" not in event:
                continue
            address = str(attendee).removeprefix("mailto:").removeprefix("MAILTO:").strip().lower()
            try:
                sequence = int(event.get("SEQUENCE", 0))
            except (TypeError, ValueError):
                sequence = 0
            return CalendarReply(
                uid=str(event["UID"]),
                sequence=sequence,
                attendee=address,
                partstat=str(attendee.params.get("PARTSTAT", "")).upper(),
                sender=sender,
                comment=" ".join(str(event.get("COMMENT", "")).split())[:DECLINE_REASON_LIMIT],
            )
    return None


def apply_reply(session: Session, reply: CalendarReply, *, host: str, clock: Clock) -> str:
    """Apply one REPLY as its attendee's answer; what happened, in a few words for the log.

    Raises ValidationError when the invitation no longer takes an answer (the caller rolls back).
    """
    suffix = f"@{host.lower()}"
    if not (reply.uid.startswith(UID_PREFIX) and reply.uid.lower().endswith(suffix)):
        return "not one of our sessions"
    key = reply.uid[len(UID_PREFIX) : -len(suffix)]
    row = session.exec(select(SwarmSession).where(SwarmSession.uid == key)).first()
    if row is None:
        return "unknown session"
    if not reply.attendee or reply.sender != reply.attendee:
        return "sent by someone other than the attendee"
    answer = ANSWERS.get(reply.partstat)
    if answer is None:
        return f"no answer (PARTSTAT {reply.partstat or 'missing'})"
    invitation = session.exec(
        select(Invitation)
        .join(Professional, Professional.id == Invitation.professional_id)
        .where(
            Invitation.session_id == row.id,
            sa.func.lower(Professional.email) == reply.attendee,
            Professional.anonymised_at.is_(None),
        )
    ).first()
    if invitation is None:
        return "not invited to this session"
    if reply.sequence < invitation.sequence:
        return "answers an older version"
    owner = Actor(role=UserRole.PROFESSIONAL, professional_id=invitation.professional_id)
    respond_to_invitation(
        session,
        invitation.id,
        answer,
        reason=reply.comment if answer == "decline" else "",
        actor=owner,
        clock=clock,
    )
    return f"applied: {answer}"


def _connect(config: Config) -> imaplib.IMAP4:
    context = ssl.create_default_context()
    if config.imap_tls == "ssl":
        return imaplib.IMAP4_SSL(config.imap_host, config.imap_port, ssl_context=context, timeout=TIMEOUT)
    client = imaplib.IMAP4(config.imap_host, config.imap_port, timeout=TIMEOUT)
    if config.imap_tls == "starttls":
        client.starttls(ssl_context=context)
    return client


def read_replies(engine: sa.Engine, config: Config, clock: Clock) -> int:
    """Read the reply mailbox's new messages and apply the calendar answers; the number applied."""
    if not config.reads_replies:
        return 0
    host, applied = mail_host(config), 0
    client = _connect(config)
    try:
        client.login(config.imap_user, config.imap_password)
        status, _ = client.select(config.imap_folder)
        if status != "OK":
            raise imaplib.IMAP4.error(f"SWARM_IMAP_FOLDER: cannot open {config.imap_folder!r}")
        status, found = client.uid("SEARCH", "UNKEYWORD", KEYWORD)
        for uid in (found[0] or b"").split() if status == "OK" else []:
            status, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((item[1] for item in fetched or [] if isinstance(item, tuple)), None)
            if status != "OK" or raw is None:
                continue
            reply = parse_reply(raw)
            outcome = "not a calendar answer"
            if reply is not None:
                try:
                    with unit_of_work(engine) as session:
                        outcome = apply_reply(session, reply, host=host, clock=clock)
                except (ValidationError, NotFound) as error:  # e.g. the session has begun: rolled back
                    outcome = f"refused: {error}"
            log.info("reply mailbox message %s: %s", uid.decode(), outcome)
            applied += outcome.startswith("applied")
            client.uid("STORE", uid, "+FLAGS", f"({KEYWORD})")
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            client.logout()
    return applied
