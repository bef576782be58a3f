"""Every choice field holds its options as WTForms' SelectChoice, never as (value, label) tuples: WTForms 3.3
deprecates tuple choices and 3.4 drops them. The views fill choices with (value, label) pairs from the database;
the forms' fields turn those into SelectChoice too."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings

import pytest
from wtforms import Form, SelectChoice
from wtforms.fields import FieldList, FormField, SelectField

import swarm.webapp.forms as forms_package
from swarm.webapp.forms.professional import availability_form, with_skills

LEGACY = "Passing SelectField choices|Yielding raw tuples|Passing Choice"


def form_classes() -> list[type]:
    found = {}
    for module_info in pkgutil.iter_modules(forms_package.__path__):
        module = importlib.import_module(f"{forms_package.__name__}.{module_info.name}")
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, Form) and value.__module__ == module.__name__:
                found[value.__qualname__] = value
    return sorted(found.values(), key=lambda c: c.__qualname__)


def choice_fields(form):
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                yield from choice_fields(entry.form if isinstance(entry, FormField) else entry)
        elif isinstance(field, FormField):
            yield from choice_fields(field.form)
        elif isinstance(field, SelectField):
            yield field


@pytest.fixture
def request_context(app):
    with app.test_request_context(), warnings.catch_warnings():
        warnings.filterwarnings("error", message=LEGACY, category=DeprecationWarning)
        yield


def test_the_forms_package_has_choice_fields_to_check(request_context):
    assert sum(1 for cls in form_classes() for _ in choice_fields(cls(meta={"csrf": False}))) >= 10


@pytest.mark.parametrize("form_class", form_classes(), ids=lambda c: c.__qualname__)
def test_declared_and_view_filled_choices_are_select_choices(request_context, form_class):
    form = form_class(meta={"csrf": False})
    for field in choice_fields(form):
        if field.choices is None:  # filled by the view, as (value, label) pairs from the database
            field.choices = [(1, "Aalten"), (2, "Winterswijk")]
        assert field.choices and all(isinstance(c, SelectChoice) for c in field.choices), field.name
        assert [c.value for c in field.iter_choices()]  # renders without a deprecation


def test_the_generated_forms_use_select_choices_too(request_context, the_world, engine):
    from sqlmodel import select

    from swarm.persistence.db import unit_of_work
    from swarm.persistence.models import Skill, Slot

    with unit_of_work(engine) as session:
        skills, slots = list(session.exec(select(Skill))), list(session.exec(select(Slot)))
    profile = with_skills(forms_package.professional.ProfileForm, skills)
    availability = availability_form(slots, {})
    for form in (profile(meta={"csrf": False}), availability):
        declared = [f for f in choice_fields(form) if f.choices is not None]  # the rest: filled by the view
        assert declared and all(isinstance(c, SelectChoice) for f in declared for c in f.choices)
