"""Errors that the web forms and the CLI show to people."""

from __future__ import annotations


class ValidationError(ValueError):
    """Bad input, tied to the form field that holds it, so a form can show the message at that field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotFound(LookupError):
    """A referenced object does not exist (or is not visible to the actor)."""

    def __init__(self, kind: str, ident: object):
        super().__init__(f"{kind} {ident!r} not found")
        self.kind = kind
        self.ident = ident


class NotAllowed(PermissionError):
    """The actor may not do this."""


class InvalidTransition(ValueError):
    """A status change the life cycle does not allow, e.g. a held request back to draft."""

    def __init__(self, kind: str, current: str, target: str):
        super().__init__(f"a {kind} that is {current} cannot become {target}")
        self.kind = kind
        self.current = current
        self.target = target
