"""Helpers the actor blueprints share: fetching an object only when it belongs to the user's scope."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from swarm.domain.errors import NotFound
from swarm.services.lookup import get
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
