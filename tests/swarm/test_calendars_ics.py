"""Invitations, CalDAV objects and feeds: what is in them, and that two independent parsers read them alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import vobject

from swarm.calendars import (
    Status,
    caldav_object,
    feed,
    invitation,
    invitation_files,
    uid,
)
from swarm.domain.enums import IcsMethod
from tests.swarm.test_calendars_support import GEERTJE, HOST, OMER, ONLINE, STAMP, ZOE, session


def parse(ics: bytes):
    """The calendar read by icalendar and by vobject (dateutil-based), which share no code."""
    return icalendar.Calendar.from_ical(ics), vobject.readOne(ics.decode("utf-8"))


def only_event(ics: bytes):
    by_icalendar, by_vobject = parse(ics)
    events = by_icalendar.walk("VEVENT")
    assert len(events) == 1 and len(by_vobject.vevent_list) == 1
    return events[0], by_vobject.vevent


def cn(attendee_line) -> str:
    return attendee_line.params["CN"][0]


def test_an_invitation_is_one_request_event_with_everything_a_client_needs():
    ics = invitation(session(sequence=3), GEERTJE, host=HOST, stamp=STAMP)
    calendar, _ = parse(ics)
    event, vevent = only_event(ics)

    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == "swarm-session-s-0042@swarm.example.nl"
    assert event.decoded("DTSTAMP") == STAMP
    assert b"DTSTART;TZID=Europe/Amsterdam:20270112T090000\r\n" in ics
    assert b"DTEND;TZID=Europe/Amsterdam:20270112T120000\r\n" in ics
    assert "DURATION" not in event
    assert str(event["SUMMARY"]) == "Zwermsessie: Achterhoek, ronde 1: wonen; zorg & werk"
    assert str(event["LOCATION"]) == "Cultuurhuis DRU, zaal 'De Smelterij', Hutteweg 24, 7071 BV Ulft"
    assert event["SEQUENCE"] == 3 and vevent.sequence.value == "3"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert vevent.organizer.value == "mailto:organisator@achterhoek.example.nl"
    assert cn(vevent.organizer) == "Anne-Marie Ëlberg"
    # Only the recipient and the organizer (who chairs) are attendees: nobody sees the other participants.
    attendees = {a.value: a.params for a in vevent.attendee_list}
    assert list(attendees) == ["mailto:geertje@example.nl", "mailto:organisator@achterhoek.example.nl"]
    assert attendees["mailto:geertje@example.nl"] == {
        "CN": ["Geertje van 't Hoff, MSc"],
        "CUTYPE": ["INDIVIDUAL"],
        "ROLE": ["REQ-PARTICIPANT"],
        "PARTSTAT": ["NEEDS-ACTION"],
        "RSVP": ["TRUE"],
    }
    assert attendees["mailto:organisator@achterhoek.example.nl"] == {
        "CN": ["Anne-Marie Ëlberg"],
        "CUTYPE": ["INDIVIDUAL"],
        "ROLE": ["CHAIR"],
        "PARTSTAT": ["ACCEPTED"],
        "RSVP": ["FALSE"],
    }


def test_an_attendees_own_role_answer_and_rsvp_are_in_their_invitation():
    attendees = {
        a.value: a.params
        for a in only_event(invitation(session(), ZOE, host=HOST, stamp=STAMP))[1].attendee_list
    }
    assert attendees["mailto:zoe@example.be"] == {
        "CN": ["Zoë D'Hondt-Ruíz"],
        "CUTYPE": ["INDIVIDUAL"],
        "ROLE": ["OPT-PARTICIPANT"],
        "PARTSTAT": ["TENTATIVE"],
        "RSVP": ["FALSE"],
    }
    omer = only_event(invitation(session(), OMER, host=HOST, stamp=STAMP))[1].attendee_list[0]
    assert omer.value == "mailto:omer.celik@example.nl" and omer.params["PARTSTAT"] == ["ACCEPTED"]


OTHERS = {GEERTJE.key: (OMER, ZOE), OMER.key: (GEERTJE, ZOE), ZOE.key: (GEERTJE, OMER)}


def names_and_addresses(ics: bytes) -> str:
    return ics.replace(b"\r\n ", b"").decode("utf-8")


@pytest.mark.parametrize("person", [GEERTJE, OMER, ZOE], ids=lambda p: p.key)
def test_no_message_to_a_professional_shows_another_participant(person):
    """Privacy (AVG): a REQUEST, an update, a CANCEL of the session and a CANCEL to someone taken off name the
    organizer and the recipient only; the UID and SEQUENCE stay those of the session."""
    messages = [
        invitation(session(), person, host=HOST, stamp=STAMP),
        invitation(session(sequence=4), person, IcsMethod.REQUEST, host=HOST, stamp=STAMP),
        invitation(
            session(sequence=5, status=Status.CANCELLED), person, IcsMethod.CANCEL, host=HOST, stamp=STAMP
        ),
        invitation(
            session(sequence=6, attendees=OTHERS[person.key]),
            person,
            IcsMethod.CANCEL,
            host=HOST,
            stamp=STAMP,
        ),
    ]
    for number, ics in enumerate(messages):
        event, vevent = only_event(ics)
        assert [a.value for a in vevent.attendee_list] == [
            f"mailto:{person.email}",
            "mailto:organisator@achterhoek.example.nl",
        ]
        assert str(event["UID"]) == "swarm-session-s-0042@swarm.example.nl"
        assert event["SEQUENCE"] == [0, 4, 5, 6][number]
        written = names_and_addresses(ics)
        for other in OTHERS[person.key]:
            assert other.email not in written and other.name not in written


def test_the_description_is_the_attendees_own_table_plan_and_reasons():
    description = only_event(invitation(session(), GEERTJE, host=HOST, stamp=STAMP))[1].description.value
    assert description == "\n".join(
        [
            "Zwermsessie: Achterhoek, ronde 1: wonen; zorg & werk",
            "dinsdag 12 januari 2027, 09:00–12:00",
            "Locatie: Cultuurhuis DRU, zaal 'De Smelterij', Hutteweg 24, 7071 BV Ulft",
            "",
            "Uw tafelindeling:",
            "Ronde 1: Omgevingswet: participatie; wie praat mee? (Oude IJsselstreek)",
            "Ronde 2: Jeugdzorg, wachtlijsten \\ doorlooptijden (Aalten)",
            "Ronde 3: Omgevingswet: participatie; wie praat mee? (Oude IJsselstreek)",
            "",
            "Waarom u bent uitgenodigd:",
            "- Omgevingsrecht op niveau 3; de tafel vraagt niveau 2",
            "- Woont 12 km van Ulft (grens: 30 km)",
            "- Twee uitnodigingen in het afgelopen jaar, dus voorrang; loting bij gelijke stand",
            "",
            "Organisator: Anne-Marie Ëlberg <organisator@achterhoek.example.nl>",
        ]
    )
    omer = only_event(invitation(session(), OMER, host=HOST, stamp=STAMP))[1].description.value
    assert "Ronde 1: Jeugdzorg, wachtlijsten \\ doorlooptijden (Aalten)" in omer
    assert "Omgevingsrecht" not in omer  # nobody else's reasons


def test_english_on_request():
    description = only_event(invitation(session(), OMER, host=HOST, stamp=STAMP, language="en"))[
        1
    ].description.value
    assert description.startswith("Swarm session: Achterhoek")
    assert "Tuesday 12 January 2027, 09:00–12:00" in description
    assert "Round 2: Omgevingswet" in description and "Why you were invited:" in description


@pytest.mark.parametrize("person", [GEERTJE, OMER, ZOE], ids=lambda p: p.key)
def test_names_with_diacritics_apostrophes_and_commas_are_quoted_and_read_back_whole(person):
    ics = invitation(session(), person, host=HOST, stamp=STAMP)
    unfolded = ics.replace(b"\r\n ", b"")
    assert f'CN="{person.name}"'.encode() in unfolded
    event, vevent = only_event(ics)
    by_icalendar = {str(a): a.params["CN"] for a in event["ATTENDEE"]}
    by_vobject = {a.value: cn(a) for a in vevent.attendee_list}
    assert by_icalendar[f"mailto:{person.email}"] == person.name
    assert by_vobject[f"mailto:{person.email}"] == person.name


def test_commas_semicolons_backslashes_and_line_breaks_are_escaped_and_survive_both_parsers():
    ics = invitation(session(), GEERTJE, host=HOST, stamp=STAMP)
    unfolded = ics.replace(b"\r\n ", b"")
    assert b"Omgevingswet: participatie\\; wie praat mee?" in unfolded
    assert b"Jeugdzorg\\, wachtlijsten \\\\ doorlooptijden" in unfolded
    assert b"\\n\\nUw tafelindeling:\\n" in unfolded
    event, vevent = only_event(ics)
    assert str(event["DESCRIPTION"]) == vevent.description.value
    assert "wachtlijsten \\ doorlooptijden" in vevent.description.value


def test_lines_end_in_crlf_and_are_folded_at_75_octets_without_splitting_a_character():
    long_reason = "Ervaring met ‘samen­werking’ in Ĳsselmuiden, Zoë’s café; één, twee; drie\\vier. " * 12
    person = replace(GEERTJE, reasons=(long_reason,))
    ics = invitation(session(attendees=(person,)), person, host=HOST, stamp=STAMP)

    assert ics.endswith(b"\r\n")
    assert b"\n" not in ics.replace(b"\r\n", b"") and b"\r" not in ics.replace(b"\r\n", b"")
    lines = ics.split(b"\r\n")[:-1]
    assert sum(line.startswith(b" ") for line in lines) > 10  # the long text really was folded
    for line in lines:
        assert len(line) <= 75, line
        line.decode("utf-8")  # no multi-byte character cut in two
    assert f"- {long_reason}\n" in vobject.readOne(ics.decode()).vevent.description.value


@pytest.mark.parametrize(
    ("day", "hours", "utc_start", "utc_end"),
    [
        # Spring: 02:00 CET jumps to 03:00 CEST; a 01:00-04:00 session lasts two hours.
        ((2027, 3, 28), (1, 4), datetime(2027, 3, 28, 0, tzinfo=UTC), datetime(2027, 3, 28, 2, tzinfo=UTC)),
        ((2027, 3, 28), (9, 12), datetime(2027, 3, 28, 7, tzinfo=UTC), datetime(2027, 3, 28, 10, tzinfo=UTC)),
        # Autumn: 03:00 CEST falls back to 02:00 CET; a 01:00-04:00 session lasts four hours.
        (
            (2027, 10, 31),
            (1, 4),
            datetime(2027, 10, 30, 23, tzinfo=UTC),
            datetime(2027, 10, 31, 3, tzinfo=UTC),
        ),
        (
            (2027, 10, 31),
            (9, 12),
            datetime(2027, 10, 31, 8, tzinfo=UTC),
            datetime(2027, 10, 31, 11, tzinfo=UTC),
        ),
        ((2027, 3, 27), (9, 12), datetime(2027, 3, 27, 8, tzinfo=UTC), datetime(2027, 3, 27, 11, tzinfo=UTC)),
    ],
)
def test_sessions_on_the_days_of_the_switches_keep_their_local_times(day, hours, utc_start, utc_end):
    ics = invitation(session(day=day, hours=hours), OMER, host=HOST, stamp=STAMP)
    y, m, d = day
    assert f"DTSTART;TZID=Europe/Amsterdam:{y}{m:02}{d:02}T{hours[0]:02}0000\r\n".encode() in ics
    assert f"DTEND;TZID=Europe/Amsterdam:{y}{m:02}{d:02}T{hours[1]:02}0000\r\n".encode() in ics
    event, vevent = only_event(ics)
    assert vevent.dtstart.value == utc_start and vevent.dtend.value == utc_end
    assert vevent.dtstart.value.utcoffset() == utc_start.astimezone(session().start.tzinfo).utcoffset()
    assert event.decoded("DTSTART") == utc_start and event.decoded("DTEND") == utc_end


def test_a_session_given_in_utc_is_still_written_in_amsterdam_time():
    start = datetime(2027, 6, 1, 7, tzinfo=UTC)
    ics = invitation(session(start=start, end=start + timedelta(hours=3)), OMER, host=HOST, stamp=STAMP)
    assert b"DTSTART;TZID=Europe/Amsterdam:20270601T090000\r\n" in ics


def test_the_uid_is_stable_across_exports_attendees_and_changes_but_differs_per_session():
    first = only_event(invitation(session(), GEERTJE, host=HOST, stamp=STAMP))[0]
    later = only_event(
        invitation(session(sequence=4, venue=ONLINE), OMER, host=HOST, stamp=STAMP + timedelta(days=30))
    )[0]
    other = only_event(invitation(session("s-0043"), GEERTJE, host=HOST, stamp=STAMP))[0]
    assert first["UID"] == later["UID"] == uid(session(), HOST) != other["UID"]
    assert first.decoded("DTSTAMP") != later.decoded("DTSTAMP")
    assert invitation(session(), GEERTJE, host=HOST, stamp=STAMP) == invitation(
        session(), GEERTJE, host=HOST, stamp=STAMP
    )


def test_an_online_session_has_the_link_as_location_and_url():
    event, vevent = only_event(invitation(session(venue=ONLINE), ZOE, host=HOST, stamp=STAMP))
    assert vevent.location.value == ONLINE.online_url == str(event["URL"])
    assert f"Online: {ONLINE.online_url}" in vevent.description.value


def test_a_cancelled_session_is_a_cancel_to_each_participant_with_status_cancelled():
    cancelled = session(sequence=2, status=Status.CANCELLED)
    ics = invitation(cancelled, OMER, "CANCEL", host=HOST, stamp=STAMP)
    calendar, _ = parse(ics)
    event, vevent = only_event(ics)
    assert calendar["METHOD"] == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert [a.value for a in vevent.attendee_list] == [
        "mailto:omer.celik@example.nl",
        "mailto:organisator@achterhoek.example.nl",
    ]
    assert event["SEQUENCE"] == 2
    assert vevent.description.value.startswith("Deze zwermsessie gaat niet door.")
    with pytest.raises(ValueError, match="method: a cancelled session is announced with CANCEL"):
        invitation(cancelled, OMER, IcsMethod.REQUEST, host=HOST, stamp=STAMP)


def test_a_participant_taken_off_gets_a_cancel_naming_only_them_and_the_organizer():
    after = session(sequence=5, attendees=(OMER, ZOE))
    ics = invitation(after, GEERTJE, IcsMethod.CANCEL, host=HOST, stamp=STAMP)
    calendar, _ = parse(ics)
    event, vevent = only_event(ics)
    assert calendar["METHOD"] == "CANCEL" and "STATUS" not in event
    assert [a.value for a in vevent.attendee_list] == [
        "mailto:geertje@example.nl",
        "mailto:organisator@achterhoek.example.nl",
    ]
    assert event["UID"] == uid(after, HOST) and event["SEQUENCE"] == 5
    assert "niet meer op de deelnemerslijst" in vevent.description.value


def test_a_request_for_someone_not_in_the_session_is_refused():
    with pytest.raises(ValueError, match="attendee: 'p-0001' is not an attendee of session 's-0042'"):
        invitation(session(attendees=(OMER,)), GEERTJE, host=HOST, stamp=STAMP)


def test_a_caldav_object_has_no_method_and_the_public_or_personal_description():
    public = caldav_object(session(), host=HOST, stamp=STAMP)
    personal = caldav_object(session(), OMER, host=HOST, stamp=STAMP)
    for ics in (public, personal):
        calendar, _ = parse(ics)
        assert "METHOD" not in calendar and b"METHOD" not in ics
    # The organizer's (public) object lists every participant; a professional's own lists them and the organizer.
    assert len(only_event(public)[1].attendee_list) == 3
    assert [a.value for a in only_event(personal)[1].attendee_list] == [
        "mailto:omer.celik@example.nl",
        "mailto:organisator@achterhoek.example.nl",
    ]
    assert "- Jeugdzorg, wachtlijsten \\ doorlooptijden (Aalten)" in only_event(public)[1].description.value
    assert "Ronde 1: Jeugdzorg" in only_event(personal)[1].description.value


def test_a_feed_has_every_session_but_no_method_people_or_private_data():
    sessions = [
        session("s-2", day=(2027, 2, 2)),
        session("s-1", venue=ONLINE),
        session("s-3", status=Status.CANCELLED),
    ]
    ics = feed(sessions, "Zwermsessies Achterhoek", host=HOST, stamp=STAMP)
    calendar, by_vobject = parse(ics)
    assert "METHOD" not in calendar and calendar["X-WR-CALNAME"] == "Zwermsessies Achterhoek"
    assert [str(e["UID"]).split("@")[0] for e in calendar.walk("VEVENT")] == [
        "swarm-session-s-1",
        "swarm-session-s-3",
        "swarm-session-s-2",
    ]
    assert [e.status.value for e in by_vobject.vevent_list] == ["CONFIRMED", "CANCELLED", "CONFIRMED"]
    assert b"ATTENDEE" not in ics and b"ORGANIZER" not in ics and b"@example" not in ics
    assert b"niveau" not in ics and b"Omer" not in ics.replace(b"\r\n ", b"")


def test_a_professionals_feed_shows_their_own_tables_but_not_the_reasons():
    ics = feed([session()], "Mijn zwermsessies", host=HOST, stamp=STAMP, attendee_key=GEERTJE.key)
    description = only_event(ics)[1].description.value
    assert "Ronde 2: Jeugdzorg, wachtlijsten \\ doorlooptijden (Aalten)" in description
    assert "Waarom" not in description and "@" not in description


def test_the_feed_refresh_hints_are_durations():
    ics = feed([session()], "F", host=HOST, stamp=STAMP)
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in ics
    assert icalendar.Calendar.from_ical(ics).decoded("REFRESH-INTERVAL") == timedelta(hours=1)


def test_partstat_default_is_needs_action():
    event = only_event(invitation(session(), GEERTJE, host=HOST, stamp=STAMP))[0]
    partstats = {str(a): a.params["PARTSTAT"] for a in event["ATTENDEE"]}
    assert partstats["mailto:organisator@achterhoek.example.nl"] == "ACCEPTED"
    assert partstats["mailto:geertje@example.nl"] == "NEEDS-ACTION"


def test_lower_case_keywords_from_the_database_are_written_in_upper_case():
    from_database = replace(OMER, partstat="declined", role="opt-participant")
    ics = invitation(session(attendees=(from_database,), status="confirmed"), OMER, host=HOST, stamp=STAMP)
    ics = ics.replace(b"\r\n ", b"")
    assert b"PARTSTAT=DECLINED" in ics and b"ROLE=OPT-PARTICIPANT" in ics and b"STATUS:CONFIRMED" in ics


def test_the_export_has_one_file_per_session_and_attendee():
    files = invitation_files(
        [session("s-1"), session("s-2", attendees=(OMER,), status=Status.CANCELLED)], host=HOST, stamp=STAMP
    )
    assert sorted(files) == ["s-1/p-0001.ics", "s-1/p-0002.ics", "s-1/p-0003.ics", "s-2/p-0002.ics"]
    assert files["s-1/p-0002.ics"] == invitation(session("s-1"), OMER, host=HOST, stamp=STAMP)
    assert b"\r\nMETHOD:CANCEL\r\n" in files["s-2/p-0002.ics"]
