"""Every account's own page (password change, log out everywhere), the forgotten-password request, and the page
behind every one-time link (confirm an address, set a first password, reset one).

A link opened with GET only shows a form: mail scanners fetch links, and must not use them up. The POST uses it.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from swarm.domain.enums import STAFF_ROLES, TokenPurpose, UserRole
from swarm.domain.errors import ValidationError
from swarm.persistence.models import User
from swarm.services.lookup import get
from swarm.services.people import accounts, api_tokens, recovery, tokens
from swarm.services.people.throttle import Throttled
from swarm.webapp.auth import HOME_BY_ROLE, start_session, throttle, throttled_response
from swarm.webapp.clock import clock
from swarm.webapp.db import db
from swarm.webapp.forms.auth import ApiTokenForm, ChangePasswordForm, ForgotPasswordForm, SetPasswordForm
from swarm.webapp.forms.common import ConfirmForm
from swarm.webapp.forms.errors import attach_error, status_for
from swarm.webapp.links import account_links
from swarm.webapp.views.common import remember_result, repeated_submission

bp = Blueprint("account", __name__)

REFUSED = {
    tokens.LinkProblem.UNKNOWN: _l(
        "This link is not valid. Perhaps it was copied incompletely, or a newer link replaced it."
    ),
    tokens.LinkProblem.WRONG_PURPOSE: _l(
        "This link is not valid. Perhaps it was copied incompletely, or a newer link replaced it."
    ),
    tokens.LinkProblem.USED: _l("This link has already been used. A link works only once."),
    tokens.LinkProblem.EXPIRED: _l("This link has expired."),
}
PURPOSE_TITLES = {
    TokenPurpose.INVITE: _l("Set your password"),
    TokenPurpose.RESET: _l("Choose a new password"),
    TokenPurpose.CONFIRM: _l("Confirm your email address"),
}


def _staff_passwords() -> bool:
    return current_app.config["SWARM"].staff_password_login


def _refused_page(refusal: tokens.LinkRefused):
    status = 404 if refusal.problem in (tokens.LinkProblem.UNKNOWN, tokens.LinkProblem.WRONG_PURPOSE) else 410
    return render_template("account/link_refused.html", message=REFUSED[refusal.problem]), status


@bp.route("/account/link/<token>", methods=["GET", "POST"])
def link(token: str):
    try:
        found = tokens.check_link(db(), token, clock=clock())
    except tokens.LinkRefused as refusal:
        return _refused_page(refusal)
    purpose = TokenPurpose(found.purpose)
    owner = get(db(), User, found.user_id)
    if purpose is TokenPurpose.CONFIRM:
        form = ConfirmForm()
        if form.validate_on_submit():
            try:
                user = recovery.confirm_email(db(), token, clock=clock())
            except tokens.LinkRefused as refusal:
                return _refused_page(refusal)
            start_session(user)
            flash(_("Your email address is confirmed. Welcome!"), "success")
            return redirect(url_for(HOME_BY_ROLE[UserRole(user.role)]))
        return render_template(
            "account/link.html", form=form, purpose=purpose, title=PURPOSE_TITLES[purpose], owner=owner
        )
    if not _staff_passwords() and UserRole(owner.role) in STAFF_ROLES:
        return render_template(
            "account/link_refused.html",
            message=_l(
                "Staff accounts of this installation log in with their municipality account, not a password."
            ),
            login=True,
        ), 403
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = recovery.set_password_with_link(
                db(), token, form.new_password.data, staff_passwords=_staff_passwords(), clock=clock()
            )
        except tokens.LinkRefused as refusal:
            return _refused_page(refusal)
        except ValidationError as error:
            attach_error(form, error, {"password": "new_password"})
        else:
            start_session(user)
            flash(_("Your password has been set. You are logged in."), "success")
            return redirect(url_for(HOME_BY_ROLE[UserRole(user.role)]))
    return render_template(
        "account/link.html", form=form, purpose=purpose, title=PURPOSE_TITLES[purpose], owner=owner
    ), status_for(form)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            throttle("reset", form.email.data)
        except Throttled as throttled:
            return throttled_response("account/forgot.html", throttled, form=form)
        recovery.request_password_reset(
            db(), form.email.data, links=account_links(), staff_passwords=_staff_passwords(), clock=clock()
        )
        flash(
            _(
                "If an account exists for %(email)s, we have sent a link to choose a new password. It is valid "
                "for 2 hours. No mail? Check your spam folder, or try again.",
                email=form.email.data.strip(),
            ),
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("account/forgot.html", form=form), status_for(form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def settings():
    user = get(db(), User, current_user.id)
    may_use_password = _staff_passwords() or current_user.role not in STAFF_ROLES
    form = ChangePasswordForm()
    if may_use_password and form.validate_on_submit():
        try:
            changed = accounts.change_password(
                db(),
                user.id,
                form.current_password.data,
                form.new_password.data,
                actor=current_user.actor,
                clock=clock(),
            )
        except ValidationError as error:
            attach_error(form, error, {"password": "new_password"})
        else:
            start_session(changed)  # this session goes on with the new version; every other one ends
            flash(_("Your password has been changed. Other devices have been logged out."), "success")
            return redirect(url_for("account.settings"))
    return _settings_page(user, form=form), status_for(form)


def _settings_page(user, *, form=None, token_form=None, new_token: str | None = None):
    return render_template(
        "account/settings.html",
        form=form or ChangePasswordForm(formdata=None),
        user=user,
        may_use_password=_staff_passwords() or current_user.role not in STAFF_ROLES,
        has_password=bool(user.password_hash),
        confirm=ConfirmForm(),
        token_form=token_form or ApiTokenForm(formdata=None),
        tokens=api_tokens.tokens_of(db(), user.id, actor=current_user.actor),
        usable=lambda token: api_tokens.is_usable(token, clock()()),
        new_token=new_token,
    )


@bp.post("/account/api-tokens")
@login_required
def create_api_token():
    """A new personal API token, shown on this page once (never put in a redirect, a flash or a log)."""
    user = get(db(), User, current_user.id)
    token_form = ApiTokenForm()
    if token_form.validate_on_submit():
        if repeat := repeated_submission(token_form, url_for("account.settings")):
            return repeat  # the token was shown once, to the first
        try:
            _token, secret = api_tokens.create_api_token(
                db(),
                user.id,
                token_form.name.data,
                expires_in_days=token_form.expires_in_days.data,
                actor=current_user.actor,
                clock=clock(),
            )
        except ValidationError as error:
            attach_error(token_form, error)
        else:
            remember_result(token_form, url_for("account.settings"))
            return _settings_page(user, new_token=secret)
    return _settings_page(user, token_form=token_form), status_for(token_form)


@bp.post("/account/api-tokens/<id:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int):
    if ConfirmForm().validate_on_submit():
        api_tokens.revoke_api_token(db(), token_id, actor=current_user.actor, clock=clock())
        flash(_("The token has been revoked; it no longer works."), "success")
    return redirect(url_for("account.settings") + "#api-heading")


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere():
    if ConfirmForm().validate_on_submit():
        accounts.revoke_sessions(db(), current_user.id, actor=current_user.actor)
        flash(_("You have been logged out on every device, this one too."), "success")
        return redirect(url_for("auth.login"))
    return redirect(url_for("account.settings"))
