"""The administrator's forms: region, municipality, place, venue, staff account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, IntegerField, SelectChoice, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from swarm.webapp.forms.base import OnceForm, SwarmForm
from swarm.webapp.forms.common import Select
from swarm.webapp.forms.messages import REQUIRED

MAX_ID = 2**31 - 1


class RegionForm(SwarmForm):
    name = StringField(_l("Name of the region"), validators=[DataRequired(REQUIRED), Length(max=120)])
    slug = StringField(
        _l("Short name in addresses and commands (optional)"),
        validators=[Optional(), Length(max=60)],
        description=_l("Letters, digits and hyphens, e.g. noord-veluwe. Empty: made from the name."),
    )
    timezone = StringField(
        _l("Time zone"), default="Europe/Amsterdam", validators=[DataRequired(REQUIRED), Length(max=60)]
    )
    rounds_per_session = IntegerField(
        _l("Rounds per session"), default=3, validators=[InputRequired(REQUIRED), NumberRange(1, 10)]
    )
    max_parallel_sessions = IntegerField(
        _l("Sessions at the same time at most (facilitators)"), validators=[Optional(), NumberRange(1, 100)]
    )


class SampleRegionForm(SwarmForm):
    region = Select(_l("Sample region"), validators=[DataRequired(REQUIRED)])


class MunicipalityForm(SwarmForm):
    name = StringField(_l("Name of the municipality"), validators=[DataRequired(REQUIRED), Length(max=120)])
    cbs_code = StringField(
        _l("CBS code"),
        validators=[DataRequired(REQUIRED), Length(max=6)],
        description=_l("GM followed by 4 digits, e.g. GM0197 (Aalten)."),
    )
    seat = StringField(
        _l("Seat (place of the town hall)"),
        validators=[DataRequired(REQUIRED), Length(max=120)],
        description=_l("A Dutch place, e.g. Doetinchem. It becomes the municipality's first place."),
    )


class AddPlaceForm(SwarmForm):
    geonameid = IntegerField(validators=[InputRequired(REQUIRED), NumberRange(1, MAX_ID)])


class VenueForm(OnceForm):
    name = StringField(_l("Name of the venue"), validators=[DataRequired(REQUIRED), Length(max=200)])
    online = BooleanField(_l("Online (a video meeting instead of a building)"))
    place_id = Select(_l("Place"), coerce=int, validators=[Optional()])
    address = StringField(_l("Address (optional)"), validators=[Optional(), Length(max=300)])
    online_url = StringField(_l("Link to the online room"), validators=[Optional(), Length(max=500)])
    capacity = IntegerField(
        _l("Capacity (people)"), default=40, validators=[InputRequired(REQUIRED), NumberRange(1, 10_000)]
    )
    tables = IntegerField(_l("Tables"), default=5, validators=[InputRequired(REQUIRED), NumberRange(1, 500)])


ROLE_CHOICES = [
    SelectChoice("organizer", _l("Organizer of a region")),
    SelectChoice("coordinator", _l("HR coordinator of a municipality")),
    SelectChoice("administrator", _l("Administrator")),
]


class StaffForm(OnceForm):
    name = StringField(_l("Name"), validators=[DataRequired(REQUIRED), Length(max=200)])
    email = EmailField(_l("Email address"), validators=[DataRequired(REQUIRED), Length(max=254)])
    role = Select(_l("Role"), choices=ROLE_CHOICES, validators=[DataRequired(REQUIRED)])
    region_id = Select(_l("Region (organizers)"), coerce=int, validators=[Optional()])
    municipality_id = Select(_l("Municipality (coordinators)"), coerce=int, validators=[Optional()])
    locale = Select(
        _l("Language of the invitation"),
        choices=[SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")],
        default="nl",
    )
