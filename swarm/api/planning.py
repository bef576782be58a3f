"""Organizers plan a round: rounds, solves (start, progress, stop), the draft and published schedule with the
reasons for every invitation, and publishing."""

from __future__ import annotations

from flask import current_app

from swarm.api import auth
from swarm.api.common import api_blueprint
from swarm.api.paging import LINK_HEADER, paginate
from swarm.api.schemas import (
    PageQuery,
    PublishReport,
    Round,
    RoundIn,
    Schedule,
    ScheduleQuery,
    Solve,
    SolveIn,
    page_of,
)
from swarm.domain.enums import SessionStatus, UserRole
from swarm.domain.refs import parse_ref
from swarm.persistence.models import PlanningRound, SolveRun
from swarm.services.plan import frame, queue, review, rounds
from swarm.services.plan import publish as publish_service
from swarm.webapp.clock import clock
from swarm.webapp.db import db
from swarm.webapp.reasons import engine_reason_text, reason_text

blp = api_blueprint("planning", "Planning rounds, solves, schedules and publishing (organizers)")

RoundPage = page_of(Round, "RoundPage")


def round_document(row: PlanningRound) -> dict:
    return {
        "id": row.id,
        "region_id": row.region_id,
        "sequence": row.sequence,
        "name": row.name,
        "status": str(row.status),
        "starts_on": row.starts_on,
        "ends_on": row.ends_on,
        "availability_deadline": row.availability_deadline,
        "time_limit_seconds": row.time_limit_seconds,
        "slot_ids": [slot.id for slot in frame.round_slots(db(), row.id)],
        "published_at": row.published_at,
        "closed_at": row.closed_at,
    }


def solve_document(run: SolveRun) -> dict:
    return {
        "id": run.id,
        "kind": str(run.kind),
        "status": str(run.status),
        "planning_round_id": run.planning_round_id,
        "project_ids": list((run.parameters or {}).get("project_ids", [])),
        "stage": run.stage,
        "score": run.score if run.score is not None else run.best_score,
        "bound": run.bound if run.bound is not None else run.best_bound,
        "gap": queue.gap(run),
        "elapsed_seconds": run.elapsed_seconds,
        "stop_requested": run.stop_requested,
        "error": run.error,
        "queued_at": run.queued_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
    }


def reasons_document(reasons) -> list[dict]:
    return [
        {"code": str(item.get("code", "")), "facts": item.get("facts") or {}, "text": reason_text(item)}
        for item in reasons or []
        if isinstance(item, dict)
    ]


def _session_document(view) -> dict:
    return {
        "id": view.session.id,
        "uid": view.session.uid,
        "status": str(view.session.status),
        "version": view.session.version,
        "slot_id": view.slot.id,
        "slot_code": view.slot.code,
        "starts_at": view.slot.starts_at,
        "ends_at": view.slot.ends_at,
        "venue_id": view.venue.id,
        "venue_name": view.venue.name,
        "tables": [
            {
                "position": table.table.position,
                "request_id": table.request.id,
                "title": table.request.title,
                "rounds": [[person.id for person in people] for people in table.rounds],
            }
            for table in view.tables
        ],
        "invitations": [
            {
                "id": invitation.id,
                "professional_id": person.id,
                "name": person.name,
                "response": str(invitation.response),
                "cancelled": invitation.cancelled_at is not None,
                "reasons": reasons_document(invitation.reasons),
            }
            for invitation, person in view.invitations
        ],
    }


def _unscheduled(planning_round: PlanningRound) -> list[dict]:
    run = next((r for r in queue.solve_runs_of(db(), planning_round.region_id) if r.result), None)
    if run is None or run.planning_round_id != planning_round.id:
        return []
    items = []
    for item in run.result.get("unscheduled", []):
        ref = item.get("request") if isinstance(item, dict) else None
        items.append(
            {
                "request_id": parse_ref(ref, "r") if isinstance(ref, str) else None,
                "reason": engine_reason_text(item) if isinstance(item, dict) else str(item),
            }
        )
    return items


@blp.get("/rounds")
@blp.arguments(PageQuery, location="query")
@blp.response(200, RoundPage, headers=LINK_HEADER)
def list_rounds(paging):
    """The region's planning rounds, newest first."""
    actor = auth.require_role(UserRole.ORGANIZER)
    body, headers = paginate(frame.rounds_of_region(db(), actor.region_id, actor=actor), paging)
    body["items"] = [round_document(row) for row in body["items"]]
    return body, headers


@blp.post("/rounds")
@blp.arguments(RoundIn)
@blp.response(201, Round)
def create_round(data):
    """Open a new planning round with its candidate slots (each with the venues free then); it takes requests
    and availability until its deadline."""
    actor = auth.require_role(UserRole.ORGANIZER)
    slots = [rounds.SlotInput(**slot) for slot in data["slots"]]
    row = rounds.open_planning_round(
        db(),
        actor.region_id,
        rounds.RoundInput(
            name=data["name"],
            availability_deadline=data["availability_deadline"],
            slots=slots,
            time_limit_seconds=data["time_limit_seconds"],
        ),
        actor=actor,
        clock=clock(),
    )
    return round_document(row)


@blp.get("/rounds/<id:round_id>")
@blp.etag
@blp.response(200, Round)
def get_round(round_id: int):
    actor = auth.require_role(UserRole.ORGANIZER)
    return round_document(frame.round_for(db(), round_id, actor=actor))


@blp.post("/rounds/<id:round_id>/solves")
@blp.arguments(SolveIn)
@blp.response(202, Solve)
def start_solve(data, round_id: int):
    """Queue a solve of the round; a worker runs it. Follow it at /solves/{id}."""
    actor = auth.require_role(UserRole.ORGANIZER)
    run = queue.enqueue_solve(
        db(), round_id, actor=actor, time_limit=data["time_limit"], seed=data["seed"], clock=clock()
    )
    return solve_document(run)


@blp.get("/solves/<id:solve_id>")
@blp.response(200, Solve)
def get_solve(solve_id: int):
    """A solve's progress: status, stage, best score and bound so far, gap."""
    actor = auth.require_role(UserRole.ORGANIZER, UserRole.COORDINATOR)
    return solve_document(queue.get_solve_run(db(), solve_id, actor=actor))


@blp.post("/solves/<id:solve_id>/stop")
@blp.response(200, Solve)
def stop_solve(solve_id: int):
    """Stop the solve and keep the best schedule found so far (a queued one is cancelled)."""
    actor = auth.require_role(UserRole.ORGANIZER, UserRole.COORDINATOR)
    return solve_document(queue.request_stop(db(), solve_id, actor=actor, clock=clock()))


@blp.get("/rounds/<id:round_id>/schedule")
@blp.arguments(ScheduleQuery, location="query")
@blp.response(200, Schedule)
def get_schedule(query, round_id: int):
    """The round's draft (default) or published schedule: sessions, tables per round, invitations with the
    reasons in the request's language, and (draft) the questions left unplanned with why."""
    actor = auth.require_role(UserRole.ORGANIZER)
    planning_round = frame.round_for(db(), round_id, actor=actor)
    status = SessionStatus(query["status"])
    views = review.sessions_of_round(db(), planning_round.id, (status,))
    draft = status is SessionStatus.DRAFT
    return {
        "planning_round_id": planning_round.id,
        "status": status.value,
        "stale": draft and publish_service.draft_is_stale(db(), planning_round.id),
        "sessions": [_session_document(view) for view in views],
        "unscheduled": _unscheduled(planning_round) if draft else [],
    }


@blp.post("/rounds/<id:round_id>/publish")
@blp.response(200, PublishReport)
def publish_round(round_id: int):
    """Publish the round's draft: sessions, invitations and their mail at once."""
    actor = auth.require_role(UserRole.ORGANIZER)
    report = publish_service.publish_round(
        db(), round_id, actor=actor, config=current_app.config["SWARM"], clock=clock()
    )
    return {
        "published": report.published,
        "updated": report.updated,
        "cancelled": report.cancelled,
        "mails": report.mails,
    }
