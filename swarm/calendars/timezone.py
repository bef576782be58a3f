"""The Europe/Amsterdam VTIMEZONE, written out by hand in the RRULE form.

Generated blocks (a list of one RDATE per transition, or rules guessed from a few years) have been seen an hour off
at the spring switch in some clients; the two-rule RRULE form is the one every client reads. The rule is the EU one
in force since 1996: summer time from the last Sunday of March, 02:00 CET, to the last Sunday of October, 03:00 CEST
(both 01:00 UTC). A test checks it hour by hour against the tz database (`zoneinfo`) around every switch.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

from swarm.calendars.model import CalendarDataError

TZID = "Europe/Amsterdam"
AMSTERDAM = ZoneInfo(TZID)

# The rule below describes Amsterdam from this year on; earlier years ended summer time in September.
FIRST_YEAR = 1996

_CET = timedelta(hours=1)
_CEST = timedelta(hours=2)


def vtimezone() -> Timezone:
    """The VTIMEZONE component for TZID Europe/Amsterdam (DTSTART in 1970 as Outlook and Apple write it)."""
    daylight = TimezoneDaylight()
    daylight.add("tzname", "CEST")
    daylight.add("tzoffsetfrom", _CET)
    daylight.add("tzoffsetto", _CEST)
    # DTSTART is local time before the switch: 1970-03-29 was the last Sunday of March.
    daylight.add("dtstart", datetime(1970, 3, 29, 2, 0, 0))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})

    standard = TimezoneStandard()
    standard.add("tzname", "CET")
    standard.add("tzoffsetfrom", _CEST)
    standard.add("tzoffsetto", _CET)
    standard.add("dtstart", datetime(1970, 10, 25, 3, 0, 0))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})

    timezone = Timezone()
    timezone.add("tzid", TZID)
    timezone.add_component(daylight)
    timezone.add_component(standard)
    return timezone


def local(field: str, moment: datetime) -> datetime:
    """`moment` as Amsterdam wall-clock time, refusing years the embedded rule does not describe."""
    wall = moment.astimezone(AMSTERDAM)
    if wall.year < FIRST_YEAR:
        raise CalendarDataError(
            field, f"{wall:%Y-%m-%d} is before {FIRST_YEAR}; the calendar's time zone rule starts then"
        )
    return wall
