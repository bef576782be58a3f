"""Import (upload -> preview -> confirm) and export pages, on the organizer's and the coordinator's blueprints.

Organizers import their region's professionals and venues, coordinators their municipality's role book and
requests. The uploaded file waits in the database for its preview (``exchange.pending``); the confirmation checks
every row again and stores all or nothing.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from swarm.domain.enums import SessionStatus, UserRole
from swarm.domain.errors import NotFound, ValidationError
from swarm.domain.rules import MAX_ROW_ID
from swarm.persistence.models import Project
from swarm.services import lookup
from swarm.services.exchange import pending as pending_service
from swarm.services.exchange.columns import KINDS
from swarm.services.exchange.exporting import export_professionals, export_schedule, export_team
from swarm.services.exchange.report import ImportScope, Outcome
from swarm.services.exchange.tables import FileProblem
from swarm.services.plan import review
from swarm.services.plan.frame import planning_round_for
from swarm.webapp.clock import clock
from swarm.webapp.db import db
from swarm.webapp.forms.common import ConfirmForm
from swarm.webapp.forms.exchange import UploadForm
from swarm.webapp.labels import response_label
from swarm.webapp.reasons import reason_text
from swarm.webapp.views import coordinator, organizer
from swarm.webapp.views.common import owned

KIND_NAMES = {
    "professionals": _l("professionals"),
    "venues": _l("venues"),
    "roles": _l("role book"),
    "requests": _l("swarm requests"),
}
KINDS_OF = {UserRole.ORGANIZER: ("professionals", "venues"), UserRole.COORDINATOR: ("roles", "requests")}
DONE = {
    "professionals": "organizer.dashboard",
    "venues": "organizer.dashboard",
    "roles": "coordinator.roles",
    "requests": "coordinator.dashboard",
}
PAGE_SIZE = 200


def _scope() -> ImportScope:
    if current_user.role == UserRole.ORGANIZER:
        return ImportScope(current_user.region_id)
    municipality = lookup.municipality(db(), current_user.municipality_id)
    return ImportScope(municipality.region_id, municipality.id)


def _endpoint(name: str) -> str:
    return f"{request.blueprint}.{name}"


def problem_text(error) -> str:
    """A problem of the import in the reader's language (the message is a catalogue id with placeholders)."""
    return _(error.message, **dict(error.params))


def upload(kind: str):
    if kind not in KINDS_OF[current_user.role]:
        abort(404)
    form = UploadForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            staged = pending_service.stage_import(
                db(),
                kind,
                form.file.data.filename or "",
                data,
                _scope(),
                actor=current_user.actor,
                clock=clock(),
            )
        except FileProblem as problem:
            form.file.errors = [*form.file.errors, problem_text(problem)]
        else:
            return redirect(url_for(_endpoint("import_preview"), key=staged.key))
    return render_template(
        "exchange/upload.html",
        form=form,
        kind=kind,
        kind_name=KIND_NAMES[kind],
        columns=KINDS[kind],
    ), (400 if form.errors or form.file.errors else 200)


def _pending_or_404(key: str):
    try:
        return pending_service.preview_import(db(), key, actor=current_user.actor, clock=clock())
    except NotFound:
        abort(404)


def preview(key: str, report=None, status: int = 200):
    pending, checked = _pending_or_404(key)
    report = report or checked
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_ROW_ID)
    pages = max((len(report.rows) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(page, pages)
    columns = KINDS[pending.kind]
    return render_template(
        "exchange/preview.html",
        pending=pending,
        report=report,
        counts=report.counts(),
        Outcome=Outcome,
        rows=report.rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        page=page,
        pages=pages,
        error_rows=[row for row in report.rows if row.errors],
        problem_text=problem_text,
        kind_name=KIND_NAMES[pending.kind],
        fields=[
            (column.key, f"{column.nl} ({column.en})")
            for column in columns
            if column.key not in report.headers
        ],
        confirm=ConfirmForm(),
    ), status


def map_headers(key: str):
    pending, report = _pending_or_404(key)
    if ConfirmForm().validate_on_submit():
        valid = {column.key for column in KINDS[pending.kind]} | {""}
        mapping = {}
        for index, header in enumerate(report.unknown_headers):
            choice = request.form.get(f"map-{index}", "")
            if choice in valid:
                mapping[header] = choice
        pending_service.map_headers(db(), key, mapping, actor=current_user.actor, clock=clock())
    return redirect(url_for(_endpoint("import_preview"), key=key))


def confirm(key: str):
    _pending_or_404(key)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(_endpoint("import_preview"), key=key))
    report = pending_service.confirm_import(
        db(), key, actor=current_user.actor, config=current_app.config["SWARM"], clock=clock()
    )
    if not report.ok:  # the data changed since the preview: nothing stored, show why
        flash(_("Nothing was imported: the file has errors. Correct them and upload it again."), "error")
        return preview(key, report, 400)
    counts = report.counts()
    flash(
        _(
            "Imported: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.",
            new=counts[Outcome.NEW],
            updated=counts[Outcome.UPDATE],
            unchanged=counts[Outcome.UNCHANGED],
        ),
        "success",
    )
    return redirect(url_for(DONE[report.kind]))


def discard(key: str):
    _pending_or_404(key)
    if ConfirmForm().validate_on_submit():
        pending_service.discard_import(db(), key, actor=current_user.actor, clock=clock())
        flash(_("The upload has been discarded; nothing was imported."), "success")
    return redirect(url_for(DONE[KINDS_OF[current_user.role][0]]))


for _blueprint in (organizer.bp, coordinator.bp):
    _blueprint.add_url_rule("/import/<kind>", "import_upload", upload, methods=["GET", "POST"])
    _blueprint.add_url_rule("/import/preview/<key>", "import_preview", preview)
    _blueprint.add_url_rule("/import/preview/<key>/map", "import_map", map_headers, methods=["POST"])
    _blueprint.add_url_rule("/import/preview/<key>/confirm", "import_confirm", confirm, methods=["POST"])
    _blueprint.add_url_rule("/import/preview/<key>/discard", "import_discard", discard, methods=["POST"])


@organizer.bp.get("/export/professionals.<fmt>")
def export_professionals_file(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    exported = export_professionals(db(), current_user.region_id, fmt, actor=current_user.actor)
    return _download(exported)


def _download(exported):
    response = current_app.response_class(exported.content, mimetype=exported.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response


def _format(fmt: str) -> str:
    if fmt not in ("csv", "xlsx"):
        abort(404)
    return fmt


@organizer.bp.get("/export/schedule.<fmt>")
def export_round_schedule(fmt: str):
    """The published schedule of the round being planned (organizer.current_round)."""
    planning_round = organizer.current_round()
    if planning_round is None:
        abort(404)
    return _download(
        export_schedule(
            db(),
            planning_round.id,
            _format(fmt),
            actor=current_user.actor,
            word=reason_text,
            response_word=response_label,
        )
    )


@coordinator.bp.get("/export/schedule.<fmt>")
def export_municipality_schedule(fmt: str):
    """The sessions of the region's newest round that discuss the municipality's questions."""
    municipality = lookup.municipality(db(), current_user.municipality_id)
    try:
        planning_round = planning_round_for(db(), municipality.region_id, None)
    except ValidationError:
        abort(404)
    return _download(
        export_schedule(
            db(),
            planning_round.id,
            _format(fmt),
            actor=current_user.actor,
            municipality_id=municipality.id,
            word=reason_text,
            response_word=response_label,
        )
    )


@coordinator.bp.get("/projects/<int:project_id>/team.<fmt>")
def export_project_team(project_id: int, fmt: str):
    project = owned(Project, project_id, scope="municipality_id")
    return _download(export_team(db(), project.id, _format(fmt), actor=current_user.actor))


def print_page(session_id: int):
    """A session's table plan per round, for the day itself: printable, no navigation, large names."""
    try:
        view = review.session_view(db(), session_id)
    except NotFound:
        abort(404)
    if view.session.status != SessionStatus.PUBLISHED:
        abort(404)
    if current_user.role == UserRole.ORGANIZER:
        if view.session.region_id != current_user.region_id:
            abort(404)
        tables = view.tables
    else:
        tables = [t for t in view.tables if t.request.municipality_id == current_user.municipality_id]
        if not tables:
            abort(404)
    rounds = range(1, view.session.rounds + 1)
    return render_template("exchange/print_session.html", view=view, tables=tables, rounds=rounds)


for _blueprint in (organizer.bp, coordinator.bp):
    _blueprint.add_url_rule("/sessions/<int:session_id>/print", "print_session", print_page)
