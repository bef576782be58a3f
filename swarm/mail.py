"""Invitation mail: compose it in the shape mail clients treat as a meeting invitation, and hand it to SMTP.

The shape (as Gmail and Outlook send it themselves):

    multipart/mixed
      multipart/alternative
        text/plain; charset=utf-8                          the invitation in words
        text/calendar; method=REQUEST; charset=UTF-8       the iTIP message, method= equal to its METHOD
      application/ics; name=invite.ics (attachment)        the same bytes, for clients that only look there

Reminders carry no calendar: re-sending a REQUEST with an unchanged SEQUENCE makes some clients ask again.
`send` raises `MailDeliveryError` (with `temporary`) so the outbox can decide to retry later.
"""

from __future__ import annotations

import hashlib
import re
import smtplib
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from enum import StrEnum

from icalendar import Calendar

from swarm.calendars import Attendee, CalendarSession, Change, Status, invitation, text
from swarm.calendars.ics import clean_text
from swarm.domain.enums import IcsMethod

ATTACHMENT_NAME = "invite.ics"
SUBJECT_LIMIT = 250  # the outbox keeps 300 characters; long titles are cut with an ellipsis


class MailKind(StrEnum):
    INVITATION = "invitation"
    UPDATE = "update"
    CANCELLATION = "cancellation"
    REMINDER = "reminder"


_METHOD = {
    MailKind.INVITATION: IcsMethod.REQUEST,
    MailKind.UPDATE: IcsMethod.REQUEST,
    MailKind.CANCELLATION: IcsMethod.CANCEL,
    MailKind.REMINDER: None,
}

_TEXT = {
    "nl": {
        "subject": {
            MailKind.INVITATION: "Uitnodiging zwermsessie: {title} ({when})",
            MailKind.UPDATE: "Gewijzigd: zwermsessie {title} ({when})",
            MailKind.CANCELLATION: "Gaat niet door: zwermsessie {title} ({when})",
            "removed": "Afgemeld voor zwermsessie {title} ({when})",
            MailKind.REMINDER: "Herinnering zwermsessie: {title} ({when})",
        },
        "intro": {
            MailKind.INVITATION: "U bent uitgenodigd voor een zwermsessie. Laat met een link hieronder of in de "
            "webapp weten of u komt: aanvaarden, misschien of afwijzen.",
            MailKind.UPDATE: "De zwermsessie waarvoor u bent uitgenodigd is gewijzigd. Hieronder staan de nieuwe "
            "gegevens; de afspraak in uw agenda wordt bijgewerkt.",
            MailKind.CANCELLATION: "De zwermsessie hieronder gaat niet door. De afspraak verdwijnt uit uw agenda.",
            "removed": "U staat niet meer op de deelnemerslijst van de zwermsessie hieronder. De afspraak "
            "verdwijnt uit uw agenda.",
            MailKind.REMINDER: "Een herinnering aan de zwermsessie hieronder.",
        },
        "greeting": "Beste {name},",
        "changed": "Gewijzigd: {what}.",
        "change": {Change.TIME: "de tijd", Change.PLACE: "de plaats", Change.TABLES: "uw tafelindeling"},
        "and": " en ",
        "respond": "Reageren: {url}",
        "answer": {
            "accept": "Ik kom (aanvaarden, zonder in te loggen): {url}",
            "decline": "Ik kom niet (afwijzen, zonder in te loggen): {url}",
        },
        "closing": "Met vriendelijke groet,",
    },
    "en": {
        "subject": {
            MailKind.INVITATION: "Invitation to swarm session: {title} ({when})",
            MailKind.UPDATE: "Updated: swarm session {title} ({when})",
            MailKind.CANCELLATION: "Cancelled: swarm session {title} ({when})",
            "removed": "Removed from swarm session {title} ({when})",
            MailKind.REMINDER: "Reminder of swarm session: {title} ({when})",
        },
        "intro": {
            MailKind.INVITATION: "You are invited to a swarm session. Please let us know with a link below or in "
            "the web app whether you will come: accept, maybe or decline.",
            MailKind.UPDATE: "The swarm session you were invited to has changed. The new details are below; the "
            "event in your calendar will be updated.",
            MailKind.CANCELLATION: "The swarm session below has been cancelled. The event will be removed from "
            "your calendar.",
            "removed": "You are no longer on the list of participants of the swarm session below. The event will "
            "be removed from your calendar.",
            MailKind.REMINDER: "A reminder of the swarm session below.",
        },
        "greeting": "Dear {name},",
        "changed": "Changed: {what}.",
        "change": {Change.TIME: "the time", Change.PLACE: "the place", Change.TABLES: "your table plan"},
        "and": " and ",
        "respond": "Reply: {url}",
        "answer": {
            "accept": "I will come (accept, no login needed): {url}",
            "decline": "I cannot come (decline, no login needed): {url}",
        },
        "closing": "Kind regards,",
    },
}


class MailError(Exception):
    """Mail could not be composed or sent; the message says what and where."""


class MailCompositionError(MailError):
    """The stored mail cannot become a message (e.g. a line break in a header); sending it again will not help."""


class MailDeliveryError(MailError):
    """The SMTP server could not be reached or refused the message.

    `temporary` is true when trying again later may work (server down, 4xx answer), false when it will not
    (5xx answer, bad login, a certificate that does not verify)."""

    def __init__(self, message: str, *, temporary: bool):
        super().__init__(message)
        self.temporary = temporary


class Security(StrEnum):
    STARTTLS = "starttls"  # plain connect, then upgrade (port 587)
    SSL = "ssl"  # TLS from the first byte (port 465)
    NONE = "none"  # only for a relay on the same machine or network


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to deliver; the app's config maps SWARM_SMTP_* onto these fields."""

    host: str
    port: int = 587
    security: Security = Security.STARTTLS
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    ca_file: str | None = None  # an extra certificate authority to trust, e.g. a company's own

    def __post_init__(self) -> None:
        if not self.host or not isinstance(self.host, str):
            raise MailError("smtp.host: must not be empty")
        if not isinstance(self.port, int) or not 0 < self.port < 65536:
            raise MailError(f"smtp.port: {self.port!r} is not a port number (1-65535)")
        if self.security not in {s.value for s in Security}:
            raise MailError(f"smtp.security: {self.security!r} is not one of starttls, ssl, none")
        if self.password and not self.username:
            raise MailError("smtp.username: a password is set but no user name")


@dataclass(frozen=True)
class Mail:
    """What a mail says, in the shape the outbox stores (OutboxMessage): plain values, the .ics as text.

    `idempotency_key` is stable for (kind, session, sequence, attendee): the outbox keeps one row per key and the
    Message-ID is derived from it, so a mail written twice is still sent, and received, once.
    """

    kind: str
    idempotency_key: str
    recipient: str
    recipient_name: str
    subject: str
    body_text: str
    ics: str | None = None
    reply_to: str = ""  # e.g. the region's organizer, so answers reach a person

    @property
    def method(self) -> str | None:
        """The METHOD inside the calendar (the `method=` of its mail part must say the same)."""
        return None if self.ics is None else _method_of(self.ics)


def session_mail(
    kind: MailKind | str,
    session: CalendarSession,
    attendee: Attendee,
    *,
    host: str,
    stamp: datetime,
    language: str = "nl",
    changed: Iterable[Change] = (),
    respond_url: str = "",
    answer_urls: Mapping[str, str] | None = None,
) -> Mail:
    """The mail about `session` for one attendee. For a cancellation of a session that goes on, `attendee` is the
    person taken off; for a cancelled session (STATUS CANCELLED) it goes to everyone. An update names what
    `changed` (see `swarm.calendars.changes`); `respond_url` is the web app's page to accept, maybe or decline;
    `answer_urls` the one-time links that accept or decline without logging in (``accept``, ``decline``)."""
    kind = MailKind(kind)
    text.words(language)  # refuses an unknown language, naming the field
    words = _TEXT[language]
    removed = kind is MailKind.CANCELLATION and Status(session.status) is not Status.CANCELLED
    variant = "removed" if removed else kind
    method = _METHOD[kind]
    calendar = (
        invitation(session, attendee, method, host=host, stamp=stamp, language=language) if method else None
    )

    if kind is MailKind.CANCELLATION:
        details = "\n".join([text.summary(session, language), text.when(session, language)])
    else:
        details = text.personal_description(session, session.attendee(attendee.key), language)
    body = [words["greeting"].format(name=one_line(attendee.name)), "", words["intro"][variant]]
    what = [words["change"][change] for change in Change if change in set(changed)]
    if kind is MailKind.UPDATE and what:
        listed = ", ".join(what[:-1]) + words["and"] + what[-1] if len(what) > 1 else what[0]
        body.append(words["changed"].format(what=listed))
    body += ["", details]
    if answer_urls and kind is not MailKind.CANCELLATION:
        body.append("")
        body += [
            words["answer"][answer].format(url=answer_urls[answer])
            for answer in words["answer"]
            if answer in answer_urls
        ]
    if respond_url and kind is not MailKind.CANCELLATION:
        body += ["", words["respond"].format(url=respond_url)]
    body += ["", words["closing"], one_line(session.organizer.name)]
    subject = words["subject"][variant].format(
        title=one_line(session.title), when=text.when(session, language)
    )
    return Mail(
        kind=str(kind),
        idempotency_key=f"{kind}:{session.key}:{session.sequence}:{attendee.key}",
        recipient=attendee.email,
        recipient_name=one_line(attendee.name),
        subject=_shorten(subject, SUBJECT_LIMIT),
        body_text="\n".join(body) + "\n",
        ics=None if calendar is None else calendar.decode("utf-8"),
        reply_to=str(
            Address(display_name=one_line(session.organizer.name), addr_spec=session.organizer.email)
        ),
    )


def to_message(mail: Mail, *, sender: str, host: str, stamp: datetime, language: str = "nl") -> EmailMessage:
    """The MIME message for `mail`, dated `stamp` (the injected clock's now) and sent from `sender`.

    Raises `MailCompositionError`, naming the field, for a header value with a line break or another control
    character: it could start a header of its own (header injection), and Python's email package would refuse
    it only halfway through, with a bare ValueError."""
    for field in ("subject", "recipient", "recipient_name", "reply_to"):
        _require_header_text(f"mail.{field}", getattr(mail, field))
    _require_header_text("sender", sender)
    message = EmailMessage()
    try:
        message["Subject"] = mail.subject
        message["From"] = sender
        message["To"] = Address(display_name=mail.recipient_name, addr_spec=mail.recipient)
        if mail.reply_to:
            message["Reply-To"] = mail.reply_to
    except (ValueError, IndexError) as error:  # an address the email package cannot parse
        raise MailCompositionError(f"mail.recipient: not a usable address ({type(error).__name__})") from None
    message["Date"] = format_datetime(stamp)
    message["Message-ID"] = message_id(mail.idempotency_key, host)
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies, please (RFC 3834)
    message.set_content(mail.body_text)
    if mail.ics is not None:
        calendar = mail.ics.encode("utf-8")
        params = {"method": _method_of(mail.ics), "charset": "UTF-8"}
        message.add_alternative(calendar, maintype="text", subtype="calendar", params=params)
        message.add_attachment(calendar, maintype="application", subtype="ics", filename=ATTACHMENT_NAME)
    message["Content-Language"] = language  # after the parts: making a multipart moves Content-* headers down
    return message


def compose(
    kind: MailKind | str,
    session: CalendarSession,
    attendee: Attendee,
    *,
    sender: str,
    host: str,
    stamp: datetime,
    language: str = "nl",
) -> EmailMessage:
    """`session_mail` and `to_message` in one go, for mail that does not wait in the outbox."""
    mail = session_mail(kind, session, attendee, host=host, stamp=stamp, language=language)
    return to_message(mail, sender=sender, host=host, stamp=stamp, language=language)


def message_id(idempotency_key: str, host: str) -> str:
    """A Message-ID that is the same whenever the same mail is sent again."""
    readable = re.sub(r"[^A-Za-z0-9.-]+", ".", idempotency_key).strip(".")[:120]
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:12]
    return f"<{readable}.{digest}@{host}>"


def _method_of(ics: str) -> str:
    try:
        method = Calendar.from_ical(ics).get("METHOD")
    except ValueError as error:
        raise MailError(f"ics: not a calendar: {error}") from None
    if method is None:
        raise MailError("ics: a calendar sent by mail needs a METHOD (REQUEST or CANCEL)")
    return str(method)


_HEADER_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # a tab may stay; a line break may not


def _require_header_text(field: str, value: str) -> None:
    if _HEADER_CONTROL.search(value or ""):
        raise MailCompositionError(
            f"{field}: a mail header may not contain a line break or another control character"
        )


def one_line(value: str) -> str:
    """A name or title fit for a header: a line break in it must never start a header of its own."""
    return " ".join(clean_text(value).split())


def _shorten(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def send(message: EmailMessage, settings: SmtpSettings) -> None:
    """Deliver `message` through the configured SMTP server, or raise `MailDeliveryError`."""
    where = f"{settings.host}:{settings.port}"
    context = _tls_context(settings)
    try:
        if settings.security == Security.SSL:
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            if settings.security == Security.STARTTLS:
                client.starttls(context=context)
            if settings.username:
                client.login(settings.username, settings.password or "")
            refused = client.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        raise MailDeliveryError(
            f"SMTP server {where} refused {', '.join(error.recipients)}: {_answers(error.recipients)}",
            temporary=all(400 <= code < 500 for code in codes),
        ) from error
    except smtplib.SMTPResponseException as error:
        answer = (
            error.smtp_error.decode(errors="replace")
            if isinstance(error.smtp_error, bytes)
            else error.smtp_error
        )
        raise MailDeliveryError(
            f"SMTP server {where} answered {error.smtp_code} {answer}", temporary=400 <= error.smtp_code < 500
        ) from error
    except (smtplib.SMTPNotSupportedError, ssl.SSLCertVerificationError) as error:
        raise MailDeliveryError(f"SMTP server {where}: {error}", temporary=False) from error
    except (OSError, smtplib.SMTPException) as error:
        raise MailDeliveryError(
            f"SMTP server {where} could not be reached: {error}", temporary=True
        ) from error
    if refused:
        raise MailDeliveryError(
            f"SMTP server {where} refused {', '.join(refused)}: {_answers(refused)}",
            temporary=all(400 <= code < 500 for code, _ in refused.values()),
        )


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext | None:
    if settings.security == Security.NONE:
        return None
    try:
        return ssl.create_default_context(cafile=settings.ca_file)
    except (OSError, ssl.SSLError) as error:
        raise MailError(f"smtp.ca_file: cannot use {settings.ca_file!r}: {error}") from None


def _answers(refused: dict) -> str:
    return "; ".join(f"{code} {answer.decode(errors='replace')}" for code, answer in refused.values())
