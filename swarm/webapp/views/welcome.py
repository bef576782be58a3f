"""The page an imported professional's invitation links to: see the profile, confirm it, choose a password."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from swarm.domain.errors import ValidationError
from swarm.persistence.models import Place
from swarm.services import lookup
from swarm.services.exchange.invitations import accept_invitation, invited_professional
from swarm.services.people.professionals import professional_skills
from swarm.webapp.auth import start_session
from swarm.webapp.clock import clock
from swarm.webapp.db import db
from swarm.webapp.forms.errors import attach_error, status_for
from swarm.webapp.forms.exchange import WelcomeForm

bp = Blueprint("welcome", __name__)


@bp.route("/welkom/<token>", methods=["GET", "POST"])
def welcome(token: str):
    config = current_app.config["SWARM"]
    try:
        professional = invited_professional(db(), token, config=config, clock=clock())
    except ValidationError as error:
        return render_template("exchange/welcome_invalid.html", message=_(error.message, **error.params)), 404
    form = WelcomeForm()
    if form.validate_on_submit():
        try:
            user = accept_invitation(db(), token, form.password.data, config=config, clock=clock())
        except ValidationError as error:
            attach_error(form, error, {"email": "password"})
        else:
            start_session(user)
            flash(_("Welcome! Please check your profile and upload your documents."), "success")
            return redirect(url_for("professional.profile"))
    place = lookup.get(db(), Place, professional.home_place_id) if professional.home_place_id else None
    return render_template(
        "exchange/welcome.html",
        form=form,
        professional=professional,
        place=place,
        skills=professional_skills(db(), professional.id),
        region=lookup.region(db(), professional.region_id),
    ), status_for(form)
