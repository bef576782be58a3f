"""The HR coordinator's journey: role book, swarm requests and their status (projects: coordinator_projects)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_time
from flask_babel import gettext as _
from flask_login import current_user

from swarm.domain.enums import FeedOwner, RequestStatus, RoundPhase, UserRole
from swarm.domain.errors import InvalidTransition, ValidationError
from swarm.domain.lifecycle import round_phase
from swarm.persistence.models import PlanningRound, Role, SwarmRequest
from swarm.services import lookup
from swarm.services.plan import frame, review, rounds
from swarm.services.plan import requests as request_service
from swarm.services.team import projects as project_service
from swarm.services.team import rolebook
from swarm.webapp.auth import restrict_blueprint
from swarm.webapp.clock import clock, now, today
from swarm.webapp.db import db, discard_changes
from swarm.webapp.forms.common import ConfirmForm
from swarm.webapp.forms.coordinator import RoleForm, SwarmRequestForm
from swarm.webapp.forms.errors import attach_error, status_for
from swarm.webapp.i18n import skill_name
from swarm.webapp.views.common import owned, remember_result, repeated_submission
from swarm.webapp.views.feeds import feed_page

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")
restrict_blueprint(bp, UserRole.COORDINATOR)


def _skill_choices():
    return [("", _("(none)"))] + [(s.code, skill_name(s)) for s in lookup.list_skills(db())]


def _needs_from(entries) -> dict[str, tuple[int, int]]:
    """Filled need rows as {skill code: (count, min_level)}; empty rows are skipped."""
    needs = {}
    for entry in entries:
        if entry.skill.data:
            needs[entry.skill.data] = (
                entry.count.data if entry.count.data is not None else 1,
                int(entry.min_level.data),
            )
    return needs


@bp.get("/")
def dashboard():
    municipality_id = current_user.municipality_id
    return render_template(
        "coordinator/dashboard.html",
        municipality=lookup.municipality(db(), municipality_id),
        requests=request_service.requests_of(db(), municipality_id),
        projects=project_service.projects_of(db(), municipality_id),
    )


# --- role book -----------------------------------------------------------------------------------------------


@bp.get("/roles")
def roles():
    return render_template(
        "coordinator/roles.html",
        roles=rolebook.roles_of(db(), current_user.municipality_id),
        confirm=ConfirmForm(),
    )


@bp.route("/roles/new", methods=["GET", "POST"], defaults={"role_id": None})
@bp.route("/roles/<int:role_id>", methods=["GET", "POST"])
def edit_role(role_id: int | None):
    role = owned(Role, role_id, scope="municipality_id") if role_id else None
    data = None
    if role and request.method == "GET":
        levels = rolebook.role_skill_levels(db(), role.id)
        data = {"needs": [{"skill": s.code, "count": 1, "min_level": str(level)} for s, level in levels]}
    form = RoleForm(obj=role, data=data)
    for entry in form.needs:
        entry.skill.choices = _skill_choices()
    if form.validate_on_submit():
        if not role and (repeat := repeated_submission(form, url_for("coordinator.roles"))):
            return repeat
        data_in = rolebook.RoleInput(
            name=form.name.data,
            purpose=form.purpose.data or "",
            responsibilities=form.responsibilities.data or "",
            skills={code: level for code, (_count, level) in _needs_from(form.needs).items()},
        )
        try:
            if role:
                rolebook.update_role(db(), role.id, data_in, actor=current_user.actor)
            else:
                rolebook.create_role(db(), current_user.municipality_id, data_in, actor=current_user.actor)
        except ValidationError as error:
            attach_error(form, error, {"skills": "needs"})
        else:
            flash(_("The role has been saved."), "success")
            return redirect(remember_result(form, url_for("coordinator.roles")))
    return render_template("coordinator/role_form.html", form=form, role=role), status_for(form)


@bp.post("/roles/<int:role_id>/delete")
def delete_role(role_id: int):
    role = owned(Role, role_id, scope="municipality_id")
    if ConfirmForm().validate_on_submit():
        rolebook.delete_role(db(), role.id, actor=current_user.actor)
        flash(_("The role has been removed from the role book."), "success")
    return redirect(url_for("coordinator.roles"))


# --- swarm requests ------------------------------------------------------------------------------------------


def _request_form(swarm_request: SwarmRequest | None) -> tuple[SwarmRequestForm, PlanningRound | None]:
    """The form, and the round whose slots it offers (none while no round takes requests)."""
    data = None
    if swarm_request and request.method == "GET":
        details = request_service.request_details(db(), swarm_request.id)
        data = {
            "needs": [
                {"skill": s.code, "count": n.count, "min_level": str(n.min_level)}
                for n, s in details["needs"]
            ],
            "slot_ids": [s.id for s in details["slots"]],
            "venue_ids": [v.id for v in details["venues"]],
            "priority": str(swarm_request.priority),
            "exclusions": [
                {"professional_id": str(p.id), "reason": e.reason} for e, p in details["exclusions"]
            ],
        }
    form = SwarmRequestForm(obj=swarm_request, data=data)
    municipality = lookup.municipality(db(), current_user.municipality_id)
    form.role_ids.choices = [
        (role.id, role.name) for role, _skills in rolebook.roles_of(db(), municipality.id)
    ]
    # Only slots of the round the request is (or would be) in, and none that has begun.
    planning_round = request_service.round_for_request(db(), swarm_request, municipality.region_id, now())
    slots = frame.round_slots(db(), planning_round.id, after=now()) if planning_round else []
    form.slot_ids.choices = [(slot.id, format_slot(slot)) for slot in slots]
    form.venue_ids.choices = [(v.id, v.name) for v in frame.region_venues(db(), municipality.region_id)]
    for entry in form.needs:
        entry.skill.choices = _skill_choices()
    people = [("", _("(nobody)"))] + [
        (str(p.id), p.name) for p in lookup.region_professionals(db(), municipality.region_id)
    ]
    for entry in form.exclusions:
        entry.professional_id.choices = people
    return form, planning_round


def format_slot(slot) -> str:
    return f"{format_date(slot.starts_at, 'full')}, {format_time(slot.starts_at, 'short')}–{format_time(slot.ends_at, 'short')}"


def _request_input(form) -> request_service.RequestInput:
    needs = _needs_from(form.needs)
    for role_id in form.role_ids.data or []:
        role = owned(Role, role_id, scope="municipality_id")
        for skill, level in rolebook.role_skill_levels(db(), role.id):
            count, current = needs.get(skill.code, (1, level))
            needs[skill.code] = (count, max(current, level))
    return request_service.RequestInput(
        municipality_id=current_user.municipality_id,
        title=form.title.data,
        question=form.question.data or "",
        table_size_min=form.table_size_min.data,
        table_size_max=form.table_size_max.data,
        needs=[
            request_service.NeedInput(skill=code, count=c, min_level=level)
            for code, (c, level) in needs.items()
        ],
        slot_ids=form.slot_ids.data or [],
        venue_ids=form.venue_ids.data or [],
        priority=int(form.priority.data),
        max_travel_km=form.max_travel_km.data,
        exclusions=[
            request_service.ExclusionInput(
                professional_id=int(e.professional_id.data), reason=e.reason.data or ""
            )
            for e in form.exclusions
            if e.professional_id.data
        ],
    )


@bp.route("/requests/new", methods=["GET", "POST"], defaults={"request_id": None})
@bp.route("/requests/<int:request_id>/edit", methods=["GET", "POST"])
def edit_request(request_id: int | None):
    swarm_request = owned(SwarmRequest, request_id, scope="municipality_id") if request_id else None
    form, planning_round = _request_form(swarm_request)
    if form.validate_on_submit():
        if not swarm_request and (repeat := repeated_submission(form, url_for("coordinator.dashboard"))):
            return repeat
        try:
            data = _request_input(form)
            if swarm_request:
                saved = request_service.update_swarm_request(
                    db(), swarm_request.id, data, actor=current_user.actor, clock=clock()
                )
            else:
                saved = request_service.create_swarm_request(
                    db(), data, actor=current_user.actor, clock=clock()
                )
            if request.form.get("open") and saved.status == RequestStatus.DRAFT:
                request_service.submit_swarm_request(db(), saved.id, actor=current_user.actor, clock=clock())
                flash(_submitted(saved), "success")
            else:
                flash(_("The request has been saved."), "success")
        except ValidationError as error:
            attach_error(form, error)
        else:
            return redirect(remember_result(form, url_for("coordinator.request_page", request_id=saved.id)))
    return render_template(
        "coordinator/request_form.html",
        form=form,
        swarm_request=swarm_request,
        planning_round=planning_round,
        RequestStatus=RequestStatus,
    ), status_for(form)


def _submitted(swarm_request: SwarmRequest) -> str:
    if swarm_request.status == RequestStatus.WAITING:
        return _(
            "Submitted. No round takes questions now: your question waits and joins the next round when it "
            "opens, with all of that round's time slots."
        )
    return _("The request is open: professionals of the region can now mark their availability.")


@bp.get("/requests/<int:request_id>")
def request_page(request_id: int):
    swarm_request = owned(SwarmRequest, request_id, scope="municipality_id")
    planning_round = (
        lookup.get(db(), PlanningRound, swarm_request.planning_round_id)
        if swarm_request.planning_round_id
        else None
    )
    municipality = lookup.municipality(db(), swarm_request.municipality_id)
    return render_template(
        "coordinator/request.html",
        swarm_request=swarm_request,
        planning_round=planning_round,
        phase=round_phase(planning_round.status, planning_round.availability_deadline, now())
        if planning_round
        else None,
        taking=frame.round_taking_requests(db(), municipality.region_id, now()),
        editable=_editable(swarm_request, planning_round),
        left_out=rounds.current_unplanned(db(), swarm_request),
        history=rounds.request_history(db(), swarm_request.id),
        details=request_service.request_details(db(), swarm_request.id),
        fill=request_service.slot_fill(db(), swarm_request.id, today()),
        schedule=review.published_tables_for_request(db(), swarm_request.id),
        confirm=ConfirmForm(),
        RequestStatus=RequestStatus,
        RoundPhase=RoundPhase,
    )


def _editable(swarm_request: SwarmRequest, planning_round: PlanningRound | None) -> bool:
    """A draft or a waiting request; an open one while its round's poll is open."""
    if swarm_request.status in (RequestStatus.DRAFT, RequestStatus.WAITING):
        return True
    return (
        swarm_request.status == RequestStatus.OPEN
        and planning_round is not None
        and round_phase(planning_round.status, planning_round.availability_deadline, now())
        == RoundPhase.TAKING_REQUESTS
    )


@bp.post("/requests/<int:request_id>/open")
def open_request(request_id: int):
    swarm_request = owned(SwarmRequest, request_id, scope="municipality_id")
    if ConfirmForm().validate_on_submit():
        try:
            submitted = request_service.submit_swarm_request(
                db(), swarm_request.id, actor=current_user.actor, clock=clock()
            )
        except ValidationError as error:
            discard_changes()
            flash(_(error.message, **error.params), "error")
            return redirect(url_for("coordinator.request_page", request_id=swarm_request.id))
        except InvalidTransition:
            discard_changes()
            flash(_("Only a draft can be submitted."), "error")
            return redirect(url_for("coordinator.request_page", request_id=swarm_request.id))
        flash(_submitted(submitted), "success")
    return redirect(url_for("coordinator.request_page", request_id=swarm_request.id))


@bp.post("/requests/<int:request_id>/withdraw")
def withdraw_request(request_id: int):
    """Back to draft (e.g. to change it), as long as it is not planned."""
    swarm_request = owned(SwarmRequest, request_id, scope="municipality_id")
    if ConfirmForm().validate_on_submit():
        try:
            request_service.withdraw_swarm_request(db(), swarm_request.id, actor=current_user.actor)
        except (ValidationError, InvalidTransition):
            discard_changes()
            flash(_("A planned question can no longer be withdrawn."), "error")
        else:
            flash(_("The request is a draft again; professionals no longer see it."), "success")
    return redirect(url_for("coordinator.request_page", request_id=swarm_request.id))


@bp.route("/calendar", methods=["GET", "POST"])
def calendar_feed():
    """The municipality's sessions (those with one of its questions) as a calendar feed."""
    return feed_page(FeedOwner.MUNICIPALITY, current_user.municipality_id, "coordinator.calendar_feed")
