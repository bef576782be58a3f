"""Logging in and out, who the current user is, and the role check on every actor's routes.

A login session is the user's id and ``session_version`` in the signed session cookie. Logging out raises the
version, on the server: a copy of the cookie saved before the logout then opens nothing (a signed cookie alone
cannot be withdrawn). The price is that logging out ends the user's sessions on other devices too, which for a
planning tool used at work is acceptable, and no table of sessions is needed. Password change, reset, "log out
everywhere" and switching an account off raise it too. Logins are throttled per account and per client address
(``services.people.throttle``); pages behind a login are never stored by browsers or proxies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import format_time, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from swarm.domain.actors import Actor
from swarm.domain.enums import UserRole
from swarm.domain.errors import NotFound
from swarm.persistence.models import User
from swarm.services.lookup import get
from swarm.services.people import accounts
from swarm.services.people.throttle import Limits, Throttled, account_key, address_key, count_attempt, forgive
from swarm.webapp.clock import clock, now
from swarm.webapp.db import db, end_request_transaction, engine
from swarm.webapp.forms.auth import LoginForm
from swarm.webapp.forms.errors import status_for
from swarm.webapp.i18n import LANGUAGE_SESSION_KEY
from swarm.webapp.menus import menu_for
from swarm.webapp.navigation import safe_next

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"

HOME_BY_ROLE = {
    UserRole.COORDINATOR: "coordinator.dashboard",
    UserRole.PROFESSIONAL: "professional.dashboard",
    UserRole.ORGANIZER: "organizer.dashboard",
    UserRole.ADMINISTRATOR: "admin.regions",
}


@dataclass(frozen=True)
class CurrentUser(UserMixin):
    """A snapshot of the logged-in user (not an ORM row, so no lazy loads from templates)."""

    id: int
    name: str
    email: str
    role: UserRole
    session_version: int
    municipality_id: int | None
    professional_id: int | None
    region_id: int | None

    def get_id(self) -> str:
        # The version is part of the session: raising it in the database signs this login out.
        return f"{self.id}:{self.session_version}"

    @property
    def actor(self) -> Actor:
        """Who the services see acting."""
        return Actor(
            role=self.role,
            user_id=self.id,
            municipality_id=self.municipality_id,
            professional_id=self.professional_id,
            region_id=self.region_id,
        )

    @property
    def home_endpoint(self) -> str:
        return HOME_BY_ROLE[self.role]

    @property
    def menu(self):
        return menu_for(self.role)

    @classmethod
    def from_user(cls, user) -> CurrentUser:
        return cls(
            id=user.id,
            name=user.name,
            email=user.email,
            role=UserRole(user.role),
            session_version=user.session_version,
            municipality_id=user.municipality_id,
            professional_id=user.professional_id,
            region_id=user.region_id,
        )


@login_manager.user_loader
def _load_user(session_id: str):
    user_id, _, version = session_id.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    try:
        user = get(db(), User, int(user_id))
    except NotFound:
        return None
    if not user.active or user.session_version != int(version):
        return None
    return CurrentUser.from_user(user)


def restrict_blueprint(blueprint: Blueprint, role: UserRole) -> None:
    """Guard every route of an actor's blueprint, so a new route cannot forget its check."""

    @blueprint.before_request
    def _guard():
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if current_user.role != role:
            abort(403)
        return None


def throttle_limits() -> Limits:
    """The login throttle's limits from the settings (the API counts its failed tokens with them too)."""
    project = current_app.config["SWARM"]
    return Limits(
        per_account=project.login_attempts_per_account,
        per_address=project.login_attempts_per_address,
        window=timedelta(seconds=project.login_window_seconds),
        lockout=timedelta(seconds=project.login_lockout_seconds),
    )


def throttle(scope: str, email: str) -> None:
    """Count this attempt for the account and the client address (Throttled when either is locked)."""
    limits = throttle_limits()
    end_request_transaction()
    try:
        count_attempt(
            engine(),
            [
                (account_key(scope, email), limits.per_account),
                (address_key(scope, request.remote_addr), limits.per_address),
            ],
            limits,
            clock=clock(),
        )
    except Throttled as throttled:
        if throttled.locked_now:
            accounts.record_refused_login(engine(), email, locked=True, scope=scope, clock=clock())
        raise


def throttled_response(template: str, throttled: Throttled, **context):
    """The form again with 429 Too Many Requests, Retry-After, and when to try again in words."""
    minutes = max(1, -(-throttled.seconds // 60))
    at = format_time(now() + timedelta(seconds=throttled.seconds), "HH:mm")
    message = ngettext(
        "Too many attempts. Please wait %(num)s minute and try again (after %(time)s).",
        "Too many attempts. Please wait %(num)s minutes and try again (after %(time)s).",
        minutes,
        time=at,
    )
    response = current_app.make_response((render_template(template, throttled=message, **context), 429))
    response.headers["Retry-After"] = str(throttled.seconds)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for(current_user.home_endpoint))
    form = LoginForm()
    project = current_app.config["SWARM"]
    if form.validate_on_submit():
        try:
            throttle("login", form.email.data)
        except Throttled as throttled:
            return throttled_response("auth/login.html", throttled, form=form)
        try:
            user = accounts.authenticate(
                db(),
                form.email.data,
                form.password.data,
                staff_passwords=project.staff_password_login,
                clock=clock(),
            )
        except accounts.PasswordLoginOff:
            form.password.errors.append(
                _l("Staff accounts log in through single sign-on: use the button above.")
            )
        except accounts.EmailNotConfirmed:
            form.email.errors.append(
                _l(
                    "Please confirm your email address first, with the link in the mail we sent you. No mail, or "
                    "has the link expired? Use 'Forgot your password?' to get a new link."
                )
            )
        else:
            if user is None:
                end_request_transaction()  # on SQLite this POST's session holds the write lock
                accounts.record_refused_login(engine(), form.email.data, locked=False, clock=clock())
                form.password.errors.append(_l("Unknown email address or wrong password."))
            else:
                forgive(
                    db(), account_key("login", form.email.data), address_key("login", request.remote_addr)
                )
                start_session(user)
                return redirect(
                    safe_next(request.args.get("next"), url_for(HOME_BY_ROLE[UserRole(user.role)]))
                )
    return render_template("auth/login.html", form=form), status_for(form)


def start_session(user) -> None:
    """A fresh session at every login (no fixation); the language the user picked before stays."""
    _clear_session()
    login_user(CurrentUser.from_user(user))


def _clear_session() -> None:
    language = session.get(LANGUAGE_SESSION_KEY)
    session.clear()
    if language:
        session[LANGUAGE_SESSION_KEY] = language


def end_session() -> None:
    """Log out here, and make every copy of this session's cookie worthless (see the module's docstring)."""
    if current_user.is_authenticated:
        accounts.revoke_sessions(db(), current_user.id, actor=current_user.actor)
    logout_user()
    _clear_session()


@bp.post("/logout")
def logout():
    end_session()
    return redirect(url_for("public.home"))


def no_store_behind_login(response):
    """Pages of a logged-in user, and the pages behind a one-time link, are never kept in a cache."""
    if request.endpoint != "static" and (
        current_user.is_authenticated or (request.endpoint or "").startswith("account.")
    ):
        response.headers["Cache-Control"] = "no-store"
    return response
