"""A ``swarm-instance/1`` document read into frozen dataclasses, with every rule of "Invalid input".

Every problem raises :class:`solver.formats.InvalidInstance` naming the JSON path, e.g.
``requests[3].slots[1]: unknown slot "2027-02-30-am"``. Ids are kept as strings; the solver works
on positions (``Instance.slot_index`` etc.) so that lookups are cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from solver.formats import (
    SWARM_INSTANCE,
    SWARM_WEIGHTS,
    At,
    as_bool,
    as_int,
    as_list,
    as_local_datetime,
    as_number,
    as_object,
    as_string,
    as_timezone,
    read_header,
    reference,
    unique_ids,
)
from solver.formats import (
    field as get,
)

DEFAULT_WEIGHTS = SWARM_WEIGHTS  # declared with the formats
AVAILABILITY = ("yes", "maybe", "no")
LEVELS = (1, 2, 3)


@dataclass(frozen=True)
class Weights:
    scheduled: int = DEFAULT_WEIGHTS["scheduled"]
    skill: int = DEFAULT_WEIGHTS["skill"]
    maybe: int = DEFAULT_WEIGHTS["maybe"]
    travel_km: int = DEFAULT_WEIGHTS["travel_km"]
    fairness: int = DEFAULT_WEIGHTS["fairness"]
    repeat_table: int = DEFAULT_WEIGHTS["repeat_table"]
    change: int = DEFAULT_WEIGHTS["change"]


@dataclass(frozen=True)
class Slot:
    id: str
    start: datetime
    end: datetime

    def overlaps(self, other: Slot) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Venue:
    id: str
    name: str
    lat: float | None
    lon: float | None

    @property
    def point(self) -> tuple[float, float]:
        """Where the venue is; an online venue is nowhere (ValueError)."""
        if self.lat is None or self.lon is None:
            raise ValueError(f"venue {self.id} has no coordinates")
        return self.lat, self.lon

    capacity: int
    tables: int
    online: bool
    unavailable_slots: frozenset[str]


@dataclass(frozen=True)
class Need:
    skill: str
    min: int
    min_level: int = 1


@dataclass(frozen=True)
class Request:
    id: str
    municipality: str
    title: str
    slots: tuple[str, ...]
    venues: tuple[str, ...] | None  # None: every venue
    table_size: tuple[int, int]
    needs: tuple[Need, ...]
    priority: int
    max_travel_km: float | None
    excluded: frozenset[str]


@dataclass(frozen=True)
class Professional:
    id: str
    name: str
    lat: float
    lon: float
    max_travel_km: float | None
    skills: dict[str, int]
    availability: dict[str, str]
    max_sessions: int = 1
    qualified: bool = True
    recent_invitations: int = 0
    # Extension: planning rounds of the region in which the person was available since they last
    # attended a session, this one included. 0: not known. It never changes the score; it breaks
    # near ties of the score (docs/solver-swarm.md, "Equal treatment over time").
    rounds_waited: int = 0


@dataclass(frozen=True)
class PreviousSchedule:
    """What the repair term needs of an earlier ``swarm-schedule/1``: who sat where."""

    request_session: dict[str, tuple[str, str]]  # request id -> (slot id, venue id)
    attendance: frozenset[tuple[str, str, str]]  # (professional id, slot id, venue id)
    # (request id, round, professional id) seats, so that a repair can keep the rotation where it may
    seats: frozenset[tuple[str, int, str]] = frozenset()


@dataclass(frozen=True)
class Pin:
    """Extension: ``professional`` attends the session of ``request`` whenever it is scheduled."""

    request: str
    professional: str


@dataclass(frozen=True)
class FixedSession:
    """Extension: ``request`` may only be scheduled at this (slot, venue)."""

    request: str
    slot: str
    venue: str


@dataclass(frozen=True)
class GuaranteedTurn:
    """Extension ``policy.guaranteed_turn``: someone who fits this round and has waited ``after_rounds``
    rounds (``rounds_waited``) is seated when the schedule gives up at most ``max_skill_percent`` % of
    its skill term for the turns it grants (docs/solver-swarm.md, "Equal treatment over time")."""

    after_rounds: int
    max_skill_percent: int


@dataclass(frozen=True)
class Instance:
    id: str
    timezone: str
    rounds: int
    max_parallel_sessions: int | None
    weights: Weights
    slots: tuple[Slot, ...]
    venues: tuple[Venue, ...]
    requests: tuple[Request, ...]
    professionals: tuple[Professional, ...]
    previous: PreviousSchedule | None = None
    pins: tuple[Pin, ...] = ()
    fixed_sessions: tuple[FixedSession, ...] = ()
    guaranteed_turn: GuaranteedTurn | None = None
    slot_index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    venue_index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    request_index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    professional_index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.slot_index.update({item.id: i for i, item in enumerate(self.slots)})
        self.venue_index.update({item.id: i for i, item in enumerate(self.venues)})
        self.request_index.update({item.id: i for i, item in enumerate(self.requests)})
        self.professional_index.update({item.id: i for i, item in enumerate(self.professionals)})


def parse_instance(document: Any) -> Instance:
    """Read and validate a ``swarm-instance/1`` document; raises ``InvalidInstance``."""
    from solver.swarm.repairs import fixed_sessions, parse_previous, pins  # repairs imports this module

    root = At()
    doc, ident = read_header(document, SWARM_INSTANCE)
    tz, at = get(doc, "timezone", root)
    as_timezone(tz, at)
    rounds, at = get(doc, "rounds", root, 1)
    rounds = as_int(rounds, at, minimum=1, maximum=50)
    parallel, at = get(doc, "max_parallel_sessions", root, None)
    parallel = None if parallel is None else as_int(parallel, at, minimum=0)
    weights = _weights(doc, root)
    slots = _slots(doc, root)
    slot_ids = {s.id for s in slots}
    venues = _venues(doc, root, slot_ids)
    venue_ids = {v.id for v in venues}
    raw_people, people_at = get(doc, "professionals", root)
    raw_people = as_list(raw_people, people_at)
    person_ids = set(
        unique_ids([as_object(p, people_at.index(i)) for i, p in enumerate(raw_people)], people_at)
    )
    requests = _requests(doc, root, slot_ids, venue_ids, person_ids)
    people = tuple(_professional(p, people_at.index(i), slot_ids) for i, p in enumerate(raw_people))
    previous, at = get(doc, "previous", root, None)
    request_by_id = {r.id: r for r in requests}
    return Instance(
        id=ident,
        timezone=tz,
        rounds=rounds,
        max_parallel_sessions=parallel,
        weights=weights,
        slots=slots,
        venues=venues,
        requests=requests,
        professionals=people,
        previous=None if previous is None else parse_previous(previous, at),
        pins=pins(doc, root, request_by_id, person_ids),
        fixed_sessions=fixed_sessions(doc, root, request_by_id, venue_ids),
        guaranteed_turn=_guaranteed_turn(doc, root),
    )


def _guaranteed_turn(doc: dict, root: At) -> GuaranteedTurn | None:
    """The region's policy (extension): ``{"guaranteed_turn": {"after_rounds": W, "max_skill_percent": P}}``."""
    raw, at = get(doc, "policy", root, {})
    raw = as_object(raw, at)
    for name in raw:
        if name != "guaranteed_turn":
            at.key(name).fail("unknown policy (known: guaranteed_turn)")
    turn, at = get(raw, "guaranteed_turn", at, None)
    if turn is None:
        return None
    turn = as_object(turn, at)
    for name in turn:
        if name not in ("after_rounds", "max_skill_percent"):
            at.key(name).fail("unknown field (known: after_rounds, max_skill_percent)")
    after = as_int(*get(turn, "after_rounds", at), minimum=1)
    percent = as_int(*get(turn, "max_skill_percent", at), minimum=0, maximum=100)
    return GuaranteedTurn(after, percent)


def _weights(doc: dict, root: At) -> Weights:
    raw, at = get(doc, "weights", root, {})
    raw = as_object(raw, at)
    values = dict(DEFAULT_WEIGHTS)
    for name, value in raw.items():
        if name not in DEFAULT_WEIGHTS:
            at.key(name).fail(f"unknown weight (known: {', '.join(DEFAULT_WEIGHTS)})")
        if value is not None:
            values[name] = as_int(value, at.key(name), minimum=0)
    return Weights(**values)


def _slots(doc: dict, root: At) -> tuple[Slot, ...]:
    raw, at = get(doc, "slots", root)
    raw = [as_object(s, at.index(i)) for i, s in enumerate(as_list(raw, at))]
    ids = unique_ids(raw, at)
    slots = []
    for i, (ident, item) in enumerate(zip(ids, raw, strict=True)):
        start, start_at = get(item, "start", at.index(i))
        end, end_at = get(item, "end", at.index(i))
        start, end = as_local_datetime(start, start_at), as_local_datetime(end, end_at)
        if end <= start:
            end_at.fail(f"must be after start {start.isoformat(timespec='minutes')}")
        slots.append(Slot(ident, start, end))
    return tuple(slots)


def _venues(doc: dict, root: At, slot_ids: set[str]) -> tuple[Venue, ...]:
    raw, at = get(doc, "venues", root)
    raw = [as_object(v, at.index(i)) for i, v in enumerate(as_list(raw, at))]
    ids = unique_ids(raw, at)
    venues = []
    for i, (ident, item) in enumerate(zip(ids, raw, strict=True)):
        here = at.index(i)
        online = as_bool(*get(item, "online", here, False))
        lat = lon = None
        if not online or item.get("lat") is not None or item.get("lon") is not None:
            lat = as_number(*get(item, "lat", here), minimum=-90, maximum=90)
            lon = as_number(*get(item, "lon", here), minimum=-180, maximum=180)
        name, name_at = get(item, "name", here, ident)
        unavailable, un_at = get(item, "unavailable_slots", here, [])
        unavailable = frozenset(
            reference(s, un_at.index(j), slot_ids, "slot") for j, s in enumerate(as_list(unavailable, un_at))
        )
        venues.append(
            Venue(
                id=ident,
                name=as_string(name, name_at),
                lat=lat,
                lon=lon,
                capacity=as_int(*get(item, "capacity", here), minimum=0),
                tables=as_int(*get(item, "tables", here), minimum=0),
                online=online,
                unavailable_slots=unavailable,
            )
        )
    return tuple(venues)


def _requests(
    doc: dict, root: At, slot_ids: set[str], venue_ids: set[str], person_ids: set[str]
) -> tuple[Request, ...]:
    raw, at = get(doc, "requests", root)
    raw = [as_object(r, at.index(i)) for i, r in enumerate(as_list(raw, at))]
    ids = unique_ids(raw, at)
    requests = []
    for i, (ident, item) in enumerate(zip(ids, raw, strict=True)):
        here = at.index(i)
        slots, slots_at = get(item, "slots", here)
        slots = _references(slots, slots_at, slot_ids, "slot")
        venues, venues_at = get(item, "venues", here, None)
        venues = None if venues is None else _references(venues, venues_at, venue_ids, "venue")
        size, size_at = get(item, "table_size", here)
        size = as_list(size, size_at)
        if len(size) != 2:
            size_at.fail(f"expected [min, max], got a list of {len(size)}")
        low = as_int(size[0], size_at.index(0), minimum=0)
        high = as_int(size[1], size_at.index(1), minimum=0)
        if low > high:
            size_at.fail(f"min {low} is more than max {high}")
        limit, limit_at = get(item, "max_travel_km", here, None)
        excluded, excluded_at = get(item, "excluded", here, [])
        requests.append(
            Request(
                id=ident,
                municipality=as_string(*get(item, "municipality", here, "-")),
                title=as_string(*get(item, "title", here, ident)),
                slots=slots,
                venues=venues,
                table_size=(low, high),
                needs=_needs(item, here),
                priority=as_int(*get(item, "priority", here, 1), minimum=0),
                max_travel_km=None if limit is None else as_number(limit, limit_at, minimum=0),
                excluded=frozenset(_references(excluded, excluded_at, person_ids, "professional")),
            )
        )
    return tuple(requests)


def _needs(item: dict, here: At) -> tuple[Need, ...]:
    raw, at = get(item, "needs", here, [])
    needs: list[Need] = []
    for j, need in enumerate(as_list(raw, at)):
        need_at = at.index(j)
        need = as_object(need, need_at)
        skill, skill_at = get(need, "skill", need_at)
        skill = as_string(skill, skill_at)
        if any(n.skill == skill for n in needs):
            skill_at.fail(f'skill "{skill}" is already a need of this request')
        count = as_int(*get(need, "min", need_at), minimum=0)
        level = as_int(*get(need, "min_level", need_at, 1), minimum=1, maximum=3)
        needs.append(Need(skill, count, level))
    return tuple(needs)


def _references(value: Any, at: At, known: set[str], kind: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for j, item in enumerate(as_list(value, at)):
        seen[reference(item, at.index(j), known, kind)] = None
    return tuple(seen)


def _professional(item: dict, here: At, slot_ids: set[str]) -> Professional:
    item = as_object(item, here)
    skills_raw, skills_at = get(item, "skills", here, {})
    skills = {
        as_string(name, skills_at): as_int(level, skills_at.key(name), minimum=1, maximum=3)
        for name, level in as_object(skills_raw, skills_at).items()
    }
    avail_raw, avail_at = get(item, "availability", here, {})
    availability = {}
    for slot, value in as_object(avail_raw, avail_at).items():
        reference(slot, avail_at.key(slot), slot_ids, "slot")
        value = as_string(value, avail_at.key(slot))
        if value not in AVAILABILITY:
            avail_at.key(slot).fail(f'unknown availability "{value}" (expected "yes", "maybe" or "no")')
        availability[slot] = value
    limit, limit_at = get(item, "max_travel_km", here, None)
    ident = item["id"]
    return Professional(
        id=ident,
        name=as_string(*get(item, "name", here, ident)),
        lat=as_number(*get(item, "lat", here), minimum=-90, maximum=90),
        lon=as_number(*get(item, "lon", here), minimum=-180, maximum=180),
        max_travel_km=None if limit is None else as_number(limit, limit_at, minimum=0),
        skills=skills,
        availability=availability,
        max_sessions=as_int(*get(item, "max_sessions", here, 1), minimum=0),
        qualified=as_bool(*get(item, "qualified", here, True)),
        recent_invitations=as_int(*get(item, "recent_invitations", here, 0), minimum=0),
        rounds_waited=as_int(*get(item, "rounds_waited", here, 0), minimum=0),
    )
