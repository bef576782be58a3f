"""Solve runs as jobs: queued with a snapshot, claimed once, progress in the row, stale runs claimed again."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlmodel import select

from solver.control import Progress
from swarm.domain.actors import SYSTEM
from swarm.domain.enums import SessionStatus, SolveStatus
from swarm.domain.errors import NotAllowed, ValidationError
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import OutboxMessage, Session, SolveRun
from swarm.services.plan import queue as solve_queue
from swarm.services.plan import watch, worker
from tests.ops.conftest import Plannable
from tests.swarm.factories import add_professional, place_named


def queue(engine, plannable: Plannable, clock, **options) -> int:
    with unit_of_work(engine) as db:
        return solve_queue.enqueue_solve(
            db, plannable.round_id, actor=plannable.organizer, clock=clock, **options
        ).id


def row(engine, run_id: int) -> SolveRun:
    with unit_of_work(engine) as db:
        return db.get(SolveRun, run_id)


def test_a_queued_run_holds_the_instance_snapshot_and_is_queued_once_per_round(ops_engine, plannable, clock):
    first = queue(ops_engine, plannable, clock)
    again = queue(ops_engine, plannable, clock, time_limit=5)
    run = row(ops_engine, first)
    assert again == first and run.status == SolveStatus.QUEUED
    assert run.input["format"] == "swarm-instance/1"
    assert sorted(r["id"] for r in run.input["requests"]) == sorted(f"r-{i}" for i in plannable.requests)
    assert run.parameters["purpose"] == "plan" and run.parameters["time_limit"] == 5
    assert set(run.parameters["basis"]) == {"published", "declined"}  # what the snapshot builds on


def test_only_the_regions_organizer_may_queue_a_solve(ops_engine, plannable, clock):
    from swarm.domain.actors import Actor
    from swarm.domain.enums import UserRole

    stranger = Actor(UserRole.ORGANIZER, region_id=plannable.region_id + 1000)
    with unit_of_work(ops_engine) as db, pytest.raises(NotAllowed):
        solve_queue.enqueue_solve(db, plannable.round_id, actor=stranger, clock=clock)


def test_a_round_without_open_requests_is_refused_by_name(ops_engine, plannable, clock):
    from swarm.services.plan.requests import withdraw_swarm_request

    with unit_of_work(ops_engine) as db:
        for request_id in plannable.requests:
            withdraw_swarm_request(db, request_id, actor=SYSTEM)
    with unit_of_work(ops_engine) as db, pytest.raises(ValidationError) as error:
        solve_queue.enqueue_solve(db, plannable.round_id, actor=plannable.organizer, clock=clock)
    assert error.value.field == "planning_round_id"


def test_a_run_is_claimed_by_one_worker_only(ops_engine, plannable, clock):
    run_id = queue(ops_engine, plannable, clock)
    assert solve_queue.claim_next_run(ops_engine, "worker-a", clock=clock) == run_id
    assert solve_queue.claim_next_run(ops_engine, "worker-b", clock=clock) is None
    claimed = row(ops_engine, run_id)
    assert claimed.status == SolveStatus.RUNNING and claimed.worker_id == "worker-a"


def test_a_solved_run_stores_a_draft_and_tells_the_organizer(ops_engine, plannable, clock, config):
    run_id = queue(ops_engine, plannable, clock)
    [outcome] = worker.run_queued_solves(ops_engine, config, clock=clock, worker_id="w")
    assert outcome.status == SolveStatus.SUCCEEDED
    run = row(ops_engine, run_id)
    assert run.score is not None and run.result["format"] == "swarm-schedule/1"
    assert run.finished_at == clock() and run.notified_at == clock()
    with unit_of_work(ops_engine) as db:
        drafts = db.exec(select(Session).where(Session.solve_run_id == run_id)).all()
        assert drafts and all(s.status == SessionStatus.DRAFT for s in drafts)
        [notice] = db.exec(select(OutboxMessage).where(OutboxMessage.kind == "solve_succeeded")).all()
    assert notice.recipient == plannable.organizer_email and "2027 Q1" in notice.subject


def test_stopping_a_queued_run_cancels_it(ops_engine, plannable, clock):
    run_id = queue(ops_engine, plannable, clock)
    with unit_of_work(ops_engine) as db:
        solve_queue.request_stop(db, run_id, actor=plannable.organizer)
    assert row(ops_engine, run_id).status == SolveStatus.CANCELLED
    assert solve_queue.claim_next_run(ops_engine, "w", clock=clock) is None


def test_a_stop_request_reaches_the_running_solver(ops_engine, plannable, clock, config):
    run_id = queue(ops_engine, plannable, clock)
    solve_queue.claim_next_run(ops_engine, "w", clock=clock)
    with unit_of_work(ops_engine) as db:
        solve_queue.request_stop(db, run_id, actor=plannable.organizer)
    watcher = watch.Watcher(ops_engine, run_id, "w", config, clock)
    stopped = []
    watcher.control = type("Control", (), {"request_stop": lambda self: stopped.append(True)})()
    watcher.progress(Progress(score=10, bound=20, elapsed=0.5, stage="exact"))
    watcher.beat()
    run = row(ops_engine, run_id)
    assert stopped == [True]
    assert (run.best_score, run.best_bound, run.elapsed_seconds, run.stage) == (10, 20, 0.5, "exact")
    assert solve_queue.gap(run) == 0.5


def test_a_run_whose_worker_went_silent_is_queued_again_then_failed(ops_engine, plannable, clock, config):
    run_id = queue(ops_engine, plannable, clock)
    for attempt in range(1, solve_queue.MAX_ATTEMPTS + 1):
        assert solve_queue.claim_next_run(ops_engine, f"w{attempt}", clock=clock) == run_id
        clock.advance(seconds=3 * config.worker_heartbeat_seconds - 0.5)
        assert solve_queue.reclaim_stale_runs(ops_engine, config, clock=clock) == []
        clock.advance(seconds=1)
        assert solve_queue.reclaim_stale_runs(ops_engine, config, clock=clock) == [run_id]
        run = row(ops_engine, run_id)
        assert run.attempts == attempt
    assert run.status == SolveStatus.FAILED and "3 times" in run.error


def test_a_worker_that_lost_its_run_does_not_store_its_result(ops_engine, plannable, clock, config):
    run_id = queue(ops_engine, plannable, clock)
    solve_queue.claim_next_run(ops_engine, "slow", clock=clock)
    with ops_engine.begin() as connection:  # the run was taken over while "slow" was solving
        connection.execute(sa.update(SolveRun).where(SolveRun.id == run_id).values(worker_id="fast"))
    outcome = worker.run_claimed(ops_engine, run_id, "slow", config, clock=clock)
    assert outcome.status == SolveStatus.RUNNING and "another worker" in outcome.message
    with unit_of_work(ops_engine) as db:
        assert db.exec(select(Session)).all() == []
    assert row(ops_engine, run_id).result is None


def test_a_snapshot_the_engine_rejects_fails_the_run_visibly(ops_engine, plannable, clock, config):
    run_id = queue(ops_engine, plannable, clock)
    with ops_engine.begin() as connection:
        connection.execute(
            sa.update(SolveRun).where(SolveRun.id == run_id).values(input={"format": "nonsense"})
        )
    [outcome] = worker.run_queued_solves(ops_engine, config, clock=clock)
    run = row(ops_engine, run_id)
    assert outcome.status == SolveStatus.FAILED and run.status == SolveStatus.FAILED and run.error
    with unit_of_work(ops_engine) as db:
        assert db.exec(select(OutboxMessage.kind)).all() == ["solve_failed"]


def test_a_worker_asked_to_shut_down_cuts_its_solve_short(ops_engine, plannable, clock, config):
    import threading

    run_id = queue(ops_engine, plannable, clock)
    solve_queue.claim_next_run(ops_engine, "w", clock=clock)
    interrupt = threading.Event()
    watcher = watch.Watcher(ops_engine, run_id, "w", config, clock, interrupt)
    stopped = []
    watcher.control = type("Control", (), {"request_stop": lambda self: stopped.append(True)})()
    watcher.beat()
    assert stopped == []
    interrupt.set()
    watcher.beat()
    assert stopped == [True] and not watcher.lost


def test_a_team_proposal_is_solved_by_the_same_workers(ops_engine, plannable, clock, config):
    from swarm.domain.actors import Actor
    from swarm.domain.enums import UserRole
    from swarm.persistence.models import Assignment, Municipality, Place
    from swarm.services.team.projects import ProjectInput, ProjectRoleInput, create_project

    with unit_of_work(ops_engine) as db:
        municipality = db.exec(select(Municipality).where(Municipality.cbs_code == "GM1509")).one()
        place = db.exec(select(Place).where(Place.name == "Ulft")).one()
        coordinator = Actor(UserRole.COORDINATOR, municipality_id=municipality.id)
        project = create_project(
            db,
            ProjectInput(municipality.id, "Wijkaanpak Ulft", place.id),
            [ProjectRoleInput("Participatiecoach", "participatie", 8, "2027-W03", "2027-W10")],
            actor=coordinator,
            clock=clock,
        )
        run = solve_queue.enqueue_team_solve(db, [project.id], actor=coordinator, time_limit=2, clock=clock)
    [outcome] = worker.run_queued_solves(ops_engine, config, clock=clock)
    assert outcome.status == SolveStatus.SUCCEEDED
    with unit_of_work(ops_engine) as db:
        assert solve_queue.get_solve_run(db, run.id, actor=coordinator).result["format"] == "shell-plan/1"
        assert len(db.exec(select(Assignment)).all()) == 1
        with pytest.raises(NotAllowed):
            solve_queue.get_solve_run(
                db, run.id, actor=Actor(UserRole.COORDINATOR, municipality_id=municipality.id + 1)
            )


def _team_project(engine, clock, roles=(("Participatiecoach", "participatie", 8, "2027-W03", "2027-W10"),)):
    """A project of Oude IJsselstreek with these roles, and the coordinator who may propose its team."""
    from swarm.domain.actors import Actor
    from swarm.domain.enums import UserRole
    from swarm.persistence.models import Municipality, Place
    from swarm.services.team.projects import ProjectInput, ProjectRoleInput, create_project

    with unit_of_work(engine) as db:
        municipality = db.exec(select(Municipality).where(Municipality.cbs_code == "GM1509")).one()
        place = db.exec(select(Place).where(Place.name == "Ulft")).one()
        coordinator = Actor(UserRole.COORDINATOR, municipality_id=municipality.id)
        project = create_project(
            db,
            ProjectInput(municipality.id, "Wijkaanpak Ulft", place.id),
            [ProjectRoleInput(*role) for role in roles],
            actor=coordinator,
            clock=clock,
        )
        return project.id, coordinator


def test_a_team_proposal_is_queued_without_its_instance_and_the_worker_takes_the_snapshot(
    ops_engine, plannable, clock, config
):
    project_id, coordinator = _team_project(ops_engine, clock)
    with unit_of_work(ops_engine) as db:
        run_id = solve_queue.enqueue_team_solve(db, [project_id], actor=coordinator, clock=clock).id
        again = solve_queue.enqueue_team_solve(db, [project_id], actor=coordinator, time_limit=3, clock=clock)
    queued = row(ops_engine, run_id)
    assert again.id == run_id and queued.input == {} and queued.parameters["time_limit"] == 3
    assert solve_queue.claim_next_run(ops_engine, "first", clock=clock) == run_id
    snapshot = solve_queue.take_team_snapshot(ops_engine, run_id, "first")
    assert snapshot["format"] == "shell-instance/1" and row(ops_engine, run_id).input == snapshot
    assert solve_queue.take_team_snapshot(ops_engine, run_id, "someone else") is None  # not theirs to write

    # The first worker died after its snapshot; a professional registered since is not in the run taken over.
    with unit_of_work(ops_engine) as db:
        ulft = SimpleNamespace(place=place_named(db, "Ulft"))  # the part of a World that a profile reads
        newcomer = add_professional(db, ulft, 99, skills={"participatie": 3})
    clock.advance(seconds=10)
    assert solve_queue.reclaim_stale_runs(ops_engine, config, clock=clock) == [run_id]
    [outcome] = worker.run_queued_solves(ops_engine, config, clock=clock, worker_id="second")
    solved = row(ops_engine, run_id)
    assert outcome.status == SolveStatus.SUCCEEDED and solved.attempts == 1
    assert solved.input == snapshot  # the same instance on every attempt
    assert f"p-{newcomer.id}" not in {p["id"] for p in solved.input["professionals"]}


def test_a_team_proposal_whose_roles_were_removed_while_it_waited_fails_and_says_why(
    ops_engine, plannable, clock, config
):
    from swarm.persistence.models import ProjectRole

    project_id, coordinator = _team_project(ops_engine, clock)
    with unit_of_work(ops_engine) as db:
        run_id = solve_queue.enqueue_team_solve(db, [project_id], actor=coordinator, clock=clock).id
        for role in db.exec(select(ProjectRole).where(ProjectRole.project_id == project_id)):
            db.delete(role)
    [outcome] = worker.run_queued_solves(ops_engine, config, clock=clock)
    failed = row(ops_engine, run_id)
    assert outcome.status == SolveStatus.FAILED and failed.status == SolveStatus.FAILED
    assert failed.error == "roles: The projects have no roles to fill yet." and failed.input == {}


def test_a_project_without_roles_is_refused_when_queued(ops_engine, plannable, clock):
    project_id, coordinator = _team_project(ops_engine, clock, roles=())
    with unit_of_work(ops_engine) as db, pytest.raises(ValidationError) as refused:
        solve_queue.enqueue_team_solve(db, [project_id], actor=coordinator, clock=clock)
    assert refused.value.field == "roles"
