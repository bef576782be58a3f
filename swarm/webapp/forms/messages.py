"""Validation messages shared by the forms (translated lazily, per request)."""

from flask_babel import lazy_gettext as _l

REQUIRED = _l("This field is required.")
