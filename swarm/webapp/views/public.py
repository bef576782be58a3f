"""Pages for everyone: the home page that explains the three roles, and the language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from swarm.services.people import accounts
from swarm.webapp.db import db
from swarm.webapp.forms.common import LanguageForm
from swarm.webapp.i18n import LANGUAGE_SESSION_KEY
from swarm.webapp.navigation import safe_next

bp = Blueprint("public", __name__)


@bp.app_context_processor
def _language_form():
    return {"language_form": LanguageForm}


@bp.get("/")
def home():
    return render_template("public/home.html", demo_accounts=_demo_accounts())


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session[LANGUAGE_SESSION_KEY] = form.language.data
        if current_user.is_authenticated:
            # Mail and calendar invitations follow the language the user picked.
            accounts.set_locale(db(), current_user.id, form.language.data, actor=current_user.actor)
    return redirect(safe_next(form.next.data or request.referrer, url_for("public.home")))


def _demo_accounts():
    """The demo logins, shown only when the app runs in demo mode (`swarm demo`)."""
    return current_app.config.get("DEMO_ACCOUNTS", [])


@bp.get("/privacy")
def privacy():
    return render_template("public/privacy.html")
