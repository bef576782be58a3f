"""The upload form of the imports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from swarm.webapp.forms.messages import REQUIRED


class UploadForm(FlaskForm):
    file = FileField(_l("File (.csv or .xlsx, at most 10 MB)"), validators=[FileRequired(REQUIRED)])
