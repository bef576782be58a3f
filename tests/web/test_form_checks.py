"""The checks every form shares (swarm/webapp/forms/base.py), field by field, without a page around them."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import DateField, Form, StringField, TextAreaField

from swarm.webapp.forms.base import IdField, bounded_id, check_every_field


class Sample(Form):
    name = StringField("Naam")
    text = TextAreaField("Toelichting")
    day = DateField("Dag")
    ref = IdField("Verwijzing")


def _checked(**values):
    form = Sample(MultiDict(values))
    form.validate()
    ok = check_every_field(form)
    return ok, form


@pytest.mark.parametrize("bad", ["\x00", "\r", "\n", "\t", "\x1b", "\x7f", "\x85", "\u2028", "\u2029"])
def test_a_one_line_field_refuses_every_control_character(app, bad):
    with app.test_request_context():
        ok, form = _checked(name=f"Anna{bad}Jansen")
    assert not ok
    assert form.name.errors[-1].startswith("Naam ")


@pytest.mark.parametrize("kept", ["\n", "\r\n", "\t", "é ü ß 中文 🙂"])
def test_a_multi_line_text_keeps_line_breaks_tabs_and_letters(app, kept):
    with app.test_request_context():
        ok, form = _checked(name="Anna", text=f"regel{kept}regel")
    assert ok, form.errors


@pytest.mark.parametrize("bad", ["\x00", "\x0b", "\x0c", "\x1b", "\x7f", "\x9f"])
def test_a_multi_line_text_refuses_the_other_control_characters(app, bad):
    with app.test_request_context():
        ok, form = _checked(text=f"regel{bad}")
    assert not ok and form.text.errors[-1].startswith("Toelichting ")


@pytest.mark.parametrize(
    ("day", "ok"),
    [
        ("1999-12-31", False),
        ("2000-01-01", True),
        ("2099-12-31", True),
        ("2100-01-01", False),
        ("0001-01-01", False),
    ],
)
def test_a_date_lies_between_2000_and_2099(app, day, ok):
    with app.test_request_context():
        assert _checked(day=day)[0] is ok


@pytest.mark.parametrize(
    ("value", "data"),
    [
        ("1", 1),
        ("2147483647", 2147483647),
        ("2147483648", None),
        ("0", None),
        ("-1", None),
        ("abc", None),
        ("١", None),
        (str(2**64 + 1), None),
    ],
)
def test_an_id_field_takes_a_row_id_and_nothing_else(app, value, data):
    with app.test_request_context():
        form = Sample(MultiDict({"ref": value}))
        assert form.validate() is (data is not None)
        assert form.ref.data == data
        assert bounded_id(value) == data
