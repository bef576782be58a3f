"""The organizer keeps the region's cadence: the rule by which the scheduler opens the next rounds by itself
(same blueprint as organizer.py). The page previews the next three openings in plain words, for the saved rule
or for the one being entered ("Show the next openings" checks and shows it without saving)."""

from __future__ import annotations

from datetime import time, timedelta

from babel.dates import get_day_names
from babel.lists import format_list
from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_datetime, format_time, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from swarm.domain.cadence import CadenceRule, Opening
from swarm.domain.errors import ValidationError
from swarm.persistence.models import RoundCadence
from swarm.services.plan import cadence as cadence_service
from swarm.services.plan import frame
from swarm.webapp.clock import clock
from swarm.webapp.db import db
from swarm.webapp.forms.errors import attach_error, status_for
from swarm.webapp.forms.organizer import WEEKS_OF_MONTH, CadenceForm
from swarm.webapp.views.organizer import bp


def _weekday_names() -> dict[int, str]:
    return dict(get_day_names("wide", locale=get_locale()))


def _form(saved: RoundCadence | None) -> CadenceForm:
    venues = frame.region_venues(db(), current_user.region_id)
    data = None
    if request.method == "GET":
        data = {"venue_ids": [v.id for v in venues]}
        if saved is not None:
            data = {
                "active": saved.active,
                "name": saved.name,
                "week_of_month": str(saved.week_of_month),
                "weekday": str(saved.weekday),
                "every_months": saved.every_months,
                "slots_after_weeks": saved.slots_after_weeks,
                "slot_times": [
                    {"starts": time.fromisoformat(t["starts"]), "ends": time.fromisoformat(t["ends"])}
                    for t in saved.slot_times
                ],
                "deadline_days_before": saved.deadline_days_before,
                "venue_ids": cadence_service.cadence_venue_ids(db(), saved.id),
                "time_limit_seconds": saved.time_limit_seconds,
            }
    form = CadenceForm(data=data)
    form.weekday.choices = [(str(day), name) for day, name in _weekday_names().items()]
    form.venue_ids.choices = [(v.id, v.name) for v in venues]
    return form


def _input(form: CadenceForm) -> tuple[cadence_service.CadenceInput, list[int]]:
    """The form as the service takes it, and for each slot time given the row it came from."""
    times, rows = [], []
    for index, entry in enumerate(form.slot_times):
        if entry.starts.data is None and entry.ends.data is None:
            continue
        if entry.starts.data is None or entry.ends.data is None:
            entry.ends.errors = [_("Give both the start and the end of the time slot.")]
            continue
        times.append((entry.starts.data, entry.ends.data))
        rows.append(index)
    data = cadence_service.CadenceInput(
        name=form.name.data or "",
        weekday=int(form.weekday.data),
        week_of_month=int(form.week_of_month.data),
        every_months=form.every_months.data,
        slots_after_weeks=form.slots_after_weeks.data,
        slot_times=times,
        deadline_days_before=form.deadline_days_before.data,
        venue_ids=form.venue_ids.data or [],
        time_limit_seconds=form.time_limit_seconds.data,
        active=bool(form.active.data),
    )
    return data, rows


def _attach(form: CadenceForm, error: ValidationError, rows: list[int]) -> None:
    """The rule numbers the slot times it was given; the form numbers its rows."""
    field = error.field
    if field.startswith("slot_times[") and "]" in field:
        position = int(field[len("slot_times[") : field.index("]")])
        if position < len(rows):
            field = f"slot_times[{rows[position]}]{field[field.index(']') + 1 :]}"
    attach_error(form, ValidationError(field, error.message, **error.params), {"slot_times": "slot_times"})


@bp.route("/cadence", methods=["GET", "POST"])
def cadence_page():
    region_id = current_user.region_id
    saved = cadence_service.cadence_of(db(), region_id)
    form = _form(saved)
    shown: tuple[CadenceRule, list[Opening], list[str]] | None = None
    if form.validate_on_submit():
        data, rows = _input(form)
        if not any(entry.ends.errors for entry in form.slot_times):
            try:
                if request.form.get("preview"):
                    rule = cadence_service.checked_rule(db(), region_id, data, clock=clock())
                    openings = rule.openings_after(rule.active_from - timedelta(days=1))
                    shown = (rule, openings, _venue_names(data.venue_ids))
                else:
                    cadence_service.save_round_cadence(
                        db(), region_id, data, actor=current_user.actor, clock=clock()
                    )
                    flash(
                        _("The cadence has been saved; the scheduler opens the next rounds by it.")
                        if data.active
                        else _("The cadence has been saved, switched off: no round opens by it."),
                        "success",
                    )
                    return redirect(url_for("organizer.cadence_page"))
            except ValidationError as error:
                _attach(form, error, rows)
    if shown is None and saved is not None and saved.active:
        shown = (
            cadence_service.rule_of(saved),
            cadence_service.next_openings(db(), saved, clock=clock()),
            _venue_names(cadence_service.cadence_venue_ids(db(), saved.id)),
        )
    return render_template(
        "organizer/cadence.html",
        form=form,
        saved=saved,
        rule_text=describe(shown[0]) if shown else "",
        openings=[opening_text(opening, shown[2]) for opening in shown[1]] if shown else [],
        previewing=bool(request.form.get("preview")),
    ), status_for(form)


def _venue_names(venue_ids) -> list[str]:
    chosen = set(venue_ids)
    return [v.name for v in frame.region_venues(db(), current_user.region_id) if v.id in chosen]


def describe(rule: CadenceRule) -> str:
    """``Every first Monday of the month`` in the reader's language."""
    which = str(dict((c.value, c.label) for c in WEEKS_OF_MONTH)[str(rule.week_of_month)])
    weekday = _weekday_names()[rule.weekday]
    if rule.every_months == 1:
        return _("Every %(which)s %(weekday)s of the month", which=which, weekday=weekday)
    return _(
        "Every %(months)s months, on the %(which)s %(weekday)s of the month",
        months=rule.every_months,
        which=which,
        weekday=weekday,
    )


def opening_text(opening: Opening, venues: list[str]) -> str:
    """One opening in plain words: when the round opens, its slots and venues, and its deadline."""
    locale = get_locale()
    times = format_list(
        [
            f"{format_time(start.time(), 'short', rebase=False)}–{format_time(end.time(), 'short', rebase=False)}"
            for start, end in opening.slots
        ],
        locale=locale,
    )
    return _(
        "%(opens)s: a round opens with time slots on %(day)s, %(times)s, at %(venues)s; professionals and "
        "coordinators answer until %(deadline)s.",
        opens=format_date(opening.opens_on, "full", rebase=False),
        day=format_date(opening.sessions_on, "full", rebase=False),
        times=times,
        venues=format_list(venues, locale=locale) if venues else "–",
        deadline=format_datetime(opening.deadline, "EEEE d MMMM, HH:mm", rebase=False),
    )
