"""The organizer's forms: equal-treatment policy, pins, starting a solve, webhooks."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectChoice, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from swarm.webapp.forms.common import Select
from swarm.webapp.forms.coordinator import CheckboxList
from swarm.webapp.forms.messages import REQUIRED


class PolicyForm(FlaskForm):
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


class PinForm(FlaskForm):
    request_id = HiddenField(validators=[DataRequired()])
    professional_id = Select(_l("Professional"), validators=[DataRequired(REQUIRED)])
    kind = Select(
        _l("Decision"),
        choices=[
            SelectChoice("include", _l("seat at this table")),
            SelectChoice("exclude", _l("keep out of this question")),
        ],
    )


class UnpinForm(FlaskForm):
    request_id = HiddenField(validators=[DataRequired()])
    professional_id = HiddenField(validators=[DataRequired()])


class SolveForm(FlaskForm):
    time_limit = IntegerField(
        _l("Time limit in seconds"), default=30, validators=[InputRequired(REQUIRED), NumberRange(1, 600)]
    )


class WebhookForm(FlaskForm):
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
