"""Answering an invitation from the mail: a one-time link, no login needed.

Opening a link shows the invitation and asks to confirm (GET changes nothing: mail scanners open links too);
the confirmation, a POST with the form's CSRF token, answers. A decline takes an optional reason.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from swarm.domain.errors import ValidationError
from swarm.services.plan import publish, review
from swarm.services.plan.answer_links import AnswerLinkProblem, AnswerLinkRefused, check_answer_link
from swarm.webapp.clock import clock
from swarm.webapp.db import db, discard_changes
from swarm.webapp.forms.common import ConfirmForm
from swarm.webapp.forms.errors import attach_error, status_for
from swarm.webapp.forms.professional import DeclineForm

bp = Blueprint("answers", __name__)

REFUSED = {
    AnswerLinkProblem.UNKNOWN: _l("This link is not known. Copy the whole link from the mail, or log in to answer."),
    AnswerLinkProblem.USED: _l("This link has been used already. To change your answer, log in and open your invitations."),
    AnswerLinkProblem.EXPIRED: _l("This session has ended; its invitation can no longer be answered."),
    AnswerLinkProblem.OUTDATED: _l("This session has changed since this mail. Use the links in the newest mail about it, or log in."),
    AnswerLinkProblem.CLOSED: _l("This invitation is no longer open: the session was called off or you were taken off it."),
}  # fmt: skip


def _refused(refusal: AnswerLinkRefused):
    status = 404 if refusal.problem is AnswerLinkProblem.UNKNOWN else 410
    return render_template("answers/refused.html", message=REFUSED[refusal.problem]), status


@bp.route("/answer/<token>", methods=["GET", "POST"])
def answer(token: str):
    try:
        found = check_answer_link(db(), token, clock=clock())
    except AnswerLinkRefused as refusal:
        return _refused(refusal)
    card = review.invitation_card(db(), found.invitation.id)
    declining = found.link.answer == "decline"
    form = DeclineForm() if declining else ConfirmForm()
    if form.validate_on_submit():
        reason = (form.reason.data or "") if declining else ""
        try:
            publish.answer_by_link(db(), token, reason=reason, clock=clock())
        except AnswerLinkRefused as refusal:
            discard_changes()
            return _refused(refusal)
        except ValidationError as error:
            discard_changes()
            attach_error(form, error)
        else:
            message = (
                _(
                    "You have declined. The organizer's planner will find someone else and keep the rest of the session."
                )
                if declining
                else _("Thank you: you have accepted the invitation.")
            )
            return render_template("answers/done.html", card=card, message=message)
    return render_template(
        "answers/confirm.html", card=card, form=form, declining=declining, token=token
    ), status_for(form)
