"""Helpers the actor blueprints share: fetching an object only when it belongs to the user's scope; one-time
form tokens."""

from __future__ import annotations

from flask import abort, flash, redirect
from flask_babel import gettext as _
from flask_login import current_user

from swarm.domain.errors import NotFound
from swarm.services.lookup import get
from swarm.services.ops import form_submissions
from swarm.webapp.clock import clock
from swarm.webapp.db import db


def owned(model, ident: int, *, scope: str):
    """The row `ident` of `model` if its `scope` column (municipality_id, region_id, professional_id) is the
    current user's; otherwise 404, so that other municipalities' ids reveal nothing."""
    try:
        row = get(db(), model, ident)
    except NotFound:
        abort(404)
    if getattr(row, scope) != getattr(current_user, scope):
        abort(404)
    return row


def repeated_submission(form, fallback: str):
    """Claim the one-time token of ``form`` (a :class:`OnceForm`) before creating anything.

    None when the token is new, or the form came without one: go on and create. Otherwise the form was sent
    before: the redirect to the earlier result (or to ``fallback``), and nothing may be created.
    """
    token = form.form_token.data
    if not token:
        return None
    earlier = form_submissions.claim(db(), token, current_user.id, clock=clock())
    if earlier is None:
        return None
    flash(_("This form had been sent already; nothing new was created."), "success")
    return redirect(earlier.location or fallback)


def remember_result(form, location: str) -> str:
    """Record the page of what ``form`` created, for a repeated submission; returns ``location``."""
    if form.form_token.data:
        form_submissions.record_location(db(), form.form_token.data, location)
    return location
