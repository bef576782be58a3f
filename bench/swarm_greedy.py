"""The baseline a coordinator follows by hand, as a program.

Requests by priority; for each, the first slot and venue that works (joining a session already planned there
when it has a free table); for each table, the nearest people who meet its needs stay at it as hosts; the
nearest others rotate between the tables, one table further each round. With ``pick="random"`` people are
drawn at random among those who fit instead of nearest first (the random draw of the fairness benchmark).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from bench.swarm_data import Option, Region


@dataclass
class Plan:
    """A session's people: hosts stay at their table, rotators move one table on each round."""

    requests: list[str]
    hosts: list[list[str]]
    rotators: list[str]

    def people(self) -> list[str]:
        return [pid for table in self.hosts for pid in table] + self.rotators

    def tables(self, rounds: int) -> list[dict]:
        count = len(self.requests)
        seated = []
        for t, rid in enumerate(self.requests):
            per_round = []
            for k in range(rounds):
                movers = [pid for i, pid in enumerate(self.rotators) if (i + k) % count == t]
                per_round.append(self.hosts[t] + movers)
            seated.append({"request": rid, "rounds": per_round})
        return seated


class Greedy:
    def __init__(self, doc: dict, pick: str = "nearest", seed: int = 0):
        self.region = Region(doc)
        self.pick = pick
        self.rng = random.Random(seed)
        self.plans: dict[Option, Plan] = {}
        self.attending: dict[str, list[Option]] = {}

    def run(self) -> dict:
        inst = self.region.inst
        order = sorted(inst.requests, key=lambda rid: -inst.requests[rid]["priority"])
        unscheduled = []
        for rid in order:
            if not any(self._try(rid, option) for option in self.region.options(rid)):
                unscheduled.append(
                    {"request": rid, "reason": "greedy: no slot and venue with enough fitting people"}
                )
        sessions = [
            {"slot": slot, "venue": vid, "tables": plan.tables(self.region.rounds)}
            for (slot, vid), plan in self.plans.items()
        ]
        return {"format": "swarm-schedule/1", "instance": inst.id, "status": "feasible", "score": None,
                "bound": None, "sessions": sessions, "unscheduled": unscheduled}  # fmt: skip

    def _try(self, rid: str, option: Option) -> bool:
        slot, vid = option
        venue = self.region.inst.venues[vid]
        current = self.plans.get(option)
        if current is None:
            others = [s for (s, v) in self.plans if v == vid]
            if any(self.region.overlap(slot, s) for s in others):
                return False
            limit = self.region.inst.max_parallel
            if limit is not None and self.region.peak_parallel([s for s, _ in self.plans] + [slot]) > limit:
                return False
        requests = ([*current.requests] if current else []) + [rid]
        if len(requests) > venue["tables"]:
            return False
        if current:
            self._release(option, current)
        plan = self._plan(option, requests)
        chosen = plan or current
        if chosen:
            self.plans[option] = chosen
            for pid in chosen.people():
                self.attending.setdefault(pid, []).append(option)
        return plan is not None

    def _release(self, option: Option, plan: Plan) -> None:
        for pid in plan.people():
            self.attending[pid].remove(option)

    def _free(self, pid: str, slot: str) -> bool:
        taken = self.attending.get(pid, [])
        if len(taken) >= self.region.inst.people[pid]["max_sessions"]:
            return False
        return not any(self.region.overlap(slot, s) for s, _ in taken)

    def _candidates(self, option: Option, requests: list[str]) -> list[str]:
        slot, vid = option
        found = [
            pid
            for pid in self.region.attendees(option)
            if self._free(pid, slot) and all(self.region.fits_request(pid, rid, vid) for rid in requests)
        ]
        if self.pick == "random":
            self.rng.shuffle(found)
        else:
            found.sort(key=lambda pid: (self.region.km(pid, vid), pid))
        return found

    def _plan(self, option: Option, requests: list[str]) -> Plan | None:
        inst = self.region.inst
        candidates = self._candidates(option, requests)
        used: set[str] = set()
        hosts: list[list[str]] = []
        for rid in requests:
            table: list[str] = []
            for need in inst.requests[rid]["needs"]:
                have = sum(self.region.meets(pid, need) for pid in table)
                for pid in candidates:
                    if have >= need["min"]:
                        break
                    if pid not in used and self.region.meets(pid, need):
                        table.append(pid)
                        used.add(pid)
                        have += 1
                if have < need["min"]:
                    return None
            hosts.append(table)
        sizes = [inst.requests[rid]["table_size"] for rid in requests]
        per_table = max(0, *(low - len(h) for (low, _), h in zip(sizes, hosts, strict=True)))
        if any(len(h) + per_table > high for (_, high), h in zip(sizes, hosts, strict=True)):
            return None
        rotators = [pid for pid in candidates if pid not in used][: per_table * len(requests)]
        if len(rotators) < per_table * len(requests):
            return None
        plan = Plan(requests, hosts, rotators)
        if len(plan.people()) > inst.venues[option[1]]["capacity"]:
            return None
        return plan


def greedy_schedule(doc: dict, pick: str = "nearest", seed: int = 0) -> dict:
    """A valid swarm-schedule/1 document (score left for the caller to compute with the checker)."""
    return Greedy(doc, pick, seed).run()
