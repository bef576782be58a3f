"""Calendars for published swarm sessions: pure functions from plain dataclasses to iCalendar bytes.

No database and no Flask here: the services map their rows onto `CalendarSession` and friends. An invitation's
METHOD is the domain's `swarm.domain.enums.IcsMethod` (REQUEST or CANCEL); an attendee's PARTSTAT is the domain's
`InvitationResponse` in upper case (`partstat`).
"""

from swarm.calendars.ics import PRODID, caldav_object, feed, invitation, invitation_files, uid
from swarm.calendars.model import (
    Attendee,
    CalendarDataError,
    CalendarSession,
    Change,
    Person,
    Role,
    Status,
    ThemeTable,
    Venue,
    changes,
    partstat,
)
from swarm.calendars.timezone import AMSTERDAM, TZID, vtimezone

__all__ = [
    "AMSTERDAM",
    "PRODID",
    "TZID",
    "Attendee",
    "CalendarDataError",
    "CalendarSession",
    "Change",
    "Person",
    "Role",
    "Status",
    "ThemeTable",
    "Venue",
    "caldav_object",
    "changes",
    "feed",
    "invitation",
    "invitation_files",
    "partstat",
    "uid",
    "vtimezone",
]
