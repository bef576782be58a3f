"""The HR coordinator's forms: role book, swarm request, project."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import (
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.validators import ValidationError as FieldError

from swarm.domain.errors import ValidationError
from swarm.domain.rules import require_role_weeks
from swarm.webapp.forms.base import OnceForm, SwarmForm
from swarm.webapp.forms.common import CheckboxList, Select
from swarm.webapp.forms.messages import REQUIRED

LEVELS = [SelectChoice(level) for level in ("1", "2", "3")]


class NeedForm(Form):
    skill = Select(_l("Skill"), validators=[Optional()])
    count = IntegerField(_l("How many at the table"), default=1, validators=[Optional(), NumberRange(0, 100)])
    min_level = Select(_l("Minimum level"), choices=LEVELS, default="1")


class ExclusionForm(Form):
    professional_id = Select(_l("Professional"), validators=[Optional()])
    reason = StringField(_l("Reason (conflict of interest)"), validators=[Optional(), Length(max=500)])


class RoleForm(OnceForm):
    name = StringField(_l("Name of the role"), validators=[DataRequired(REQUIRED), Length(max=120)])
    purpose = TextAreaField(_l("Purpose"), validators=[Optional(), Length(max=2000)])
    responsibilities = TextAreaField(_l("Responsibilities"), validators=[Optional(), Length(max=2000)])
    needs = FieldList(FormField(NeedForm), _l("Skill row"), min_entries=3, max_entries=10)


class SwarmRequestForm(OnceForm):
    title = StringField(_l("Title of the question"), validators=[DataRequired(REQUIRED), Length(max=200)])
    question = TextAreaField(_l("The question in a few sentences"), validators=[Optional(), Length(max=5000)])
    role_ids = CheckboxList(_l("Needs from the role book"), coerce=int, validators=[Optional()])
    needs = FieldList(FormField(NeedForm), _l("Skill row"), min_entries=3, max_entries=10)
    table_size_min = IntegerField(
        _l("Smallest table"), default=4, validators=[InputRequired(REQUIRED), NumberRange(1, 100)]
    )
    table_size_max = IntegerField(
        _l("Largest table"), default=8, validators=[InputRequired(REQUIRED), NumberRange(1, 100)]
    )
    # Needed to submit, not to save a draft (the service says so at this field).
    slot_ids = CheckboxList(_l("Candidate time slots"), coerce=int, validators=[Optional()])
    venue_ids = CheckboxList(
        _l("Allowed venues (none ticked: all venues of the region)"), coerce=int, validators=[Optional()]
    )
    priority = Select(_l("Priority"), choices=[SelectChoice(str(i)) for i in range(1, 6)], default="1")
    max_travel_km = IntegerField(
        _l("Maximum travel distance in km (optional)"), validators=[Optional(), NumberRange(0, 1000)]
    )
    exclusions = FieldList(
        FormField(ExclusionForm), _l("Conflict of interest"), min_entries=2, max_entries=10
    )


class ProjectRoleForm(Form):
    name = StringField(_l("Role"), validators=[Optional(), Length(max=120)])
    skill = Select(_l("Skill"), validators=[Optional()])
    min_level = Select(_l("Minimum level"), choices=LEVELS, default="1")
    hours_per_week = IntegerField(_l("Hours per week"), validators=[Optional(), NumberRange(1, 80)])
    first_week = StringField(_l("First week (e.g. 2027-W10)"), validators=[Optional(), Length(max=8)])
    last_week = StringField(_l("Last week"), validators=[Optional(), Length(max=8)])

    def validate_last_week(self, field) -> None:
        """The span rule of the service (at most MAX_ROLE_WEEKS), shown at the field before anything is saved."""
        first, last = (self.first_week.data or "").strip(), (field.data or "").strip()
        if not (first and last):
            return  # a row left empty, or half filled: the service names what is missing
        try:
            require_role_weeks(first, last, "role")
        except ValidationError as error:
            if error.field == "role.last_week":
                raise FieldError(gettext(error.message, **error.params)) from None


class ProjectForm(OnceForm):
    title = StringField(_l("Project title"), validators=[DataRequired(REQUIRED), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    place_id = Select(_l("Where the work is"), coerce=int, validators=[InputRequired(REQUIRED)])
    budget = IntegerField(
        _l("Budget in euros (optional)"), validators=[Optional(), NumberRange(0, 100_000_000)]
    )
    roles = FieldList(FormField(ProjectRoleForm), _l("Role row"), min_entries=3, max_entries=10)


class AssignForm(SwarmForm):
    professional_id = Select(_l("Professional"), validators=[Optional()])
