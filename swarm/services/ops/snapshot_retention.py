"""Retention of solve snapshots (AVG data minimisation): finished runs lose the professionals they were given.

A solve run stores the instance it solved (``input``: every professional of the region with home coordinates,
travel radius, skills, availability and recent invitations; the conflicts of interest; the pins; the earlier
schedule) and its result (who sits where, and why each person was invited). Once the run is finished and nothing
needs that any more, ``SWARM_SNAPSHOT_RETENTION_DAYS`` (default 90) later, the scheduler's ``retention`` job reduces
both to what the organizer still reads, and records when in ``snapshot_reduced_at``.

What keeps a run whole, however old it is:

- it has not finished (queued or running): it is still to be solved;
- a draft session of it exists (the organizer's draft is still open), or a proposed team assignment of it;
- a published session it planned ends less than the period ago (every upcoming session, too): the schedule is
  live, and for a while after it took place the snapshot is what shows what the engine knew when someone asks why
  they were, or were not, invited (the period covers the six weeks of an objection under the Awb);
- an accepted team assignment of it holds a role whose last week is less than the period ago.

Otherwise the period runs from when the run finished (a run cancelled in the queue: from when it was queued).

What a reduced run keeps: its row (status, times, score, bound, the parameters with the ``basis`` fingerprints
that the staleness check of a draft reads), the instance without people (slots, venues, weights, the requests or
projects without their ``excluded`` and ``preferred`` lists), and the result's status, score, bound, breakdown,
the reasons of every request left unscheduled and every role left unfilled (they name no one), the sessions with
their tables and table sizes per round, and the roles filled. Who was invited stays where it always was: in the
sessions, seats and invitations of the published schedule, and in the team's assignments.

What goes: ``professionals`` (kept as a count), ``pins``, ``previous``, the result's seats, its ``invitations`` (the
reasons per person) and who holds each proposed role with its reasons. A repair does not need an old snapshot: its
instance is built afresh from the database and its ``previous`` is the published schedule there. As a last check,
a kept part of a document that still names a professional (``p-<id>`` or ``erased-<n>``) is dropped too.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import select

from swarm.config import Config
from swarm.domain.enums import AssignmentStatus, SessionStatus, SolveKind, SolveStatus
from swarm.domain.timeutil import Clock, iso_week, to_local
from swarm.persistence.db import is_sqlite, unit_of_work
from swarm.persistence.models import Assignment, ProjectRole, Slot, SolveRun
from swarm.persistence.models import Session as SwarmSession

log = logging.getLogger(__name__)

FINISHED = (SolveStatus.SUCCEEDED, SolveStatus.FAILED, SolveStatus.CANCELLED)

# A professional as the stored documents name them: p-17, or erased-3 after an erasure.
_PERSON_REF = re.compile(r"(?<![\w-])(?:p|erased)-\d+(?![\w-])")

# The instance's parts that describe the question, not the people (both formats).
_INSTANCE_PARTS = (
    "format",
    "id",
    "timezone",
    "rounds",
    "max_parallel_sessions",
    "weights",
    "weeks",
    "slots",
    "venues",
    "fixed_sessions",
    "requests",
    "projects",
)
_PERSON_LISTS = ("excluded", "preferred")  # of a request or project: conflicts of interest and wishes
_RESULT_PARTS = (
    "format",
    "instance",
    "status",
    "score",
    "bound",
    "solve_seconds",
    "breakdown",
    "unscheduled",
    "unfilled",
)


@dataclass(frozen=True)
class ReducedSnapshot:
    input: dict[str, Any]
    result: dict[str, Any] | None
    professionals: int  # how many professionals the instance held
    dropped: tuple[str, ...]  # the kept parts dropped because they still named someone


def reduce_snapshot(document: Any, result: Any, *, at: datetime) -> ReducedSnapshot:
    """The run's instance and result without the people: what the organizer still reads. Pure; the arguments
    are left as they are, and a missing result stays missing."""
    document = document if isinstance(document, dict) else {}
    people = document.get("professionals")
    instance: dict[str, Any] = {key: document[key] for key in _INSTANCE_PARTS if key in document}
    for key in ("requests", "projects"):
        if isinstance(instance.get(key), list):
            instance[key] = [
                {k: v for k, v in item.items() if k not in _PERSON_LISTS} if isinstance(item, dict) else item
                for item in instance[key]
            ]
    dropped = _drop_people(instance, "input")
    instance["professionals"] = []
    instance["reduced"] = {
        "at": at.isoformat(),
        "professionals": len(people) if isinstance(people, list) else 0,
        "pins": len(document.get("pins") or []),
    }
    reduced_result = None
    if isinstance(result, dict):
        reduced_result = {key: result[key] for key in _RESULT_PARTS if key in result}
        if isinstance(result.get("sessions"), list):
            reduced_result["sessions"] = [_session_shape(item) for item in result["sessions"]]
        if isinstance(result.get("assignments"), list):
            reduced_result["assignments"] = [
                {"role": item.get("role")} for item in result["assignments"] if isinstance(item, dict)
            ]
        dropped += _drop_people(reduced_result, "result")
        reduced_result["reduced"] = {
            "at": at.isoformat(),
            "invitations": len(result.get("invitations") or []),
        }
    return ReducedSnapshot(instance, reduced_result, instance["reduced"]["professionals"], tuple(dropped))


def _session_shape(item: Any) -> Any:
    """A planned session with its tables and how many sat at each per round, without who."""
    if not isinstance(item, dict):
        return item
    tables = [
        {
            "request": table.get("request"),
            "round_sizes": [
                len(seats) if isinstance(seats, list) else 0 for seats in table.get("rounds") or []
            ],
        }
        for table in item.get("tables") or []
        if isinstance(table, dict)
    ]
    return {"slot": item.get("slot"), "venue": item.get("venue"), "tables": tables}


def _drop_people(document: dict[str, Any], name: str) -> list[str]:
    """Drop every part that still names a professional; the names of the parts dropped."""
    dropped = []
    for key in list(document):
        if _PERSON_REF.search(json.dumps(document[key], ensure_ascii=False)):
            del document[key]
            dropped.append(f"{name}.{key}")
    return dropped


def reducible(now: datetime, days: int) -> sa.ColumnElement[bool]:
    """Finished runs whose snapshot is whole and that nothing needs any more (see the module's rules)."""
    cutoff = now - timedelta(days=days)
    cutoff_week = iso_week(to_local(cutoff).date())
    schedule_in_use = (
        select(SwarmSession.id)
        .join(Slot, Slot.id == SwarmSession.slot_id)
        .where(
            SwarmSession.solve_run_id == SolveRun.id,
            sa.or_(
                SwarmSession.status == SessionStatus.DRAFT,
                (SwarmSession.status == SessionStatus.PUBLISHED) & (Slot.ends_at >= cutoff),
            ),
        )
    )
    team_in_use = (
        select(Assignment.id)
        .join(ProjectRole, ProjectRole.id == Assignment.project_role_id)
        .where(
            Assignment.solve_run_id == SolveRun.id,
            sa.or_(Assignment.status == AssignmentStatus.PROPOSED, ProjectRole.last_week >= cutoff_week),
        )
    )
    return sa.and_(
        SolveRun.status.in_(FINISHED),
        SolveRun.snapshot_reduced_at.is_(None),
        sa.func.coalesce(SolveRun.finished_at, SolveRun.queued_at) < cutoff,
        ~schedule_in_use.exists(),
        ~team_in_use.exists(),
    )


def reduce_old_snapshots(engine: sa.Engine, config: Config, clock: Clock) -> list[int]:
    """Reduce the snapshot of every finished run past ``SWARM_SNAPSHOT_RETENTION_DAYS`` that nothing needs any
    more, one run per transaction; the runs reduced. Running it again finds nothing to do."""
    now = clock()
    condition = reducible(now, config.snapshot_retention_days)
    with unit_of_work(engine) as session:
        candidates = session.exec(select(SolveRun.id).where(condition).order_by(SolveRun.id)).all()
    reduced = []
    for run_id in candidates:
        with unit_of_work(engine, immediate=True) as session:
            # Locked, and checked again: an erasure writes a run over what it read, guarded by this column.
            pick = select(SolveRun).where(SolveRun.id == run_id, condition)
            if not is_sqlite(engine):
                pick = pick.with_for_update(of=SolveRun)
            run = session.exec(pick).first()
            if run is None:
                continue
            snapshot = reduce_snapshot(run.input, run.result, at=now)
            values: dict[str, Any] = {"input": snapshot.input, "snapshot_reduced_at": now}
            if snapshot.result is not None:  # a missing result stays SQL NULL, not JSON null
                values["result"] = snapshot.result
            session.execute(
                sa.update(SolveRun)
                .where(SolveRun.id == run.id, SolveRun.snapshot_reduced_at.is_(None))
                .values(**values)
            )
            kind = "team" if run.kind == SolveKind.SHELL else "round"
            log.info(
                "solve run %s (%s, %s, finished %s): snapshot reduced, %d professionals taken out",
                run.id,
                kind,
                run.status,
                (run.finished_at or run.queued_at).isoformat(),
                snapshot.professionals,
            )
            if snapshot.dropped:
                log.warning("solve run %s: dropped %s, which still named someone", run.id, snapshot.dropped)
            reduced.append(run.id)
    return reduced
