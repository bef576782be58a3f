"""The end of a solve run: the engine call, and storing its outcome (:class:`RunOutcome`) in one transaction.

Storing is guarded by the run's state (still ``running`` and still this worker's), so a result is stored once even
when a slow worker and the one that took its run over both finish. With the result go the round's draft schedule,
for a repair its publication instead (updated invitations, CANCELs; the organizer's draft stays as it is), and the
organizer's notification mail.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

import solver.shell
import solver.swarm
from solver.control import Progress, SolveControl, SolveOptions
from swarm.config import Config
from swarm.domain.enums import SolveKind, SolveStatus, UserRole
from swarm.domain.timeutil import Clock
from swarm.mail import Mail, one_line
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import Assignment, PlanningRound, Project, ProjectRole, Region, SolveRun, User
from swarm.services.ops import webhooks
from swarm.services.ops.outbox import enqueue_mail
from swarm.services.plan.draft import store_swarm_schedule
from swarm.services.plan.publish import apply_repair, draft_is_stale
from swarm.services.plan.queue import REPAIR, owned_by
from swarm.services.team.instance import store_shell_plan


@dataclass(frozen=True)
class RunOutcome:
    """How one claimed run ended for this worker (``running``: another worker owns it now, nothing stored)."""

    run_id: int
    status: SolveStatus
    message: str = ""


def solve_document(kind: SolveKind, document: dict, options: SolveOptions, control: SolveControl) -> dict:
    """Instance document in, result document out, through the engine of ``kind``."""
    if kind == SolveKind.SHELL:
        shell = solver.shell.parse_instance(document)
        return solver.shell.to_document(solver.shell.solve(shell, options, control))
    swarm = solver.swarm.parse_instance(document)
    return solver.swarm.to_document(solver.swarm.solve(swarm, options, control))


def finish_succeeded(
    engine: sa.Engine,
    run_id: int,
    worker_id: str,
    result: dict,
    progress: Progress | None,
    config: Config,
    clock: Clock,
) -> RunOutcome:
    with unit_of_work(engine, immediate=True) as session:
        now = clock()
        values = {
            "status": SolveStatus.SUCCEEDED,
            "result": result,
            "score": result.get("score"),
            "bound": result.get("bound"),
            "finished_at": now,
            "heartbeat_at": now,
            "error": "",
        }
        if progress is not None:
            values |= {
                "best_score": progress.score,
                "best_bound": progress.bound,
                "stage": progress.stage[:60],
            }
        values["elapsed_seconds"] = result.get("solve_seconds", progress.elapsed if progress else None)
        if (
            session.execute(sa.update(SolveRun).where(owned_by(run_id, worker_id)).values(**values)).rowcount
            != 1
        ):
            return _not_stored(session, run_id, worker_id, SolveStatus.SUCCEEDED)
        run = session.get(SolveRun, run_id)
        if run.kind == SolveKind.SWARM:
            # One result per round at a time: two workers finishing together must not both replace the draft.
            session.exec(
                select(PlanningRound.id).where(PlanningRound.id == run.planning_round_id).with_for_update()
            ).one()
            notes = []
            if run.parameters.get("purpose") == REPAIR:
                planning_round = session.get(PlanningRound, run.planning_round_id)
                applied = apply_repair(session, planning_round, result, run=run, config=config, clock=clock)
                notes.append("repair" if applied is not None else "repair_again")
                if draft_is_stale(session, planning_round.id):
                    notes.append("stale_draft")
            else:
                store_swarm_schedule(
                    session,
                    run.region_id,
                    result,
                    planning_round_id=run.planning_round_id,
                    solve_run_id=run.id,
                    clock=clock,
                )
                notes.append("stale_draft" if draft_is_stale(session, run.planning_round_id) else "draft")
        else:
            store_shell_plan(session, run.parameters["project_ids"], result, solve_run_id=run.id, clock=clock)
            _team_proposed(session, run, config, clock)
            notes = ["draft"]
        notify_organizers(session, run, config, clock, notes=notes)
    return RunOutcome(run_id, SolveStatus.SUCCEEDED)


def _team_proposed(session: Session, run: SolveRun, config: Config, clock: Clock) -> None:
    """Tell the region's webhooks that each project of the run has a proposed team."""
    for project_id in run.parameters.get("project_ids", []):
        project = session.get(Project, project_id)
        if project is None:
            continue
        assignments = session.exec(
            select(sa.func.count(Assignment.id))
            .join(ProjectRole, ProjectRole.id == Assignment.project_role_id)
            .where(ProjectRole.project_id == project.id)
        ).one()
        webhooks.emit(
            session,
            run.region_id,
            webhooks.TEAM_PROPOSED,
            {
                "project_id": project.id,
                "municipality_id": project.municipality_id,
                "title": project.title,
                "assignments": assignments,
                "solve_id": run.id,
                "link": f"{config.base_url.rstrip('/')}/coordinator/projects/{project.id}",
            },
            clock=clock,
        )


def finish_failed(
    engine: sa.Engine, run_id: int, worker_id: str, error: str, config: Config, clock: Clock
) -> RunOutcome:
    with unit_of_work(engine, immediate=True) as session:
        failed = session.execute(
            sa.update(SolveRun)
            .where(owned_by(run_id, worker_id))
            .values(status=SolveStatus.FAILED, error=error[:4000], finished_at=clock())
        )
        if failed.rowcount != 1:
            return _not_stored(session, run_id, worker_id, SolveStatus.FAILED)
        notify_organizers(session, session.get(SolveRun, run_id), config, clock)
    return RunOutcome(run_id, SolveStatus.FAILED, error)


def _not_stored(session: Session, run_id: int, worker_id: str, status: SolveStatus) -> RunOutcome:
    """Why a finish wrote nothing: this worker stored it already (its commit went through, but the connection was
    lost before it heard so, and it tried again), or another worker owns the run now."""
    run = session.get(SolveRun, run_id)
    if run is not None and run.status == status and run.worker_id == worker_id[:120]:
        return RunOutcome(
            run_id, status, "stored on an earlier try (the connection was lost after the commit)"
        )
    return RunOutcome(run_id, SolveStatus.RUNNING, "another worker owns this run now; result dropped")


_WORDS = {
    "nl": {
        "subject": {
            "succeeded": "Planning klaar: {round} ({region})",
            "failed": "Planning mislukt: {round} ({region})",
        },
        "succeeded": "De planning van {round} is klaar. {sessions} sessie(s), {unscheduled} vraagstuk(ken) niet "
        "ingepland, score {score}.",
        "repair": "Na een afmelding is het gepubliceerde rooster hersteld en zijn de wijzigingen verstuurd.",
        "repair_again": "Het gepubliceerde rooster veranderde terwijl het herstel na een afmelding liep; er is niets "
        "verstuurd en het herstel wordt opnieuw gedaan.",
        "stale_draft": "Uw concept is gemaakt vóór deze wijziging van het gepubliceerde rooster of een afmelding. Het "
        "blijft een concept en kan zo niet worden gepubliceerd: los opnieuw op.",
        "draft": "Het concept staat klaar om te beoordelen en te publiceren.",
        "failed": "De planning van {round} is mislukt: {error}",
        "greeting": "Beste {name},",
    },
    "en": {
        "subject": {
            "succeeded": "Planning ready: {round} ({region})",
            "failed": "Planning failed: {round} ({region})",
        },
        "succeeded": "The planning of {round} is ready. {sessions} session(s), {unscheduled} question(s) not "
        "scheduled, score {score}.",
        "repair": "After a decline the published schedule was repaired and the changes were sent.",
        "repair_again": "The published schedule changed while the repair after a decline ran; nothing was sent and "
        "the repair is being done again.",
        "stale_draft": "Your draft was made before this change of the published schedule or a decline. It stays a "
        "draft and cannot be published as it is: solve again.",
        "draft": "The draft is ready to review and publish.",
        "failed": "The planning of {round} failed: {error}",
        "greeting": "Dear {name},",
    },
}


def notify_organizers(
    session: Session, run: SolveRun, config: Config, clock: Clock, *, notes: list[str] | None = None
) -> int:
    """Tell the region's organizers how the run ended (once per run and organizer), and mark the run notified.

    ``notes`` name the sentences that say what became of a successful result (keys of ``_WORDS``)."""
    region = session.get(Region, run.region_id)
    planning_round = session.get(PlanningRound, run.planning_round_id) if run.planning_round_id else None
    round_name = planning_round.name if planning_round else f"run {run.id}"
    organizers = session.exec(
        select(User)
        .where(User.role == UserRole.ORGANIZER, User.region_id == region.id, User.active)
        .order_by(User.id)
    )
    outcome = "succeeded" if run.status == SolveStatus.SUCCEEDED else "failed"
    result = run.result or {}
    written = 0
    for user in organizers:
        words = _WORDS.get(user.locale, _WORDS["nl"])
        if outcome == "succeeded":
            lines = [
                words["succeeded"].format(
                    round=round_name,
                    sessions=len(result.get("sessions") or []),
                    unscheduled=len(result.get("unscheduled") or []),
                    score=run.score,
                ),
                *(words[note] for note in notes or ["draft"]),
            ]
        else:
            lines = [words["failed"].format(round=round_name, error=run.error)]
        body = "\n\n".join(
            [
                words["greeting"].format(name=one_line(user.name or user.email)),
                *lines,
                config.base_url + "/organizer/",
            ]
        )
        message = Mail(
            kind=f"solve_{outcome}",
            idempotency_key=f"solve-{outcome}:{run.id}:{user.id}",
            recipient=user.email,
            recipient_name=one_line(user.name),
            subject=one_line(words["subject"][outcome].format(round=round_name, region=region.name)),
            body_text=body + "\n",
        )
        written += enqueue_mail(session, message, region_id=region.id, clock=clock)
    run.notified_at = clock()
    session.add(run)
    return written
