"""The coordinator's projects: from a question to a team from the flexible shell, shown week by week."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from swarm.domain.errors import ValidationError
from swarm.domain.refs import parse_ref
from swarm.persistence.models import Project, SwarmRequest
from swarm.services import lookup
from swarm.services.plan import queue
from swarm.services.team import projects as project_service
from swarm.webapp.clock import clock
from swarm.webapp.db import db, discard_changes
from swarm.webapp.forms.base import bounded_id
from swarm.webapp.forms.common import ConfirmForm
from swarm.webapp.forms.coordinator import AssignForm, ProjectForm
from swarm.webapp.forms.errors import attach_error, status_for
from swarm.webapp.i18n import skill_name
from swarm.webapp.reasons import unscheduled_text
from swarm.webapp.views.common import owned, remember_result, repeated_submission
from swarm.webapp.views.coordinator import bp
from swarm.webapp.views.organizer_plan import finished_refresh, progress_fragment

TEAM_TIME_LIMIT = 20  # seconds; a municipality's few projects solve quickly


@bp.get("/projects")
def projects():
    return render_template(
        "coordinator/projects.html", projects=project_service.projects_of(db(), current_user.municipality_id)
    )


@bp.route("/projects/new", methods=["GET", "POST"])
def edit_project():
    origin = bounded_id(request.args.get("request"))
    origin_request = owned(SwarmRequest, origin, scope="municipality_id") if origin else None
    form = ProjectForm(
        data={"title": origin_request.title} if origin_request and request.method == "GET" else None
    )
    form.place_id.choices = [(p.id, p.name) for p in lookup.list_places(db())]
    skills = [("", _("(none)"))] + [(s.code, skill_name(s)) for s in lookup.list_skills(db())]
    for entry in form.roles:
        entry.skill.choices = skills
    if form.validate_on_submit():
        if repeat := repeated_submission(form, url_for("coordinator.projects")):
            return repeat
        roles = [
            project_service.ProjectRoleInput(
                name=entry.form.name.data,
                skill=entry.skill.data,
                hours_per_week=entry.hours_per_week.data or 0,
                first_week=(entry.first_week.data or "").strip(),
                last_week=(entry.last_week.data or "").strip(),
                min_level=int(entry.min_level.data),
            )
            for entry in form.roles
            if entry.form.name.data or entry.skill.data
        ]
        data = project_service.ProjectInput(
            municipality_id=current_user.municipality_id,
            title=form.title.data,
            place_id=form.place_id.data,
            description=form.description.data or "",
            budget=form.budget.data,
            origin_request_id=origin_request.id if origin_request else None,
        )
        try:
            project = project_service.create_project(
                db(), data, roles, actor=current_user.actor, clock=clock()
            )
        except ValidationError as error:
            attach_error(form, error)
        else:
            flash(_("The project has been created."), "success")
            return redirect(remember_result(form, url_for("coordinator.project_page", project_id=project.id)))
    return render_template("coordinator/project_form.html", form=form), status_for(form)


@bp.get("/projects/<int:project_id>")
def project_page(project_id: int):
    project = owned(Project, project_id, scope="municipality_id")
    rows = project_service.project_roles(db(), project.id)
    chart = project_service.team_chart(rows, project.budget)
    team_run = project_service.latest_team_run(db(), project.id)
    people = [("", _("(nobody)"))] + [
        (str(p.id), p.name)
        for p in lookup.region_professionals(
            db(), lookup.municipality(db(), project.municipality_id).region_id
        )
    ]
    assign_forms = {}
    for role, _skill, assignment, _person in rows:
        form = AssignForm(
            prefix=f"role{role.id}",
            data={"professional_id": str(assignment.professional_id) if assignment else ""},
        )
        form.professional_id.choices = people
        assign_forms[role.id] = form
    return render_template(
        "coordinator/project.html",
        project=project,
        rows=rows,
        chart=chart,
        assign_forms=assign_forms,
        confirm=ConfirmForm(),
        team_run=team_run,
        unfilled=_unfilled(team_run, {role.id: role.name for role, *_rest in rows}),
        team_progress=_team_progress(project, team_run) if team_run else "",
    )


def _unfilled(run, names: dict[int, str]) -> list[tuple[str, str]]:
    """The proposal's roles left unfilled, each with the engine's reason."""
    if run is None or not run.result:
        return []
    items = []
    for item in run.result.get("unfilled", []):
        role_id = parse_ref(str(item.get("role", "")), "role")
        if role_id in names:
            items.append((names[role_id], unscheduled_text(item)))
    return items


@bp.post("/projects/<int:project_id>/roles/<int:role_id>/assign")
def assign(project_id: int, role_id: int):
    project = owned(Project, project_id, scope="municipality_id")
    if role_id not in {role.id for role, *_ in project_service.project_roles(db(), project.id)}:
        return redirect(url_for("coordinator.project_page", project_id=project.id))
    form = AssignForm(prefix=f"role{role_id}")
    form.professional_id.choices = [("", "")] + [
        (str(p.id), p.name)
        for p in lookup.region_professionals(
            db(), lookup.municipality(db(), project.municipality_id).region_id
        )
    ]
    if form.validate_on_submit():
        chosen = int(form.professional_id.data) if form.professional_id.data else None
        try:
            project_service.assign_professional(db(), role_id, chosen, actor=current_user.actor)
        except ValidationError as error:
            discard_changes()
            flash(_(error.message, **error.params), "error")
        else:
            flash(
                _("The team has been adjusted; this choice is kept when the proposal runs again."), "success"
            )
    return redirect(url_for("coordinator.project_page", project_id=project.id))


@bp.post("/projects/<int:project_id>/accept")
def accept(project_id: int):
    project = owned(Project, project_id, scope="municipality_id")
    if ConfirmForm().validate_on_submit():
        try:
            project_service.accept_team(db(), project.id, actor=current_user.actor, clock=clock())
        except ValidationError as error:
            discard_changes()
            flash(_(error.message, **error.params), "error")
        else:
            flash(_("The team has been accepted."), "success")
    return redirect(url_for("coordinator.project_page", project_id=project.id))


@bp.post("/projects/<int:project_id>/propose")
def propose_team(project_id: int):
    """Queue the flexible-shell engine for this project; a worker runs it (never inside this request)."""
    project = owned(Project, project_id, scope="municipality_id")
    if ConfirmForm().validate_on_submit():
        try:
            queue.enqueue_team_solve(
                db(), [project.id], actor=current_user.actor, time_limit=TEAM_TIME_LIMIT, clock=clock()
            )
        except ValidationError as error:
            discard_changes()
            flash(_(error.message, **error.params), "error")
        else:
            flash(_("The team proposal is being made; its progress appears below."), "success")
    return redirect(url_for("coordinator.project_page", project_id=project.id))


def _team_run_or_404(project, run_id: int):
    run = queue.get_solve_run(db(), run_id, actor=current_user.actor)
    if project.id not in (run.parameters or {}).get("project_ids", []):
        abort(404)
    return run


def _team_progress(project, run, active: bool | None = None) -> str:
    return progress_fragment(
        run,
        url_for("coordinator.team_progress", project_id=project.id, run_id=run.id, polling=1),
        url_for("coordinator.stop_team", project_id=project.id, run_id=run.id),
        active,
    )


@bp.get("/projects/<int:project_id>/runs/<int:run_id>/progress")
def team_progress(project_id: int, run_id: int):
    project = owned(Project, project_id, scope="municipality_id")
    run = _team_run_or_404(project, run_id)
    return finished_refresh(current_app.make_response(_team_progress(project, run)), run)


@bp.post("/projects/<int:project_id>/runs/<int:run_id>/stop")
def stop_team(project_id: int, run_id: int):
    project = owned(Project, project_id, scope="municipality_id")
    run = _team_run_or_404(project, run_id)
    if ConfirmForm().validate_on_submit():
        run = queue.request_stop(db(), run.id, actor=current_user.actor, clock=clock())
        if request.headers.get("HX-Request") == "true":
            return _team_progress(project, run, active=True)
    return redirect(url_for("coordinator.project_page", project_id=project.id))
