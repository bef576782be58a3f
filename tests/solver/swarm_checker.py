"""An independent checker for swarm-schedule/1 results, written from the swarm round of docs/formats.md.

It shares no code with ``solver/`` on purpose: a misreading of the spec in the engine must not be
repeated here. Only the standard library is used.

- ``check_schedule(instance, schedule)`` lists every broken hard rule (1-6), every unknown id, every
  request not listed exactly once, and (with ``claims=True``) a reported score, bound or status that
  does not match the spec score.
- ``spec_score(instance, schedule)`` computes the integer score exactly as the spec's score section defines it.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

DEFAULT_WEIGHTS = {
    "scheduled": 1000,
    "skill": 10,
    "maybe": 15,
    "travel_km": 1,
    "fairness": 5,
    "repeat_table": 20,
    "change": 100,
}
EARTH_KM = 6371.0
LIMIT_SLACK = 1e-9


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The spec's distance formula, term by term."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    inner = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(inner))


def whole_km(km: float) -> int:
    return math.floor(km + 0.5)


def overlaps(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@dataclass
class InstanceData:
    """The instance with every default of the spec filled in."""

    id: str
    rounds: int
    max_parallel: int | None
    weights: dict[str, int]
    slots: dict[str, tuple[datetime, datetime]]
    venues: dict[str, dict]
    requests: dict[str, dict]
    people: dict[str, dict]
    previous: dict | None


def read_instance(doc: dict) -> InstanceData:
    venues = {}
    for v in doc["venues"]:
        venues[v["id"]] = {
            **v,
            "online": v.get("online", False),
            "unavailable_slots": v.get("unavailable_slots", []),
        }
    requests = {}
    for r in doc["requests"]:
        needs = [{**n, "min_level": n.get("min_level", 1)} for n in r.get("needs", [])]
        requests[r["id"]] = {
            **r,
            "venues": r.get("venues"),
            "priority": r.get("priority", 1),
            "needs": needs,
            "excluded": set(r.get("excluded", [])),
            "max_travel_km": r.get("max_travel_km"),
        }
    people = {}
    for p in doc["professionals"]:
        people[p["id"]] = {
            **p,
            "max_travel_km": p.get("max_travel_km"),
            "skills": p.get("skills", {}),
            "availability": p.get("availability", {}),
            "max_sessions": p.get("max_sessions", 1),
            "qualified": p.get("qualified", True),
            "recent_invitations": p.get("recent_invitations", 0),
        }
    slots = {
        s["id"]: (datetime.fromisoformat(s["start"]), datetime.fromisoformat(s["end"])) for s in doc["slots"]
    }
    return InstanceData(
        id=doc.get("id", ""),
        rounds=doc.get("rounds", 1),
        max_parallel=doc.get("max_parallel_sessions"),
        weights={**DEFAULT_WEIGHTS, **(doc.get("weights") or {})},
        slots=slots,
        venues=venues,
        requests=requests,
        people=people,
        previous=doc.get("previous"),
    )


def _within(km: float, limit: float | None) -> bool:
    return limit is None or km <= limit + LIMIT_SLACK


def _participants(session: dict) -> list[str]:
    """Everyone who sits at any table of the session in any round, in first-seen order."""
    seen: dict[str, None] = {}
    for table in session.get("tables", []):
        for people in table.get("rounds", []):
            for pid in people:
                seen.setdefault(pid, None)
    return list(seen)


def check_schedule(instance_doc: dict, schedule_doc: dict, *, claims: bool = True) -> list[str]:
    """Every way ``schedule_doc`` breaks the spec for ``instance_doc``; empty when it is valid."""
    inst = read_instance(instance_doc)
    bad: list[str] = []
    if schedule_doc.get("format") != "swarm-schedule/1":
        bad.append(f"format: {schedule_doc.get('format')!r} is not 'swarm-schedule/1'")
    if schedule_doc.get("instance") != inst.id:
        bad.append(f"instance: {schedule_doc.get('instance')!r} is not the instance id {inst.id!r}")

    sessions = [s for s in schedule_doc.get("sessions", []) if _known_session(inst, s, bad)]
    listed: Counter[str] = Counter()
    for s in sessions:
        for table in s["tables"]:
            listed[table["request"]] += 1
    for item in schedule_doc.get("unscheduled", []):
        rid = item.get("request")
        if rid not in inst.requests:
            bad.append(f"unscheduled: unknown request {rid!r}")
            continue
        listed[rid] += 1
        if not isinstance(item.get("reason"), str) or not item["reason"].strip():
            bad.append(f"unscheduled {rid}: no reason given")
    for rid in inst.requests:
        if listed[rid] != 1:
            bad.append(f"request {rid}: listed {listed[rid]} times (tables + unscheduled), must be once")

    for s in sessions:
        bad += _rule1_slot_and_venue(inst, s)
        bad += _rule4_participants(inst, s)
        bad += _rule6_tables(inst, s)
    bad += _rule2_venues(inst, sessions)
    bad += _rule3_parallel(inst, sessions)
    bad += _rule5_people(inst, sessions)
    if claims and not bad:
        bad += _claims(instance_doc, schedule_doc)
    return bad


def _known_session(inst: InstanceData, s: dict, bad: list[str]) -> bool:
    where = f"session ({s.get('slot')}, {s.get('venue')})"
    ok = True
    if s.get("slot") not in inst.slots:
        bad.append(f"{where}: unknown slot")
        ok = False
    if s.get("venue") not in inst.venues:
        bad.append(f"{where}: unknown venue")
        ok = False
    tables = s.get("tables")
    if not tables:
        bad.append(f"{where}: hosts no table")
        return False
    for table in tables:
        rid = table.get("request")
        if rid not in inst.requests:
            bad.append(f"{where}: unknown request {rid!r}")
            ok = False
        rounds = table.get("rounds", [])
        if len(rounds) != inst.rounds:
            bad.append(f"{where} table {rid}: {len(rounds)} rounds listed, instance has {inst.rounds}")
            ok = False
        for k, people in enumerate(rounds):
            for pid in people:
                if pid not in inst.people:
                    bad.append(f"{where} table {rid} round {k}: unknown professional {pid!r}")
                    ok = False
    return ok


def _rule1_slot_and_venue(inst: InstanceData, s: dict) -> list[str]:
    bad = []
    for table in s["tables"]:
        r = inst.requests[table["request"]]
        if s["slot"] not in r["slots"]:
            bad.append(f"rule 1: request {r['id']} in slot {s['slot']} not among its slots")
        if r["venues"] is not None and s["venue"] not in r["venues"]:
            bad.append(f"rule 1: request {r['id']} at venue {s['venue']} not among its venues")
    return bad


def _rule2_venues(inst: InstanceData, sessions: list[dict]) -> list[str]:
    bad = []
    by_venue: dict[str, list[dict]] = defaultdict(list)
    for s in sessions:
        by_venue[s["venue"]].append(s)
        v = inst.venues[s["venue"]]
        if s["slot"] in v["unavailable_slots"]:
            bad.append(f"rule 2: venue {v['id']} is unavailable in slot {s['slot']}")
        if len(s["tables"]) > v["tables"]:
            bad.append(
                f"rule 2: venue {v['id']} slot {s['slot']} has {len(s['tables'])} tables > {v['tables']}"
            )
        count = len(_participants(s))
        if count > v["capacity"]:
            bad.append(
                f"rule 2: venue {v['id']} slot {s['slot']} has {count} participants > capacity {v['capacity']}"
            )
    for vid, group in by_venue.items():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if a["slot"] == b["slot"] or overlaps(inst.slots[a["slot"]], inst.slots[b["slot"]]):
                    bad.append(
                        f"rule 2: venue {vid} hosts sessions in overlapping slots {a['slot']} and {b['slot']}"
                    )
    return bad


def _rule3_parallel(inst: InstanceData, sessions: list[dict]) -> list[str]:
    if inst.max_parallel is None:
        return []
    # Sweep over half-open intervals; at equal times an end comes before a start (touching slots do not overlap).
    events = []
    for s in sessions:
        start, end = inst.slots[s["slot"]]
        events += [(start, 1, +1), (end, 0, -1)]
    running = peak = 0
    peak_at = None
    for moment, _, delta in sorted(events):
        running += delta
        if running > peak:
            peak, peak_at = running, moment
    if peak > inst.max_parallel:
        return [f"rule 3: {peak} sessions run at {peak_at} > max_parallel_sessions {inst.max_parallel}"]
    return []


def _rule4_participants(inst: InstanceData, s: dict) -> list[str]:
    bad = []
    v = inst.venues[s["venue"]]
    requests = [inst.requests[t["request"]] for t in s["tables"]]
    where = f"session ({s['slot']}, {s['venue']})"
    for pid in _participants(s):
        p = inst.people[pid]
        if not p["qualified"]:
            bad.append(f"rule 4: {where}: {pid} is not qualified")
        for r in requests:
            if pid in r["excluded"]:
                bad.append(f"rule 4: {where}: {pid} is excluded by request {r['id']}")
        if p["availability"].get(s["slot"], "no") not in ("yes", "maybe"):
            bad.append(f"rule 4: {where}: {pid} is not available")
        if v["online"]:
            continue
        km = great_circle_km(p["lat"], p["lon"], v["lat"], v["lon"])
        if not _within(km, p["max_travel_km"]):
            bad.append(f"rule 4: {where}: {pid} lives {km:.3f} km away > own limit {p['max_travel_km']}")
        for r in requests:
            if not _within(km, r["max_travel_km"]):
                bad.append(
                    f"rule 4: {where}: {pid} lives {km:.3f} km away > limit {r['max_travel_km']} of {r['id']}"
                )
    return bad


def _rule5_people(inst: InstanceData, sessions: list[dict]) -> list[str]:
    bad = []
    attends: dict[str, list[str]] = defaultdict(list)
    for s in sessions:
        for pid in _participants(s):
            attends[pid].append(s["slot"])
    for pid, slots in attends.items():
        limit = inst.people[pid]["max_sessions"]
        if len(slots) > limit:
            bad.append(f"rule 5: {pid} attends {len(slots)} sessions > max_sessions {limit}")
        for i, a in enumerate(slots):
            for b in slots[i + 1 :]:
                if a == b or overlaps(inst.slots[a], inst.slots[b]):
                    bad.append(f"rule 5: {pid} attends sessions in overlapping slots {a} and {b}")
    return bad


def _rule6_tables(inst: InstanceData, s: dict) -> list[str]:
    bad = []
    where = f"session ({s['slot']}, {s['venue']})"
    everyone = _participants(s)
    for k in range(inst.rounds):
        seats = Counter(pid for t in s["tables"] for pid in t["rounds"][k])
        for pid in everyone:
            if seats[pid] != 1:
                bad.append(f"rule 6: {where} round {k}: {pid} sits at {seats[pid]} tables, must be 1")
        for t in s["tables"]:
            r = inst.requests[t["request"]]
            people = t["rounds"][k]
            low, high = r["table_size"]
            if not low <= len(people) <= high:
                bad.append(
                    f"rule 6: {where} round {k} table {r['id']}: size {len(people)} outside [{low}, {high}]"
                )
            for need in r["needs"]:
                met = sum(
                    1
                    for pid in people
                    if inst.people[pid]["skills"].get(need["skill"], 0) >= need["min_level"]
                )
                if met < need["min"]:
                    bad.append(
                        f"rule 6: {where} round {k} table {r['id']}: {met} with {need['skill']} "
                        f">= {need['min_level']}, needs {need['min']}"
                    )
    return bad


def _claims(instance_doc: dict, schedule_doc: dict) -> list[str]:
    bad = []
    truth = spec_score(instance_doc, schedule_doc)
    score, bound, status = schedule_doc.get("score"), schedule_doc.get("bound"), schedule_doc.get("status")
    if score != truth:
        bad.append(f"score: reported {score}, spec score {truth}")
    if bound is not None and bound < truth:
        bad.append(f"bound: reported {bound} < spec score {truth}")
    if status not in ("optimal", "feasible"):
        bad.append(f"status: {status!r} is neither 'optimal' nor 'feasible'")
    if status == "optimal" and bound != score:
        bad.append(f"status optimal but bound {bound} != score {score}")
    return bad


def score_terms(instance_doc: dict, schedule_doc: dict) -> dict[str, int]:
    """The spec score split by term (each signed as it counts); assumes a schedule with known ids."""
    inst = read_instance(instance_doc)
    w = inst.weights
    terms = dict.fromkeys(
        ("scheduled", "skill", "maybe", "travel_km", "fairness", "repeat_table", "change"), 0
    )
    now: dict[tuple[str, str], set[str]] = {}
    placed: dict[str, tuple[str, str]] = {}
    for s in schedule_doc.get("sessions", []):
        v = inst.venues[s["venue"]]
        key = (s["slot"], s["venue"])
        now[key] = set(_participants(s))
        for t in s["tables"]:
            r = inst.requests[t["request"]]
            placed[r["id"]] = key
            terms["scheduled"] += w["scheduled"] * r["priority"]
            visits: Counter[str] = Counter()
            for people in t["rounds"]:
                for pid in people:
                    visits[pid] += 1
                    skills = inst.people[pid]["skills"]
                    for need in r["needs"]:
                        level = skills.get(need["skill"], 0)
                        if level >= need["min_level"]:
                            terms["skill"] += w["skill"] * level
            terms["repeat_table"] -= w["repeat_table"] * sum(n - 1 for n in visits.values() if n > 1)
        for pid in now[key]:
            p = inst.people[pid]
            if p["availability"].get(s["slot"]) == "maybe":
                terms["maybe"] -= w["maybe"]
            if not v["online"]:
                terms["travel_km"] -= w["travel_km"] * whole_km(
                    great_circle_km(p["lat"], p["lon"], v["lat"], v["lon"])
                )
            terms["fairness"] -= w["fairness"] * p["recent_invitations"]
    if inst.previous:
        for s in inst.previous.get("sessions", []):
            key = (s["slot"], s["venue"])
            for t in s.get("tables", []):
                if placed.get(t["request"]) != key:
                    terms["change"] -= w["change"]
            for pid in _participants(s):
                if pid not in now.get(key, set()):
                    terms["change"] -= w["change"]
    return terms


def spec_score(instance_doc: dict, schedule_doc: dict) -> int:
    """The integer score of the spec's score section."""
    return sum(score_terms(instance_doc, schedule_doc).values())
