"""The base of every form: checks that hold for every field, applied in one place.

``SwarmForm.validate`` runs the fields' own validators and then walks every field (also inside lists of
sub-forms) with the rules no form may forget:

- no control characters in what was typed: none at all in a one-line field (a CR/LF in a name ends up in a mail
  header, a NUL byte is refused by PostgreSQL); a multi-line text keeps its line breaks and tabs, nothing else;
- a date lies in a sensible range (a deadline of 0001-01-01 cannot be converted to UTC);
- an id typed into or hidden in a form fits the database's integer (:class:`IdField`).

Each refusal is a message at the field that names it, so the page shows it like any other refused input.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeField, FieldList, FormField, HiddenField, TextAreaField
from wtforms.fields.choices import SelectFieldBase
from wtforms.validators import Optional, Regexp

from swarm.domain.rules import MAX_ROW_ID
from swarm.services.ops.form_submissions import TOKEN_PATTERN

FIRST_DATE = date(2000, 1, 1)
LAST_DATE = date(2099, 12, 31)

# C0 and C1 control characters and DEL, plus the Unicode line and paragraph separators (str.splitlines breaks there)
_ONE_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MULTI_LINE_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # keeps \t, \n and \r

CONTROL_IN_LINE = _l(
    "%(field)s contains an invisible control character (such as a line break or a NUL byte); remove it."
)
CONTROL_IN_TEXT = _l("%(field)s contains an invisible control character (such as a NUL byte); remove it.")
DATE_OUT_OF_RANGE = _l("%(field)s must lie between %(first)s and %(last)s.")
NOT_AN_ID = _l("%(field)s is not a valid choice.")
FORM_EXPIRED = _l("The form has expired or was sent from elsewhere. Please reload the page and try again.")


def label_of(field) -> str:
    return str(field.label.text) if field.label is not None and field.label.text else field.name


def forbidden_characters(field):
    """The pattern of characters a field refuses: a multi-line text keeps its line breaks."""
    return _MULTI_LINE_FORBIDDEN if isinstance(field, TextAreaField) else _ONE_LINE_FORBIDDEN


def _typed_values(field) -> list[str]:
    return [value for value in (getattr(field, "raw_data", None) or []) if isinstance(value, str)]


def _add_error(field, message: str) -> None:
    if not isinstance(field.errors, list):
        field.errors = list(field.errors)
    if message not in field.errors:
        field.errors.append(message)


def _check_field(field) -> bool:
    if field.type == "CSRFTokenField":
        return True  # Flask-WTF refuses a bad token before any view runs
    if isinstance(field, SelectFieldBase) and field.errors:
        return False  # not one of its choices: said already
    ok = True
    pattern = forbidden_characters(field)
    if any(pattern.search(value) for value in _typed_values(field)):
        message = CONTROL_IN_TEXT if isinstance(field, TextAreaField) else CONTROL_IN_LINE
        _add_error(field, str(message) % {"field": label_of(field)})
        ok = False
    if isinstance(field, DateField | DateTimeField) and isinstance(field.data, date):
        day = field.data.date() if isinstance(field.data, datetime) else field.data
        if not FIRST_DATE <= day <= LAST_DATE:
            _add_error(
                field,
                str(DATE_OUT_OF_RANGE)
                % {"field": label_of(field), "first": FIRST_DATE.isoformat(), "last": LAST_DATE.isoformat()},
            )
            ok = False
    return ok


def check_every_field(form) -> bool:
    """The rules of the module docstring on every field of ``form`` and its sub-forms; False if one was broken."""
    ok = True
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                if isinstance(entry, FormField):
                    ok = check_every_field(entry.form) and ok
                else:
                    ok = _check_field(entry) and ok
        elif isinstance(field, FormField):
            ok = check_every_field(field.form) and ok
        else:
            ok = _check_field(field) and ok
    return ok


class SwarmForm(FlaskForm):
    """The base of every form of the web app (a test checks that none is left out)."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        checked = check_every_field(self)
        if not checked:
            self._errors = None  # the cached summary of errors is computed again, with these
        return valid and checked


class IdField(HiddenField):
    """A row id carried in a hidden field: a whole number from 1 up to the database's largest, else refused.

    ``data`` is the id as an int (None when empty or refused), so a view never calls ``int()`` on what came in.
    """

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0] not in ("", None):
            text = valuelist[0]
            if bounded_id(text) is None:
                raise ValueError(str(NOT_AN_ID) % {"field": label_of(self)})
            self.data = int(text)

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


def bounded_id(value) -> int | None:
    """An id from a query string or form value, or None if it is missing, malformed or out of range."""
    if isinstance(value, int):
        return value if 1 <= value <= MAX_ROW_ID else None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        number = int(value)
        return number if 1 <= number <= MAX_ROW_ID else None
    return None


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


class OnceForm(SwarmForm):
    """A form that creates something: it carries a one-time token, so sending it twice creates it once.

    A fresh token is made each time the empty form is shown; a refused form shown again keeps the token it was
    sent with (nothing was created). The view claims it with :func:`swarm.webapp.views.common.repeated_submission`.
    A post without a token (an older page, a script) is not deduplicated.
    """

    form_token = HiddenField(
        default=new_form_token, validators=[Optional(), Regexp(rf"^{TOKEN_PATTERN.pattern}\Z")]
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.form_token.errors:  # a hidden field: its refusal is said above the form
            self.form_errors.append(str(FORM_EXPIRED))
        return valid
