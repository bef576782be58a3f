"""Sessions -> iCalendar bytes: iTIP invitations, CalDAV objects and subscription feeds.

Pure functions: the same arguments always give the same bytes. DTSTAMP comes from the caller's clock (`stamp`),
the UID from the session's stable key and the host, so a re-export never makes a calendar see a new event.
`icalendar` does the escaping, the 75-octet folding (never inside a UTF-8 character) and the CRLF line ends.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vDuration, vText

from swarm.calendars import text
from swarm.calendars.model import (
    Attendee,
    CalendarDataError,
    CalendarSession,
    Person,
    Role,
    Status,
    check_attendee,
    partstat,
)
from swarm.calendars.timezone import TZID, local, vtimezone
from swarm.domain.enums import IcsMethod, InvitationResponse

PRODID = "-//swarm//Zwermsessies//NL"
_REFRESH = timedelta(hours=1)  # how often subscribed clients should fetch a feed again
# Control characters other than tab and line feed are not allowed in iCalendar text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_HOST = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*")


def uid(session: CalendarSession, host: str) -> str:
    """The event's UID: the same for every attendee and every export of the session."""
    if not isinstance(host, str) or not _HOST.fullmatch(host):
        raise CalendarDataError("host", f"{host!r} is not a host name")
    return f"swarm-session-{session.key}@{host.lower()}"


def invitation(
    session: CalendarSession,
    attendee: Attendee,
    method: IcsMethod | str = IcsMethod.REQUEST,
    *,
    host: str,
    stamp: datetime,
    language: str = "nl",
) -> bytes:
    """The iTIP message for one attendee, to go into their mail.

    Privacy (AVG): whatever the method, the message lists as ATTENDEE only this attendee and the organizer (who
    chairs, RSVP=FALSE), never the other participants and their addresses. RFC 5546 lets an organizer send each
    attendee a message of their own; UID and SEQUENCE are those of the session, so every copy updates one event.
    REQUEST (invitation or update): the DESCRIPTION is this attendee's own table plan with the reasons they were
    invited; the attendee must be one of the session's. CANCEL: for a cancelled session with STATUS:CANCELLED; for
    a session that goes on without this person (taken off) STATUS is left out, as RFC 5546 asks. The caller raises
    `session.sequence` with the change that causes the message.
    """
    method = _method(method)
    if method is IcsMethod.REQUEST:
        if Status(session.status) is Status.CANCELLED:
            raise CalendarDataError("method", "a cancelled session is announced with CANCEL, not REQUEST")
        attendee = session.attendee(attendee.key)
        event = _event(
            session,
            host=host,
            stamp=stamp,
            language=language,
            description=text.personal_description(session, attendee, language),
            attendees=_own(session, attendee),
        )
    else:
        whole = Status(session.status) is Status.CANCELLED
        if not whole:
            check_attendee("attendee", attendee, session.tables)
        event = _event(
            session,
            host=host,
            stamp=stamp,
            language=language,
            description=text.cancel_description(session, language, whole_session=whole),
            attendees=_own(session, attendee),
            with_status=whole,
        )
    return _calendar([event], method=method)


def _own(session: CalendarSession, attendee: Attendee) -> tuple[Attendee, ...]:
    """What one attendee may see of the attendee list: themselves, then the organizer as the chair."""
    if attendee.email.lower() == session.organizer.email.lower():
        return (attendee,)
    chair = Attendee(
        key="organizer",
        name=session.organizer.name,
        email=session.organizer.email,
        role=Role.CHAIR,
        partstat=InvitationResponse.ACCEPTED,
        rsvp=False,
    )
    return attendee, chair


def caldav_object(
    session: CalendarSession,
    attendee: Attendee | None = None,
    *,
    host: str,
    stamp: datetime,
    language: str = "nl",
) -> bytes:
    """The session as a CalDAV resource (no METHOD): one attendee's view when given (listing only them and the
    organizer, as their invitation does), else the organizer's, with every participant."""
    if attendee is None:
        description, attendees = text.public_description(session, language), session.attendees
    else:
        attendee = session.attendee(attendee.key)
        description = text.personal_description(session, attendee, language)
        attendees = _own(session, attendee)
    event = _event(
        session,
        host=host,
        stamp=stamp,
        language=language,
        description=description,
        attendees=attendees,
    )
    return _calendar([event])


def feed(
    sessions: Iterable[CalendarSession],
    name: str,
    *,
    host: str,
    stamp: datetime,
    attendee_key: str | None = None,
    language: str = "nl",
) -> bytes:
    """A read-only subscription calendar (no METHOD) with one VEVENT per session.

    Feeds live at token URLs that may leak, so they carry no ORGANIZER, no ATTENDEE, no addresses and no reasons:
    only what and where, plus, in a professional's own feed (`attendee_key`), the table they sit at in each round.
    Cancelled sessions stay in with STATUS:CANCELLED so subscribed calendars strike them through; a professional
    taken off a session must not have it in their feed (it is refused). Pass the time of the feed's latest change
    as `stamp` (not the time of the request): then unchanged feeds give the same bytes and one ETag.
    """
    if not isinstance(name, str) or not name.strip():
        raise CalendarDataError("name", "must not be empty")
    events = []
    for session in sorted(sessions, key=lambda s: (s.start, s.key)):
        if attendee_key is None:
            description = text.public_description(session, language)
        else:
            own = session.attendee(attendee_key)
            description = text.personal_description(session, own, language, private=False)
        events.append(
            _event(
                session, host=host, stamp=stamp, language=language, description=description, attendees=None
            )
        )
    return _calendar(events, name=name)


def invitation_files(
    sessions: Iterable[CalendarSession], *, host: str, stamp: datetime, language: str = "nl"
) -> dict[str, bytes]:
    """Every attendee's invitation of every session, by file name `<session key>/<attendee key>.ics`, for
    `swarm export-ics` to write out for inspection (keys are checked to be safe file names).
    A cancelled session gives each attendee's CANCEL."""
    files = {}
    for session in sessions:
        method = IcsMethod.CANCEL if Status(session.status) is Status.CANCELLED else IcsMethod.REQUEST
        for attendee in session.attendees:
            files[f"{session.key}/{attendee.key}.ics"] = invitation(
                session, attendee, method, host=host, stamp=stamp, language=language
            )
    return files


def _method(method: IcsMethod | str) -> IcsMethod:
    """REQUEST or CANCEL: the methods of a message to one attendee (PUBLISH is for feeds, which carry none)."""
    try:
        chosen = IcsMethod(str(method).upper())
    except ValueError:
        chosen = None
    if chosen not in (IcsMethod.REQUEST, IcsMethod.CANCEL):
        raise CalendarDataError("method", f"{str(method)!r} is not REQUEST or CANCEL")
    return chosen


def _event(
    session: CalendarSession,
    *,
    host: str,
    stamp: datetime,
    language: str,
    description: str,
    attendees: tuple[Attendee, ...] | None,
    with_status: bool = True,
) -> Event:
    if not isinstance(stamp, datetime) or stamp.tzinfo is None or stamp.utcoffset() is None:
        raise CalendarDataError("stamp", "must be a datetime with a time zone (from the injected clock)")
    event = Event()
    event.add("uid", uid(session, host))
    event.add("dtstamp", stamp.astimezone(UTC).replace(microsecond=0))
    event.add("dtstart", _written_time("start", session.start))
    event.add("dtend", _written_time("end", session.end))
    event.add("summary", clean_text(text.summary(session, language)))
    event.add("location", clean_text(session.venue.location))
    if session.venue.online_url:
        event.add("url", session.venue.online_url)
    event.add("description", vText(clean_text(description)))
    event.add("sequence", session.sequence)
    if with_status:
        event.add("status", Status(session.status).value)
    event.add("transp", "OPAQUE")
    if attendees is not None:
        event.add("organizer", _address(session.organizer, {}))
        for attendee in attendees:
            params = {
                "CUTYPE": "INDIVIDUAL",
                "ROLE": Role(attendee.role).value,
                "PARTSTAT": partstat(attendee.partstat),
                "RSVP": "TRUE" if attendee.rsvp else "FALSE",
            }
            event.add("attendee", _address(attendee, params))
    return event


def clean_text(value: str) -> str:
    """Text as iCalendar can carry it: line breaks as LF (escaped later), no other control characters."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def clean_parameter(value: str) -> str:
    """A name for CN that every reader takes literally: one line, no double quote (not allowed in a parameter),
    no caret (RFC 6868 escapes them with ^, which Outlook and vobject do not decode) and no backslash (some
    readers, icalendar among them, take it as an escape although parameters have none)."""
    literal = _CONTROL.sub("", value).replace('"', "'").replace("^", "").replace("\\", "/")
    return " ".join(literal.split())


def _written_time(field: str, moment: datetime) -> datetime:
    """Amsterdam wall-clock time, except in the repeated hour of the autumn switch: readers take a repeated
    wall time as its first occurrence (RFC 5545), so the second occurrence is written in UTC instead."""
    wall = local(field, moment)
    if wall.fold and wall.utcoffset() != wall.replace(fold=0).utcoffset():
        return wall.astimezone(UTC)
    return wall


def _address(person: Person | Attendee, params: dict[str, str]) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = clean_parameter(person.name)
    for key, value in params.items():
        address.params[key] = value
    return address


def _calendar(events: list[Event], *, method: IcsMethod | None = None, name: str | None = None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method is not None:
        calendar.add("method", str(method))
    if name is not None:
        calendar.add("name", clean_text(name))
        calendar.add("x-wr-calname", clean_text(name))
        calendar.add("x-wr-timezone", TZID)
        calendar.add("refresh-interval", _REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(_REFRESH))
    if events:
        calendar.add_component(vtimezone())
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()
