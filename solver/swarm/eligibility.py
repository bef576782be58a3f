"""Who may sit at which table where, and what a seat is worth, computed once per instance with numpy.

A *session* is a (slot, venue) pair given by positions ``(s, v)``; a *pair* is a request with a
session it may be held at (rule 1 and the venue's ``unavailable_slots`` of rule 2). Per person we keep
arrays over all professionals, so that filtering 20,000 people for a pair is a few vector operations
and no Python object is made for someone who is obviously out.

Values use the spec's terms: ``skill_value[r][p]`` is what person p earns per round at request r's table
(``w.skill × level`` over the needs p meets); ``session_cost(s, v)[p]`` is what attending costs once
(maybe, travel, fairness). Distances come from :func:`solver.formats.distance_km`, so limits and
``km_int`` are bit-for-bit the spec's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from solver.formats import LIMIT_EPSILON, distance_km, km_int
from solver.swarm.instance import Instance

NO, YES, MAYBE = 0, 1, 2
Session = tuple[int, int]  # (slot position, venue position)


@dataclass
class Eligibility:
    """Precomputed per-person arrays and per-request facts of one instance."""

    instance: Instance

    def __post_init__(self) -> None:
        inst = self.instance
        people = inst.professionals
        n = len(people)
        self.n = n
        self.rounds = inst.rounds
        self.qualified = np.fromiter((p.qualified for p in people), bool, n)
        self.own_limit = np.fromiter(
            (math.inf if p.max_travel_km is None else p.max_travel_km for p in people), float, n
        )
        self.recent = np.fromiter((p.recent_invitations for p in people), np.int64, n)
        self.max_sessions = np.fromiter((p.max_sessions for p in people), np.int64, n)
        code = {"yes": YES, "maybe": MAYBE, "no": NO}
        self.availability = np.zeros((len(inst.slots), n), np.int8)
        for i, p in enumerate(people):
            for slot, value in p.availability.items():
                self.availability[inst.slot_index[slot], i] = code[value]
        self.km = np.zeros((len(inst.venues), n))
        self.km_int = np.zeros((len(inst.venues), n), np.int64)
        for v, venue in enumerate(inst.venues):
            if venue.online:
                continue
            km = [distance_km(p.lat, p.lon, *venue.point) for p in people]
            self.km[v] = km
            self.km_int[v] = [km_int(d) for d in km]
        self._levels: dict[str, np.ndarray] = {}
        self._costs: dict[Session, np.ndarray] = {}
        self._meets: dict[int, list[np.ndarray]] = {}
        self._attend: dict[Session, np.ndarray] = {}
        self._skilled: dict[int, np.ndarray] = {}
        self._excluded: dict[int, np.ndarray] = {}
        self._cheapest: dict[tuple[Session, int], np.ndarray] = {}

    # --- people -------------------------------------------------------------------------------

    def level(self, skill: str) -> np.ndarray:
        """Every professional's level in ``skill`` (0 when they lack it)."""
        if skill not in self._levels:
            people = self.instance.professionals
            self._levels[skill] = np.fromiter((p.skills.get(skill, 0) for p in people), np.int64, self.n)
        return self._levels[skill]

    def meets(self, r: int) -> list[np.ndarray]:
        """Per need of request r: who has the skill at ``min_level`` or more."""
        if r not in self._meets:
            needs = self.instance.requests[r].needs
            self._meets[r] = [self.level(need.skill) >= need.min_level for need in needs]
        return self._meets[r]

    @cached_property
    def skill_values(self) -> list[np.ndarray]:
        """Per request: w.skill × the sum of levels over the needs each person meets (per round)."""
        weight = self.instance.weights.skill
        values = []
        for r, request in enumerate(self.instance.requests):
            value = np.zeros(self.n, np.int64)
            for need, ok in zip(request.needs, self.meets(r), strict=True):
                value += np.where(ok, self.level(need.skill), 0)
            values.append(weight * value)
        return values

    @cached_property
    def signatures(self) -> list[np.ndarray]:
        """Per request: a bit per need the person meets (bit i for need i)."""
        sigs = []
        for r in range(len(self.instance.requests)):
            sig = np.zeros(self.n, np.int64)
            for i, ok in enumerate(self.meets(r)):
                sig |= ok.astype(np.int64) << i
            sigs.append(sig)
        return sigs

    def session_cost(self, session: Session) -> np.ndarray:
        """What attending costs each person once: maybe, travel to the venue and fairness."""
        if session not in self._costs:
            s, v = session
            w = self.instance.weights
            cost = w.maybe * (self.availability[s] == MAYBE) + w.fairness * self.recent
            if not self.instance.venues[v].online:
                cost = cost + w.travel_km * self.km_int[v]
            self._costs[session] = cost.astype(np.int64)
        return self._costs[session]

    def can_attend(self, session: Session) -> np.ndarray:
        """Qualified, available yes/maybe, within their own travel limit: the person's side of rule 4
        (and rule 5 for someone whose ``max_sessions`` is 0)."""
        if session not in self._attend:
            s, v = session
            ok = self.qualified & (self.availability[s] != NO) & (self.max_sessions > 0)
            if not self.instance.venues[v].online:
                ok &= self.km[v] <= self.own_limit + LIMIT_EPSILON
            self._attend[session] = ok
        return self._attend[session].copy()

    def fits_request(self, r: int, session: Session) -> np.ndarray:
        """The request's side of rule 4: not excluded and within its travel limit."""
        request = self.instance.requests[r]
        ok = np.ones(self.n, bool)
        if request.max_travel_km is not None and not self.instance.venues[session[1]].online:
            ok &= self.km[session[1]] <= request.max_travel_km + LIMIT_EPSILON
        for person in request.excluded:
            ok[self.instance.professional_index[person]] = False
        return ok

    def fits_subset(self, r: int, session: Session, people: np.ndarray) -> np.ndarray:
        """:meth:`fits_request` for some people only (cheap for a few hundred of 20,000)."""
        request = self.instance.requests[r]
        ok = np.ones(len(people), bool)
        if request.max_travel_km is not None and not self.instance.venues[session[1]].online:
            ok &= self.km[session[1]][people] <= request.max_travel_km + LIMIT_EPSILON
        if request.excluded:
            ok &= ~self.excluded(r)[people]
        return ok

    def excluded(self, r: int) -> np.ndarray:
        if r not in self._excluded:
            mask = np.zeros(self.n, bool)
            mask[[self.instance.professional_index[p] for p in self.instance.requests[r].excluded]] = True
            self._excluded[r] = mask
        return self._excluded[r]

    def skilled(self, r: int) -> np.ndarray:
        """Everyone who meets at least one need of request r."""
        if r not in self._skilled:
            self._skilled[r] = np.flatnonzero(self.signatures[r] != 0)
        return self._skilled[r]

    def cheapest(self, session: Session, count: int) -> np.ndarray:
        """The ``count`` people who can attend the session at the lowest cost, cheapest first."""
        key = (session, count)
        if key not in self._cheapest:
            people = np.flatnonzero(self.can_attend(session))
            cost = self.session_cost(session)[people]
            self._cheapest[key] = people[np.argsort(cost, kind="stable")[:count]]
        return self._cheapest[key]

    def eligible(self, r: int, session: Session) -> np.ndarray:
        return self.can_attend(session) & self.fits_request(r, session)

    # --- sessions -----------------------------------------------------------------------------

    @cached_property
    def overlap_groups(self) -> list[list[int]]:
        """Maximal sets of slots running at one instant: at each slot's start, the slots then running.

        For intervals, every instant is covered by some slot start, so "at most k at every start"
        is "at most k at every instant" (rule 3's chain a-b-c counts 2).
        """
        slots = self.instance.slots
        groups: list[list[int]] = []
        for slot in sorted(slots, key=lambda x: x.start):
            group = [j for j, other in enumerate(slots) if other.start <= slot.start < other.end]
            if group not in groups:
                groups.append(group)
        return [g for g in groups if not any(set(g) < set(h) for h in groups)]

    @cached_property
    def usable_sessions(self) -> list[Session]:
        """Sessions a venue can host: not in its unavailable slots, with a table and a seat."""
        inst = self.instance
        return [
            (s, v)
            for v, venue in enumerate(inst.venues)
            for s, slot in enumerate(inst.slots)
            if slot.id not in venue.unavailable_slots and venue.tables > 0 and venue.capacity > 0
        ]

    def allowed_sessions(self, r: int) -> list[Session]:
        """The sessions request r may be held at (rule 1, rule 2's availability, fixed sessions)."""
        inst = self.instance
        request = inst.requests[r]
        slots = {inst.slot_index[s] for s in request.slots}
        venues = None if request.venues is None else {inst.venue_index[v] for v in request.venues}
        fixed = next((f for f in inst.fixed_sessions if f.request == request.id), None)
        found = []
        for s, v in self.usable_sessions:
            if s not in slots or (venues is not None and v not in venues):
                continue
            if fixed is not None and (inst.slots[s].id, inst.venues[v].id) != (fixed.slot, fixed.venue):
                continue
            if inst.venues[v].capacity < request.table_size[0]:
                continue
            found.append((s, v))
        return found

    def staffable(self, r: int, session: Session, eligible: np.ndarray | None = None) -> bool:
        """Whether the request alone could be held there: enough eligible people for size and needs."""
        ok = self.eligible(r, session) if eligible is None else eligible
        request = self.instance.requests[r]
        low, high = request.table_size
        if int(ok.sum()) < low or low > self.instance.venues[session[1]].capacity:
            return False
        for need, meets in zip(request.needs, self.meets(r), strict=True):
            if need.min > high or int((ok & meets).sum()) < need.min:
                return False
        return True
