"""Put a service's ValidationError on the form field it names, in the user's language."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext
from wtforms import FieldList, FormField

from swarm.domain.errors import ValidationError

_LIST_ITEM = re.compile(r"(\w+)\[(\d+)\]\.(\w+)")


def _field(form, name: str):
    """The form field for a service's field path: `title`, `skills.participatie` or `roles[0].first_week`."""
    item = _LIST_ITEM.fullmatch(name)
    if item:
        entries = getattr(form, item.group(1), None)
        index = int(item.group(2))
        if entries is None or not hasattr(entries, "entries") or index >= len(entries.entries):
            return getattr(form, item.group(1), None)
        return getattr(entries.entries[index].form, item.group(3), None)
    return getattr(form, name.replace(".", "_"), None)


def attach_error(form, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Show `error` at its field (`aliases` maps service field names to form field names); else above the form."""
    name = (aliases or {}).get(error.field, error.field) or ""
    message = gettext(error.message, **error.params)
    field = _field(form, name) if name else None
    if field is not None and hasattr(field, "errors"):
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        field.errors.append(message)
    else:
        form.form_errors.append(message)


def has_errors(form) -> bool:
    """Whether any field (also inside lists of sub-forms) or the form itself has an error now.

    `form.errors` is computed once and misses errors added after validation, hence this walk.
    """
    if getattr(form, "form_errors", None):
        return True
    for field in form:
        if isinstance(field, FieldList):
            if any(
                has_errors(entry.form) if isinstance(entry, FormField) else entry.errors
                for entry in field.entries
            ):
                return True
            if any(isinstance(error, str) for error in field.errors):
                return True
        elif isinstance(field, FormField):
            if has_errors(field.form):
                return True
        elif field.errors:
            return True
    return False


@dataclass(frozen=True)
class FieldError:
    """One field's error for the summary above a form: where it is, what the field is called, what is wrong."""

    target: str  # the id of the element to jump to
    label: str
    message: str


def error_summary(form) -> list[FieldError]:
    """Every field error of the form in page order, also inside lists of sub-forms (``Time slot 2, Starts``)."""
    found: list[FieldError] = []
    _collect(form, "", found)
    return found


def _collect(form, prefix: str, found: list[FieldError]) -> None:
    for field in form:
        label = str(field.label.text) if field.label is not None else field.name
        if isinstance(field, FieldList):
            for error in (e for e in field.errors if isinstance(e, str)):
                found.append(FieldError(f"{field.id}-error", prefix + label, error))
            for position, entry in enumerate(field.entries, 1):
                row = f"{prefix}{label} {position}, "
                if isinstance(entry, FormField):
                    _collect(entry.form, row, found)
                else:
                    found.extend(FieldError(entry.id, row.rstrip(", "), str(e)) for e in entry.errors)
        elif isinstance(field, FormField):
            _collect(field.form, f"{prefix}{label}, ", found)
        elif field.errors and field.type not in ("CSRFTokenField", "HiddenField"):
            found.extend(FieldError(field.id, prefix + label, str(error)) for error in field.errors)


def status_for(form) -> int:
    """400 for a page that shows a refused form, 200 otherwise."""
    return 400 if has_errors(form) else 200
