"""The swarm web application: `create_app()` builds a configured Flask app (the application factory)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

from swarm.webapp import i18n
from swarm.webapp.errors import register_error_handlers
from swarm.webapp.security import init_security

WEB_DIR = Path(__file__).resolve().parents[2] / "web"

DEFAULTS = {
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,  # whole request: forms only, no file uploads
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


def _project_settings() -> dict:
    """Settings from swarm.config (SWARM_* environment variables) when that module provides them."""
    try:
        from swarm import config as project_config
    except ImportError:
        return {}
    for name in ("flask_config", "web_config"):
        provider = getattr(project_config, name, None)
        if callable(provider):
            return dict(provider())
    return {}


def create_app(config: dict | None = None) -> Flask:
    """Build the app. `config` overrides everything else (tests pass e.g. a database URL and TESTING)."""
    app = Flask(
        __name__,
        template_folder=str(WEB_DIR / "templates"),
        static_folder=str(WEB_DIR / "static"),
    )
    app.config.update(DEFAULTS)
    app.config.update(_project_settings())
    if os.environ.get("SWARM_SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SWARM_SECRET_KEY"]
    if config:
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        # Development only: sessions end when the process restarts. Production sets SWARM_SECRET_KEY.
        app.config["SECRET_KEY"] = secrets.token_hex(32)

    i18n.compile_catalogues()
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.register_filters(app)
    app.context_processor(
        lambda: {"current_locale": i18n.current_locale, "url_endpoints": app.view_functions}
    )
    csrf.init_app(app)
    init_security(app)
    register_error_handlers(app)

    from swarm.webapp.public import bp as public_bp

    app.register_blueprint(public_bp)
    return app
