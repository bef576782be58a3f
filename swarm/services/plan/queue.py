"""The solve queue: runs queued in a web request, claimed by one worker.

Life of a SolveRun: ``queued`` (a round's instance snapshot taken; a team proposal's is taken by the worker
that claims it) -> ``running`` (claimed by a worker, heartbeat) ->
``succeeded`` (result stored as the round's draft, organizer notified) or ``failed``. A run whose worker stopped
reporting (3 x SWARM_WORKER_HEARTBEAT_SECONDS) goes back to ``queued`` for another worker. Every state change is
a guarded UPDATE, so two workers can never both own, finish or store the same run. The worker loop is in
:mod:`swarm.services.plan.worker`, storing what a run found in :mod:`swarm.services.plan.results`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import defer
from sqlmodel import Session, select

from swarm.config import Config
from swarm.domain.actors import Actor
from swarm.domain.enums import (
    AuditKind,
    InvitationResponse,
    PlanningRoundStatus,
    SessionStatus,
    SolveKind,
    SolveStatus,
)
from swarm.domain.errors import N_, ValidationError
from swarm.domain.refs import professional_ref, request_ref
from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.db import is_sqlite, unit_of_work
from swarm.persistence.models import Invitation, Municipality, PlanningRound, Project, SessionTable, SolveRun
from swarm.persistence.models import Session as SwarmSession
from swarm.services.lookup import get
from swarm.services.ops import audit
from swarm.services.plan.draft import schedule_basis
from swarm.services.plan.instance import build_swarm_instance
from swarm.services.team.instance import (
    build_shell_instance,
    existing_projects,
    region_of_projects,
    require_roles,
)

log = logging.getLogger(__name__)

# A plan replaces the round's draft for the organizer to review. A repair (after a decline) re-solves only what is
# published and publishes its result at once; it never touches the draft.
PLAN, REPAIR = "plan", "repair"
MAX_ATTEMPTS = 3  # a run that lost its worker this often is marked failed instead of queued again


# -- queueing -------------------------------------------------------------------------------------------------


def _check_time_limit(time_limit: float | None) -> None:
    if time_limit is not None and not 0 < time_limit <= 3600:
        raise ValidationError("time_limit", N_("Give a time limit between 1 second and an hour."))


def enqueue_solve(
    session: Session,
    planning_round_id: int,
    *,
    actor: Actor,
    purpose: str = PLAN,
    time_limit: float | None = None,
    seed: int = 0,
    clock: Clock = system_clock,
) -> SolveRun:
    """Queue a solve of the round with a snapshot of its instance; a run still queued for it is refreshed.

    Without ``time_limit`` the round's own (if it has one) or SWARM_SOLVE_TIME_LIMIT applies.

    A repair's instance holds only the requests at published tables: an open request that is only in the
    organizer's draft must not be published by a decline. Plans and repairs queue apart, so a decline never turns
    the organizer's plan into something that publishes. ``basis`` records what the snapshot builds on.
    """
    planning_round = get(session, PlanningRound, planning_round_id)
    actor.require_region(planning_round.region_id)
    if purpose not in (PLAN, REPAIR):
        raise ValidationError("purpose", N_("Expected %(plan)s or %(repair)s."), plan=PLAN, repair=REPAIR)
    if planning_round.status == PlanningRoundStatus.CLOSED:
        raise ValidationError("planning_round_id", N_("This round is closed; it is no longer planned."))
    if time_limit is None:
        time_limit = planning_round.time_limit_seconds
    _check_time_limit(time_limit)
    instance = build_swarm_instance(session, planning_round.region_id, planning_round_id=planning_round.id)
    document = _without_declined_pins(session, planning_round, instance)
    if purpose == REPAIR:
        document = _published_requests_only(session, planning_round, document)
        if not document["requests"]:
            raise ValidationError(
                "planning_round_id", N_("Nothing of the round is published; there is nothing to repair.")
            )
    if not document["requests"]:
        raise ValidationError("planning_round_id", N_("The round has no open requests to plan."))
    parameters: dict = {"purpose": purpose, "basis": schedule_basis(session, planning_round.id)}
    if time_limit is not None:
        parameters["time_limit"] = time_limit
    queued = next(
        (
            run
            for run in session.exec(
                select(SolveRun)
                .where(
                    SolveRun.planning_round_id == planning_round.id,
                    SolveRun.kind == SolveKind.SWARM,
                    SolveRun.status == SolveStatus.QUEUED,
                )
                .order_by(SolveRun.id)
            )
            if run.parameters.get("purpose", PLAN) == purpose
        ),
        None,
    )
    if queued is not None:
        # A refreshed repair counts as queued now: its quiet period (claim_next_run) starts again, so the
        # declines close together make one repair.
        requeued = {"queued_at": clock()} if purpose == REPAIR else {}
        refreshed = session.execute(
            sa.update(SolveRun)
            .where(SolveRun.id == queued.id, SolveRun.status == SolveStatus.QUEUED)
            .values(input=document, parameters=parameters, seed=seed, **requeued)
        )
        if refreshed.rowcount == 1:
            session.refresh(queued)
            return _started(session, queued, actor, clock, refreshed=True)
    run = _add_run(
        session,
        SolveKind.SWARM,
        planning_round.region_id,
        planning_round.id,
        document,
        parameters,
        seed,
        actor,
        clock,
    )
    return _started(session, run, actor, clock)


def enqueue_team_solve(
    session: Session,
    project_ids: Sequence[int],
    *,
    actor: Actor,
    time_limit: float | None = None,
    seed: int = 0,
    clock: Clock = system_clock,
) -> SolveRun:
    """Queue a team proposal (the flexible-shell model) for projects of one region: what to solve, not how.

    Only the cheap checks run here (the actor, one region, roles to fill): the run stores the project ids and
    the time limit, and the worker builds the instance when it claims the run (:func:`take_team_snapshot`),
    so a large project never holds up a web request. A proposal still queued for the same projects is
    reused: pressing the button twice queues one.
    """
    _check_time_limit(time_limit)
    projects = existing_projects(session, project_ids)
    for project in projects:  # authorization before the region check: another region's ids reveal nothing
        municipality = get(session, Municipality, project.municipality_id)
        actor.require_municipality(municipality.id, municipality.region_id)
    region = region_of_projects(session, projects)
    require_roles(session, [p.id for p in projects])
    parameters: dict = {"project_ids": sorted(set(project_ids))}
    if time_limit is not None:
        parameters["time_limit"] = time_limit
    waiting = (
        (SolveRun.kind == SolveKind.SHELL)
        & (SolveRun.region_id == region.id)
        & (SolveRun.status == SolveStatus.QUEUED)
    )
    for queued in session.exec(select(SolveRun).where(waiting).order_by(SolveRun.id)):
        if queued.parameters.get("project_ids") != parameters["project_ids"]:
            continue
        refreshed = session.execute(
            sa.update(SolveRun)
            .where(SolveRun.id == queued.id, waiting)
            .values(parameters=parameters, seed=seed)
        )
        if refreshed.rowcount == 1:
            session.refresh(queued)
            return _started(session, queued, actor, clock, refreshed=True)
    run = _add_run(session, SolveKind.SHELL, region.id, None, {}, parameters, seed, actor, clock)
    return _started(session, run, actor, clock)


def take_team_snapshot(engine: sa.Engine, run_id: int, worker_id: str) -> dict | None:
    """Build the instance of a team proposal this worker claimed and store it as the run's snapshot; None when
    the run is no longer this worker's. A ValidationError when there is nothing to solve any more (e.g. the
    roles were removed while it waited).

    The build reads in a transaction of its own (seconds for a large project, without holding SQLite's write
    lock); only storing the snapshot writes. A run taken over after its worker died keeps the snapshot its
    first worker stored, so every attempt solves the same instance.
    """
    with unit_of_work(engine) as session:
        run = get(session, SolveRun, run_id)
        document = build_shell_instance(session, run.parameters.get("project_ids") or [])
    with unit_of_work(engine, immediate=True) as session:
        stored = session.execute(
            sa.update(SolveRun).where(owned_by(run_id, worker_id)).values(input=document)
        )
    return document if stored.rowcount == 1 else None


def owned_by(run_id: int, worker_id: str) -> sa.ColumnElement[bool]:
    """The run is running and this worker's: the guard of every write a worker makes to it."""
    return (
        (SolveRun.id == run_id)
        & (SolveRun.worker_id == worker_id[:120])
        & (SolveRun.status == SolveStatus.RUNNING)
    )


def _solve_facts(run: SolveRun) -> dict:
    facts: dict = {"kind": SolveKind(run.kind).value}
    if run.planning_round_id is not None:
        facts["planning_round_id"] = run.planning_round_id
    for key in ("purpose", "project_ids"):
        if key in (run.parameters or {}):
            facts[key] = run.parameters[key]
    return facts


def _started(
    session: Session, run: SolveRun, actor: Actor, clock: Clock, *, refreshed: bool = False
) -> SolveRun:
    """Note the queued (or, ``refreshed``, re-queued) solve in the audit log."""
    facts = _solve_facts(run) | ({"refreshed": True} if refreshed else {})
    audit.record(
        session,
        AuditKind.SOLVE_STARTED,
        actor=actor,
        clock=clock,
        region_id=run.region_id,
        subject=("solve_run", run.id),
        facts=facts,
    )
    return run


def _add_run(session, kind, region_id, round_id, document, parameters, seed, actor, clock) -> SolveRun:
    run = SolveRun(
        kind=kind,
        region_id=region_id,
        planning_round_id=round_id,
        requested_by_id=actor.user_id,
        input=document,
        parameters=parameters,
        seed=seed,
        queued_at=clock(),
    )
    session.add(run)
    session.flush()
    return run


def _without_declined_pins(session: Session, planning_round: PlanningRound, document: dict) -> dict:
    """A decline outranks a pin: drop pins of people who declined the session that holds the pinned request."""
    declined = {
        (request_ref(request_id), professional_ref(person_id))
        for request_id, person_id in session.exec(
            select(SessionTable.request_id, Invitation.professional_id)
            .join(Invitation, Invitation.session_id == SessionTable.session_id)
            .join(SwarmSession, SwarmSession.id == SessionTable.session_id)
            .where(
                SwarmSession.planning_round_id == planning_round.id,
                SwarmSession.status == SessionStatus.PUBLISHED,
                Invitation.response == InvitationResponse.DECLINED,
            )
        )
    }
    document["pins"] = [p for p in document["pins"] if (p["request"], p["professional"]) not in declined]
    return document


def _published_requests_only(session: Session, planning_round: PlanningRound, document: dict) -> dict:
    """The instance cut down to the requests at the round's published tables (and the pins for them)."""
    published = {
        request_ref(request_id)
        for request_id in session.exec(
            select(SessionTable.request_id)
            .join(SwarmSession, SwarmSession.id == SessionTable.session_id)
            .where(
                SwarmSession.planning_round_id == planning_round.id,
                SwarmSession.status == SessionStatus.PUBLISHED,
            )
        )
    }
    document["requests"] = [r for r in document["requests"] if r["id"] in published]
    document["pins"] = [p for p in document["pins"] if p["request"] in published]
    return document


def request_stop(session: Session, run_id: int, *, actor: Actor, clock: Clock = system_clock) -> SolveRun:
    """Ask the worker to stop and keep the best schedule so far; a run still queued is cancelled outright."""
    run = get_solve_run(session, run_id, actor=actor)
    was = SolveStatus(run.status)
    session.execute(
        sa.update(SolveRun)
        .where(SolveRun.id == run.id, SolveRun.status == SolveStatus.QUEUED)
        .values(status=SolveStatus.CANCELLED, stop_requested=True)
    )
    session.execute(
        sa.update(SolveRun)
        .where(SolveRun.id == run.id, SolveRun.status == SolveStatus.RUNNING)
        .values(stop_requested=True)
    )
    session.refresh(run)
    if was in (SolveStatus.QUEUED, SolveStatus.RUNNING):
        audit.record(
            session,
            AuditKind.SOLVE_STOPPED,
            actor=actor,
            clock=clock,
            region_id=run.region_id,
            subject=("solve_run", run.id),
            facts=_solve_facts(run) | {"was": was.value},
        )
    return run


def get_solve_run(session: Session, run_id: int, *, actor: Actor) -> SolveRun:
    """The run, for the region's organizer or, for a team proposal, the coordinators of its projects."""
    run = get(session, SolveRun, run_id)
    if run.kind == SolveKind.SHELL:
        project_ids = run.parameters.get("project_ids") or [None]
        municipality = get(session, Municipality, get(session, Project, project_ids[0]).municipality_id)
        actor.require_municipality(municipality.id, municipality.region_id)
    else:
        actor.require_region(run.region_id)
    return run


# The pages that list runs read their scores, progress and result, never the instance they solved: a snapshot of
# the whole region (megabytes of JSON with 2,000 professionals) that would be sent and parsed on every request.
WITHOUT_INPUT = defer(SolveRun.input)  # type: ignore[arg-type]


def latest_solve_run(session: Session, planning_round_id: int, *, actor: Actor) -> SolveRun | None:
    planning_round = get(session, PlanningRound, planning_round_id)
    actor.require_region(planning_round.region_id)
    return session.exec(
        select(SolveRun)
        .options(WITHOUT_INPUT, defer(SolveRun.result))  # type: ignore[arg-type]
        .where(SolveRun.planning_round_id == planning_round_id, SolveRun.kind == SolveKind.SWARM)
        .order_by(SolveRun.queued_at.desc(), SolveRun.id.desc())
    ).first()


def gap(run: SolveRun) -> float | None:
    """How far the best schedule may still be from the best possible one (0.0: proved optimal)."""
    score = run.score if run.score is not None else run.best_score
    bound = run.bound if run.bound is not None else run.best_bound
    if score is None or bound is None:
        return None
    return max(0.0, (bound - score) / max(abs(bound), 1))


# -- claiming -------------------------------------------------------------------------------------------------


def claim_next_run(
    engine: sa.Engine,
    worker_id: str,
    *,
    clock: Clock = system_clock,
    repair_quiet: timedelta = timedelta(0),
) -> int | None:
    """Make the oldest queued run this worker's (status running); its id, or None when nothing is queued.

    A repair waits until ``repair_quiet`` has passed since it was last queued (SWARM_REPAIR_QUIET_SECONDS): each
    decline re-queues it, so declines close together are repaired at once and each person gets one change mail.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED`` lets any number of workers claim side by side. SQLite has one writer
    at a time; the UPDATE below is guarded by the status, so a run is still claimed once.
    """
    while True:
        with unit_of_work(engine, immediate=True) as session:
            purpose = sa.func.coalesce(SolveRun.parameters["purpose"].as_string(), PLAN)
            due = sa.or_(purpose != REPAIR, SolveRun.queued_at <= clock() - repair_quiet)
            pick = (
                select(SolveRun.id)
                .where(SolveRun.status == SolveStatus.QUEUED, due)
                .order_by(SolveRun.queued_at, SolveRun.id)
                .limit(1)
            )
            if not is_sqlite(engine):
                pick = pick.with_for_update(skip_locked=True)
            run_id = session.exec(pick).first()
            if run_id is None:
                return None
            now = clock()
            claimed = session.execute(
                sa.update(SolveRun)
                .where(SolveRun.id == run_id, SolveRun.status == SolveStatus.QUEUED)
                .values(
                    status=SolveStatus.RUNNING,
                    worker_id=worker_id[:120],
                    started_at=now,
                    heartbeat_at=now,
                    finished_at=None,
                )
            )
            if claimed.rowcount == 1:
                return run_id


def reclaim_stale_runs(engine: sa.Engine, config: Config, *, clock: Clock = system_clock) -> list[int]:
    """Runs whose worker went silent go back to the queue (attempts + 1), or fail after MAX_ATTEMPTS."""
    stale_before = clock() - timedelta(seconds=3 * config.worker_heartbeat_seconds)
    silent = (SolveRun.status == SolveStatus.RUNNING) & (SolveRun.heartbeat_at < stale_before)
    with unit_of_work(engine, immediate=True) as session:
        ids = list(session.exec(select(SolveRun.id).where(silent)))
        for run_id in ids:
            session.execute(
                sa.update(SolveRun)
                .where(SolveRun.id == run_id, silent, SolveRun.attempts + 1 < MAX_ATTEMPTS)
                .values(status=SolveStatus.QUEUED, attempts=SolveRun.attempts + 1, worker_id="")
            )
            session.execute(
                sa.update(SolveRun)
                .where(SolveRun.id == run_id, silent)
                .values(
                    status=SolveStatus.FAILED,
                    attempts=SolveRun.attempts + 1,
                    finished_at=clock(),
                    error=f"The solve stopped with its worker {MAX_ATTEMPTS} times; it was not tried again.",
                )
            )
    if ids:
        log.warning("solve runs %s lost their worker and were queued again", ids)
    return ids


# -- reads for the pages --------------------------------------------------------------------------------------


def solve_runs_of_round(session: Session, planning_round_id: int, limit: int = 5) -> list[SolveRun]:
    """The round's latest swarm runs, newest first (the review page; team proposals have their own page)."""
    return list(
        session.exec(
            select(SolveRun)
            .options(WITHOUT_INPUT)
            .where(SolveRun.planning_round_id == planning_round_id, SolveRun.kind == SolveKind.SWARM)
            .order_by(SolveRun.queued_at.desc(), SolveRun.id.desc())
            .limit(limit)
        )
    )


def solve_runs_of(session: Session, region_id: int, limit: int = 5) -> list[SolveRun]:
    """The region's latest swarm runs, newest first (the organizer's dashboard); team proposals, which a
    coordinator makes, show on the project's page (`team.projects.latest_team_run`)."""
    return list(
        session.exec(
            select(SolveRun)
            .options(WITHOUT_INPUT)
            .where(SolveRun.region_id == region_id, SolveRun.kind == SolveKind.SWARM)
            .order_by(SolveRun.queued_at.desc(), SolveRun.id.desc())
            .limit(limit)
        )
    )
