"""The spec's hard rules and score evaluated on a finished schedule, term by term.

This is how the engine reports ``score``: from the schedule it outputs, never from a model's
objective, so a modelling slip shows up as a failed check instead of a wrong number.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from solver.formats import distance_km, km_int, within_limit
from solver.swarm.instance import Instance

TERMS = ("scheduled", "skill", "maybe", "travel_km", "fairness", "repeat_table", "change")


@dataclass(frozen=True)
class Table:
    request: int
    rounds: tuple[tuple[int, ...], ...]  # per round, the professionals (positions) at the table


@dataclass(frozen=True)
class SessionPlan:
    slot: int
    venue: int
    tables: tuple[Table, ...]

    @property
    def participants(self) -> list[int]:
        seen: dict[int, None] = {}
        for table in self.tables:
            for seats in table.rounds:
                seen.update(dict.fromkeys(seats))
        return list(seen)


def violations(inst: Instance, sessions: list[SessionPlan]) -> list[str]:
    """Every broken hard rule, as readable lines (empty when the schedule is valid)."""
    bad: list[str] = []
    seen = Counter(t.request for s in sessions for t in s.tables)
    bad += [f"rule 1: request {inst.requests[r].id} at {n} tables" for r, n in seen.items() if n > 1]
    for plan in sessions:
        slot, venue = inst.slots[plan.slot], inst.venues[plan.venue]
        where = f"{slot.id}@{venue.id}"
        for table in plan.tables:
            request = inst.requests[table.request]
            if slot.id not in request.slots or (
                request.venues is not None and venue.id not in request.venues
            ):
                bad.append(f"rule 1: {request.id} not allowed at {where}")
        if slot.id in venue.unavailable_slots:
            bad.append(f"rule 2: {venue.id} unavailable at {slot.id}")
        if len(plan.tables) > venue.tables or len(plan.participants) > venue.capacity:
            bad.append(f"rule 2: {where} over its tables or capacity")
        for p in plan.participants:
            bad += _participant_problems(inst, plan, p)
        for table in plan.tables:
            bad += _table_problems(inst, plan, table)
    for i, a in enumerate(sessions):
        for b in sessions[i + 1 :]:
            if a.venue == b.venue and inst.slots[a.slot].overlaps(inst.slots[b.slot]):
                bad.append(f"rule 2: {inst.venues[a.venue].id} hosts two sessions at once")
    limit = inst.max_parallel_sessions
    if limit is not None:
        for plan in sessions:
            start = inst.slots[plan.slot].start
            running = sum(1 for o in sessions if inst.slots[o.slot].start <= start < inst.slots[o.slot].end)
            if running > limit:
                bad.append(f"rule 3: {running} sessions run at {start.isoformat()}")
    attended: dict[int, list[int]] = {}
    for plan in sessions:
        for p in plan.participants:
            attended.setdefault(p, []).append(plan.slot)
    for p, slots in attended.items():
        person = inst.professionals[p]
        if len(slots) > person.max_sessions:
            bad.append(f"rule 5: {person.id} attends {len(slots)} sessions")
        for i, first in enumerate(slots):
            if any(inst.slots[first].overlaps(inst.slots[later]) for later in slots[i + 1 :]):
                bad.append(f"rule 5: {person.id} in two sessions at once")
    return bad


def _participant_problems(inst: Instance, plan: SessionPlan, p: int) -> list[str]:
    person = inst.professionals[p]
    slot, venue = inst.slots[plan.slot], inst.venues[plan.venue]
    bad = []
    if not person.qualified:
        bad.append(f"rule 4: {person.id} is not qualified")
    if person.availability.get(slot.id, "no") == "no":
        bad.append(f"rule 4: {person.id} is not available at {slot.id}")
    km = None if venue.online else distance_km(person.lat, person.lon, *venue.point)
    for table in plan.tables:
        request = inst.requests[table.request]
        if person.id in request.excluded:
            bad.append(f"rule 4: {person.id} is excluded by {request.id}")
        if km is not None and not within_limit(km, request.max_travel_km):
            bad.append(f"rule 4: {person.id} lives too far for {request.id}")
    if km is not None and not within_limit(km, person.max_travel_km):
        bad.append(f"rule 4: {person.id} lives beyond their own travel limit")
    return bad


def _table_problems(inst: Instance, plan: SessionPlan, table: Table) -> list[str]:
    request = inst.requests[table.request]
    participants = set(plan.participants)
    bad = []
    if len(table.rounds) != inst.rounds:
        bad.append(f"rule 6: {request.id} has {len(table.rounds)} rounds")
    for k in range(inst.rounds):
        seated = [p for t in plan.tables for p in (t.rounds[k] if k < len(t.rounds) else ())]
        if Counter(seated) != Counter(participants):
            bad.append(f"rule 6: round {k + 1} of {plan.slot}@{plan.venue} seats people not exactly once")
            break
    low, high = request.table_size
    for k, seats in enumerate(table.rounds):
        if not low <= len(seats) <= high:
            bad.append(f"rule 6: {request.id} round {k + 1} has {len(seats)} people")
        for need in request.needs:
            have = sum(1 for p in seats if inst.professionals[p].skills.get(need.skill, 0) >= need.min_level)
            if have < need.min:
                bad.append(f"rule 6: {request.id} round {k + 1} has {have} of {need.min} {need.skill}")
    return bad


def breakdown(inst: Instance, sessions: list[SessionPlan]) -> dict[str, int]:
    """The score by named term (signed; the terms sum to the score)."""
    w = inst.weights
    terms = dict.fromkeys(TERMS, 0)
    for plan in sessions:
        slot, venue = inst.slots[plan.slot], inst.venues[plan.venue]
        for table in plan.tables:
            request = inst.requests[table.request]
            terms["scheduled"] += w.scheduled * request.priority
            for seats in table.rounds:
                for p in seats:
                    skills = inst.professionals[p].skills
                    for need in request.needs:
                        level = skills.get(need.skill, 0)
                        if level >= need.min_level:
                            terms["skill"] += w.skill * level
            visits = Counter(p for seats in table.rounds for p in seats)
            terms["repeat_table"] -= w.repeat_table * sum(n - 1 for n in visits.values() if n > 1)
        for p in plan.participants:
            person = inst.professionals[p]
            if person.availability.get(slot.id) == "maybe":
                terms["maybe"] -= w.maybe
            if not venue.online:
                terms["travel_km"] -= w.travel_km * km_int(distance_km(person.lat, person.lon, *venue.point))
            terms["fairness"] -= w.fairness * person.recent_invitations
    terms["change"] = -w.change * change_count(inst, sessions)
    return terms


def change_count(inst: Instance, sessions: list[SessionPlan]) -> int:
    """How many requests and participants of ``previous`` are no longer where they were."""
    previous = inst.previous
    if previous is None:
        return 0
    where: dict[str, tuple[str, str]] = {}
    attending: set[tuple[str, str, str]] = set()
    for plan in sessions:
        key = (inst.slots[plan.slot].id, inst.venues[plan.venue].id)
        for table in plan.tables:
            where[inst.requests[table.request].id] = key
        attending.update((inst.professionals[p].id, *key) for p in plan.participants)
    moved = sum(1 for r, key in previous.request_session.items() if where.get(r) != key)
    return moved + len(previous.attendance - attending)


def score(inst: Instance, sessions: list[SessionPlan]) -> int:
    return sum(breakdown(inst, sessions).values())
