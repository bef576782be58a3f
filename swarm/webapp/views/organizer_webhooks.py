"""The organizer's webhooks: receivers of the region's events, their secrets (shown once), and the deliveries
that failed, with a button to send them again."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from swarm.domain.errors import ValidationError
from swarm.services.ops import webhooks
from swarm.webapp.clock import clock
from swarm.webapp.db import db
from swarm.webapp.forms.common import ConfirmForm
from swarm.webapp.forms.errors import attach_error, status_for
from swarm.webapp.forms.organizer import WebhookForm
from swarm.webapp.views.common import remember_result, repeated_submission
from swarm.webapp.views.organizer import bp


def _page(form: WebhookForm, new_secret: str | None = None):
    actor = current_user.actor
    return render_template(
        "organizer/webhooks.html",
        form=form,
        hooks=webhooks.webhooks_of(db(), current_user.region_id, actor=actor),
        failed=webhooks.failed_deliveries(db(), current_user.region_id, actor=actor),
        new_secret=new_secret,
        confirm=ConfirmForm(),
    )


@bp.route("/webhooks", methods=["GET", "POST"])
def webhooks_page():
    form = WebhookForm()
    if form.validate_on_submit():
        if repeat := repeated_submission(form, url_for("organizer.webhooks_page")):
            return repeat  # the secret was shown once, to the first
        try:
            _hook, secret = webhooks.register_webhook(
                db(),
                current_user.region_id,
                webhooks.WebhookInput(
                    url=form.url.data, events=form.events.data, secret=form.secret.data or ""
                ),
                allow_http=current_app.config["SWARM"].webhook_allow_http,
                actor=current_user.actor,
                clock=clock(),
            )
        except ValidationError as error:
            attach_error(form, error)
        else:
            # the secret is in this answer only: never in a redirect, a flash message or a log
            remember_result(form, url_for("organizer.webhooks_page"))
            return _page(WebhookForm(formdata=None), new_secret=secret)
    return _page(form), status_for(form)


@bp.post("/webhooks/<id:webhook_id>/active")
def toggle_webhook(webhook_id: int):
    if ConfirmForm().validate_on_submit():
        hook = webhooks.set_webhook_active(db(), webhook_id, actor=current_user.actor)
        flash(_("The webhook is on.") if hook.active else _("The webhook is paused."), "success")
    return redirect(url_for("organizer.webhooks_page"))


@bp.post("/webhooks/<id:webhook_id>/delete")
def delete_webhook(webhook_id: int):
    if ConfirmForm().validate_on_submit():
        webhooks.remove_webhook(db(), webhook_id, actor=current_user.actor)
        flash(_("The webhook has been removed."), "success")
    return redirect(url_for("organizer.webhooks_page"))


@bp.post("/webhook-deliveries/<id:delivery_id>/retry")
def retry_delivery(delivery_id: int):
    if ConfirmForm().validate_on_submit():
        webhooks.retry_delivery(db(), delivery_id, actor=current_user.actor, clock=clock())
        flash(_("The event will be sent again."), "success")
    return redirect(url_for("organizer.webhooks_page"))
