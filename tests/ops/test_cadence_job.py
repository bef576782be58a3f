"""The scheduler opens a cadence's rounds when their day comes: once per day, across runs and restarts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlmodel import select

from swarm.domain.actors import SYSTEM
from swarm.domain.enums import RequestStatus
from swarm.jobs import Intervals, jobs_for
from swarm.persistence.db import create_engine, unit_of_work
from swarm.persistence.models import Municipality, PlanningRound, RoundCadence, Slot, SwarmRequest
from swarm.services.plan.cadence import CadenceInput, open_due_rounds, save_round_cadence
from swarm.services.plan.requests import RequestInput, create_swarm_request, submit_swarm_request
from swarm.services.plan.rounds import RoundInput, SlotInput, open_planning_round
from tests.ops.conftest import url_of


def keep_cadence(engine, plannable, clock) -> None:
    """Every first Monday, slots four weeks later at 09:00-12:00 and 13:00-16:00, deadline a week before."""
    with unit_of_work(engine) as db:
        save_round_cadence(
            db,
            plannable.region_id,
            CadenceInput(
                name="Zwermronde",
                weekday=0,
                week_of_month=1,
                every_months=1,
                slots_after_weeks=4,
                slot_times=[(time(9), time(12)), (time(13), time(16))],
                deadline_days_before=7,
                venue_ids=[plannable.venue_id],
                time_limit_seconds=20,
            ),
            actor=plannable.organizer,
            clock=clock,
        )


def cadence_rounds(engine) -> list[PlanningRound]:
    with unit_of_work(engine) as db:
        return list(
            db.exec(
                select(PlanningRound)
                .where(PlanningRound.cadence_date.is_not(None))
                .order_by(PlanningRound.id)
            )
        )


def test_the_next_round_opens_on_its_day_once_and_again_a_month_later(ops_engine, plannable, clock, config):
    keep_cadence(ops_engine, plannable, clock)  # on 1 December: the first Monday to come is 7 December
    clock.now = datetime(2026, 12, 6, 22, 59, tzinfo=UTC)  # 23:59 on Sunday in Amsterdam
    assert open_due_rounds(ops_engine, config, clock) == []
    clock.now = datetime(2026, 12, 6, 23, 0, tzinfo=UTC)  # midnight: Monday 7 December has come
    [opened] = open_due_rounds(ops_engine, config, clock)
    assert open_due_rounds(ops_engine, config, clock) == []
    restarted = create_engine(url_of(ops_engine))  # a new scheduler process, the same day
    try:
        clock.advance(hours=5)
        assert open_due_rounds(restarted, config, clock) == []
    finally:
        restarted.dispose()
    [first] = cadence_rounds(ops_engine)
    assert first.id == opened and first.cadence_date == date(2026, 12, 7)
    assert first.name == "Zwermronde 04-01-2027" and first.time_limit_seconds == 20
    assert first.availability_deadline == datetime(2026, 12, 28, 8, tzinfo=UTC)  # 09:00 in Amsterdam
    with unit_of_work(ops_engine) as db:
        codes = list(db.exec(select(Slot.code).where(Slot.planning_round_id == first.id).order_by(Slot.code)))
    assert codes == ["2027-01-04-am", "2027-01-04-pm"]

    clock.now = datetime(2027, 1, 4, 5, tzinfo=UTC)  # the first Monday of January
    [second] = open_due_rounds(ops_engine, config, clock)
    assert [r.name for r in cadence_rounds(ops_engine)] == ["Zwermronde 04-01-2027", "Zwermronde 01-02-2027"]
    assert open_due_rounds(ops_engine, config, clock) == []
    assert second != opened


def test_a_waiting_question_joins_the_round_the_cadence_opens(ops_engine, plannable, clock, config):
    keep_cadence(ops_engine, plannable, clock)
    clock.now = datetime(2027, 1, 6, 9, tzinfo=UTC)  # the first round's poll closed on the 5th
    with unit_of_work(ops_engine) as db:
        request = create_swarm_request(
            db, RequestInput(plannable_municipality(db, plannable), "Jeugdzorg"), actor=SYSTEM, clock=clock
        )
        submit_swarm_request(db, request.id, actor=SYSTEM, clock=clock)
        assert request.status == RequestStatus.WAITING
        request_id = request.id
    clock.now = datetime(2027, 2, 1, 6, tzinfo=UTC)  # the first Monday of February
    [opened] = open_due_rounds(ops_engine, config, clock)
    with unit_of_work(ops_engine) as db:
        joined = db.get(SwarmRequest, request_id)
        assert (joined.status, joined.planning_round_id) == (RequestStatus.OPEN, opened)


def plannable_municipality(db, plannable) -> int:
    return db.exec(select(Municipality.id).where(Municipality.cbs_code == "GM1509")).one()


def test_an_opening_too_late_to_hold_is_skipped_with_its_reason_and_not_tried_again(
    ops_engine, plannable, clock, config, caplog
):
    keep_cadence(ops_engine, plannable, clock)
    clock.now = datetime(
        2026, 12, 29, 9, tzinfo=UTC
    )  # no scheduler ran since: the 7 December round's deadline passed
    assert open_due_rounds(ops_engine, config, clock) == []
    with unit_of_work(ops_engine) as db:
        cadence = db.exec(select(RoundCadence)).one()
        assert cadence.last_opened_on == date(2026, 12, 7)
        assert cadence.last_skip_reason == "The deadline must lie in the future."
    assert "was not opened" in caplog.text
    caplog.clear()
    assert open_due_rounds(ops_engine, config, clock) == [] and "was not opened" not in caplog.text
    assert cadence_rounds(ops_engine) == []


def test_the_scheduler_runs_the_cadence_under_a_stable_id(ops_engine):
    jobs = {job.id: job for job in jobs_for(ops_engine, Intervals(rounds=120))}
    assert jobs["open-rounds"].function is open_due_rounds and jobs["open-rounds"].every_seconds == 120


def test_an_opening_refused_halfway_leaves_no_half_made_round(ops_engine, plannable, clock, config):
    """The region already has a morning slot on the day of the sessions: the round is refused after its row was
    written, and the savepoint takes that row back while the day stays handled."""
    keep_cadence(ops_engine, plannable, clock)
    with unit_of_work(ops_engine) as db:
        open_planning_round(
            db,
            plannable.region_id,
            RoundInput(
                "Met de hand",
                datetime(2026, 12, 20, 17),
                [SlotInput(datetime(2027, 1, 4, 10), datetime(2027, 1, 4, 11), [plannable.venue_id])],
            ),
            actor=plannable.organizer,
            clock=clock,
        )
        rounds_before = len(db.exec(select(PlanningRound)).all())
    clock.now = datetime(2026, 12, 7, 6, tzinfo=UTC)
    assert open_due_rounds(ops_engine, config, clock) == []
    with unit_of_work(ops_engine) as db:
        assert len(db.exec(select(PlanningRound)).all()) == rounds_before
        cadence = db.exec(select(RoundCadence)).one()
        assert cadence.last_opened_on == date(2026, 12, 7)
        assert cadence.last_skip_reason == "The region already has a time slot in this part of that day."
