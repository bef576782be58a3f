"""A region's cadence: the opening days of its rule, the slots and deadline of each round, and keeping the rule."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from swarm.domain.cadence import CadenceRule, SlotTime
from swarm.domain.errors import NotAllowed, ValidationError
from swarm.persistence.models import CadenceVenue, RoundCadence
from swarm.services.plan.cadence import CadenceInput, next_openings, save_round_cadence
from tests.swarm.factories import CLOCK, count

MORNING, AFTERNOON = SlotTime(time(9), time(12)), SlotTime(time(13), time(16))


def first_monday(**changes) -> CadenceRule:
    values = dict(
        weekday=0,
        week_of_month=1,
        every_months=1,
        slots_after_weeks=4,
        slot_times=(AFTERNOON, MORNING),
        deadline_days_before=7,
        active_from=date(2026, 12, 2),
    )
    values.update(changes)
    return CadenceRule(**values)


def test_every_first_monday_of_the_month_with_the_slots_four_weeks_later():
    openings = first_monday().openings_after(date(2026, 12, 1))
    assert [o.opens_on for o in openings] == [date(2026, 12, 7), date(2027, 1, 4), date(2027, 2, 1)]
    first = openings[0]
    assert first.sessions_on == date(2027, 1, 4)
    assert first.slots == (
        (datetime(2027, 1, 4, 9), datetime(2027, 1, 4, 12)),
        (datetime(2027, 1, 4, 13), datetime(2027, 1, 4, 16)),
    )  # first slot first, whatever order they were given in
    assert first.deadline == datetime(2026, 12, 28, 9)  # a week before the first slot starts
    assert first.round_name("Zwermronde") == "Zwermronde 04-01-2027"


def test_the_last_friday_of_every_quarter_month():
    rule = first_monday(weekday=4, week_of_month=-1, every_months=3, active_from=date(2027, 1, 1))
    assert [o.opens_on for o in rule.openings_after(date(2026, 12, 31))] == [
        date(2027, 1, 29),
        date(2027, 4, 30),
        date(2027, 7, 30),
    ]


def test_the_latest_opening_is_the_one_due_and_none_before_the_rule_starts():
    rule = first_monday()
    assert rule.latest_opening(date(2026, 12, 6)) is None  # the rule starts on 2 December
    assert rule.latest_opening(date(2026, 12, 7)).opens_on == date(2026, 12, 7)
    assert rule.latest_opening(date(2027, 1, 3)).opens_on == date(2026, 12, 7)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weekday": 7}, "weekday"),
        ({"week_of_month": 5}, "week_of_month"),
        ({"every_months": 0}, "every_months"),
        ({"slots_after_weeks": 0}, "slots_after_weeks"),
        ({"slot_times": ()}, "slot_times"),
        ({"slot_times": (SlotTime(time(12), time(9)),)}, "slot_times[0].ends"),
        ({"deadline_days_before": 28}, "deadline_days_before"),  # on the opening day itself
    ],
)
def test_a_rule_that_cannot_make_a_round_is_refused_at_its_field(changes, field):
    with pytest.raises(ValidationError) as refused:
        first_monday(**changes).check()
    assert refused.value.field == field


def cadence_input(world, **changes) -> CadenceInput:
    values = dict(
        name="Zwermronde",
        weekday=0,
        week_of_month=1,
        every_months=1,
        slots_after_weeks=4,
        slot_times=[(time(9), time(12)), (time(13), time(16))],
        deadline_days_before=7,
        venue_ids=[world.venue.id],
        time_limit_seconds=30,
    )
    values.update(changes)
    return CadenceInput(**values)


def test_the_organizer_keeps_one_cadence_per_region_applying_from_tomorrow(db, world):
    cadence = save_round_cadence(
        db, world.region.id, cadence_input(world), actor=world.organizer, clock=CLOCK
    )
    assert cadence.active_from == date(2026, 12, 2)  # saved on 1 December
    assert cadence.slot_times == [{"starts": "09:00", "ends": "12:00"}, {"starts": "13:00", "ends": "16:00"}]
    assert [o.opens_on for o in next_openings(db, cadence, clock=CLOCK)] == [
        date(2026, 12, 7),
        date(2027, 1, 4),
        date(2027, 2, 1),
    ]
    save_round_cadence(
        db, world.region.id, cadence_input(world, week_of_month=-1), actor=world.organizer, clock=CLOCK
    )
    assert count(db, RoundCadence) == 1 and count(db, CadenceVenue) == 1
    assert cadence.week_of_month == -1


def test_a_cadence_without_venues_or_with_a_bad_rule_is_refused_and_nothing_is_kept(db, world):
    for changes, field in (
        ({"venue_ids": []}, "venue_ids"),
        ({"venue_ids": [987654]}, "venue_ids"),
        ({"name": ""}, "name"),
        ({"deadline_days_before": 40}, "deadline_days_before"),
        ({"time_limit_seconds": 0}, "time_limit_seconds"),
    ):
        with pytest.raises(ValidationError) as refused:
            save_round_cadence(
                db, world.region.id, cadence_input(world, **changes), actor=world.organizer, clock=CLOCK
            )
        assert refused.value.field == field
    assert count(db, RoundCadence) == 0
    with pytest.raises(NotAllowed):
        save_round_cadence(db, world.region.id, cadence_input(world), actor=world.coordinator, clock=CLOCK)
