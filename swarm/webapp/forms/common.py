"""Forms used on every page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, DataRequired

from swarm.webapp.i18n import LANGUAGES


class LanguageForm(FlaskForm):
    language = StringField(validators=[DataRequired(), AnyOf(LANGUAGES)])
    next = HiddenField()


class ConfirmForm(FlaskForm):
    """A form with only its CSRF token: for buttons that change state (accept, publish, stop, ...)."""
