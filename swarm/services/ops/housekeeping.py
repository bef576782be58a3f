"""The scheduler's mail chores, each idempotent: guarded by a row's state and by outbox idempotency keys.

- remind participants two days before their session;
- warn professionals whose qualification documents expire within 30 days;
- the notices to professionals (expiry here, retention in :mod:`swarm.services.people.retention`).

The other chores live with their journey: closing polls in :mod:`swarm.services.plan.polls`, retention of
profiles in :mod:`swarm.services.people.retention` and of solve snapshots in
:mod:`swarm.services.ops.snapshot_retention`; ``swarm.jobs`` schedules them all.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from swarm.config import Config
from swarm.domain.enums import InvitationResponse, SessionStatus
from swarm.domain.timeutil import Clock, to_local
from swarm.mail import Mail, MailKind, one_line, session_mail
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import Invitation, Professional, QualificationDocument, Slot
from swarm.persistence.models import Session as SwarmSession
from swarm.services.ops.outbox import enqueue_mail, mail_host
from swarm.services.ops.session_calendar import language_of, session_view

REMIND_BEFORE = timedelta(days=2)
EXPIRY_NOTICE_DAYS = 30


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


NOTICES = {
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


def notice(person: Professional, language: str, kind: str, key: str, subject: str, body: str) -> Mail:
    words = NOTICES[language]
    text = "\n\n".join([words["greeting"].format(name=one_line(person.name)), body, ""])
    return Mail(
        kind=kind,
        idempotency_key=key,
        recipient=person.email,
        recipient_name=one_line(person.name),  # a name is data; in a header a line break would start a header
        subject=one_line(subject),
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
            words = NOTICES[language]
            kind, when = words["kinds"][str(document.kind)], document.expires_on.strftime("%d-%m-%Y")
            message = notice(
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
