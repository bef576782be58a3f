"""Logging in and out, who the current user is, and the role check on every actor's routes."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from swarm.domain.actors import Actor
from swarm.domain.enums import UserRole
from swarm.domain.errors import NotFound
from swarm.persistence.models import User
from swarm.services.lookup import get
from swarm.services.people import accounts
from swarm.webapp.clock import clock
from swarm.webapp.db import db
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


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for(current_user.home_endpoint))
    form = LoginForm()
    project = current_app.config["SWARM"]
    if form.validate_on_submit():
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
        else:
            if user is None:
                form.password.errors.append(_l("Unknown email address or wrong password."))
            else:
                start_session(user)
                return redirect(
                    safe_next(request.args.get("next"), url_for(HOME_BY_ROLE[UserRole(user.role)]))
                )
    return render_template("auth/login.html", form=form), status_for(form)


def start_session(user) -> None:
    """A fresh session at every login (no fixation); the language the user picked before stays."""
    language = session.get(LANGUAGE_SESSION_KEY)
    session.clear()
    if language:
        session[LANGUAGE_SESSION_KEY] = language
    login_user(CurrentUser.from_user(user))


@bp.post("/logout")
def logout():
    logout_user()
    language = session.get(LANGUAGE_SESSION_KEY)
    session.clear()
    if language:
        session[LANGUAGE_SESSION_KEY] = language
    return redirect(url_for("public.home"))
