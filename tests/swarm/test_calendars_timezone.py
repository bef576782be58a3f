"""The hand-written Europe/Amsterdam VTIMEZONE agrees with the tz database at every switch we schedule in.

The VTIMEZONE is read back by vobject (dateutil's tzical, no code shared with icalendar) and by icalendar, and
each reading is compared with `zoneinfo` at every quarter hour around every switch of 2025-2030.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

import pytest
import vobject
from icalendar import Timezone

from swarm.calendars import AMSTERDAM, invitation, vtimezone
from tests.swarm.test_calendars_support import HOST, OMER, STAMP, session

YEARS = range(2025, 2031)
STEP = timedelta(minutes=15)


def switches(years=YEARS) -> list[datetime]:
    """The UTC instants at which Amsterdam's offset changes, found in the tz database hour by hour."""
    found = []
    moment = datetime(years[0], 1, 1, tzinfo=UTC)
    end = datetime(years[-1] + 1, 1, 1, tzinfo=UTC)
    while moment < end:
        after = moment + timedelta(hours=1)
        if moment.astimezone(AMSTERDAM).utcoffset() != after.astimezone(AMSTERDAM).utcoffset():
            found.append(after)
        moment = after
    return found


def read_by_vobject(component: Timezone) -> tzinfo:
    text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + component.to_ical().decode() + "END:VCALENDAR\r\n"
    return vobject.readOne(text).vtimezone.gettzinfo()


def read_by_icalendar(component: Timezone) -> tzinfo:
    return Timezone.from_ical(component.to_ical()).to_tz()


def disagreements(read: tzinfo, years=YEARS) -> list[str]:
    """Every instant and wall-clock time near a switch where `read` gives another offset than zoneinfo."""
    wrong = []
    for switch in switches(years):
        for step in range(-24, 25):  # six hours either side
            instant = switch + step * STEP
            expected = instant.astimezone(AMSTERDAM)
            got = instant.astimezone(read)
            if got.utcoffset() != expected.utcoffset() or got.replace(tzinfo=None) != expected.replace(
                tzinfo=None
            ):
                wrong.append(f"{instant:%Y-%m-%d %H:%M}Z: {got} != {expected}")
        day = switch.astimezone(AMSTERDAM).replace(hour=0, minute=0, tzinfo=None)
        for step in range(24 * 4):
            wall = day + step * STEP
            first, second = wall.replace(tzinfo=AMSTERDAM), wall.replace(tzinfo=AMSTERDAM, fold=1)
            if first.utcoffset() != second.utcoffset():
                continue  # in the gap or the repeated hour; those are never written as wall time (see below)
            if wall.replace(tzinfo=read).utcoffset() != first.utcoffset():
                wrong.append(
                    f"{wall:%Y-%m-%d %H:%M} local: {wall.replace(tzinfo=read).utcoffset()} != {first.utcoffset()}"
                )
    return wrong


def test_the_tz_database_has_two_switches_a_year_on_the_last_sundays_of_march_and_october():
    found = switches()
    assert len(found) == 2 * len(YEARS)
    assert {(s.month, s.weekday(), s.hour) for s in found} == {(3, 6, 1), (10, 6, 1)}
    assert datetime(2027, 3, 28, 1, tzinfo=UTC) in found and datetime(2027, 10, 31, 1, tzinfo=UTC) in found


@pytest.mark.parametrize("read", [read_by_vobject, read_by_icalendar], ids=["vobject", "icalendar"])
def test_the_vtimezone_agrees_with_zoneinfo_around_every_switch_of_2025_to_2030(read):
    assert disagreements(read(vtimezone())) == []


def test_the_vtimezone_still_agrees_in_later_years():
    assert disagreements(read_by_vobject(vtimezone()), range(2031, 2041)) == []


def test_the_check_catches_a_block_an_hour_off_at_the_spring_switch():
    broken = vtimezone()
    daylight = broken.walk("DAYLIGHT")[0]
    daylight.pop("DTSTART")
    daylight.add("dtstart", datetime(1970, 3, 29, 3, 0, 0))  # switch at 03:00 local instead of 02:00
    wrong = disagreements(read_by_vobject(broken))
    assert wrong and all("-03-" in line for line in wrong)


def test_the_vtimezone_is_in_the_two_rule_rrule_form():
    text = vtimezone().to_ical().decode()
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n" in text
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n" in text
    assert (
        "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200" in text and "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100" in text
    )
    assert "RDATE" not in text and text.count("DTSTART:1970") == 2


def test_a_start_in_the_repeated_autumn_hour_is_written_in_utc_so_no_reader_picks_the_wrong_one():
    second_two_thirty = datetime(
        2027, 10, 31, 1, 30, tzinfo=UTC
    )  # 02:30 CET, after 02:30 CEST an hour before
    first_two_thirty = datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    for start in (first_two_thirty, second_two_thirty):
        ics = invitation(session(start=start, end=start + timedelta(hours=2)), OMER, host=HOST, stamp=STAMP)
        # (aware datetimes in a repeated hour never compare equal across zones, PEP 495; compare in UTC)
        assert vobject.readOne(ics.decode()).vevent.dtstart.value.astimezone(UTC) == start
    late = invitation(
        session(start=second_two_thirty, end=second_two_thirty + timedelta(hours=2)),
        OMER,
        host=HOST,
        stamp=STAMP,
    )
    assert b"DTSTART:20271031T013000Z\r\n" in late
    assert b"DTEND;TZID=Europe/Amsterdam:20271031T043000\r\n" in late
