"""The administrator's section: regions, municipalities and their places, venues, staff accounts.

Thin views: the services in ``services.setup.regions``, ``services.plan.frame`` (venues) and
``services.people.staff`` check every rule and the administrator's role; a refusal comes back at its field.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from swarm.domain.enums import UserRole
from swarm.domain.errors import NotFound, ValidationError
from swarm.persistence.models import Municipality, Region, Venue
from swarm.services.lookup import get
from swarm.services.people import staff as staff_service
from swarm.services.plan import frame
from swarm.services.setup import regions as setup
from swarm.webapp.auth import restrict_blueprint
from swarm.webapp.clock import clock
from swarm.webapp.db import db, discard_changes
from swarm.webapp.forms.admin import (
    AddPlaceForm,
    MunicipalityForm,
    RegionForm,
    SampleRegionForm,
    StaffForm,
    VenueForm,
)
from swarm.webapp.forms.common import ConfirmForm
from swarm.webapp.forms.errors import attach_error, status_for
from swarm.webapp.links import account_links
from swarm.webapp.views.common import remember_result, repeated_submission

bp = Blueprint("admin", __name__, url_prefix="/admin")
restrict_blueprint(bp, UserRole.ADMINISTRATOR)

SAMPLE_NAMES = {"achterhoek": "Achterhoek", "zuid-limburg": "Zuid-Limburg", "flevoland": "Flevoland"}
MAX_QUERY = 60


def _row(model, ident: int):
    try:
        return get(db(), model, ident)
    except NotFound:
        abort(404)


def _sample_form() -> SampleRegionForm:
    form = SampleRegionForm(prefix="sample")
    form.region.choices = [(slug, SAMPLE_NAMES.get(slug, slug)) for slug in setup.SAMPLE_REGIONS]
    return form


# -- regions -----------------------------------------------------------------------------------------------------


@bp.get("/")
def regions():
    return render_template(
        "admin/regions.html",
        summaries=setup.region_summaries(db(), actor=current_user.actor),
        sample_form=_sample_form(),
    )


def _region_input(form: RegionForm) -> setup.RegionInput:
    return setup.RegionInput(
        name=form.name.data or "",
        slug=form.slug.data or "",
        timezone=form.timezone.data or "",
        rounds_per_session=form.rounds_per_session.data,
        max_parallel_sessions=form.max_parallel_sessions.data,
    )


@bp.route("/regions/new", methods=["GET", "POST"])
def new_region():
    form = RegionForm()
    if form.validate_on_submit():
        try:
            region = setup.create_region(db(), _region_input(form), actor=current_user.actor)
        except ValidationError as error:
            attach_error(form, error)
        else:
            flash(_("The region has been created. Now add its municipalities."), "success")
            return redirect(url_for("admin.region", region_id=region.id))
    return render_template("admin/region_form.html", form=form, region=None), status_for(form)


@bp.route("/regions/<id:region_id>", methods=["GET", "POST"])
def region(region_id: int):
    the_region = _row(Region, region_id)
    form = RegionForm(obj=the_region)
    if form.validate_on_submit():
        try:
            setup.update_region(db(), the_region.id, _region_input(form), actor=current_user.actor)
        except ValidationError as error:
            attach_error(form, error)
        else:
            flash(_("The region has been saved."), "success")
            return redirect(url_for("admin.region", region_id=the_region.id))
    return render_template(
        "admin/region.html",
        region=the_region,
        form=form,
        municipalities=setup.municipalities_of(db(), the_region.id),
        venues=frame.all_venues(db(), the_region.id),
        confirm=ConfirmForm(),
    ), status_for(form)


@bp.post("/regions/import")
def import_region():
    form = _sample_form()
    if not form.validate_on_submit():
        flash(_("Choose one of the sample regions."), "error")
        return redirect(url_for("admin.regions"))
    report = setup.import_sample_region(db(), form.region.data, actor=current_user.actor)
    flash(
        _(
            "%(region)s has been imported: %(municipalities)s municipalities, %(places)s places, %(venues)s new "
            "venues. No people: invite its staff below.",
            region=report.name,
            municipalities=report.municipalities,
            places=report.places,
            venues=report.venues,
        ),
        "success",
    )
    return redirect(url_for("admin.regions"))


# -- municipalities and their places -----------------------------------------------------------------------------


def _municipality_input(form: MunicipalityForm, region_id: int) -> setup.MunicipalityInput:
    return setup.MunicipalityInput(
        name=form.name.data or "",
        cbs_code=form.cbs_code.data or "",
        region_id=region_id,
        seat=form.seat.data or "",
    )


@bp.route("/regions/<id:region_id>/municipalities/new", methods=["GET", "POST"])
def new_municipality(region_id: int):
    the_region = _row(Region, region_id)
    form = MunicipalityForm()
    if form.validate_on_submit():
        try:
            municipality = setup.create_municipality(
                db(), _municipality_input(form, the_region.id), actor=current_user.actor
            )
        except ValidationError as error:
            attach_error(form, error)
        else:
            flash(_("The municipality has been created. Add its places below."), "success")
            return redirect(url_for("admin.municipality", municipality_id=municipality.id))
    return render_template(
        "admin/municipality_form.html", form=form, region=the_region, municipality=None
    ), status_for(form)


@bp.route("/municipalities/<id:municipality_id>", methods=["GET", "POST"])
def municipality(municipality_id: int):
    the_municipality = _row(Municipality, municipality_id)
    the_region = _row(Region, the_municipality.region_id)
    form = MunicipalityForm(obj=the_municipality, data={"seat": the_municipality.seat_name})
    if form.validate_on_submit():
        try:
            setup.update_municipality(
                db(), the_municipality.id, _municipality_input(form, the_region.id), actor=current_user.actor
            )
        except ValidationError as error:
            attach_error(form, error)
        else:
            flash(_("The municipality has been saved."), "success")
            return redirect(url_for("admin.municipality", municipality_id=the_municipality.id))
    query = (request.args.get("q") or "")[:MAX_QUERY]
    matches = setup.search_places(db(), query) if query else []
    if request.headers.get("HX-Request") and request.method == "GET":
        # htmx asks for the matches only, as the administrator types
        return render_template(
            "admin/_place_matches.html", municipality=the_municipality, matches=matches, query=query
        )
    return render_template(
        "admin/municipality.html",
        form=form,
        region=the_region,
        municipality=the_municipality,
        places=setup.places_of(db(), the_municipality.id),
        query=query,
        matches=matches,
    ), status_for(form)


@bp.post("/municipalities/<id:municipality_id>/places")
def add_place(municipality_id: int):
    the_municipality = _row(Municipality, municipality_id)
    form = AddPlaceForm()
    if form.validate_on_submit():
        try:
            place = setup.add_place(db(), the_municipality.id, form.geonameid.data, actor=current_user.actor)
        except ValidationError as error:
            discard_changes()
            flash(_(error.message, **error.params), "error")
        else:
            flash(
                _(
                    "%(place)s is now a place of %(municipality)s.",
                    place=place.name,
                    municipality=the_municipality.name,
                ),
                "success",
            )
    else:
        flash(_("Pick a place from the list."), "error")
    return redirect(url_for("admin.municipality", municipality_id=the_municipality.id))


@bp.post("/municipalities/<id:municipality_id>/places/<id:place_id>/delete")
def remove_place(municipality_id: int, place_id: int):
    the_municipality = _row(Municipality, municipality_id)
    if ConfirmForm().validate_on_submit():
        try:
            setup.remove_place(db(), the_municipality.id, place_id, actor=current_user.actor)
        except NotFound:
            abort(404)
        flash(_("The place has been taken off the municipality."), "success")
    return redirect(url_for("admin.municipality", municipality_id=the_municipality.id))


# -- venues ------------------------------------------------------------------------------------------------------


def _venue_form(region_id: int, venue: Venue | None = None) -> VenueForm:
    form = VenueForm(obj=venue)
    form.place_id.choices = [(0, _("Choose a place"))] + [
        (place.id, place.name) for place in setup.region_places(db(), region_id)
    ]
    return form


def _venue_input(form: VenueForm) -> frame.VenueInput:
    return frame.VenueInput(
        name=form.name.data or "",
        capacity=form.capacity.data,
        tables=form.tables.data,
        address=form.address.data or "",
        place_id=form.place_id.data or None,
        online=bool(form.online.data),
        online_url=form.online_url.data or "",
    )


@bp.route("/regions/<id:region_id>/venues/new", methods=["GET", "POST"])
def new_venue(region_id: int):
    the_region = _row(Region, region_id)
    form = _venue_form(the_region.id)
    if form.validate_on_submit():
        if repeat := repeated_submission(form, url_for("admin.region", region_id=the_region.id)):
            return repeat
        try:
            frame.create_venue(db(), the_region.id, _venue_input(form), actor=current_user.actor)
        except ValidationError as error:
            attach_error(form, error)
        else:
            flash(_("The venue has been added."), "success")
            return redirect(remember_result(form, url_for("admin.region", region_id=the_region.id)))
    return render_template("admin/venue_form.html", form=form, region=the_region, venue=None), status_for(
        form
    )


@bp.route("/venues/<id:venue_id>", methods=["GET", "POST"])
def venue(venue_id: int):
    the_venue = _row(Venue, venue_id)
    the_region = _row(Region, the_venue.region_id)
    form = _venue_form(the_region.id, the_venue)
    if form.validate_on_submit():
        try:
            frame.update_venue(db(), the_venue.id, _venue_input(form), actor=current_user.actor)
        except ValidationError as error:
            attach_error(form, error)
        else:
            flash(_("The venue has been saved."), "success")
            return redirect(url_for("admin.region", region_id=the_region.id))
    return render_template(
        "admin/venue_form.html", form=form, region=the_region, venue=the_venue, confirm=ConfirmForm()
    ), status_for(form)


@bp.post("/venues/<id:venue_id>/active")
def venue_active(venue_id: int):
    the_venue = _row(Venue, venue_id)
    if ConfirmForm().validate_on_submit():
        active = request.form.get("active") == "1"
        frame.set_venue_active(db(), the_venue.id, active, actor=current_user.actor)
        flash(_("The venue is in use again.") if active else _("The venue is no longer offered."), "success")
    return redirect(url_for("admin.region", region_id=the_venue.region_id))


# -- staff accounts ----------------------------------------------------------------------------------------------


def _staff_form() -> StaffForm:
    form = StaffForm()
    summaries = setup.region_summaries(db(), actor=current_user.actor)
    form.region_id.choices = [(0, _("Choose a region"))] + [(s.region.id, s.region.name) for s in summaries]
    form.municipality_id.choices = [(0, _("Choose a municipality"))] + [
        (m.id, f"{m.name} ({s.region.name})")
        for s in summaries
        for m in setup.municipalities_of(db(), s.region.id)
    ]
    return form


def _staff_passwords() -> bool:
    return current_app.config["SWARM"].staff_password_login


@bp.route("/staff", methods=["GET", "POST"])
def staff():
    form = _staff_form()
    if form.validate_on_submit():
        if repeat := repeated_submission(form, url_for("admin.staff")):
            return repeat
        data = staff_service.StaffInput(
            email=form.email.data or "",
            name=form.name.data or "",
            role=UserRole(form.role.data),
            region_id=form.region_id.data or None if form.role.data == UserRole.ORGANIZER else None,
            municipality_id=form.municipality_id.data or None
            if form.role.data == UserRole.COORDINATOR
            else None,
            locale=form.locale.data,
        )
        try:
            user = staff_service.invite_staff(
                db(),
                data,
                links=account_links(),
                staff_passwords=_staff_passwords(),
                actor=current_user.actor,
                clock=clock(),
            )
        except ValidationError as error:
            attach_error(form, error)
        else:
            flash(_("%(email)s has been invited; the mail is on its way.", email=user.email), "success")
            return redirect(remember_result(form, url_for("admin.staff")))
    return render_template(
        "admin/staff.html",
        form=form,
        accounts=staff_service.staff_accounts(db(), actor=current_user.actor),
        confirm=ConfirmForm(),
    ), status_for(form)


def _staff_action(user_id: int, action) -> None:
    if not ConfirmForm().validate_on_submit():
        return
    try:
        action(user_id)
    except NotFound:
        abort(404)
    except ValidationError as error:
        discard_changes()
        flash(_(error.message, **error.params), "error")


@bp.post("/staff/<id:user_id>/resend")
def resend(user_id: int):
    def action(ident):
        user = staff_service.resend_invitation(
            db(),
            ident,
            links=account_links(),
            staff_passwords=_staff_passwords(),
            actor=current_user.actor,
            clock=clock(),
        )
        flash(_("A new invitation has been sent to %(email)s.", email=user.email), "success")

    _staff_action(user_id, action)
    return redirect(url_for("admin.staff"))


@bp.post("/staff/<id:user_id>/active")
def staff_active(user_id: int):
    active = request.form.get("active") == "1"

    def action(ident):
        user = staff_service.set_staff_active(db(), ident, active, actor=current_user.actor, clock=clock())
        if active:
            flash(_("%(email)s can log in again.", email=user.email), "success")
        else:
            flash(_("%(email)s is switched off and logged out everywhere.", email=user.email), "success")

    _staff_action(user_id, action)
    return redirect(url_for("admin.staff"))
