"""AVG/GDPR rights of the professional: download their own data, delete their profile, and their calendar feed."""

from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from swarm.domain.enums import FeedOwner
from swarm.services.people import privacy
from swarm.webapp.clock import clock
from swarm.webapp.db import db
from swarm.webapp.forms.errors import status_for
from swarm.webapp.forms.professional import DeleteDataForm
from swarm.webapp.uploads import document_store
from swarm.webapp.views.feeds import feed_page
from swarm.webapp.views.professional import bp


@bp.get("/data.json")
def export_data():
    """AVG/GDPR: everything stored about the professional, as a download."""
    document = privacy.export_personal_data(
        db(), current_user.professional_id, actor=current_user.actor, clock=clock()
    )
    body = json.dumps(document, ensure_ascii=False, indent=2, default=str)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="swarm-my-data.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/delete", methods=["GET", "POST"])
def delete_data():
    form = DeleteDataForm()
    if form.validate_on_submit():
        privacy.anonymise_professional(
            db(),
            current_user.professional_id,
            store=document_store(),
            actor=current_user.actor,
            clock=clock(),
        )
        logout_user()
        flash(_("Your profile and data have been deleted."), "success")
        return redirect(url_for("public.home"))
    return render_template("professional/delete.html", form=form), status_for(form)


@bp.route("/calendar", methods=["GET", "POST"])
def calendar_feed():
    return feed_page(FeedOwner.PROFESSIONAL, current_user.professional_id, "professional.calendar_feed")
