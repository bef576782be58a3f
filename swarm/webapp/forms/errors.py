"""Put a service's ValidationError on the form field it names, in the user's language."""

from __future__ import annotations

from flask_babel import gettext

from swarm.domain.errors import ValidationError


def attach_error(form, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Show `error` at its field (`aliases` maps service field names to form field names); else above the form."""
    name = (aliases or {}).get(error.field, error.field)
    message = gettext(error.message)
    field = getattr(form, name.replace(".", "_"), None) if name else None
    if field is not None and hasattr(field, "errors"):
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        field.errors.append(message)
    else:
        form.form_errors.append(message)
