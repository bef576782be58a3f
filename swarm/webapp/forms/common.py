"""Forms used on every page, and the choice fields every form uses."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import HiddenField, RadioField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import AnyOf, DataRequired
from wtforms.widgets import CheckboxInput, ListWidget

from swarm.webapp.forms.base import SwarmForm
from swarm.webapp.i18n import LANGUAGES


def select_choices(options: Iterable | None) -> list[SelectChoice] | None:
    """Options the way WTForms takes them since 3.3: SelectChoice (3.4 no longer takes (value, label) tuples).

    The views fill choices from the database as (value, label) pairs; they become SelectChoice here, in one place.
    """
    if options is None:
        return None
    return [option if isinstance(option, SelectChoice) else SelectChoice(*option) for option in options]


class _SelectChoices:
    """Choices given to the field, or set on it by a view, are stored as SelectChoice."""

    def __init__(self, label=None, validators=None, *, choices=None, **kwargs):
        super().__init__(label, validators, choices=select_choices(choices), **kwargs)

    @property
    def choices(self):
        return SelectField.choices.fget(self)

    @choices.setter
    def choices(self, value):
        SelectField.choices.fset(self, select_choices(value))


class Select(_SelectChoices, SelectField):
    """A drop-down list."""


class SelectMultiple(_SelectChoices, SelectMultipleField):
    """A list of which several may be picked."""


class Radio(_SelectChoices, RadioField):
    """A group of radio buttons."""


class CheckboxList(SelectMultiple):
    """A multiple choice shown as a list of checkboxes (each with its own label)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LanguageForm(SwarmForm):
    language = StringField(validators=[DataRequired(), AnyOf(LANGUAGES)])
    next = HiddenField()


class ConfirmForm(SwarmForm):
    """A form with only its CSRF token: for buttons that change state (accept, publish, stop, ...)."""
