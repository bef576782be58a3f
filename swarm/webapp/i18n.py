"""Languages and time zones: Dutch by default, English on request; times shown in Europe/Amsterdam."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import current_app, request, session
from flask_babel import format_currency, format_date, format_datetime, format_time, get_locale

# The .po catalogues and the .mo files the build compiles from them (setup.py; never compiled at start-up).
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
TIMEZONE = "Europe/Amsterdam"
LANGUAGE_SESSION_KEY = "language"
API_PREFIX = "/api/"


def select_locale() -> str:
    """The user's own pick first, then the browser's preference, else Dutch. The API goes by Accept-Language
    alone (a token, not a cookie, says who calls)."""
    picked = None if request.path.startswith(API_PREFIX) else session.get(LANGUAGE_SESSION_KEY)
    if picked in LANGUAGES:
        return picked
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def current_locale() -> str:
    return str(get_locale() or DEFAULT_LANGUAGE)


def skill_name(skill) -> str:
    """A catalogue skill's name in the page's language."""
    return skill.name_en if current_locale() == "en" else skill.name_nl


def select_timezone() -> str:
    return current_app.config.get("BABEL_DEFAULT_TIMEZONE", TIMEZONE)


def _as_datetime(value):
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def register_filters(app) -> None:
    """Jinja filters that format in the request's locale and in Europe/Amsterdam."""

    @app.template_filter("datetime")
    def _datetime(value, style="medium"):
        return "" if value is None else format_datetime(_as_datetime(value), style)

    @app.template_filter("date")
    def _date(value, style="medium"):
        if value is None:
            return ""
        if isinstance(value, str):
            value = date.fromisoformat(value)
        return format_date(value, style)

    @app.template_filter("money")
    def _money(value):
        return "" if value is None else format_currency(value, "EUR", format="¤ #,##0", currency_digits=False)

    @app.template_filter("time")
    def _time(value, style="short"):
        return "" if value is None else format_time(_as_datetime(value), style)
