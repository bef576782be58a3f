"""The audit log page: an organizer reads their region's records (``/organizer/audit``), an administrator every
record (``/admin/audit``); filtered by person, kind and dates, newest first, a page at a time. The blueprints'
guards keep everyone else out; the service decides which records the reader sees."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request
from flask_login import current_user

from swarm.domain.enums import AuditKind
from swarm.domain.errors import ValidationError
from swarm.domain.timeutil import to_utc
from swarm.services.ops import audit
from swarm.webapp.db import db
from swarm.webapp.forms.audit import AuditFilterForm
from swarm.webapp.forms.errors import attach_error, status_for
from swarm.webapp.labels import AUDIT_KINDS
from swarm.webapp.views import admin, organizer

MAX_PAGE = 1_000_000


def _start_of(day) -> datetime:
    """The first instant of a day as the installation's clock on the wall shows it."""
    return to_utc(datetime.combine(day, time()), ZoneInfo(current_app.config["SWARM"].timezone))


def _page(endpoint: str):
    actor = current_user.actor
    form = AuditFilterForm(request.args)
    form.person.choices = [("", "")] + [(str(ident), name) for ident, name in audit.people(db(), actor=actor)]
    form.kind.choices = [("", "")] + [(kind.value, str(AUDIT_KINDS[kind])) for kind in AuditKind]
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    result = None
    if form.validate():
        filters = audit.Filters(
            person_id=int(form.person.data) if form.person.data else None,
            kind=AuditKind(form.kind.data) if form.kind.data else None,
            since=_start_of(form.since.data) if form.since.data else None,
            until=_start_of(form.until.data + timedelta(days=1)) if form.until.data else None,
        )
        try:
            result = audit.search(db(), filters, actor=actor, page=page)
        except ValidationError as error:
            attach_error(form, error)
    query = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template(
        "audit/log.html", form=form, result=result, endpoint=endpoint, query=query
    ), status_for(form)


@organizer.bp.get("/audit")
def audit_log():
    return _page("organizer.audit_log")


@admin.bp.get("/audit", endpoint="audit_log")
def audit_log_everywhere():
    return _page("admin.audit_log")
