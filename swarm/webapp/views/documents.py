"""A qualification document's file, for the professional it belongs to and the organizers of their region.

One route for both roles, so the check lives in one place (``qualifications.document_file``); to anyone else
the document does not exist (404), and a visitor who is not logged in is sent to the login page.
"""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user, login_required

from swarm.services.people import qualifications
from swarm.webapp.db import db
from swarm.webapp.uploads import document_store, download_response

bp = Blueprint("documents", __name__, url_prefix="/documents")


@bp.get("/<id:document_id>")
@login_required
def download(document_id: int):
    document, content = qualifications.document_file(
        db(), document_id, store=document_store(), actor=current_user.actor
    )
    return download_response(document, content)
