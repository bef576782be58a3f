"""Errors that the web forms and the CLI show to people.

Their messages are English with ``%(name)s`` placeholders, marked with :func:`N_` so that the extraction
(babel.cfg) finds them; the edge words them in the reader's language with ``gettext(message, **params)``.
"""

from __future__ import annotations


def N_(message: str) -> str:  # the name that gettext tools look for
    """Mark ``message`` for translation and return it unchanged: the services speak English, the edge translates."""
    return message


class ValidationError(ValueError):
    """Bad input, tied to the form field that holds it, so a form can show the message at that field."""

    def __init__(self, field: str, message: str, **params: object):
        super().__init__(f"{field}: {message % params if params else message}")
        self.field = field
        self.message = message  # the catalogue's msgid, with %(name)s placeholders that ``params`` fills
        self.params = {key: str(value) for key, value in params.items()}

    @property
    def text(self) -> str:
        """The message in English with its params filled in (for the command line and the logs)."""
        return self.message % self.params if self.params else self.message


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
