"""Calendar feeds at unguessable addresses: read by calendar apps, without a login."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_login import current_user

from swarm.services.ops import feeds
from swarm.webapp.clock import clock
from swarm.webapp.db import db
from swarm.webapp.forms.common import ConfirmForm
from swarm.webapp.i18n import current_locale

bp = Blueprint("feeds", __name__)


@bp.get("/feeds/<token>.ics")
def feed(token: str):
    rendered = feeds.render_feed(
        db(), token, config=current_app.config["SWARM"], clock=clock(), language=current_locale()
    )
    if rendered is None:
        abort(404)
    response = Response(rendered.body, mimetype="text/calendar")
    response.headers["ETag"] = rendered.etag
    response.last_modified = rendered.last_modified
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response.make_conditional(request)


def feed_page(owner_kind, owner_id: int, endpoint: str):
    """The page that makes a calendar feed link: on request, shown once (only a hash of it is stored)."""
    form = ConfirmForm()
    link = None
    if form.validate_on_submit():
        token = feeds.create_feed(db(), owner_kind, owner_id, actor=current_user.actor, clock=clock())
        link = url_for("feeds.feed", token=token, _external=True)
    return render_template(
        "calendar.html",
        form=form,
        link=link,
        action=url_for(endpoint),
        has_feed=feeds.has_feed(db(), owner_kind, owner_id),
    )
