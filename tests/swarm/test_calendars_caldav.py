"""Every kind of generated calendar object is accepted by a real CalDAV server (Radicale on loopback) and comes
back from a time-range query with the same UID and start."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
import vobject

from swarm.calendars import Status, caldav_object, uid
from tests.swarm.test_calendars_support import GEERTJE, HOST, OMER, ONLINE, STAMP, CalDav, radicale, session

__all__ = ["radicale"]  # the fixture, imported for pytest

NS = {"d": "DAV:", "c": "urn:ietf:params:xml:ns:caldav"}

MKCALENDAR = b"""<?xml version="1.0" encoding="utf-8"?>
<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:set><d:prop><d:displayname>Zwermsessies</d:displayname>
    <c:supported-calendar-component-set><c:comp name="VEVENT"/></c:supported-calendar-component-set>
  </d:prop></d:set>
</c:mkcalendar>"""

QUERY = """<?xml version="1.0" encoding="utf-8"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:prop><d:getetag/><c:calendar-data/></d:prop>
  <c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">
    <c:time-range start="{start:%Y%m%dT%H%M%SZ}" end="{end:%Y%m%dT%H%M%SZ}"/>
  </c:comp-filter></c:comp-filter></c:filter>
</c:calendar-query>"""

SESSIONS = {
    "plain": (session("s-plain"), None),
    "personal, awkward names": (session("s-names"), GEERTJE),
    "online": (session("s-online", venue=ONLINE), OMER),
    "spring switch night": (session("s-spring", day=(2027, 3, 28), hours=(1, 4)), OMER),
    "spring switch morning": (session("s-spring-am", day=(2027, 3, 28), hours=(9, 12)), None),
    "autumn switch night": (session("s-autumn", day=(2027, 10, 31), hours=(1, 4)), GEERTJE),
    "autumn switch morning": (session("s-autumn-am", day=(2027, 10, 31), hours=(9, 12)), None),
    "repeated autumn hour": (
        session(
            "s-repeat",
            start=datetime(2027, 10, 31, 1, 30, tzinfo=UTC),
            end=datetime(2027, 10, 31, 3, 30, tzinfo=UTC),
        ),
        None,
    ),
    "cancelled": (session("s-cancelled", sequence=3, status=Status.CANCELLED), None),
}


@pytest.fixture(scope="module")
def calendar_path(radicale: CalDav) -> str:
    path = f"/{radicale.user}/zwerm-{uuid.uuid4().hex[:8]}/"
    status, body = radicale.request("MKCALENDAR", path, MKCALENDAR, {"Content-Type": "application/xml"})
    assert status == 201, body
    return path


def query(radicale: CalDav, path: str, start: datetime, end: datetime) -> list[vobject.base.Component]:
    body = QUERY.format(start=start.astimezone(UTC), end=end.astimezone(UTC)).encode()
    status, answer = radicale.request("REPORT", path, body, {"Content-Type": "application/xml", "Depth": "1"})
    assert status == 207, answer
    found = ElementTree.fromstring(answer).findall(".//c:calendar-data", NS)
    return [vobject.readOne(element.text) for element in found]


@pytest.mark.parametrize("name", SESSIONS)
def test_radicale_accepts_the_object_and_finds_it_by_its_time_range(radicale, calendar_path, name):
    calendar_session, attendee = SESSIONS[name]
    ics = caldav_object(calendar_session, attendee, host=HOST, stamp=STAMP)
    status, body = radicale.request(
        "PUT",
        f"{calendar_path}{calendar_session.key}.ics",
        ics,
        {"Content-Type": "text/calendar; charset=utf-8"},
    )
    assert status == 201, body

    # A query over exactly the session's own span finds it, with the same UID and start instant.
    found = query(radicale, calendar_path, calendar_session.start, calendar_session.end)
    events = {c.vevent.uid.value: c.vevent for c in found}
    event = events[uid(calendar_session, HOST)]
    assert event.dtstart.value.astimezone(UTC) == calendar_session.start.astimezone(UTC)
    assert event.dtend.value.astimezone(UTC) == calendar_session.end.astimezone(UTC)
    assert event.sequence.value == str(calendar_session.sequence)

    # A query over the hour just before it does not (so an hour off at a switch would show here).
    before = query(
        radicale, calendar_path, calendar_session.start - timedelta(hours=1), calendar_session.start
    )
    assert uid(calendar_session, HOST) not in {c.vevent.uid.value for c in before}


def test_an_updated_object_replaces_the_old_one_under_the_same_uid(radicale, calendar_path):
    first = session("s-moved", day=(2027, 5, 4))
    moved = session("s-moved", day=(2027, 5, 6), sequence=1)
    for version in (first, moved):
        ics = caldav_object(version, host=HOST, stamp=STAMP)
        status, _ = radicale.request(
            "PUT", f"{calendar_path}s-moved.ics", ics, {"Content-Type": "text/calendar"}
        )
        assert status in (201, 204)
    assert query(radicale, calendar_path, first.start, first.end) == []
    [event] = [c.vevent for c in query(radicale, calendar_path, moved.start, moved.end)]
    assert event.uid.value == uid(moved, HOST) and event.sequence.value == "1"


def test_the_server_really_checks_what_it_is_given(radicale, calendar_path):
    broken = caldav_object(session("s-broken"), host=HOST, stamp=STAMP).replace(b"END:VEVENT\r\n", b"")
    status, _ = radicale.request(
        "PUT", f"{calendar_path}s-broken.ics", broken, {"Content-Type": "text/calendar"}
    )
    assert status == 400
