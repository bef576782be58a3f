"""What callers use: parse, solve, repair and write a ``swarm-schedule/1`` document.

    result = solve(parse_instance(document), SolveOptions(time_limit=10))
    to_document(result)  # the spec's result, plus "breakdown", "invitations" and "explanations"

``repair(instance, previous, options, control, pins=..., fixed_sessions=...)`` re-solves after a
change (a decline, a new request, a venue that falls away) with ``previous`` as the spec's change
term, and optionally pins people to requests or requests to sessions (docs/solver-swarm.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from solver.control import SolveControl, SolveOptions
from solver.formats import SWARM_SCHEDULE, At
from solver.reasons import Reason
from solver.swarm import engine, evaluate, explain
from solver.swarm.evaluate import SessionPlan
from solver.swarm.instance import FixedSession, Instance, Pin, parse_instance
from solver.swarm.repairs import parse_previous

__all__ = ["SwarmResult", "parse_instance", "repair", "solve", "to_document"]


@dataclass
class SwarmResult:
    instance: Instance
    status: str  # "optimal" or "feasible"
    score: int
    bound: int | None
    solve_seconds: float
    sessions: list[SessionPlan]
    unscheduled: list[tuple[int, Reason]]  # (request position, reason: code, facts, English text)
    breakdown: dict[str, int] = field(default_factory=dict)
    invitations: list[dict[str, Any]] = field(default_factory=list)
    stages: dict[str, float] = field(default_factory=dict)


def solve(
    instance: Instance, options: SolveOptions | None = None, control: SolveControl | None = None
) -> SwarmResult:
    """The best schedule found within ``options.time_limit`` (or until ``control.request_stop()``)."""
    options = options or SolveOptions()
    outcome = engine.run(instance, options, control)
    planned = {t.request for s in outcome.sessions for t in s.tables}
    unscheduled = [
        (r, explain.why_unscheduled(outcome.elig, r, outcome.sessions))
        for r in range(len(instance.requests))
        if r not in planned
    ]
    return SwarmResult(
        instance=instance,
        status="optimal" if outcome.optimal else "feasible",
        score=outcome.score,
        bound=outcome.bound,
        solve_seconds=outcome.seconds,
        sessions=outcome.sessions,
        unscheduled=unscheduled,
        breakdown=evaluate.breakdown(instance, outcome.sessions),
        invitations=explain.invitations(outcome.elig, outcome.sessions),
        stages=outcome.stages,
    )


def repair(
    instance: Instance,
    previous: SwarmResult | dict[str, Any] | None,
    options: SolveOptions | None = None,
    control: SolveControl | None = None,
    *,
    pins: Sequence[tuple[str, str]] = (),
    fixed_sessions: Sequence[tuple[str, str, str]] = (),
) -> SwarmResult:
    """Re-solve ``instance`` (the changed data) keeping close to ``previous``.

    ``previous`` is an earlier result or its ``swarm-schedule/1`` document; ``pins`` are
    (request id, professional id) pairs, ``fixed_sessions`` (request id, slot id, venue id).
    Pins are checked like the instance's own ``pins`` field.
    """
    document = to_document(previous) if isinstance(previous, SwarmResult) else previous
    extra_pins = tuple(Pin(r, p) for r, p in pins)
    extra_fixed = tuple(FixedSession(r, s, v) for r, s, v in fixed_sessions)
    _check_references(instance, extra_pins, extra_fixed)
    changed = dataclasses.replace(
        instance,
        previous=None if document is None else parse_previous(document, At("previous")),
        pins=tuple(dict.fromkeys(instance.pins + extra_pins)),
        fixed_sessions=instance.fixed_sessions + extra_fixed,
        slot_index={},
        venue_index={},
        request_index={},
        professional_index={},
    )
    return solve(changed, options, control)


def _check_references(inst: Instance, pins: tuple[Pin, ...], fixed: tuple[FixedSession, ...]) -> None:
    at = At("pins")
    for i, pin in enumerate(pins):
        if pin.request not in inst.request_index:
            at.index(i).key("request").fail(f'unknown request "{pin.request}"')
        if pin.professional not in inst.professional_index:
            at.index(i).key("professional").fail(f'unknown professional "{pin.professional}"')
    at = At("fixed_sessions")
    for i, item in enumerate(fixed):
        if item.request not in inst.request_index:
            at.index(i).key("request").fail(f'unknown request "{item.request}"')
        if item.slot not in inst.slot_index:
            at.index(i).key("slot").fail(f'unknown slot "{item.slot}"')
        if item.venue not in inst.venue_index:
            at.index(i).key("venue").fail(f'unknown venue "{item.venue}"')


def to_document(result: SwarmResult) -> dict[str, Any]:
    """The spec's ``swarm-schedule/1`` document, with the optional extras beside it."""
    inst = result.instance
    return {
        "format": SWARM_SCHEDULE,
        "instance": inst.id,
        "status": result.status,
        "score": result.score,
        "bound": result.bound,
        "solve_seconds": result.solve_seconds,
        "sessions": [
            {
                "slot": inst.slots[s.slot].id,
                "venue": inst.venues[s.venue].id,
                "tables": [
                    {
                        "request": inst.requests[t.request].id,
                        "rounds": [[inst.professionals[p].id for p in seats] for seats in t.rounds],
                    }
                    for t in s.tables
                ],
            }
            for s in result.sessions
        ],
        "unscheduled": [
            {"request": inst.requests[r].id, "reason": reason.text, **reason.as_fields()}
            for r, reason in result.unscheduled
        ],
        "breakdown": result.breakdown,
        "invitations": result.invitations,
    }
