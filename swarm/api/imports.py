"""Imports through the API: the same files and the same checks as the web's upload (``services.exchange``), in
one call. Organizers import their region's professionals and venues, coordinators their municipality's role
book and requests. The file is the request body (CSV in UTF-8 or Windows-1252 with ``;`` or ``,``, or .xlsx);
headers in Dutch or English. ``?dry_run=true`` checks every row and stores nothing. All or nothing: one bad row
and nothing is stored, and every bad row is named (``rows[LINE].COLUMN``) in the problem's ``errors``.
"""

from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext

from swarm.api import auth
from swarm.api.common import api_blueprint
from swarm.api.problems import problem
from swarm.api.schemas import ImportQuery, ImportReport
from swarm.domain.enums import UserRole
from swarm.services import lookup
from swarm.services.exchange.importing import import_file
from swarm.services.exchange.invitations import invite_imported
from swarm.services.exchange.pending import MAX_BYTES
from swarm.services.exchange.report import ImportScope, Outcome
from swarm.webapp.clock import clock
from swarm.webapp.db import db

blp = api_blueprint("imports", "Imports of professionals, venues, role books and requests (CSV or Excel)")

KINDS_OF = {UserRole.ORGANIZER: ("professionals", "venues"), UserRole.COORDINATOR: ("roles", "requests")}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_BODY = {
    "required": True,
    "description": "The file: CSV (UTF-8 or Windows-1252, ; or ,) or an Excel workbook (.xlsx).",
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        XLSX: {"schema": {"type": "string", "contentEncoding": "binary"}},
    },
}


def _text(error) -> str:
    return gettext(error.message, **dict(error.params))


def _scope(actor) -> ImportScope:
    if actor.role is UserRole.ORGANIZER:
        return ImportScope(actor.region_id)
    municipality = lookup.municipality(db(), actor.municipality_id)
    return ImportScope(municipality.region_id, municipality.id)


@blp.post("/imports/<any(professionals, venues, roles, requests):kind>")
@blp.arguments(ImportQuery, location="query")
@blp.doc(requestBody=FILE_BODY)
@blp.response(200, ImportReport)
def import_rows(query, kind: str):
    """Check every row of the file and, unless a dry run, store them all (or none when one is wrong)."""
    actor = auth.require_role(UserRole.ORGANIZER, UserRole.COORDINATOR)
    if kind not in KINDS_OF[actor.role]:
        return problem(403)
    request.max_content_length = MAX_BYTES
    data = request.get_data(cache=False)
    report = import_file(
        db(), kind, data, _scope(actor), store=not query["dry_run"], actor=actor, clock=clock()
    )
    if not report.ok:
        errors = [
            {"field": f"rows[{e.line}].{e.column}" if e.line else "file", "message": _text(e)}
            for e in report.errors
        ]
        return problem(422, errors=errors)
    if report.stored and kind == "professionals" and report.stored_ids:
        invite_imported(db(), report.stored_ids, config=current_app.config["SWARM"], clock=clock())
    counts = {outcome.value: 0 for outcome in Outcome if outcome is not Outcome.ERROR}
    for row in report.rows:
        counts[row.outcome.value] = counts.get(row.outcome.value, 0) + 1
    return {
        "kind": kind,
        "dry_run": query["dry_run"],
        "stored": report.stored,
        "file_format": report.file_format,
        "unknown_headers": list(report.unknown_headers),
        "counts": counts,
        "rows": [
            {"line": row.line, "label": row.label, "outcome": row.outcome.value, "changed": list(row.changed)}
            for row in report.rows
        ],
        "stored_ids": report.stored_ids,
    }
