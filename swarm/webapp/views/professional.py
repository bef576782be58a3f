"""The professional's journey: register once, profile and documents, availability, invitations, own data."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from swarm.domain.enums import AvailabilityAnswer, DocumentKind, UserRole
from swarm.domain.errors import ValidationError
from swarm.services import lookup
from swarm.services.people import professionals as service
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
    DocumentForm,
    ProfileForm,
    RegistrationForm,
    availability_form,
    with_skills_and_documents,
)
from swarm.webapp.i18n import skill_name
from swarm.webapp.links import account_links

bp = Blueprint("professional", __name__, url_prefix="/professional")
restrict_blueprint(bp, UserRole.PROFESSIONAL)
signup = Blueprint("signup", __name__)

MISSING_TEXT = {
    "kvk_extract": _l("a valid KvK extract"),
    "vog": _l("a valid certificate of conduct (VOG)"),
    "liability_insurance": _l("valid professional liability insurance"),
    "model_agreement": _l("your acceptance of the model agreement (Wet DBA)"),
}
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
    form = with_skills_and_documents(RegistrationForm, skills, documents=True)()
    form.home_place_id.choices = [(0, _("Choose your home place"))] + _place_choices()
    if form.validate_on_submit():
        documents = [
            service.DocumentInput(kind=kind, expires_on=getattr(form, f"document_{kind.value}").data)
            for kind in DocumentKind
            if getattr(form, f"document_{kind.value}").data
        ]
        try:
            professional = service.register_professional(
                db(),
                _profile_input(form, skills),
                password=form.password.data,
                documents=documents,
                clock=clock(),
            )
        except ValidationError as error:
            aliases = {
                f"documents[{i}].expires_on": f"document_{d.kind.value}" for i, d in enumerate(documents)
            }
            attach_error(form, error, aliases)
        else:
            user = lookup.account_of_professional(db(), professional.id)
            send_confirmation(db(), user, links=account_links(), clock=clock())
            flash(
                _(
                    "Welcome! You are registered. We have sent a mail to %(email)s: confirm your email address "
                    "with the link in it, then you can log in.",
                    email=user.email,
                ),
                "success",
            )
            return redirect(url_for("auth.login"))
    return render_template("professional/register.html", form=form, skills=skills), status_for(form)


@bp.get("/")
def dashboard():
    professional_id = current_user.professional_id
    qualification = service.qualification_of(db(), professional_id, today())
    missing = [str(MISSING_TEXT.get(code, code)) for code in qualification.missing]
    return render_template(
        "professional/dashboard.html",
        professional=service.professional(db(), professional_id),
        missing=missing,
        documents=service.professional_documents(db(), professional_id),
        document_form=DocumentForm(),
        document_labels=DOCUMENT_LABELS,
        assignments=project_service.assignments_of(db(), professional_id),
    )


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
    form = with_skills_and_documents(ProfileForm, skills, documents=False)(obj=professional, data=data)
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
def add_document():
    form = DocumentForm()
    if form.validate_on_submit():
        document = service.DocumentInput(
            kind=DocumentKind(form.kind.data),
            expires_on=form.expires_on.data,
            reference=form.reference.data or "",
        )
        try:
            service.add_qualification_document(
                db(), current_user.professional_id, document, actor=current_user.actor, clock=clock()
            )
        except ValidationError as error:
            flash(_(error.message), "error")
        else:
            flash(_("The document has been added."), "success")
    else:
        flash(_("Choose a document and its expiry date."), "error")
    return redirect(url_for("professional.dashboard"))


@bp.post("/documents/<int:document_id>/delete")
def remove_document(document_id: int):
    service.remove_qualification_document(db(), document_id, actor=current_user.actor)
    flash(_("The document has been removed."), "success")
    return redirect(url_for("professional.dashboard"))


@bp.route("/availability", methods=["GET", "POST"])
def availability():
    professional_id = current_user.professional_id
    slots = frame.slots_open_for_availability(db(), current_user_region(), clock()())
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
    questions = request_service.open_questions_per_slot(db(), current_user_region())
    return render_template(
        "professional/availability.html", form=form, rows=rows, questions=questions
    ), status_for(form)


@bp.post("/invitations/<int:invitation_id>/respond")
def respond(invitation_id: int):
    """Accept, if need be, or decline; a decline makes the planner repair the session around it."""
    if ConfirmForm().validate_on_submit():
        answer = request.form.get("response", "")
        try:
            publish.respond_to_invitation(
                db(), invitation_id, answer, actor=current_user.actor, clock=clock()
            )
        except ValidationError as error:
            discard_changes()
            flash(_(error.message), "error")
        else:
            flash(RESPONSE_MESSAGES.get(answer, _("Your answer has been saved.")), "success")
    return redirect(url_for("professional.invitations") + f"#invitation-{invitation_id}")


def current_user_region() -> int:
    professional = service.professional(db(), current_user.professional_id)
    if professional is None:
        abort(404)
    return professional.region_id


@bp.app_template_global()
def skill_label(skill) -> str:
    return skill_name(skill)
