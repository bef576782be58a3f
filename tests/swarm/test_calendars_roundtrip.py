"""Property: whatever names, titles, reasons and times come in, both parsers read back exactly what went in,
and every line is CRLF-terminated, at most 75 octets and valid UTF-8 on its own."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from swarm.calendars import Attendee, ThemeTable, Venue, caldav_object, invitation
from swarm.calendars.ics import clean_parameter, clean_text
from tests.swarm.test_calendars_support import HOST, OMER, STAMP, session

# Text of every script with the characters that need care in iCalendar, in mail headers and in folding:
# separators and quotes, backslash, caret, line breaks of all kinds, tabs and other control characters,
# combining marks and four-octet characters.
TRICKY = st.sampled_from(list(",;:\\'\"^\n\r\t\x00\x1b ") + ["é", "Ĳ", "ß", "\u0301", "😀", "𝔸", "\u00ad"])
CHARACTERS = st.one_of(st.characters(categories=("L", "M", "N", "P", "S", "Zs")), TRICKY)
names = st.text(CHARACTERS, min_size=1, max_size=40).filter(lambda s: clean_parameter(s) != "" and s.strip())
texts = st.text(CHARACTERS, min_size=1, max_size=300).filter(lambda s: s.strip())
starts = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
).map(lambda moment: moment.replace(second=0, microsecond=0))
durations = st.integers(min_value=15, max_value=10 * 60).map(lambda minutes: timedelta(minutes=minutes))


def check_lines(ics: bytes) -> None:
    assert ics.endswith(b"\r\n")
    lines = ics.split(b"\r\n")[:-1]
    for line in lines:
        assert b"\r" not in line and b"\n" not in line
        assert len(line) <= 75
        line.decode("utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=names, title=texts, question=texts, reason=texts, place=texts, start=starts, duration=durations)
def test_both_parsers_read_back_exactly_what_went_in(name, title, question, reason, place, start, duration):
    table = ThemeTable(question, "Winterswijk")
    person = Attendee(key="p-1", name=name, email="p1@example.nl", plan=(table, table), reasons=(reason,))
    calendar_session = session(
        title=title,
        start=start,
        end=start + duration,
        venue=Venue(place, "Markt 1, Winterswijk"),
        tables=(table,),
        attendees=(person, replace(OMER, plan=(table, table))),
    )
    for ics, private in (
        (invitation(calendar_session, person, host=HOST, stamp=STAMP), True),
        (caldav_object(calendar_session, host=HOST, stamp=STAMP), False),
    ):
        check_lines(ics)
        by_icalendar = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
        by_vobject = vobject.readOne(ics.decode("utf-8")).vevent
        for event_start, event_end in (
            (by_icalendar.decoded("DTSTART"), by_icalendar.decoded("DTEND")),
            (by_vobject.dtstart.value, by_vobject.dtend.value),
        ):
            assert event_start.astimezone(UTC) == start and event_end.astimezone(UTC) == start + duration
        assert str(by_icalendar["SUMMARY"]) == by_vobject.summary.value == clean_text(f"Zwermsessie: {title}")
        assert str(by_icalendar["DESCRIPTION"]) == by_vobject.description.value
        assert clean_text(question) in by_vobject.description.value
        if private:
            assert f"- {clean_text(reason)}" in by_vobject.description.value
        location = clean_text(f"{place}, Markt 1, Winterswijk")
        assert str(by_icalendar["LOCATION"]) == by_vobject.location.value == location
        assert [a.params["CN"] for a in by_icalendar["ATTENDEE"]][0] == clean_parameter(name)
        assert by_vobject.attendee_list[0].params["CN"][0] == clean_parameter(name)


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("Geertje van 't Hoff, MSc", "Geertje van 't Hoff, MSc"),
        ('Jan "Sjaak" de Vries', "Jan 'Sjaak' de Vries"),
        ("Ann^e\r\n  de\tVries\x00", "Anne de Vries"),
        ("Sales\\Noord, Ĳsbrand", "Sales/Noord, Ĳsbrand"),
    ],
)
def test_names_are_written_as_one_line_that_every_reader_takes_literally(name, written):
    ics = invitation(session(attendees=(replace(OMER, name=name),)), OMER, host=HOST, stamp=STAMP)
    assert vobject.readOne(ics.decode()).vevent.attendee.params["CN"] == [written]
    assert icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]["ATTENDEE"][0].params["CN"] == written


def test_line_breaks_of_every_kind_become_one_and_control_characters_go():
    assert clean_text("a\r\nb\rc\nd\te\x00\x1bf") == "a\nb\nc\nd\tef"
