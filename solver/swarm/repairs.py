"""The repair side of an instance: ``previous`` (the change term) and the pins / fixed sessions extensions.

See docs/solver-swarm.md ("Extensions"). Messages name the JSON path like every other check.
"""

from __future__ import annotations

from typing import Any

from solver.formats import SWARM_SCHEDULE, At, as_list, as_object, as_string, reference
from solver.formats import field as get
from solver.swarm.instance import FixedSession, Pin, PreviousSchedule, Request


def parse_previous(document: Any, at: At) -> PreviousSchedule:
    """The parts of an earlier ``swarm-schedule/1`` the change term reads.

    Ids that are no longer in the instance are kept: they are what "gone from the instance" means.
    """
    doc = as_object(document, at)
    fmt = doc.get("format")
    if fmt is not None and fmt != SWARM_SCHEDULE:
        at.key("format").fail(f'expected "{SWARM_SCHEDULE}", got "{fmt}"')
    sessions, sessions_at = get(doc, "sessions", at, [])
    request_session: dict[str, tuple[str, str]] = {}
    attendance: set[tuple[str, str, str]] = set()
    seated: set[tuple[str, int, str]] = set()
    for i, session in enumerate(as_list(sessions, sessions_at)):
        here = sessions_at.index(i)
        session = as_object(session, here)
        slot = as_string(*get(session, "slot", here))
        venue = as_string(*get(session, "venue", here))
        tables, tables_at = get(session, "tables", here, [])
        for j, table in enumerate(as_list(tables, tables_at)):
            table_at = tables_at.index(j)
            table = as_object(table, table_at)
            request = as_string(*get(table, "request", table_at))
            if request in request_session:
                table_at.key("request").fail(f'request "{request}" sits at more than one table')
            request_session[request] = (slot, venue)
            rounds, rounds_at = get(table, "rounds", table_at, [])
            for k, seats in enumerate(as_list(rounds, rounds_at)):
                seats_at = rounds_at.index(k)
                for m, person in enumerate(as_list(seats, seats_at)):
                    person = as_string(person, seats_at.index(m))
                    attendance.add((person, slot, venue))
                    seated.add((request, k, person))
    return PreviousSchedule(request_session, frozenset(attendance), frozenset(seated))


def pins(doc: dict, root: At, requests: dict[str, Request], person_ids: set[str]) -> tuple[Pin, ...]:
    raw, at = get(doc, "pins", root, [])
    pins: dict[Pin, None] = {}
    for i, item in enumerate(as_list(raw, at)):
        here = at.index(i)
        item = as_object(item, here)
        request = reference(*get(item, "request", here), requests, "request")
        person = reference(*get(item, "professional", here), person_ids, "professional")
        if person in requests[request].excluded:
            here.key("professional").fail(f'"{person}" is in the excluded list of request "{request}"')
        pins[Pin(request, person)] = None
    return tuple(pins)


def fixed_sessions(
    doc: dict, root: At, requests: dict[str, Request], venue_ids: set[str]
) -> tuple[FixedSession, ...]:
    raw, at = get(doc, "fixed_sessions", root, [])
    fixed: dict[str, FixedSession] = {}
    for i, item in enumerate(as_list(raw, at)):
        here = at.index(i)
        item = as_object(item, here)
        request = reference(*get(item, "request", here), requests, "request")
        if request in fixed:
            here.key("request").fail(f'request "{request}" is fixed more than once')
        slot = as_string(*get(item, "slot", here))
        if slot not in requests[request].slots:
            here.key("slot").fail(f'slot "{slot}" is not one of the slots of request "{request}"')
        venue = reference(*get(item, "venue", here), venue_ids, "venue")
        allowed = requests[request].venues
        if allowed is not None and venue not in allowed:
            here.key("venue").fail(f'venue "{venue}" is not one of the venues of request "{request}"')
        fixed[request] = FixedSession(request, slot, venue)
    return tuple(fixed.values())
