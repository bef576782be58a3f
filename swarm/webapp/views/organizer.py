"""The organizer's journey: dashboard, reviewing the draft with its reasons, pins, equal-treatment policy.

Solving, progress and publishing are in organizer_plan.py (same blueprint).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    flash,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal, format_percent, get_timezone
from flask_babel import gettext as _
from flask_login import current_user

from swarm.domain.enums import (
    AvailabilityAnswer,
    FeedOwner,
    PinKind,
    SessionStatus,
    SolveStatus,
    UserRole,
)
from swarm.domain.errors import ValidationError
from swarm.domain.refs import parse_ref
from swarm.persistence.models import PlanningRound, SwarmRequest
from swarm.services import lookup
from swarm.services.ops import outbox
from swarm.services.plan import frame, queue, rounds
from swarm.services.plan import publish as publish_service
from swarm.services.plan import requests as request_service
from swarm.services.plan import review as review_service
from swarm.services.plan.frame import planning_round_for
from swarm.webapp import charts
from swarm.webapp.auth import restrict_blueprint
from swarm.webapp.clock import clock, now, today
from swarm.webapp.db import db, discard_changes
from swarm.webapp.forms.base import bounded_id
from swarm.webapp.forms.common import ConfirmForm
from swarm.webapp.forms.errors import attach_error, status_for
from swarm.webapp.forms.organizer import PinForm, PolicyForm, SolveForm, UnpinForm
from swarm.webapp.i18n import current_locale
from swarm.webapp.reasons import unscheduled_text
from swarm.webapp.views.common import owned
from swarm.webapp.views.feeds import feed_page

bp = Blueprint("organizer", __name__, url_prefix="/organizer")
restrict_blueprint(bp, UserRole.ORGANIZER)


def current_round(round_id: int | None = None):
    """The round asked for (one of the region's, else 404), or by default the region's newest."""
    if round_id is not None:
        return owned(PlanningRound, round_id, scope="region_id")
    try:
        return planning_round_for(db(), current_user.region_id, None)
    except ValidationError:
        return None


@bp.get("/")
def dashboard():
    region_id = current_user.region_id
    requests = request_service.requests_of_region(db(), region_id)
    qualified = lookup.qualified_ids(db(), region_id, today())
    fill = {r.id: request_service.slot_fill(db(), r.id, today(), qualified) for r, _m in requests}
    return render_template(
        "organizer/dashboard.html",
        region=lookup.region(db(), region_id),
        taking=frame.round_taking_requests(db(), region_id, now()),
        requests=requests,
        fill=fill,
        runs=queue.solve_runs_of(db(), region_id),
        failed_mail=outbox.failed_messages(db(), region_id, actor=current_user.actor),
        confirm=ConfirmForm(),
    )


@bp.post("/mail/<int:message_id>/retry")
def retry_mail(message_id: int):
    """The organizer fixed the cause (e.g. a wrong address): the outbox sends the message again."""
    if ConfirmForm().validate_on_submit():
        outbox.retry_message(db(), message_id, actor=current_user.actor, clock=clock())
        flash(_("The message will be sent again."), "success")
    return redirect(url_for("organizer.dashboard"))


def _request_in_region(request_id: int) -> SwarmRequest:
    for swarm_request, _municipality in request_service.requests_of_region(db(), current_user.region_id):
        if swarm_request.id == request_id:
            return swarm_request
    abort(404)


@bp.get("/review")
def review():
    planning_round = current_round(bounded_id(request.args.get("round")))
    views = (
        review_service.sessions_of_round(
            db(), planning_round.id, (SessionStatus.DRAFT, SessionStatus.PUBLISHED)
        )
        if planning_round
        else []
    )
    drafts = [view for view in views if view.session.status == SessionStatus.DRAFT]
    published = [view for view in views if view.session.status == SessionStatus.PUBLISHED]
    runs = queue.solve_runs_of_round(db(), planning_round.id) if planning_round else []
    if drafts and publish_service.draft_is_stale(
        db(), planning_round.id, drafts=[view.session for view in drafts], runs=runs
    ):
        # a decline was repaired after it was made: solve again
        flash(_(publish_service.STALE_DRAFT), "error")
    latest_run = runs[0] if runs else None  # the round is the organizer's region's (current_round)
    result_run = next((run for run in runs if run.result), None)
    result = result_run.result if result_run else {}
    left_out = result.get("unscheduled", [])
    titles = request_service.request_titles(
        db(), current_user.region_id, {_request_id(item.get("request")) for item in left_out}
    )
    unscheduled = [
        (titles.get(_request_id(item.get("request")), item.get("request")), unscheduled_text(item))
        for item in left_out
    ]
    coverage = review_service.coverages(db(), drafts)
    return render_template(
        "organizer/review.html",
        planning_round=planning_round,
        drafts=drafts,
        published=published,
        coverage=coverage,
        coverage_charts={
            view.session.id: _coverage_chart_markup(view, coverage[view.session.id])
            for view in drafts
            if coverage[view.session.id]
        },
        seat_charts={view.session.id: _seat_chart_markup(view) for view in drafts},
        timeline=_timeline(drafts),
        timeline_chart=_timeline_chart_markup(drafts) if drafts else "",
        unscheduled=unscheduled,
        result=result,
        result_run=result_run,
        pins=review_service.pins_of_round(db(), planning_round.id) if planning_round else [],
        pin_form=PinForm(prefix="pin"),  # the words and limits of the pin forms the template writes per table
        solve_form=SolveForm(
            data={
                "round_id": planning_round.id if planning_round else "",
                "time_limit": (planning_round.time_limit_seconds if planning_round else None) or 30,
            }
        ),
        other_rounds=rounds.rounds_to_plan(db(), current_user.region_id, now=now()),
        latest_run=latest_run,
        gap=queue.gap(latest_run) if latest_run else None,
        active=latest_run is not None and latest_run.status in (SolveStatus.QUEUED, SolveStatus.RUNNING),
    )


_CHARTS: OrderedDict[tuple, str] = OrderedDict()  # drawn charts by everything they show, newest last
_CHARTS_SIZE = 128
_CHARTS_LOCK = threading.Lock()


def _drawn(key: tuple, macro: str, arguments: Callable[[], tuple]) -> str:
    """A chart's SVG markup from organizer/_charts.html's ``macro``, drawn once per process for the same ``key``.

    The review's charts stay the same until the draft changes, and drawing them (a box or bar with its words per
    person, round or need) is much of the page's cost. The key holds everything the chart shows, so any change draws
    it anew; nothing in a chart is particular to the reader. ``arguments`` gives the macro's, only when drawing."""
    with _CHARTS_LOCK:
        markup = _CHARTS.get(key)
        if markup is not None:
            _CHARTS.move_to_end(key)
            return markup
    markup = get_template_attribute("organizer/_charts.html", macro)(*arguments())
    with _CHARTS_LOCK:
        _CHARTS[key] = markup
        while len(_CHARTS) > _CHARTS_SIZE:
            _CHARTS.popitem(last=False)
    return markup


def _seat_chart_markup(view) -> str:
    """The session's seat chart: seats, names, titles, time, venue, in the reader's language and time zone."""
    key = (
        "seats",
        current_locale(),
        str(get_timezone()),
        view.session.id,
        view.session.rounds,
        view.slot.starts_at,
        view.venue.name,
        tuple(
            (
                t.table.id,
                t.table.position,
                t.request.title,
                tuple(tuple((p.id, p.name) for p in people) for people in t.rounds),
            )
            for t in view.tables
        ),
    )
    return _drawn(key, "seat_chart_svg", lambda: (charts.seat_chart(view), view))


def _coverage_chart_markup(view, items: list[dict]) -> str:
    """The session's coverage chart: per table and need, the title, the skill's name, what is asked and present."""
    key = (
        "coverage",
        current_locale(),
        view.session.id,
        tuple(
            (
                c["table"].request.title,
                c["skill"].code,
                c["skill"].name_nl,
                c["skill"].name_en,
                c["need"].count,
                c["fewest"],
                c["ok"],
            )
            for c in items
        ),
    )
    return _drawn(key, "coverage_chart", lambda: (charts.coverage_bars(items), view))


def _timeline_chart_markup(views) -> str:
    """The draft's timeline chart: each session's time, venue, titles and seats taken, in the reader's language and
    time zone."""
    key = (
        "timeline",
        current_locale(),
        str(get_timezone()),
        tuple(
            (
                view.session.id,
                view.slot.id,
                view.slot.starts_at,
                view.slot.ends_at,
                view.venue.id,
                view.venue.name,
                tuple(t.request.title for t in view.tables),
                charts.seated_and_seats(view),
            )
            for view in views
        ),
    )
    return _drawn(key, "timeline_chart", lambda: (charts.timeline(views),))


def _timeline(views) -> dict:
    """The draft as a grid: the slots that have a session (rows) by the venues that host one (columns)."""
    slots = {view.slot.id: view.slot for view in views}
    venues = {view.venue.id: view.venue for view in views}
    return {
        "slots": sorted(slots.values(), key=lambda slot: slot.starts_at),
        "venues": sorted(venues.values(), key=lambda venue: venue.name),
        "cells": {(view.slot.id, view.venue.id): view for view in views},
    }


def _request_id(ref) -> int | None:
    return parse_ref(ref, "r") if isinstance(ref, str) else None


@bp.post("/pins")
def pin():
    # Each table has its own pin form (own prefix, so ids stay unique on the page): find the one posted.
    prefix = next((k.split("-")[0] for k in request.form if k.endswith("-request_id")), "")
    form = PinForm(prefix=prefix)
    if form.validate_on_submit():
        swarm_request = _request_in_region(form.request_id.data)
        try:
            person = review_service.find_professional(db(), current_user.region_id, form.professional_id.data)
            request_service.set_pin(
                db(),
                swarm_request.id,
                person.id,
                PinKind(form.kind.data),
                actor=current_user.actor,
                clock=clock(),
            )
        except ValidationError as error:
            discard_changes()
            # the page has a pin form per table: say which one, and the field
            flash(
                _(
                    "%(field)s (%(form)s): %(message)s",
                    field=form.professional_id.label.text,
                    form=_("Pin for %(title)s", title=swarm_request.title),
                    message=_(error.message, **error.params),
                ),
                "error",
            )
        else:
            flash(_("Pinned. Solve again to plan around it."), "success")
        return redirect(url_for("organizer.review", round=swarm_request.planning_round_id))
    flash(_("Type the name or number of a professional."), "error")
    return redirect(url_for("organizer.review"))


@bp.get("/requests/<int:request_id>/pin-suggestions.json")
def pin_people(request_id: int):
    """The professionals matching what is typed in a pin's person field, with their availability for the table's
    slot and their distance to its venue (JSON for the page's script; the form works without it)."""
    swarm_request = _request_in_region(request_id)
    candidates = review_service.pin_candidates(
        db(), current_user.region_id, swarm_request.id, request.args.get("q", "")[:100]
    )
    return jsonify(
        [
            {
                "id": c.id,
                "value": c.label,
                "name": c.name,
                "answer": c.answer.value if c.answer else None,
                "km": c.km,
                "within_radius": c.within_radius,
                "text": pin_candidate_text(c),
            }
            for c in candidates
        ]
    )


def pin_candidate_text(candidate: review_service.PinCandidate) -> str:
    """A suggestion in words: name, answer for the slot, distance (and whether it is beyond their radius)."""
    answer = {
        AvailabilityAnswer.YES: _("available"),
        AvailabilityAnswer.MAYBE: _("available if need be"),
    }.get(candidate.answer, _("no answer for this slot") if candidate.answer is None else _("not available"))
    parts = [candidate.label, answer]
    if candidate.km is not None:
        distance = _("%(km)s km", km=format_decimal(candidate.km, format="0.#"))
        parts.append(
            distance if candidate.within_radius else _("%(distance)s, beyond their radius", distance=distance)
        )
    return " · ".join(parts)


@bp.post("/pins/delete")
def unpin():
    form = UnpinForm()
    if form.validate_on_submit():
        swarm_request = _request_in_region(form.request_id.data)
        request_service.remove_pin(
            db(), swarm_request.id, form.professional_id.data, actor=current_user.actor, clock=clock()
        )
        flash(_("The pin has been removed."), "success")
        return redirect(url_for("organizer.review", round=swarm_request.planning_round_id))
    return redirect(url_for("organizer.review"))


@bp.route("/policy", methods=["GET", "POST"])
def policy():
    region = lookup.region(db(), current_user.region_id)
    form = PolicyForm(obj=region)
    if form.validate_on_submit():
        data = frame.PolicyInput(
            weight_fairness=form.weight_fairness.data,
            history_window_rounds=form.history_window_rounds.data,
            rounds_per_session=form.rounds_per_session.data,
            max_parallel_sessions=form.max_parallel_sessions.data,
            guaranteed_turn_after_rounds=form.guaranteed_turn_after_rounds.data,
            guaranteed_turn_max_skill_percent=form.guaranteed_turn_max_skill_percent.data,
        )
        try:
            frame.update_region_policy(db(), region.id, data, actor=current_user.actor, clock=clock())
        except ValidationError as error:
            attach_error(form, error)
        else:
            flash(_("The policy has been saved; it applies from the next solve."), "success")
            return redirect(url_for("organizer.policy"))
    rounds, counts = review_service.invitation_counts(db(), region.id, max(region.history_window_rounds, 1))
    effect = review_service.fairness_effect(db(), region.id, rounds)
    never = [person for person, _per_round in counts if person.id in effect.left_out]
    return render_template(
        "organizer/policy.html",
        form=form,
        region=region,
        rounds=rounds,
        counts=counts,
        never=never,
        effect=effect,
        histogram=charts.invitation_histogram(list(effect.invitations.values())),
        evenness=_evenness(effect.gini),
        gini=format_decimal(effect.gini, format="0.00"),
        near_tie=format_percent(review_service.NEAR_TIE, format="#,##0.#%"),
    ), status_for(form)


def _evenness(value: float) -> str:
    """The measured Gini coefficient in plain words."""
    gini = format_decimal(value, format="0.00")
    if value < 0.25:
        return _("A Gini of %(gini)s means the invitations are shared fairly evenly.", gini=gini)
    if value < 0.5:
        return _(
            "A Gini of %(gini)s means the invitations are shared unevenly: some people are invited much more "
            "often than others.",
            gini=gini,
        )
    return _(
        "A Gini of %(gini)s means the invitations are shared very unevenly: a small group gets most of them.",
        gini=gini,
    )


@bp.route("/calendar", methods=["GET", "POST"])
def calendar_feed():
    """Every published session of the region as the organizer's calendar feed."""
    return feed_page(FeedOwner.ORGANIZER, current_user.id, "organizer.calendar_feed")
