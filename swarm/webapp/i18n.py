"""Languages and time zones: Dutch by default, English on request; times shown in Europe/Amsterdam."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from flask import current_app, g, request, session
from flask_babel import (
    format_currency,
    format_date,
    format_datetime,
    format_time,
    get_locale,
    get_timezone,
    get_translations,
)

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
    return _language()[1]


def skill_name(skill) -> str:
    """A catalogue skill's name in the page's language."""
    return skill.name_en if current_locale() == "en" else skill.name_nl


def select_timezone() -> str:
    return current_app.config.get("BABEL_DEFAULT_TIMEZONE", TIMEZONE)


def _as_datetime(value):
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


_FORMATS = {"datetime": format_datetime, "date": format_date, "time": format_time}


@lru_cache(maxsize=4096)
def _formatted(kind: str, value, style: str, locale: str, timezone: str) -> str:
    """Babel's formatting, remembered: a page of slots formats the same few hundred moments on every request, and
    each costs Babel a pattern parse. ``locale`` and ``timezone`` are part of the key only: the formatter reads
    the request's, which they name."""
    return _FORMATS[kind](value, style)


def _format(kind: str, value, style: str) -> str:
    _catalogue, locale, timezone = _language()
    return _formatted(kind, value, style, locale, timezone)


def _language():
    """The request's catalogue, locale and time zone, looked up once per request and locale: Flask-Babel looks them
    up again on every word (through several context proxies), and a page with a chart translates some hundreds.

    A ``force_locale`` block (mail in the recipient's language) puts another locale object on Flask-Babel's
    context, which fails the ``is`` test and is looked up afresh; so does anything else this shortcut does not
    recognise (it then asks Flask-Babel, as every call did before)."""
    try:
        app_globals = g._get_current_object()
    except RuntimeError:  # no application context: Flask-Babel's own answers (no catalogue)
        return get_translations(), DEFAULT_LANGUAGE, str(get_timezone())
    known = getattr(app_globals, "_swarm_language", None)
    babel_context = getattr(app_globals, "_flask_babel", None)
    if known is not None and known[0] is getattr(babel_context, "babel_locale", None):
        return known[1]
    locale = get_locale()
    known = (locale, (get_translations(), str(locale or DEFAULT_LANGUAGE), str(get_timezone())))
    app_globals._swarm_language = known
    return known[1]


def gettext(text: str, **variables) -> str:
    """Flask-Babel's ``gettext`` (the same words and formatting), with the request's catalogue at hand."""
    translated = _language()[0].ugettext(text)
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """Flask-Babel's ``ngettext`` (``num`` is a variable too), with the request's catalogue at hand."""
    variables.setdefault("num", num)
    return _language()[0].ungettext(singular, plural, num) % variables


def install_gettext(app) -> None:
    """The templates' ``_`` and ``ngettext`` with the request's catalogue at hand (see ``_language``); the same
    words as Flask-Babel's, which these replace."""
    app.jinja_env.install_gettext_callables(
        lambda text: _language()[0].ugettext(text),
        lambda singular, plural, n: _language()[0].ungettext(singular, plural, n),
        newstyle=True,
    )


def register_filters(app) -> None:
    """Jinja filters that format in the request's locale and in Europe/Amsterdam."""

    @app.template_filter("datetime")
    def _datetime(value, style="medium"):
        return "" if value is None else _format("datetime", _as_datetime(value), style)

    @app.template_filter("date")
    def _date(value, style="medium"):
        if value is None:
            return ""
        if isinstance(value, str):
            value = date.fromisoformat(value)
        return _format("date", value, style)

    @app.template_filter("money")
    def _money(value):
        return "" if value is None else format_currency(value, "EUR", format="¤ #,##0", currency_digits=False)

    @app.template_filter("time")
    def _time(value, style="short"):
        return "" if value is None else _format("time", _as_datetime(value), style)
