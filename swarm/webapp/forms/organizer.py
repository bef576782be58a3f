"""The organizer's forms: planning rounds and their cadence, equal-treatment policy, pins, starting a solve,
webhooks."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectChoice,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from swarm.webapp.forms.base import IdField, OnceForm, SwarmForm
from swarm.webapp.forms.common import CheckboxList, Select
from swarm.webapp.forms.messages import REQUIRED

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends


class NewSlotForm(Form):
    """A candidate slot to add: its start, its end on the same day, the venues free then (an empty row is none)."""

    starts_at = DateTimeLocalField(_l("Starts"), format=LOCAL_MINUTE, validators=[Optional()])
    ends_at = TimeField(_l("Ends"), validators=[Optional()])
    venue_ids = CheckboxList(_l("Venues free at that time"), coerce=int, validators=[Optional()])


class ExistingSlotForm(Form):
    slot_id = IdField()
    venue_ids = CheckboxList(_l("Venues free at that time"), coerce=int, validators=[Optional()])
    remove = BooleanField(_l("Take this time slot out of the round"))


class RoundForm(OnceForm):
    name = StringField(_l("Name of the round"), validators=[DataRequired(REQUIRED), Length(max=120)])
    availability_deadline = DateTimeLocalField(
        _l("Availability deadline"), format=LOCAL_MINUTE, validators=[InputRequired(REQUIRED)]
    )
    time_limit_seconds = IntegerField(
        _l("Solve time limit in seconds (optional)"), validators=[Optional(), NumberRange(1, 3600)]
    )
    existing = FieldList(FormField(ExistingSlotForm), _l("Time slot"), min_entries=0, max_entries=60)
    slots = FieldList(FormField(NewSlotForm), _l("New time slot"), min_entries=3, max_entries=12)


WEEKS_OF_MONTH = [
    SelectChoice("1", _l("first")),
    SelectChoice("2", _l("second")),
    SelectChoice("3", _l("third")),
    SelectChoice("4", _l("fourth")),
    SelectChoice("-1", _l("last")),
]


class SlotTimeForm(Form):
    starts = TimeField(_l("From"), validators=[Optional()])
    ends = TimeField(_l("Until"), validators=[Optional()])


class CadenceForm(SwarmForm):
    """The rule by which the scheduler opens the next rounds (the weekday's choices come from the view)."""

    active = BooleanField(_l("Open the rounds by this cadence"), default=True)
    name = StringField(
        _l("Name of the rounds"),
        default="Zwermronde",
        validators=[DataRequired(REQUIRED), Length(max=80)],
        description=_l("Each round is called this, followed by the day of its sessions."),
    )
    week_of_month = Select(_l("Which one in the month"), choices=WEEKS_OF_MONTH, default="1")
    weekday = Select(_l("Day of the week"), default="0")
    every_months = IntegerField(
        _l("Every how many months"), default=1, validators=[InputRequired(REQUIRED), NumberRange(1, 12)]
    )
    slots_after_weeks = IntegerField(
        _l("Sessions how many weeks after the opening day"),
        default=4,
        validators=[InputRequired(REQUIRED), NumberRange(1, 26)],
    )
    slot_times = FieldList(FormField(SlotTimeForm), _l("Time slot"), min_entries=3, max_entries=6)
    deadline_days_before = IntegerField(
        _l("Availability deadline: days before the first time slot"),
        default=7,
        validators=[InputRequired(REQUIRED), NumberRange(0, 181)],
    )
    venue_ids = CheckboxList(_l("Venues"), coerce=int, validators=[Optional()])
    time_limit_seconds = IntegerField(
        _l("Solve time limit in seconds (optional)"), validators=[Optional(), NumberRange(1, 3600)]
    )


class PolicyForm(SwarmForm):
    weight_fairness = IntegerField(
        _l("Fairness weight"),
        validators=[InputRequired(REQUIRED), NumberRange(0, 10_000)],
        description=_l(
            "Points a person's score loses per invitation in the history window. 0 switches rotation off."
        ),
    )
    # Shown with the weight's description: its measured effect (docs/benchmarks.md, "Equal treatment over time").
    measured_effect = _l(
        "Measured in 4 simulations of a region (300 professionals, 12 rounds; Gini 0 means everyone invited "
        "equally often): weight 5: Gini 0.22-0.24, 0-0 regulars never invited, skill match 95-98 % of that at "
        "weight 0; weight 2: Gini 0.23-0.25, 0-0 never invited, skill match 97-98 %; weight 0: Gini 0.25-0.29, "
        "0-6 never invited."
    )
    history_window_rounds = IntegerField(
        _l("History window (planning rounds)"),
        validators=[InputRequired(REQUIRED), NumberRange(0, 100)],
        description=_l("How many earlier rounds count when deciding whose turn it is."),
    )
    rounds_per_session = IntegerField(_l("Rounds per session"), validators=[Optional(), NumberRange(1, 10)])
    max_parallel_sessions = IntegerField(
        _l("Sessions at the same time at most (facilitators)"), validators=[Optional(), NumberRange(1, 100)]
    )
    guaranteed_turn_after_rounds = IntegerField(
        _l("Guaranteed turn after (planning rounds waited)"),
        validators=[Optional(), NumberRange(1, 100)],
        description=_l(
            "Someone who fits a question and has waited this many rounds without an invitation is seated, if need "
            "be by moving a question to another time or venue where they can come, as long as the schedule loses "
            "little skill match for it. Leave empty to switch the guaranteed turn off."
        ),
    )
    guaranteed_turn_max_skill_percent = IntegerField(
        _l("Skill match the guaranteed turn may cost (%)"),
        validators=[Optional(), NumberRange(0, 100)],
        description=_l(
            "At most this share of the schedule's skill match is given up for the guaranteed turns."
        ),
    )
    # Shown with the guaranteed turn: its measured effect (docs/benchmarks.md, "Equal treatment on every region").
    turn_measured_effect = _l(
        "Measured on 7 simulated regions it was not tuned on (12 rounds each), against no guaranteed turn: "
        "after 3 rounds at 10 %, the Gini fell by 0.02-0.11 in 6 regions and stayed the same in one; the "
        "share never invited fell in 4 regions (in the largest, of 1,000 professionals, from 23 % to 9 %) and "
        "stayed at 0 in the other 3; 2-11 points more skill match was lost."
    )


class PinForm(SwarmForm):
    request_id = IdField(validators=[DataRequired()])
    # A search field, not a list of every professional: the organizer types a name or number (the page suggests
    # matches with their availability and distance when scripts run); the view finds the one meant.
    professional_id = StringField(
        _l("Professional"),
        description=_l("Type a name or number; suggestions show availability and distance."),
        validators=[DataRequired(REQUIRED), Length(max=220)],
    )
    kind = Select(
        _l("Decision"),
        choices=[
            SelectChoice("include", _l("seat at this table")),
            SelectChoice("exclude", _l("keep out of this question")),
        ],
    )


class UnpinForm(SwarmForm):
    request_id = IdField(validators=[DataRequired()])
    professional_id = IdField(validators=[DataRequired()])


class SolveForm(SwarmForm):
    round_id = IdField()
    time_limit = IntegerField(
        _l("Time limit in seconds"), default=30, validators=[InputRequired(REQUIRED), NumberRange(1, 600)]
    )


class ApproveForm(SwarmForm):
    """What the organizer reads from the document when approving it."""

    expires_on = DateField(
        _l("Valid until"),
        validators=[InputRequired(REQUIRED)],
        description=_l(
            "As on the document; for a VOG, until when the region accepts it. At most 10 years ahead."
        ),
    )
    issued_on = DateField(
        _l("Issue date"),
        validators=[Optional()],
        description=_l("Required for a VOG and a KvK extract: at most six months ago."),
    )
    reference = StringField(
        _l("Reference (optional)"),
        validators=[Optional(), Length(max=200)],
        description=_l("For instance the policy or certificate number."),
    )


class RejectForm(SwarmForm):
    reason = TextAreaField(
        _l("Why (the professional reads this)"),
        validators=[DataRequired(REQUIRED), Length(max=500)],
    )


class WebhookForm(OnceForm):
    """A receiver of the region's events."""

    url = StringField(
        _l("Address of the receiver"),
        validators=[DataRequired(REQUIRED), Length(max=500)],
        description=_l("An https:// address of the other system, e.g. https://hr.example.nl/swarm."),
    )
    events = CheckboxList(
        _l("Events"),
        choices=[
            SelectChoice("schedule.published", _l("A schedule is published (schedule.published)")),
            SelectChoice("invitation.declined", _l("An invitation is declined (invitation.declined)")),
            SelectChoice("team.proposed", _l("A team is proposed (team.proposed)")),
        ],
        default=["schedule.published", "invitation.declined", "team.proposed"],
        validators=[DataRequired(_l("Choose at least one event."))],
    )
    secret = StringField(
        _l("Secret (optional)"),
        validators=[Optional(), Length(max=200)],
        description=_l(
            "Empty: swarm makes one and shows it once. Either way the receiver checks signatures with it."
        ),
    )
