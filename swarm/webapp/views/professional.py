"""The professional's journey: register once, profile and documents, availability, invitations, own data."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from swarm.domain.enums import AvailabilityAnswer, UserRole
from swarm.domain.errors import ValidationError
from swarm.services import lookup
from swarm.services.people import professionals as service
from swarm.services.people import qualifications
from swarm.services.people.recovery import send_confirmation
from swarm.services.plan import frame, publish, review
from swarm.services.plan import requests as request_service
from swarm.services.team import projects as project_service
from swarm.webapp.auth import restrict_blueprint
from swarm.webapp.clock import clock, today
from swarm.webapp.db import db, discard_changes
from swarm.webapp.forms.common import ConfirmForm
from swarm.webapp.forms.errors import attach_error, status_for
from swarm.webapp.forms.professional import (
    DOCUMENT_LABELS,
    DeclineForm,
    ProfileForm,
    RegistrationForm,
    UploadForm,
    availability_form,
    with_skills,
)
from swarm.webapp.i18n import skill_name
from swarm.webapp.links import account_links
from swarm.webapp.uploads import document_store

bp = Blueprint("professional", __name__, url_prefix="/professional")
restrict_blueprint(bp, UserRole.PROFESSIONAL)
signup = Blueprint("signup", __name__)

AGREEMENT_MISSING = _l("your acceptance of the model agreement (Wet DBA), on your profile page")
RESPONSE_MESSAGES = {
    "accept": _l("Thank you: you have accepted the invitation."),
    "maybe": _l("Your answer has been saved as tentative."),
    "decline": _l(
        "You have declined. The organizer's planner will find someone else and keep the rest of the session."
    ),
}


def _profile_input(form, skills) -> service.ProfileInput:
    return service.ProfileInput(
        name=form.name.data or "",
        email=form.email.data or "",
        kvk_number=form.kvk_number.data or "",
        home_place_id=form.home_place_id.data,
        travel_radius_km=form.travel_radius_km.data,
        hourly_rate=form.hourly_rate.data,
        hours_per_week=form.hours_per_week.data,
        skills={
            s.code: int(getattr(form, f"skill_{s.code}").data)
            for s in skills
            if getattr(form, f"skill_{s.code}").data != "0"
        },
        bio=form.bio.data or "",
        agreement_signed=bool(form.agreement_signed.data),
    )


def _place_choices():
    return [(place.id, place.name) for place in lookup.list_places(db())]


@signup.route("/register", methods=["GET", "POST"])
def register():
    skills = lookup.list_skills(db())
    form = with_skills(RegistrationForm, skills)()
    form.home_place_id.choices = [(0, _("Choose your home place"))] + _place_choices()
    if form.validate_on_submit():
        try:
            professional = service.register_professional(
                db(), _profile_input(form, skills), password=form.password.data, clock=clock()
            )
        except ValidationError as error:
            attach_error(form, error)
        else:
            user = lookup.account_of_professional(db(), professional.id)
            send_confirmation(db(), user, links=account_links(), clock=clock())
            flash(
                _(
                    "Welcome! You are registered. We have sent a mail to %(email)s: confirm your email address "
                    "with the link in it, then you can log in and upload your documents.",
                    email=user.email,
                ),
                "success",
            )
            return redirect(url_for("auth.login"))
    return render_template("professional/register.html", form=form, skills=skills), status_for(form)


def _dashboard(upload_form: UploadForm):
    professional_id = current_user.professional_id
    day = today()
    qualification = qualifications.qualification_of(db(), professional_id, day)
    return render_template(
        "professional/dashboard.html",
        professional=service.professional(db(), professional_id),
        qualification=qualification,
        agreement_missing=AGREEMENT_MISSING if "model_agreement" in qualification.missing else None,
        standings=qualifications.standings_of(db(), professional_id, day),
        documents=qualifications.professional_documents(db(), professional_id),
        upload_form=upload_form,
        document_labels=DOCUMENT_LABELS,
        assignments=project_service.assignments_of(db(), professional_id),
    ), status_for(upload_form)


@bp.get("/")
def dashboard():
    return _dashboard(UploadForm(formdata=None))


@bp.get("/invitations")
def invitations():
    return render_template(
        "professional/invitations.html",
        invitations=review.invitations_of(db(), current_user.professional_id, now=clock()()),
    )


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    professional_id = current_user.professional_id
    professional = service.professional(db(), professional_id)
    skills = lookup.list_skills(db())
    levels = service.professional_skills(db(), professional_id)
    data = {f"skill_{code}": str(level) for code, level in levels.items()}
    data["agreement_signed"] = professional.agreement_signed_on is not None
    form = with_skills(ProfileForm, skills)(obj=professional, data=data)
    form.home_place_id.choices = _place_choices()
    if form.validate_on_submit():
        try:
            service.update_profile(
                db(), professional_id, _profile_input(form, skills), actor=current_user.actor, clock=clock()
            )
        except ValidationError as error:
            attach_error(form, error)
        else:
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for("professional.profile"))
    return render_template("professional/profile.html", form=form, skills=skills), status_for(form)


@bp.post("/documents")
def upload_document():
    """One document, waiting for an organizer's check; a refusal is shown at its field, nothing is stored."""
    form = UploadForm()
    if form.validate_on_submit():
        upload = qualifications.Upload(
            kind=form.kind.data, file_name=form.file.data.filename or "", content=form.file.data.read()
        )
        try:
            qualifications.upload_document(
                db(),
                current_user.professional_id,
                upload,
                store=document_store(),
                actor=current_user.actor,
                clock=clock(),
            )
        except ValidationError as error:
            attach_error(form, error)
        else:
            flash(_("Thank you: your document waits for a check by an organizer of your region."), "success")
            return redirect(url_for("professional.dashboard"))
    return _dashboard(form)


@bp.post("/documents/<id:document_id>/delete")
def remove_document(document_id: int):
    if ConfirmForm().validate_on_submit():
        qualifications.remove_document(db(), document_id, store=document_store(), actor=current_user.actor)
        flash(_("The document has been removed."), "success")
    return redirect(url_for("professional.dashboard"))


@bp.route("/availability", methods=["GET", "POST"])
def availability():
    professional_id = current_user.professional_id
    region_id = current_user_region()
    slots = frame.slots_open_for_availability(db(), region_id, clock()())
    answers = service.availability_of(db(), professional_id)
    form = availability_form(slots, answers)
    if form.validate_on_submit():
        chosen = {slot.id: AvailabilityAnswer(getattr(form, f"slot_{slot.id}").data) for slot in slots}
        try:
            service.set_availability(db(), professional_id, chosen, actor=current_user.actor, clock=clock())
        except ValidationError as error:
            attach_error(form, error)
        else:
            flash(_("Your availability has been saved."), "success")
            return redirect(url_for("professional.availability"))
    rows = [(slot, getattr(form, f"slot_{slot.id}")) for slot in slots]
    questions = request_service.open_questions_per_slot(db(), region_id)
    return render_template(
        "professional/availability.html", form=form, rows=rows, questions=questions
    ), status_for(form)


@bp.post("/invitations/<int:invitation_id>/respond")
def respond(invitation_id: int):
    """Accept or if need be. A decline is asked first, with an optional reason (``decline``): a post asking to
    decline here changes nothing and lands on that question."""
    if ConfirmForm().validate_on_submit():
        answer = request.form.get("response", "")
        if answer == "decline":
            return redirect(url_for("professional.decline", invitation_id=invitation_id))
        try:
            publish.respond_to_invitation(
                db(), invitation_id, answer, actor=current_user.actor, clock=clock()
            )
        except ValidationError as error:
            discard_changes()
            flash(_(error.message, **error.params), "error")
        else:
            flash(RESPONSE_MESSAGES.get(answer, _("Your answer has been saved.")), "success")
    return redirect(url_for("professional.invitations") + f"#invitation-{invitation_id}")


@bp.route("/invitations/<int:invitation_id>/decline", methods=["GET", "POST"])
def decline(invitation_id: int):
    """Declining asks first, and takes an optional reason for the organizer; only the POST declines."""
    card = review.invitation_card(db(), invitation_id)
    if card is None or card.invitation.professional_id != current_user.professional_id:
        abort(404)
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            publish.respond_to_invitation(
                db(),
                invitation_id,
                "decline",
                reason=form.reason.data or "",
                actor=current_user.actor,
                clock=clock(),
            )
        except ValidationError as error:
            discard_changes()
            attach_error(form, error)
        else:
            flash(RESPONSE_MESSAGES["decline"], "success")
            return redirect(url_for("professional.invitations") + f"#invitation-{invitation_id}")
    return render_template("professional/decline.html", card=card, form=form), status_for(form)


@bp.get("/invitations/<int:invitation_id>/calendar.ics")
def invitation_calendar(invitation_id: int):
    """ "Add to calendar": this one session as an .ics file, with the professional's own tables."""
    try:
        name, data = publish.invitation_calendar(
            db(), invitation_id, actor=current_user.actor, config=current_app.config["SWARM"], clock=clock()
        )
    except ValidationError:
        abort(404)
    return Response(
        data,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def current_user_region() -> int:
    region_id = service.region_of(db(), current_user.professional_id)
    if region_id is None:
        abort(404)
    return region_id


@bp.app_template_global()
def skill_label(skill) -> str:
    return skill_name(skill)
