"""The organizer opens, changes and closes planning rounds (same blueprint as organizer.py).

A round's form has its name, availability deadline, solve time limit and candidate slots, each with the venues
free at that time. Its slots and deadline can change only while its availability poll is open.
"""

from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from swarm.domain.enums import RoundPhase
from swarm.domain.errors import ValidationError
from swarm.domain.lifecycle import round_phase
from swarm.domain.timeutil import to_local
from swarm.persistence.models import PlanningRound
from swarm.services.plan import cadence as cadence_service
from swarm.services.plan import frame, rounds
from swarm.services.plan import requests as request_service
from swarm.webapp.clock import clock, now
from swarm.webapp.db import db, discard_changes
from swarm.webapp.forms.common import ConfirmForm
from swarm.webapp.forms.errors import attach_error, status_for
from swarm.webapp.forms.organizer import RoundForm
from swarm.webapp.views.common import owned, remember_result, repeated_submission
from swarm.webapp.views.organizer import bp


def region_round(round_id: int) -> PlanningRound:
    """The round if it is one of the organizer's region (else 404)."""
    return owned(PlanningRound, round_id, scope="region_id")


def _local(moment: datetime) -> datetime:
    return to_local(moment).replace(tzinfo=None)


@bp.get("/rounds")
def rounds_page():
    region_id = current_user.region_id
    cadence = cadence_service.cadence_of(db(), region_id)
    upcoming = cadence_service.next_openings(db(), cadence, clock=clock(), count=1) if cadence else []
    return render_template(
        "organizer/rounds.html",
        cadence=cadence,
        next_opening=upcoming[0] if upcoming else None,
        summaries=rounds.rounds_of_region(db(), region_id, now=now()),
        waiting=rounds.waiting_requests(db(), region_id),
        taking=frame.round_taking_requests(db(), region_id, now()),
    )


def _venue_choices():
    return [(venue.id, venue.name) for venue in frame.region_venues(db(), current_user.region_id)]


def _round_form(planning_round: PlanningRound | None) -> RoundForm:
    """The form with every venue to choose per slot; on a first visit new rows have them all ticked."""
    venues = _venue_choices()
    data = None
    if request.method == "GET":
        data = {"slots": [{"venue_ids": [v for v, _name in venues]}] * 3}
        if planning_round is not None:
            slots = frame.round_slots(db(), planning_round.id)
            free = frame.venues_of_slots(db(), [slot.id for slot in slots])
            data |= {
                "name": planning_round.name,
                "availability_deadline": _local(planning_round.availability_deadline),
                "time_limit_seconds": planning_round.time_limit_seconds,
                "existing": [{"slot_id": s.id, "venue_ids": [v.id for v in free[s.id]]} for s in slots],
            }
    form = RoundForm(data=data)
    for entry in list(form.existing) + list(form.slots):
        entry.venue_ids.choices = venues
    return form


def _new_slots(form: RoundForm) -> tuple[list[rounds.SlotInput], list[int]]:
    """The filled rows of new slots, and for each the row it came from (an empty row is skipped)."""
    slots, rows = [], []
    for index, entry in enumerate(form.slots):
        starts = entry.starts_at.data
        if starts is None:
            continue
        if entry.ends_at.data is None:
            entry.ends_at.errors = [_("Give the time the slot ends.")]
            continue
        ends = datetime.combine(starts.date(), entry.ends_at.data)
        slots.append(rounds.SlotInput(starts, ends, entry.venue_ids.data or []))
        rows.append(index)
    return slots, rows


def _attach(form: RoundForm, error: ValidationError, rows: list[int]) -> None:
    """The service names new slots by their place among the filled rows; the form by their row."""
    field = error.field
    if field.startswith("slots[") and "]" in field:
        position = int(field[len("slots[") : field.index("]")])
        if position < len(rows):
            field = f"slots[{rows[position]}]{field[field.index(']') + 1 :]}"
    attach_error(form, ValidationError(field, error.message, **error.params))


@bp.route("/rounds/new", methods=["GET", "POST"])
def new_round():
    form = _round_form(None)
    if form.validate_on_submit():
        if repeat := repeated_submission(form, url_for("organizer.rounds_page")):
            return repeat
        slots, rows = _new_slots(form)
        if not any(entry.ends_at.errors for entry in form.slots):
            data = rounds.RoundInput(
                name=form.name.data,
                availability_deadline=form.availability_deadline.data,
                slots=slots,
                time_limit_seconds=form.time_limit_seconds.data,
            )
            try:
                created = rounds.open_planning_round(
                    db(), current_user.region_id, data, actor=current_user.actor, clock=clock()
                )
            except ValidationError as error:
                _attach(form, error, rows)
            else:
                flash(
                    _(
                        "The round is open: coordinators can submit questions and professionals mark when they can."
                    ),
                    "success",
                )
                return redirect(remember_result(form, url_for("organizer.round_page", round_id=created.id)))
    return render_template("organizer/round_form.html", form=form, planning_round=None), status_for(form)


@bp.route("/rounds/<int:round_id>", methods=["GET", "POST"])
def round_page(round_id: int):
    planning_round = region_round(round_id)
    phase = round_phase(planning_round.status, planning_round.availability_deadline, now())
    form = _round_form(planning_round)
    frame_open = phase == RoundPhase.TAKING_REQUESTS
    if not frame_open:
        del form["availability_deadline"]  # not shown once the poll has closed: it stays as it is
    if form.validate_on_submit():
        slots, rows = _new_slots(form) if frame_open else ([], [])
        if not any(entry.ends_at.errors for entry in form.slots):
            change = _change(form, planning_round, frame_open, slots)
            try:
                rounds.update_planning_round(
                    db(), planning_round.id, change, actor=current_user.actor, clock=clock()
                )
            except ValidationError as error:
                _attach(form, error, rows)
            else:
                flash(_("The round has been saved."), "success")
                return redirect(url_for("organizer.round_page", round_id=planning_round.id))
    slots = frame.round_slots(db(), planning_round.id)
    return render_template(
        "organizer/round.html",
        planning_round=planning_round,
        phase=phase,
        frame_open=frame_open,
        form=form,
        slots={slot.id: slot for slot in slots},
        free=frame.venues_of_slots(db(), [slot.id for slot in slots]),
        requests=[
            (r, m)
            for r, m in request_service.requests_of_region(db(), current_user.region_id)
            if r.planning_round_id == planning_round.id
        ],
        confirm=ConfirmForm(),
        RoundPhase=RoundPhase,
    ), status_for(form)


def _change(form: RoundForm, planning_round: PlanningRound, frame_open: bool, slots) -> rounds.RoundChange:
    """What the form changes; once the poll has closed only the name and time limit (the rest as it is)."""
    if not frame_open:
        return rounds.RoundChange(
            name=form.name.data,
            availability_deadline=_local(planning_round.availability_deadline),
            time_limit_seconds=form.time_limit_seconds.data,
            existing=[
                rounds.ExistingSlot(slot_id, [v.id for v in venues])
                for slot_id, venues in frame.venues_of_slots(
                    db(), [s.id for s in frame.round_slots(db(), planning_round.id)]
                ).items()
            ],
        )
    return rounds.RoundChange(
        name=form.name.data,
        availability_deadline=form.availability_deadline.data,
        time_limit_seconds=form.time_limit_seconds.data,
        existing=[
            rounds.ExistingSlot(entry.slot_id.data, entry.venue_ids.data or [], bool(entry.remove.data))
            for entry in form.existing
            if entry.slot_id.data is not None  # the page always sends one; IdField refused anything else
        ],
        slots=slots,
    )


@bp.post("/rounds/<int:round_id>/close")
def close_round(round_id: int):
    planning_round = region_round(round_id)
    if ConfirmForm().validate_on_submit():
        try:
            rounds.close_planning_round(db(), planning_round.id, actor=current_user.actor, clock=clock())
        except ValidationError as error:
            discard_changes()
            flash(_(error.message, **error.params), "error")
        else:
            flash(_("The round is closed. What it left unplanned moves on to the next round."), "success")
    return redirect(url_for("organizer.round_page", round_id=planning_round.id))
