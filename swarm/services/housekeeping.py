"""The scheduler's recurring chores, each idempotent: guarded by a row's state and by outbox idempotency keys.

- close the availability poll of requests whose deadline passed, and queue their round's solve;
- remind participants two days before their session;
- warn professionals whose qualification documents expire within 30 days;
- retention: warn professionals inactive for SWARM_RETENTION_DAYS, anonymise them 30 days later if still inactive;
  and reduce the snapshots of finished solves that nothing needs after SWARM_SNAPSHOT_RETENTION_DAYS
  (:mod:`swarm.services.snapshot_retention`).
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from swarm.config import Config
from swarm.domain.actors import SYSTEM
from swarm.domain.enums import InvitationResponse, RequestStatus, SessionStatus
from swarm.domain.errors import ValidationError
from swarm.domain.timeutil import Clock, to_local
from swarm.mail import Mail, MailKind, session_mail
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import (
    Invitation,
    Professional,
    QualificationDocument,
    Slot,
    SwarmRequest,
)
from swarm.persistence.models import Session as SwarmSession
from swarm.services.outbox import enqueue_mail, mail_host
from swarm.services.privacy import anonymise_professional
from swarm.services.session_calendar import language_of, session_view
from swarm.services.snapshot_retention import reduce_old_snapshots
from swarm.services.solving import enqueue_solve

log = logging.getLogger(__name__)

REMIND_BEFORE = timedelta(days=2)
EXPIRY_NOTICE_DAYS = 30
ANONYMISE_AFTER_WARNING = timedelta(days=30)


def close_due_polls(engine: sa.Engine, config: Config, clock: Clock) -> list[int]:
    """Close the poll of every open request past its deadline and queue a solve per round; the rounds queued."""
    with unit_of_work(engine, immediate=True) as session:
        now = clock()
        due = (
            (SwarmRequest.status == RequestStatus.OPEN)
            & SwarmRequest.poll_closed_at.is_(None)
            & (SwarmRequest.availability_deadline <= now)
        )
        rounds = set()
        for request_id, round_id in session.exec(
            select(SwarmRequest.id, SwarmRequest.planning_round_id).where(due)
        ):
            closed = session.execute(
                sa.update(SwarmRequest).where(SwarmRequest.id == request_id, due).values(poll_closed_at=now)
            )
            if closed.rowcount == 1:
                rounds.add(round_id)
        queued = []
        for round_id in sorted(rounds):
            try:
                enqueue_solve(session, round_id, actor=SYSTEM, clock=clock)
                queued.append(round_id)
            except ValidationError as error:  # e.g. nothing left to plan: the poll is closed all the same
                log.warning("round %s: no solve queued: %s", round_id, error)
    return queued


def send_reminders(engine: sa.Engine, config: Config, clock: Clock) -> int:
    """A reminder (no calendar part) to everyone who did not decline, once per session and person."""
    written = 0
    with unit_of_work(engine, immediate=True) as session:
        now = clock()
        rows = session.exec(
            select(SwarmSession)
            .join(Slot, Slot.id == SwarmSession.slot_id)
            .where(
                SwarmSession.status == SessionStatus.PUBLISHED,
                Slot.starts_at > now,
                Slot.starts_at <= now + REMIND_BEFORE,
            )
        )
        for row in rows:
            view = session_view(session, row, config)
            declined = set(
                session.exec(
                    select(Invitation.professional_id).where(
                        Invitation.session_id == row.id, Invitation.response == InvitationResponse.DECLINED
                    )
                )
            )
            for attendee in view.calendar.attendees:
                if view.professional_of[attendee.key] in declined:
                    continue
                message = session_mail(
                    MailKind.REMINDER,
                    view.calendar,
                    attendee,
                    host=mail_host(config),
                    stamp=now,
                    language=view.language_of[attendee.key],
                )
                message = dataclasses.replace(message, idempotency_key=f"reminder:{row.uid}:{attendee.key}")
                written += enqueue_mail(session, message, region_id=row.region_id, clock=clock)
    return written


_NOTICES = {
    "nl": {
        "expiry_subject": "Uw {kind} verloopt op {date}",
        "expiry_body": "Uw {kind} (kenmerk: {reference}) verloopt op {date}. Upload op tijd een nieuw exemplaar, "
        "anders kunt u vanaf die dag niet meer voor zwermsessies worden uitgenodigd.",
        "retention_subject": "Uw profiel wordt over 30 dagen geanonimiseerd",
        "retention_body": "U bent sinds {date} niet meer actief geweest. Log binnen 30 dagen in als u uw profiel wilt "
        "houden; anders worden uw gegevens geanonimiseerd (AVG).",
        "kinds": {"kvk_extract": "KvK-uittreksel", "vog": "VOG", "liability_insurance": "aansprakelijkheidspolis"},
        "greeting": "Beste {name},",
    },
    "en": {
        "expiry_subject": "Your {kind} expires on {date}",
        "expiry_body": "Your {kind} (reference: {reference}) expires on {date}. Upload a new one in time, or you "
        "cannot be invited to swarm sessions from that day on.",
        "retention_subject": "Your profile will be anonymised in 30 days",
        "retention_body": "You have not been active since {date}. Log in within 30 days to keep your profile; "
        "otherwise your data will be anonymised (GDPR).",
        "kinds": {"kvk_extract": "Chamber of Commerce extract", "vog": "certificate of conduct (VOG)",
                  "liability_insurance": "liability insurance"},
        "greeting": "Dear {name},",
    },
}  # fmt: skip


def _notice(person: Professional, language: str, kind: str, key: str, subject: str, body: str) -> Mail:
    words = _NOTICES[language]
    text = "\n\n".join([words["greeting"].format(name=person.name), body, ""])
    return Mail(
        kind=kind,
        idempotency_key=key,
        recipient=person.email,
        recipient_name=person.name,
        subject=subject,
        body_text=text,
    )


def warn_expiring_documents(engine: sa.Engine, config: Config, clock: Clock) -> int:
    """One warning per document that expires within 30 days (a renewed document is a new row, warned anew)."""
    written = 0
    with unit_of_work(engine, immediate=True) as session:
        today = to_local(clock()).date()
        rows = session.exec(
            select(QualificationDocument, Professional)
            .join(Professional, Professional.id == QualificationDocument.professional_id)
            .where(
                QualificationDocument.expiry_warned_at.is_(None),
                QualificationDocument.expires_on >= today,
                QualificationDocument.expires_on <= today + timedelta(days=EXPIRY_NOTICE_DAYS),
                Professional.anonymised_at.is_(None),
            )
        )
        for document, person in rows:
            language = language_of(session, person.id)
            words = _NOTICES[language]
            kind, when = words["kinds"][str(document.kind)], document.expires_on.strftime("%d-%m-%Y")
            message = _notice(
                person,
                language,
                "expiry_warning",
                f"expiry:{document.id}:{document.expires_on.isoformat()}",
                words["expiry_subject"].format(kind=kind, date=when),
                words["expiry_body"].format(kind=kind, date=when, reference=document.reference or "-"),
            )
            written += enqueue_mail(session, message, region_id=person.region_id, clock=clock)
            document.expiry_warned_at = clock()
            session.add(document)
    return written


@dataclasses.dataclass(frozen=True)
class RetentionReport:
    """What one run of the retention job did."""

    warned: int
    anonymised: int
    snapshots_reduced: int

    def __bool__(self) -> bool:  # the job log stays quiet on a day with nothing to do
        return bool(self.warned or self.anonymised or self.snapshots_reduced)


def run_retention(engine: sa.Engine, config: Config, clock: Clock) -> RetentionReport:
    """The retention job: inactive profiles (warned, then anonymised), then the snapshots of old solves."""
    warned, anonymised = apply_retention(engine, config, clock)
    reduced = reduce_old_snapshots(engine, config, clock)
    return RetentionReport(warned, anonymised, len(reduced))


def apply_retention(engine: sa.Engine, config: Config, clock: Clock) -> tuple[int, int]:
    """Warn who has been inactive for the retention period, anonymise who stayed inactive 30 days after the
    warning, and forget the warning of who came back. Returns (warned, anonymised)."""
    now = clock()
    inactive_since = now - timedelta(days=config.retention_days)
    last_seen = sa.func.coalesce(Professional.last_active_at, Professional.created_at)
    warned = anonymised = 0
    with unit_of_work(engine, immediate=True) as session:
        session.execute(
            sa.update(Professional)
            .where(
                Professional.retention_warned_at.is_not(None),
                Professional.last_active_at > Professional.retention_warned_at,
            )
            .values(retention_warned_at=None)
        )
        to_warn = session.exec(
            select(Professional).where(
                Professional.anonymised_at.is_(None),
                Professional.retention_warned_at.is_(None),
                last_seen < inactive_since,
            )
        )
        for person in to_warn:
            language = language_of(session, person.id)
            words = _NOTICES[language]
            seen = to_local(person.last_active_at or person.created_at).strftime("%d-%m-%Y")
            message = _notice(
                person,
                language,
                "retention_warning",
                f"retention:{person.id}:{seen}",
                words["retention_subject"],
                words["retention_body"].format(date=seen),
            )
            warned += enqueue_mail(session, message, region_id=person.region_id, clock=clock)
            person.retention_warned_at = now
            session.add(person)
        to_anonymise = session.exec(
            select(Professional.id).where(
                Professional.anonymised_at.is_(None),
                Professional.retention_warned_at <= now - ANONYMISE_AFTER_WARNING,
                last_seen <= Professional.retention_warned_at,
            )
        ).all()
        for person_id in to_anonymise:
            anonymise_professional(session, person_id, actor=SYSTEM, clock=clock)
            log.info("professional %s anonymised after the retention period", person_id)
            anonymised += 1
    return warned, anonymised
