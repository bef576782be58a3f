"""The audit log's filter: a GET form (no CSRF token: it changes nothing), every field optional."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import DateField, ValidationError
from wtforms.validators import Optional

from swarm.webapp.forms.base import SwarmForm
from swarm.webapp.forms.common import Select

EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def _sensible(_form, field) -> None:
    if field.data is not None and not EARLIEST <= field.data <= LATEST:
        raise ValidationError(_l("Choose a date between 2000 and 2100."))


class AuditFilterForm(SwarmForm):
    class Meta:
        csrf = False

    person = Select(_l("Person"), validators=[Optional()])
    kind = Select(_l("What happened"), validators=[Optional()])
    since = DateField(_l("From"), validators=[Optional(), _sensible])
    until = DateField(_l("Up to and including"), validators=[Optional(), _sensible])
