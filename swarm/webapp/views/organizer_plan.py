"""The organizer starts a solve, follows it live (htmx polling), stops it, and publishes the draft.

A solve never runs inside a web request: the view only queues a SolveRun; a worker process claims and runs it
(`swarm.services.plan.worker.run_queued_solves`, started by the scheduler or, in tests, by the test itself).
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from swarm.domain.enums import SolveStatus
from swarm.domain.errors import InvalidTransition, ValidationError
from swarm.services.plan import publish as publish_service
from swarm.services.plan import queue
from swarm.webapp.clock import clock
from swarm.webapp.db import db, discard_changes
from swarm.webapp.forms.base import bounded_id
from swarm.webapp.forms.common import ConfirmForm
from swarm.webapp.forms.organizer import SolveForm
from swarm.webapp.views.organizer import bp, current_round

ACTIVE = (SolveStatus.QUEUED, SolveStatus.RUNNING)


def _is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def progress_fragment(run, progress_url: str, stop_url: str, active: bool | None = None) -> str:
    """The live progress of a run (shared with the coordinator's team proposal)."""
    return render_template(
        "_progress.html",
        latest_run=run,
        gap=queue.gap(run),
        active=run.status in ACTIVE if active is None else active,
        progress_url=progress_url,
        stop_url=stop_url,
    )


def finished_refresh(response, run):
    """Tell a polling htmx element to reload the whole page once the run is over (to show its result)."""
    if _is_htmx() and run.status not in ACTIVE and request.args.get("polling"):
        response.headers["HX-Refresh"] = "true"
    return response


def _progress(run, active: bool | None = None) -> str:
    return progress_fragment(
        run,
        url_for("organizer.progress", run_id=run.id, polling=1),
        url_for("organizer.stop", run_id=run.id),
        active,
    )


def _posted_round():
    """The round a plan form names (one of the region's, else 404), or the region's newest."""
    return current_round(bounded_id(request.form.get("round_id")))


def _review_of(planning_round) -> str:
    return (
        url_for("organizer.review", round=planning_round.id)
        if planning_round
        else url_for("organizer.review")
    )


@bp.post("/plan/solve")
def start_solve():
    planning_round = _posted_round()
    form = SolveForm()
    if planning_round is None:
        flash(_("There is no open planning round."), "error")
    elif form.validate_on_submit():
        try:
            queue.enqueue_solve(
                db(),
                planning_round.id,
                actor=current_user.actor,
                time_limit=form.time_limit.data,
                clock=clock(),
            )
        except ValidationError as error:
            discard_changes()
            flash(_(error.message, **error.params), "error")
        else:
            flash(_("The solve has been queued; its progress appears below."), "success")
    else:
        flash(_("Give a time limit between 1 and 600 seconds."), "error")
    return redirect(_review_of(planning_round) + "#solve-heading")


@bp.get("/plan/runs/<int:run_id>/progress")
def progress(run_id: int):
    """The progress fragment; while the run is active the fragment asks for itself again every second."""
    run = queue.get_solve_run(db(), run_id, actor=current_user.actor)
    response = current_app.make_response(_progress(run))
    return finished_refresh(response, run)


@bp.post("/plan/runs/<int:run_id>/stop")
def stop(run_id: int):
    if ConfirmForm().validate_on_submit():
        run = queue.request_stop(db(), run_id, actor=current_user.actor, clock=clock())
        if _is_htmx():
            return _progress(run, active=True)
        flash(_("The solve will stop and keep the best plan found so far."), "success")
    return redirect(url_for("organizer.review") + "#solve-heading")


@bp.get("/plan/publish")
def confirm_publish():
    """The step before publishing: what would go out (sessions and the number of mails), and a button to do it."""
    planning_round = current_round(bounded_id(request.args.get("round")))
    report, refusal = None, None
    if planning_round is None:
        refusal = _("There is no open planning round.")
    else:
        try:
            report = publish_service.preview_publish(
                db(),
                planning_round.id,
                actor=current_user.actor,
                config=current_app.config["SWARM"],
                clock=clock(),
            )
        except ValidationError as error:  # nothing to publish, or a stale draft: the page says why
            discard_changes()
            refusal = _(error.message)
    return render_template(
        "organizer/publish_confirm.html",
        planning_round=planning_round,
        report=report,
        refusal=refusal,
        confirm=ConfirmForm(),
    )


@bp.post("/plan/publish")
def publish():
    planning_round = _posted_round()
    if planning_round is not None and ConfirmForm().validate_on_submit():
        try:
            report = publish_service.publish_round(
                db(),
                planning_round.id,
                actor=current_user.actor,
                config=current_app.config["SWARM"],
                clock=clock(),
            )
        except ValidationError as error:
            discard_changes()
            flash(_(error.message, **error.params), "error")
        else:
            flash(
                _(
                    "Published: %(new)s new, %(updated)s changed and %(cancelled)s cancelled sessions; %(mails)s mails queued.",
                    new=len(report.published),
                    updated=len(report.updated),
                    cancelled=len(report.cancelled),
                    mails=report.mails,
                ),
                "success",
            )
    return redirect(_review_of(planning_round))


@bp.post("/sessions/<int:session_id>/cancel")
def cancel_session(session_id: int):
    """Call a published session off: everyone on it gets a cancellation, its questions are open again."""
    if ConfirmForm().validate_on_submit():
        try:
            row = publish_service.cancel_session(
                db(), session_id, actor=current_user.actor, config=current_app.config["SWARM"], clock=clock()
            )
        except InvalidTransition:
            discard_changes()
            flash(_("This session cannot be cancelled."), "error")
        else:
            flash(_("The session has been cancelled; everyone on it is told."), "success")
            return redirect(url_for("organizer.review", round=row.planning_round_id) + "#published-heading")
    return redirect(url_for("organizer.review") + "#published-heading")
