"""Eligibility and per-person score parts of a swarm instance, for the benchmark's baselines.

Built on the independent checker's reading of the instance (spec defaults filled in), so the baselines
share nothing with the engine in solver/.
"""

from __future__ import annotations

from functools import cached_property
from itertools import pairwise

from bench.common import REPO  # noqa: F401  (puts the repository on sys.path for the checker import)
from tests.solver.swarm_checker import LIMIT_SLACK, great_circle_km, overlaps, read_instance, whole_km

Option = tuple[str, str]  # (slot id, venue id): where a session can be held


class Region:
    def __init__(self, doc: dict):
        self.doc = doc
        self.inst = read_instance(doc)
        self.w = self.inst.weights
        self.rounds = self.inst.rounds
        self._km: dict[tuple[str, str], float] = {}
        self._attendees: dict[Option, list[str]] = {}
        self._points: dict[tuple[str, str], int] = {}

    @cached_property
    def instants(self) -> list:
        """Every slot start: the most sessions run at once at one of these moments."""
        return sorted({start for start, _ in self.inst.slots.values()})

    def running_at(self, slot: str, moment) -> bool:
        start, end = self.inst.slots[slot]
        return start <= moment < end

    def overlap(self, a: str, b: str) -> bool:
        return a == b or overlaps(self.inst.slots[a], self.inst.slots[b])

    def online(self, vid: str) -> bool:
        return bool(self.inst.venues[vid]["online"])

    def km(self, pid: str, vid: str) -> float:
        """Distance from home to venue; 0 for an online venue."""
        key = (pid, vid)
        if key not in self._km:
            venue, person = self.inst.venues[vid], self.inst.people[pid]
            self._km[key] = (
                0.0
                if venue["online"]
                else great_circle_km(person["lat"], person["lon"], venue["lat"], venue["lon"])
            )
        return self._km[key]

    def options(self, rid: str) -> list[Option]:
        r = self.inst.requests[rid]
        venues = r["venues"] if r["venues"] is not None else list(self.inst.venues)
        return [
            (slot, vid)
            for slot in r["slots"]
            for vid in venues
            if slot not in self.inst.venues[vid]["unavailable_slots"]
        ]

    def attendees(self, option: Option) -> list[str]:
        """Who may sit in a session there at all: qualified, available, within their own travel limit."""
        if option not in self._attendees:
            slot, vid = option
            found = []
            for pid, p in self.inst.people.items():
                if not p["qualified"] or p["availability"].get(slot) not in ("yes", "maybe"):
                    continue
                limit = p["max_travel_km"]
                if self.online(vid) or limit is None or self.km(pid, vid) <= limit + LIMIT_SLACK:
                    found.append(pid)
            self._attendees[option] = found
        return self._attendees[option]

    def fits_request(self, pid: str, rid: str, vid: str) -> bool:
        """Whether this request lets the person into a session at this venue (its exclusions and travel limit)."""
        r = self.inst.requests[rid]
        if pid in r["excluded"]:
            return False
        limit = r["max_travel_km"]
        return self.online(vid) or limit is None or self.km(pid, vid) <= limit + LIMIT_SLACK

    def meets(self, pid: str, need: dict) -> bool:
        return self.inst.people[pid]["skills"].get(need["skill"], 0) >= need["min_level"]

    def seat_points(self, pid: str, rid: str) -> int:
        """Skill points for one round at this request's table."""
        key = (pid, rid)
        if key not in self._points:
            skills = self.inst.people[pid]["skills"]
            needs = self.inst.requests[rid]["needs"]
            self._points[key] = sum(self.w["skill"] * skills[n["skill"]] for n in needs if self.meets(pid, n))
        return self._points[key]

    def attend_cost(self, pid: str, option: Option) -> int:
        """What inviting the person to the session costs in score: maybe, travel and fairness."""
        slot, vid = option
        p = self.inst.people[pid]
        cost = self.w["fairness"] * p["recent_invitations"]
        if p["availability"].get(slot) == "maybe":
            cost += self.w["maybe"]
        if not self.online(vid):
            cost += self.w["travel_km"] * whole_km(self.km(pid, vid))
        return cost

    def peak_parallel(self, slots: list[str]) -> int:
        """The most sessions running at one instant among sessions in these slots."""
        return max((sum(self.running_at(s, t) for s in slots) for t in self.instants), default=0)

    def overlapping_pairs(self, slots: list[str]) -> bool:
        ordered = sorted(slots, key=lambda s: self.inst.slots[s])
        return any(self.overlap(a, b) for a, b in pairwise(ordered)) or len(set(slots)) < len(slots)
