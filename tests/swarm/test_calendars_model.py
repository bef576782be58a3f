"""Bad calendar input gets a clear message naming the field; web replies map onto PARTSTAT."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from swarm.calendars import (
    CalendarDataError,
    Change,
    ThemeTable,
    changes,
    feed,
    invitation,
    partstat,
)
from swarm.domain.enums import InvitationResponse
from tests.swarm.test_calendars_support import (
    GEERTJE,
    HOST,
    JEUGDZORG,
    OMER,
    OMGEVINGSWET,
    ONLINE,
    STAMP,
    ZOE,
    session,
)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("accept", "ACCEPTED"),
        ("Accept", "ACCEPTED"),
        ("maybe", "TENTATIVE"),
        ("decline", "DECLINED"),
    ],
)
def test_web_replies_map_to_partstat(reply, expected):
    assert partstat(InvitationResponse.from_reply(reply)) == expected


def test_an_unknown_reply_is_refused_by_name():
    assert InvitationResponse.from_reply("yes please") is None
    with pytest.raises(
        CalendarDataError,
        match="attendees\\[0\\].partstat: 'yes please' is not one of NEEDS-ACTION, ACCEPTED",
    ):
        session(attendees=(replace(OMER, partstat="yes please"),))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start": datetime(2027, 1, 12, 9)}, "start: must be a datetime with a time zone"),
        ({"end": datetime(2027, 1, 12, 8, tzinfo=session().start.tzinfo)}, "end: must be after start"),
        ({"key": "s 42"}, "key: 's 42' is not a stable id"),
        ({"title": "  "}, "title: must not be empty"),
        ({"sequence": -1}, "sequence: must be a whole number >= 0"),
        ({"status": "DONE"}, "status: 'DONE' is not one of CONFIRMED, TENTATIVE, CANCELLED"),
        ({"attendees": (GEERTJE, replace(OMER, email="geen-adres"))}, r"attendees\[1\].email: 'geen-adres' is not"),
        ({"attendees": (GEERTJE, replace(OMER, key=GEERTJE.key))}, r"attendees\[1\]: 'p-0001' appears twice"),
        (
            {"attendees": (GEERTJE, replace(OMER, email="GEERTJE@example.nl"))},
            r"attendees\[1\]: 'geertje@example.nl' appears twice \(also attendees\[0\]\)",
        ),
        (
            {"attendees": (replace(OMER, plan=(ThemeTable("Onbekend", "Aalten"),)),)},
            r"attendees\[0\].plan\[0\]: round 1: 'Onbekend' \(Aalten\) is not one of the session's tables",
        ),
        ({"attendees": (replace(OMER, role="BOSS"),)}, r"attendees\[0\].role: 'BOSS' is not one of CHAIR"),
        ({"start": datetime(1990, 1, 1, 9, tzinfo=session().start.tzinfo),
          "end": datetime(1990, 1, 1, 12, tzinfo=session().start.tzinfo)}, "start: 1990-01-01 is before 1996"),
    ],
)  # fmt: skip
def test_bad_sessions_are_refused_naming_the_field(changes, message):
    with pytest.raises(CalendarDataError, match=message):
        invitation(session(**changes), OMER, host=HOST, stamp=STAMP)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: invitation(session(), OMER, host="not a host", stamp=STAMP),
            "host: 'not a host' is not a host name",
        ),
        (
            lambda: invitation(session(), OMER, host=HOST, stamp=datetime(2027, 1, 1)),
            "stamp: must be a datetime",
        ),
        (lambda: invitation(session(), OMER, "PUBLISH", host=HOST, stamp=STAMP), "method: 'PUBLISH' is not"),
        (
            lambda: invitation(session(), OMER, host=HOST, stamp=STAMP, language="de"),
            "language: 'de' is not one of",
        ),
        (lambda: feed([session()], " ", host=HOST, stamp=STAMP), "name: must not be empty"),
        (
            lambda: feed([session()], "F", host=HOST, stamp=STAMP, attendee_key="p-9"),
            "attendee: 'p-9' is not an",
        ),
    ],
)
def test_bad_arguments_are_refused_naming_the_field(call, message):
    with pytest.raises(CalendarDataError, match=message):
        call()


def test_a_good_session_is_accepted_and_lists_become_tuples():
    from_lists = session(
        tables=[OMGEVINGSWET, JEUGDZORG],
        attendees=[replace(OMER, plan=list(OMER.plan), reasons=list(OMER.reasons)), GEERTJE],
    )
    assert from_lists.attendee(OMER.key) == OMER
    assert isinstance(from_lists.attendees, tuple) and isinstance(from_lists.tables, tuple)
    assert hash(from_lists) == hash(session(attendees=(OMER, GEERTJE)))


def test_changes_name_time_place_and_table_plan():
    base = session()
    assert changes(base, session()) == frozenset()
    assert changes(base, session(hours=(10, 12))) == {Change.TIME}
    assert changes(base, session(venue=ONLINE)) == {Change.PLACE}
    swapped = replace(OMER, plan=(OMGEVINGSWET, OMGEVINGSWET, JEUGDZORG))
    moved = session(attendees=(GEERTJE, swapped, ZOE))
    assert changes(base, moved) == {Change.TABLES}
    assert changes(base, moved, OMER.key) == {Change.TABLES}
    assert changes(base, moved, GEERTJE.key) == frozenset()  # Geertje's own plan stayed the same
    assert changes(base, session(attendees=(OMER, ZOE)), GEERTJE.key) == {Change.TABLES}  # taken off
    assert changes(base, session(sequence=5, title="Nieuwe titel")) == frozenset()


def test_the_calendars_speak_the_domains_method_vocabulary():
    """One METHOD vocabulary: the domain's IcsMethod, which the outbox stores, is what the calendars take."""
    import swarm.calendars as calendars
    from swarm.domain.enums import IcsMethod
    from swarm.mail import _METHOD

    assert not hasattr(calendars, "Method")
    assert {method for method in _METHOD.values() if method} == {IcsMethod.REQUEST, IcsMethod.CANCEL}
    assert all(type(method) is IcsMethod for method in _METHOD.values() if method)
    ics = invitation(session(), OMER, IcsMethod.REQUEST, host=HOST, stamp=STAMP)
    assert b"\r\nMETHOD:REQUEST\r\n" in ics
    with pytest.raises(CalendarDataError, match="method: 'PUBLISH' is not REQUEST or CANCEL"):
        invitation(session(), OMER, IcsMethod.PUBLISH, host=HOST, stamp=STAMP)
