"""Retention of solve snapshots: a finished run keeps the professionals it was given for SWARM_SNAPSHOT_RETENTION_DAYS
after nothing needs it any more, and loses them the moment after; an open draft, a live schedule, a proposed or
running team and an unfinished run keep theirs. Each rule is shown kept at its boundary and reduced just past it."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from swarm.domain.actors import SYSTEM
from swarm.domain.enums import SolveStatus
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import Assignment, Municipality, SolveRun
from swarm.services.ops.snapshot_retention import reduce_old_snapshots
from swarm.services.people import privacy, retention
from swarm.services.plan import queue, worker
from swarm.services.team import projects
from tests.ops.conftest import solve_and_publish
from tests.swarm.factories import place_named

PERIOD = timedelta(days=90)  # the default of SWARM_SNAPSHOT_RETENTION_DAYS
SESSION_ENDS = datetime(2027, 1, 12, 11, 0, tzinfo=UTC)  # the morning slot, 12:00 in Amsterdam
PERSON = re.compile(r"(?<![\w-])(?:p|erased)-\d+(?![\w-])")


def solve(engine, plannable, clock, config) -> int:
    with unit_of_work(engine) as db:
        run_id = queue.enqueue_solve(db, plannable.round_id, actor=plannable.organizer, clock=clock).id
    [outcome] = worker.run_queued_solves(engine, config, clock=clock)
    assert outcome.status == SolveStatus.SUCCEEDED, outcome
    return run_id


def run_of(engine, run_id: int) -> SolveRun:
    with unit_of_work(engine) as db:
        return db.get(SolveRun, run_id)


def names_nobody(run: SolveRun) -> bool:
    return not PERSON.search(json.dumps([run.input, run.result]))


def test_a_run_nothing_needs_keeps_its_snapshot_for_the_period_then_keeps_only_what_the_organizer_reads(
    ops_engine, plannable, clock, config
):
    replaced = solve(ops_engine, plannable, clock, config)
    finished = clock()
    clock.advance(hours=1)
    draft = solve(ops_engine, plannable, clock, config)  # its result replaces the draft of the first
    whole = run_of(ops_engine, replaced)
    assert len(whole.input["professionals"]) == len(plannable.people) and not names_nobody(whole)

    clock.now = finished + PERIOD
    assert reduce_old_snapshots(ops_engine, config, clock) == []
    clock.advance(seconds=1)
    report = retention.run_retention(ops_engine, config, clock)  # the scheduler's retention job
    assert report.snapshots_reduced == 1 and (report.warned, report.anonymised) == (0, 0)

    reduced = run_of(ops_engine, replaced)
    assert reduced.snapshot_reduced_at == clock() and names_nobody(reduced)
    assert reduced.input["professionals"] == [] and "pins" not in reduced.input
    assert reduced.input["reduced"]["professionals"] == len(plannable.people)
    assert [r["id"] for r in reduced.input["requests"]] == [r["id"] for r in whole.input["requests"]]
    assert all("excluded" not in r for r in reduced.input["requests"])
    for key in ("status", "score", "bound", "breakdown", "unscheduled"):
        assert reduced.result[key] == whole.result[key], key
    assert "invitations" not in reduced.result
    assert reduced.result["reduced"]["invitations"] == len(whole.result["invitations"])
    assert [
        [len(seats) for seats in table["rounds"]] for s in whole.result["sessions"] for table in s["tables"]
    ] == [table["round_sizes"] for s in reduced.result["sessions"] for table in s["tables"]]
    assert (reduced.score, reduced.bound, reduced.parameters) == (whole.score, whole.bound, whole.parameters)

    clock.advance(days=1000)  # idempotent; the organizer's open draft keeps its run whole, however old
    assert reduce_old_snapshots(ops_engine, config, clock) == []
    assert run_of(ops_engine, replaced).input == reduced.input
    assert run_of(ops_engine, draft).snapshot_reduced_at is None
    assert len(run_of(ops_engine, draft).input["professionals"]) == len(plannable.people)


def test_the_run_behind_the_published_schedule_keeps_its_snapshot_until_the_period_after_its_last_session(
    ops_engine, plannable, clock, config
):
    solve_and_publish(ops_engine, plannable, clock, config)
    with unit_of_work(ops_engine) as db:
        [published] = db.exec(select(SolveRun.id)).all()
    clock.now = SESSION_ENDS + PERIOD  # finished long before; the session ended exactly the period ago
    assert reduce_old_snapshots(ops_engine, config, clock) == []
    assert run_of(ops_engine, published).snapshot_reduced_at is None
    clock.advance(seconds=1)
    assert reduce_old_snapshots(ops_engine, config, clock) == [published]
    assert names_nobody(run_of(ops_engine, published))


def test_an_unfinished_run_stays_whole_and_a_run_cancelled_in_the_queue_counts_from_when_it_was_queued(
    ops_engine, plannable, clock, config
):
    queued_at = clock()
    with unit_of_work(ops_engine) as db:
        cancelled = queue.enqueue_solve(db, plannable.round_id, actor=plannable.organizer, clock=clock).id
        queue.request_stop(db, cancelled, actor=plannable.organizer)
        waiting = queue.enqueue_solve(db, plannable.round_id, actor=plannable.organizer, clock=clock).id
    assert run_of(ops_engine, cancelled).finished_at is None
    clock.now = queued_at + PERIOD
    assert reduce_old_snapshots(ops_engine, config, clock) == []
    clock.advance(seconds=1)
    assert reduce_old_snapshots(ops_engine, config, clock) == [cancelled]
    clock.advance(days=1000)
    assert reduce_old_snapshots(ops_engine, config, clock) == []
    still = run_of(ops_engine, waiting)
    assert still.status == SolveStatus.QUEUED and len(still.input["professionals"]) == len(plannable.people)
    assert run_of(ops_engine, cancelled).result is None  # a missing result stays missing


def test_a_team_proposal_keeps_its_snapshot_while_open_and_the_accepted_team_until_the_period_after_its_last_week(
    ops_engine, plannable, clock, config
):
    with unit_of_work(ops_engine) as db:
        municipality = db.exec(
            select(Municipality).where(Municipality.region_id == plannable.region_id)
        ).first()
        project = projects.create_project(
            db,
            projects.ProjectInput(municipality.id, "Omgevingsplan", place_named(db, "Ulft").id),
            [projects.ProjectRoleInput("Participatie", "participatie", 8, "2027-W03", "2027-W05")],
            actor=SYSTEM,
            clock=clock,
        )
        run_id = queue.enqueue_team_solve(db, [project.id], actor=SYSTEM, clock=clock).id
    [outcome] = worker.run_queued_solves(ops_engine, config, clock=clock)
    assert outcome.status == SolveStatus.SUCCEEDED, outcome
    whole = run_of(ops_engine, run_id)
    [assignment] = whole.result["assignments"]

    clock.advance(days=1000)  # the proposal is open: kept, however old
    assert reduce_old_snapshots(ops_engine, config, clock) == []
    with unit_of_work(ops_engine) as db:
        projects.accept_team(db, project.id, actor=SYSTEM, clock=clock)
        assert db.exec(select(Assignment.solve_run_id)).all() == [run_id]
    # Week 5 of 2027 ends on Sunday 7 February; the period counts from the end of the role's last week.
    clock.now = datetime(2027, 2, 7, 22, 59, tzinfo=UTC) + PERIOD  # 23:59 in Amsterdam, still week 5
    assert reduce_old_snapshots(ops_engine, config, clock) == []
    clock.now = datetime(2027, 2, 7, 23, 0, tzinfo=UTC) + PERIOD  # Monday of week 6 in Amsterdam
    assert reduce_old_snapshots(ops_engine, config, clock) == [run_id]
    reduced = run_of(ops_engine, run_id)
    assert names_nobody(reduced) and reduced.result["assignments"] == [{"role": assignment["role"]}]
    assert reduced.result["unfilled"] == whole.result["unfilled"]
    assert reduced.input["reduced"]["professionals"] == len(whole.input["professionals"])
    assert all("preferred" not in p and "excluded" not in p for p in reduced.input["projects"])


def test_erasure_and_the_data_export_pass_over_reduced_runs_and_still_reach_whole_ones(
    store, ops_engine, plannable, clock, config
):
    old = solve(ops_engine, plannable, clock, config)
    clock.advance(days=91)
    kept = solve(ops_engine, plannable, clock, config)
    assert reduce_old_snapshots(ops_engine, config, clock) == [old]
    reduced = run_of(ops_engine, old)
    person = plannable.people[0]
    with unit_of_work(ops_engine) as db:
        export = privacy.export_personal_data(db, person, actor=SYSTEM)
        assert [r["run"] for r in export["solve_runs"]] == [kept]
        privacy.anonymise_professional(db, person, store=store, actor=SYSTEM, clock=clock)
    after = run_of(ops_engine, old)
    assert (after.input, after.result) == (reduced.input, reduced.result)
    assert f'p-{person}"' not in json.dumps(run_of(ops_engine, kept).input)
