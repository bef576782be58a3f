"""The upload form of the imports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, Length

from swarm.domain.passwords import MIN_PASSWORD_LENGTH
from swarm.webapp.forms.base import SwarmForm
from swarm.webapp.forms.messages import REQUIRED


class UploadForm(SwarmForm):
    file = FileField(_l("File (.csv or .xlsx, at most 10 MB)"), validators=[FileRequired(REQUIRED)])


class WelcomeForm(SwarmForm):
    """An imported professional confirms the profile and chooses a password."""

    confirmed = BooleanField(_l("These details are mine and correct"), validators=[DataRequired(REQUIRED)])
    password = PasswordField(
        _l("Choose a password"),
        validators=[DataRequired(REQUIRED), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=_l("At least %(count)s characters.", count=MIN_PASSWORD_LENGTH),
    )
