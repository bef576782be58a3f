"""The professional's forms: registration and profile, qualification documents, availability."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from swarm.domain.enums import AvailabilityAnswer, DocumentKind
from swarm.domain.passwords import MIN_PASSWORD_LENGTH
from swarm.webapp.forms.base import SwarmForm
from swarm.webapp.forms.common import Radio, Select
from swarm.webapp.forms.messages import REQUIRED
from swarm.webapp.i18n import skill_name

DOCUMENT_LABELS = {
    DocumentKind.KVK_EXTRACT: _l("KvK extract"),
    DocumentKind.VOG: _l("Certificate of conduct (VOG)"),
    DocumentKind.LIABILITY_INSURANCE: _l("Professional liability insurance"),
}
LEVEL_CHOICES = [
    SelectChoice("0", _l("no")),
    SelectChoice("1", _l("1 (basic)")),
    SelectChoice("2", _l("2 (experienced)")),
    SelectChoice("3", _l("3 (expert)")),
]
ANSWER_LABELS = {
    AvailabilityAnswer.YES: _l("yes"),
    AvailabilityAnswer.MAYBE: _l("if need be"),
    AvailabilityAnswer.NO: _l("no"),
}


class ProfileForm(SwarmForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    email = EmailField(_l("Email address"), validators=[DataRequired(REQUIRED), Length(max=254)])
    kvk_number = StringField(
        _l("KvK number"),
        validators=[DataRequired(REQUIRED), Length(max=12)],
        render_kw={"inputmode": "numeric"},
    )
    home_place_id = Select(_l("Home place"), coerce=int, validators=[InputRequired(REQUIRED)])
    travel_radius_km = IntegerField(
        _l("How far will you travel (km)?"),
        default=30,
        validators=[InputRequired(REQUIRED), NumberRange(0, 500)],
    )
    hourly_rate = IntegerField(
        _l("Hourly rate in euros (excl. VAT)"),
        default=0,
        validators=[InputRequired(REQUIRED), NumberRange(0, 1000)],
    )
    hours_per_week = IntegerField(
        _l("Hours per week available for projects"),
        default=0,
        validators=[InputRequired(REQUIRED), NumberRange(0, 80)],
    )
    bio = TextAreaField(_l("About you (optional)"), validators=[Optional(), Length(max=2000)])
    agreement_signed = BooleanField(_l("I accept the model agreement for the Wet DBA"))


class RegistrationForm(ProfileForm):
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(REQUIRED), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=_l("At least %(count)s characters.", count=MIN_PASSWORD_LENGTH),
    )


def with_skills(form_class, skills):
    """A subclass with one level field per skill of the catalogue."""
    attrs = {}
    for skill in skills:
        attrs[f"skill_{skill.code}"] = Select(skill_name(skill), choices=LEVEL_CHOICES, default="0")
    return type(form_class.__name__, (form_class,), attrs)


class UploadForm(SwarmForm):
    """One document: its kind and the file (type and size are checked from the content by the service)."""

    kind = Select(
        _l("Document"),
        choices=[SelectChoice(k.value, v) for k, v in DOCUMENT_LABELS.items()],
        validators=[InputRequired(REQUIRED)],
    )
    file = FileField(
        _l("File (PDF, PNG or JPEG, at most 10 MB)"),
        validators=[FileRequired(_l("Choose a file."))],
        render_kw={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"},
    )


def availability_form(slots, answers: dict):
    """One radio group per slot: yes / if need be / no (the no-JavaScript form under the painted grid); each
    preset to the professional's answer, else no."""
    form_class = _availability_form_class(tuple((slot.id, slot.code) for slot in slots))
    return form_class(
        data={f"slot_{slot.id}": (answers.get(slot.id) or AvailabilityAnswer.NO).value for slot in slots}
    )


@lru_cache(maxsize=256)
def _availability_form_class(slots: tuple[tuple[int, str], ...]) -> type[SwarmForm]:
    """The form class for these slots (id, code), made once: every professional of a region asks for the same."""
    attrs = {
        f"slot_{slot_id}": Radio(
            code,
            choices=[SelectChoice(answer.value, label) for answer, label in ANSWER_LABELS.items()],
            validators=[InputRequired(REQUIRED)],
        )
        for slot_id, code in slots
    }
    return type("AvailabilityForm", (SwarmForm,), attrs)


class DeleteDataForm(SwarmForm):
    confirm = BooleanField(_l("Yes, delete my profile and all my data"), validators=[DataRequired(REQUIRED)])


class DeclineForm(SwarmForm):
    """Declining an invitation, confirmed, with an optional reason the organizer reads."""

    reason = TextAreaField(
        _l("Why can you not come? (optional; the organizer reads this)"),
        validators=[Optional(), Length(max=500, message=_l("Keep it to at most 500 characters."))],
        render_kw={"maxlength": 500, "rows": 3},
    )
