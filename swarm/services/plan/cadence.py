"""A region's cadence: the organizer keeps the rule, and the scheduler opens the next round when its day comes.

The rule and its dates are in :mod:`swarm.domain.cadence`. A saved rule applies from the next day on, so what
the organizer sees as the next openings is what happens. The job :func:`open_due_rounds` opens the newest due
opening of every active cadence, once: the cadence records the opening day it handled (a guarded update), and a
round remembers the day that opened it (unique per region), so a second run, a restart or a clock that moved on
never opens two rounds for one day. An opening that cannot be opened (its deadline already passed while no
scheduler ran, the venues are gone, the region has a slot at that time) is skipped with its reason, not retried.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, delete, select

from swarm.config import Config
from swarm.domain.actors import SYSTEM, Actor
from swarm.domain.cadence import CadenceRule, Opening, SlotTime
from swarm.domain.errors import N_, ValidationError
from swarm.domain.rules import require_text
from swarm.domain.timeutil import Clock, system_clock, to_local
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import CadenceVenue, PlanningRound, Region, RoundCadence, Venue
from swarm.services.lookup import get
from swarm.services.plan.frame import region_zone
from swarm.services.plan.rounds import RoundInput, SlotInput, check_time_limit, open_planning_round

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CadenceInput:
    """The organizer's cadence form."""

    name: str
    weekday: int
    week_of_month: int
    every_months: int
    slots_after_weeks: int
    slot_times: Sequence[tuple[time, time]]
    deadline_days_before: int
    venue_ids: Sequence[int]
    time_limit_seconds: int | None = None
    active: bool = True


def rule_from(data: CadenceInput, active_from: date) -> CadenceRule:
    return CadenceRule(
        weekday=data.weekday,
        week_of_month=data.week_of_month,
        every_months=data.every_months,
        slots_after_weeks=data.slots_after_weeks,
        slot_times=tuple(SlotTime(starts, ends) for starts, ends in data.slot_times),
        deadline_days_before=data.deadline_days_before,
        active_from=active_from,
    )


def rule_of(cadence: RoundCadence) -> CadenceRule:
    return CadenceRule(
        weekday=cadence.weekday,
        week_of_month=cadence.week_of_month,
        every_months=cadence.every_months,
        slots_after_weeks=cadence.slots_after_weeks,
        slot_times=tuple(
            SlotTime(time.fromisoformat(item["starts"]), time.fromisoformat(item["ends"]))
            for item in cadence.slot_times
        ),
        deadline_days_before=cadence.deadline_days_before,
        active_from=cadence.active_from,
    )


def checked_rule(session: Session, region_id: int, data: CadenceInput, *, clock: Clock) -> CadenceRule:
    """The rule the form describes, from tomorrow on (in the region's zone); every field checked."""
    region = get(session, Region, region_id)
    require_text(data.name, "name", max_length=80)
    check_time_limit(data.time_limit_seconds)
    _check_venues(session, region.id, data.venue_ids)
    tomorrow = to_local(clock(), region_zone(region)).date() + timedelta(days=1)
    rule = rule_from(data, tomorrow)
    rule.check()
    return rule


def _check_venues(session: Session, region_id: int, venue_ids: Sequence[int]) -> None:
    wanted = set(venue_ids)
    if not wanted:
        raise ValidationError("venue_ids", N_("Pick at least one venue for this time slot."))
    found = session.exec(select(Venue).where(Venue.id.in_(sorted(wanted)))).all()
    if len(found) != len(wanted) or any(v.region_id != region_id for v in found):
        raise ValidationError("venue_ids", N_("Pick venues of your region."))


def save_round_cadence(
    session: Session, region_id: int, data: CadenceInput, *, actor: Actor, clock: Clock = system_clock
) -> RoundCadence:
    """Keep the region's cadence (one per region); it applies from the next day on."""
    actor.require_region(region_id)
    rule = checked_rule(session, region_id, data, clock=clock)
    cadence = cadence_of(session, region_id) or RoundCadence(
        region_id=region_id, weekday=0, week_of_month=1, slots_after_weeks=1, deadline_days_before=0,
        name="", active_from=rule.active_from,
    )  # fmt: skip
    cadence.name = data.name.strip()
    cadence.active = data.active
    cadence.weekday, cadence.week_of_month, cadence.every_months = (
        rule.weekday,
        rule.week_of_month,
        rule.every_months,
    )
    cadence.slots_after_weeks, cadence.deadline_days_before = (
        rule.slots_after_weeks,
        rule.deadline_days_before,
    )
    cadence.slot_times = [
        {"starts": s.starts.isoformat(timespec="minutes"), "ends": s.ends.isoformat(timespec="minutes")}
        for s in sorted(rule.slot_times, key=lambda s: s.starts)
    ]
    cadence.time_limit_seconds = data.time_limit_seconds
    cadence.active_from = rule.active_from
    cadence.updated_at = clock()
    session.add(cadence)
    session.flush()
    session.exec(delete(CadenceVenue).where(CadenceVenue.cadence_id == cadence.id))
    session.add_all(CadenceVenue(cadence_id=cadence.id, venue_id=v) for v in dict.fromkeys(data.venue_ids))
    session.flush()
    return cadence


def cadence_of(session: Session, region_id: int) -> RoundCadence | None:
    return session.exec(select(RoundCadence).where(RoundCadence.region_id == region_id)).first()


def cadence_venue_ids(session: Session, cadence_id: int) -> list[int]:
    """The cadence's venues that are still in use, by name."""
    return list(
        session.exec(
            select(Venue.id)
            .join(CadenceVenue, CadenceVenue.venue_id == Venue.id)
            .where(CadenceVenue.cadence_id == cadence_id, Venue.active)
            .order_by(Venue.name)
        )
    )


def next_openings(session: Session, cadence: RoundCadence, *, clock: Clock, count: int = 3) -> list[Opening]:
    """The cadence's next ``count`` openings after today (region time)."""
    today = to_local(clock(), region_zone(get(session, Region, cadence.region_id))).date()
    return rule_of(cadence).openings_after(max(today, cadence.active_from - timedelta(days=1)), count)


# -- the scheduler's job ----------------------------------------------------------------------------------------


def open_due_rounds(engine: sa.Engine, config: Config, clock: Clock) -> list[int]:
    """Open the round of every active cadence whose opening day has come; the ids of the rounds opened."""
    opened = []
    with unit_of_work(engine, immediate=True) as session:
        for cadence in session.exec(
            select(RoundCadence).where(RoundCadence.active).order_by(RoundCadence.id)
        ):
            round_id = _open_due(session, cadence, clock)
            if round_id is not None:
                opened.append(round_id)
    return opened


def _open_due(session: Session, cadence: RoundCadence, clock: Clock) -> int | None:
    region = get(session, Region, cadence.region_id)
    today = to_local(clock(), region_zone(region)).date()
    opening = rule_of(cadence).latest_opening(today)
    if opening is None or (cadence.last_opened_on is not None and cadence.last_opened_on >= opening.opens_on):
        return None
    claimed = session.execute(
        sa.update(RoundCadence)
        .where(
            RoundCadence.id == cadence.id,
            sa.or_(RoundCadence.last_opened_on.is_(None), RoundCadence.last_opened_on < opening.opens_on),
        )
        .values(last_opened_on=opening.opens_on, last_skip_reason="")
    )
    if claimed.rowcount != 1:
        return None
    already = session.exec(
        select(PlanningRound.id).where(
            PlanningRound.region_id == region.id, PlanningRound.cadence_date == opening.opens_on
        )
    ).first()
    if already is not None:
        return None
    venues = cadence_venue_ids(session, cadence.id)
    data = RoundInput(
        name=opening.round_name(cadence.name),
        availability_deadline=opening.deadline,
        slots=[SlotInput(starts, ends, venues) for starts, ends in opening.slots],
        time_limit_seconds=cadence.time_limit_seconds,
    )
    try:
        with session.begin_nested():  # a refused opening leaves nothing half written, but stays handled
            planning_round = open_planning_round(
                session, region.id, data, actor=SYSTEM, clock=clock, cadence_date=opening.opens_on
            )
    except ValidationError as refusal:
        log.warning("region %s: the round of %s was not opened: %s", region.slug, opening.opens_on, refusal)
        session.execute(
            sa.update(RoundCadence)
            .where(RoundCadence.id == cadence.id)
            .values(last_skip_reason=refusal.text)  # the msgid itself unless it has placeholders
        )
        return None
    log.info("region %s: opened %r (cadence, %s)", region.slug, planning_round.name, opening.opens_on)
    return planning_round.id
