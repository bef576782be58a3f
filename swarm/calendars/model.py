"""The plain, frozen data a calendar is made from; no database, no Flask.

The services map their rows onto these dataclasses, so every function in this package stays pure:
the same session, host and stamp always give the same bytes. The iTIP METHOD is the domain's ``IcsMethod`` and an
attendee's answer the domain's ``InvitationResponse`` (``swarm.domain`` is plain enums and rules, importable from
anywhere, and the database stores those same enums); :func:`partstat` is the one place an answer becomes PARTSTAT.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from swarm.domain.enums import InvitationResponse


class CalendarDataError(ValueError):
    """Bad input for a calendar, naming the field: `attendees[2].email: ...`."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class _IcsEnum(StrEnum):
    """An iCalendar keyword; also found by its lower-case spelling, as the database stores PARTSTAT."""

    @classmethod
    def _missing_(cls, value: object):
        if isinstance(value, str):
            return next((member for member in cls if member.value == value.upper()), None)
        return None


class Role(_IcsEnum):
    """RFC 5545 ROLE of an attendee."""

    CHAIR = "CHAIR"
    REQUIRED = "REQ-PARTICIPANT"
    OPTIONAL = "OPT-PARTICIPANT"
    NON_PARTICIPANT = "NON-PARTICIPANT"


class Status(_IcsEnum):
    """RFC 5545 STATUS of an event."""

    CONFIRMED = "CONFIRMED"
    TENTATIVE = "TENTATIVE"
    CANCELLED = "CANCELLED"


def partstat(response: InvitationResponse | str) -> str:
    """RFC 5545 PARTSTAT of an answer: the domain's ``InvitationResponse`` (either case) in upper case."""
    return InvitationResponse(str(response).lower()).value.upper()


class Change(StrEnum):
    """A change to a published session that calls for an update with a higher SEQUENCE."""

    TIME = "time"
    PLACE = "place"
    TABLES = "tables"


@dataclass(frozen=True)
class Person:
    """Someone with a name and an address, e.g. the region's organizer."""

    name: str
    email: str


@dataclass(frozen=True)
class ThemeTable:
    """One theme table of a session: the question discussed there and the municipality that brought it."""

    question: str
    municipality: str


@dataclass(frozen=True)
class Attendee:
    """A participant of a session, with their own table plan and the reasons they were invited.

    `key` is a stable id (e.g. the professional's id); `plan[k]` is the table they sit at in round k + 1.
    """

    key: str
    name: str
    email: str
    role: Role = Role.REQUIRED
    partstat: InvitationResponse = InvitationResponse.NEEDS_ACTION
    rsvp: bool = True
    plan: tuple[ThemeTable, ...] = ()
    reasons: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "plan", tuple(self.plan))
        object.__setattr__(self, "reasons", tuple(self.reasons))


@dataclass(frozen=True)
class Venue:
    """Where a session takes place: a named place with an address, or an online meeting link."""

    name: str
    address: str = ""
    online_url: str = ""

    @property
    def location(self) -> str:
        """The text for LOCATION: the link of an online session, else the name and address."""
        if self.online_url:
            return self.online_url
        return ", ".join(part for part in (self.name, self.address) if part)


@dataclass(frozen=True)
class CalendarSession:
    """A published swarm session as calendars see it.

    `key` is the session's stable id; the event's UID is derived from it, so it never changes between
    exports. `sequence` goes up on every change of time, place or table plan (the services count it).
    """

    key: str
    title: str
    start: datetime
    end: datetime
    venue: Venue
    organizer: Person
    tables: tuple[ThemeTable, ...] = ()
    attendees: tuple[Attendee, ...] = ()
    sequence: int = 0
    status: Status = Status.CONFIRMED

    def __post_init__(self) -> None:
        # Lists from the services become tuples, so sessions stay immutable and hashable.
        object.__setattr__(self, "tables", tuple(self.tables))
        object.__setattr__(self, "attendees", tuple(self.attendees))
        check_session(self)

    def attendee(self, key: str) -> Attendee:
        for attendee in self.attendees:
            if attendee.key == key:
                return attendee
        raise CalendarDataError("attendee", f"{key!r} is not an attendee of session {self.key!r}")


def changes(old: CalendarSession, new: CalendarSession, attendee_key: str | None = None) -> frozenset[Change]:
    """What changed between two versions of a session: its time, its place, or its table plan (with
    `attendee_key`: that person's own plan, to decide who gets an update). Empty: no new SEQUENCE needed."""
    found = set()
    if (old.start, old.end) != (new.start, new.end):
        found.add(Change.TIME)
    if old.venue != new.venue:
        found.add(Change.PLACE)
    if attendee_key is None:
        plans_old = {a.key: a.plan for a in old.attendees}
        plans_new = {a.key: a.plan for a in new.attendees}
        if old.tables != new.tables or plans_old != plans_new:
            found.add(Change.TABLES)
    elif _plan_of(old, attendee_key) != _plan_of(new, attendee_key):
        found.add(Change.TABLES)
    return frozenset(found)


def _plan_of(session: CalendarSession, key: str) -> tuple[ThemeTable, ...]:
    return next((a.plan for a in session.attendees if a.key == key), ())


_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")


def check_key(field: str, key: str) -> None:
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise CalendarDataError(field, f"{key!r} is not a stable id (letters, digits, '.', '_', '-')")


def _check_text(field: str, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise CalendarDataError(field, "must not be empty")


def _check_email(field: str, value: str) -> None:
    if not isinstance(value, str) or not _EMAIL.fullmatch(value):
        raise CalendarDataError(field, f"{value!r} is not an email address")


def _check_aware(field: str, value: datetime) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise CalendarDataError(field, "must be a datetime with a time zone (naive times are ambiguous)")


def _check_enum(field: str, enum: type[StrEnum], value: str) -> None:
    try:
        enum(value)
    except ValueError:
        choices = ", ".join(member.value for member in enum)
        raise CalendarDataError(field, f"{value!r} is not one of {choices}") from None


def check_attendee(field: str, attendee: Attendee, tables: tuple[ThemeTable, ...]) -> None:
    check_key(f"{field}.key", attendee.key)
    _check_text(f"{field}.name", attendee.name)
    _check_email(f"{field}.email", attendee.email)
    _check_enum(f"{field}.role", Role, attendee.role)
    try:
        partstat(attendee.partstat)
    except ValueError:
        choices = ", ".join(partstat(member) for member in InvitationResponse)
        raise CalendarDataError(
            f"{field}.partstat", f"{attendee.partstat!r} is not one of {choices}"
        ) from None
    for number, table in enumerate(attendee.plan, start=1):
        if table not in tables:
            raise CalendarDataError(
                f"{field}.plan[{number - 1}]",
                f"round {number}: {table.question!r} ({table.municipality}) is not one of the session's tables",
            )


def check_session(session: CalendarSession) -> None:
    check_key("key", session.key)
    _check_text("title", session.title)
    _check_aware("start", session.start)
    _check_aware("end", session.end)
    if session.end <= session.start:
        raise CalendarDataError("end", "must be after start")
    if not (session.venue.online_url or session.venue.name.strip()):
        raise CalendarDataError("venue", "needs a name or an online link")
    _check_text("organizer.name", session.organizer.name)
    _check_email("organizer.email", session.organizer.email)
    if not isinstance(session.sequence, int) or session.sequence < 0:
        raise CalendarDataError("sequence", "must be a whole number >= 0")
    _check_enum("status", Status, session.status)
    seen: dict[str, str] = {}
    for index, attendee in enumerate(session.attendees):
        field = f"attendees[{index}]"
        check_attendee(field, attendee, session.tables)
        for value in (attendee.key, attendee.email.lower()):
            if value in seen:
                raise CalendarDataError(field, f"{value!r} appears twice (also {seen[value]})")
            seen[value] = field
