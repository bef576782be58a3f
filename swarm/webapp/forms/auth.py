"""Login, forgotten password, setting and changing a password."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional

from swarm.domain.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from swarm.webapp.forms.base import OnceForm, SwarmForm
from swarm.webapp.forms.messages import REQUIRED


class LoginForm(SwarmForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=200)])


class ForgotPasswordForm(SwarmForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(REQUIRED), Length(max=254)])


class SetPasswordForm(SwarmForm):
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(REQUIRED), Length(max=MAX_PASSWORD_LENGTH)],
        description=_l(
            "At least %(count)s characters; not a common password and not your email address.",
            count=MIN_PASSWORD_LENGTH,
        ),
    )
    repeat_password = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(REQUIRED),
            EqualTo("new_password", _l("The two passwords are not the same.")),
        ],
    )


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(REQUIRED), Length(max=MAX_PASSWORD_LENGTH)]
    )


class ApiTokenForm(OnceForm):
    """A new personal API token: a name to recognise it by, and optionally a lifetime."""

    name = StringField(
        _l("Name of the token"),
        validators=[DataRequired(REQUIRED), Length(max=100)],
        description=_l("What the token is for, e.g. HR system or dashboard."),
    )
    expires_in_days = IntegerField(
        _l("Valid for (days)"),
        validators=[Optional(), NumberRange(min=1, max=3650)],
        description=_l("Empty: until you revoke it."),
    )
