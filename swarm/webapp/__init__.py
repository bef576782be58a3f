"""The swarm web application: `create_app()` builds a configured Flask app (the application factory)."""

from __future__ import annotations

import dataclasses

from flask import Flask
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from swarm.api import init_api
from swarm.config import Config
from swarm.domain.rules import MAX_ROW_ID
from swarm.shipped import WEB_DIR
from swarm.webapp import charts, i18n, labels, reasons
from swarm.webapp.auth import bp as auth_bp
from swarm.webapp.auth import login_manager, no_store_behind_login
from swarm.webapp.db import init_db
from swarm.webapp.errors import register_error_handlers
from swarm.webapp.security import init_security
from swarm.webapp.sso import init_sso
from swarm.webapp.uploads import init_uploads
from swarm.webapp.views import (  # the *_data, *_projects, *_plan and *_webhooks modules add routes to their actor's blueprint
    account,
    admin,
    answers,
    audit,  # noqa: F401  (the audit log page on the organizer's and the administrator's blueprints)
    coordinator,
    coordinator_projects,  # noqa: F401
    documents,
    exchange,  # noqa: F401  (import and export routes on the organizer's and coordinator's blueprints)
    feeds,
    organizer,
    organizer_cadence,  # noqa: F401
    organizer_documents,  # noqa: F401
    organizer_plan,  # noqa: F401
    organizer_rounds,  # noqa: F401
    organizer_webhooks,  # noqa: F401
    professional,
    professional_data,  # noqa: F401
    public,
    welcome,
)

DEFAULTS = {
    "MAX_CONTENT_LENGTH": 1024
    * 1024,  # whole request: forms; the upload routes raise it (uploads.py, exchange.py)
    "MAX_FORM_MEMORY_SIZE": 512 * 1024,
    "MAX_FORM_PARTS": 500,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "WTF_CSRF_HEADERS": ["X-CSRFToken"],
    "BABEL_DEFAULT_LOCALE": i18n.DEFAULT_LANGUAGE,
    "BABEL_DEFAULT_TIMEZONE": i18n.TIMEZONE,
    "BABEL_TRANSLATION_DIRECTORIES": str(i18n.TRANSLATIONS_DIR),
    "FORCE_HTTPS": False,
}

csrf = CSRFProtect()
babel = Babel()


def _load_config(config) -> tuple[Config, dict]:
    """Split the argument into the project Config and plain Flask overrides.

    `config` may be a `swarm.config.Config`, a dict of Flask settings (tests: {"TESTING": True, "SWARM": cfg}),
    or None (read the SWARM_* environment).
    """
    if isinstance(config, Config):
        return config, {}
    overrides = dict(config or {})
    project = overrides.pop("SWARM", None) or Config.from_env()
    return project, overrides


class IdConverter(IntegerConverter):
    """``<id:name>``: a row id that fits the database's integer; a larger or malformed one is a 404, not a 500."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=MAX_ROW_ID)


class BoundedIntConverter(IntegerConverter):
    """``<int:name>`` too stops at the database's integer: a number past it matches no route (404)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs["max"] = min(kwargs.get("max") or MAX_ROW_ID, MAX_ROW_ID)
        super().__init__(url_map, *args, **kwargs)


def _field_default(cls, name: str):
    return next(f.default for f in dataclasses.fields(cls) if f.name == name)


def create_app(config: Config | dict | None = None) -> Flask:
    """Build the app. `config` overrides the environment (tests pass Config.for_tests())."""
    project, overrides = _load_config(config)
    app = Flask(
        __name__,
        template_folder=str(WEB_DIR / "templates"),
        static_folder=str(WEB_DIR / "static"),
    )
    app.config.update(DEFAULTS)
    app.config.update(
        SWARM=project,
        SECRET_KEY=project.secret_key,
        TESTING=project.testing,
        BABEL_DEFAULT_TIMEZONE=project.timezone,
        SESSION_COOKIE_SECURE=project.base_url.startswith("https://"),
        PREFERRED_URL_SCHEME="https" if project.base_url.startswith("https://") else "http",
    )
    app.config.update(overrides)
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["int"] = BoundedIntConverter
    if project.trusted_proxies:
        # the client address (login throttling) and scheme as the reverse proxies in front of the app saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=project.trusted_proxies, x_proto=project.trusted_proxies)
    if not app.testing and project.secret_key == _field_default(Config, "secret_key"):
        app.logger.warning("SWARM_SECRET_KEY is not set: sessions are signed with the development key.")

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.register_filters(app)
    i18n.install_gettext(app)
    app.context_processor(lambda: {"current_locale": i18n.current_locale})
    init_uploads(app)  # before the CSRF check reads a form: it raises the size limit for the upload route
    csrf.init_app(app)
    init_security(app)
    register_error_handlers(app)

    labels.register(app)
    app.add_template_global(charts.short, "short")
    reasons.register(app)
    init_db(app)
    login_manager.init_app(app)
    app.after_request(no_store_behind_login)

    app.register_blueprint(public.bp)
    app.register_blueprint(auth_bp)
    init_sso(app)
    app.register_blueprint(professional.bp)  # with the routes of professional_data
    app.register_blueprint(professional.signup)
    app.register_blueprint(documents.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(welcome.bp)  # imported professionals confirm their profile
    app.register_blueprint(coordinator.bp)  # with the routes of coordinator_projects
    app.register_blueprint(organizer.bp)  # with organizer_plan, _rounds, _cadence and _webhooks
    app.register_blueprint(admin.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(answers.bp)  # one-time answer links from invitation mails, no login
    init_api(app, csrf)
    return app
