"""The solve worker's loop: claim a queued run, solve it with a watcher beside it, store what it found.

Used by ``swarm worker`` (PostgreSQL, any number of them), by the scheduler on SQLite, by the CLI and the tests.
The queue it claims from is :mod:`swarm.services.plan.queue`; storing a result is :mod:`swarm.services.plan.results`.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

import sqlalchemy as sa

from solver.control import Progress, SolveControl, SolveOptions
from swarm.config import Config
from swarm.domain.enums import SolveKind, SolveStatus
from swarm.domain.errors import NotFound, ValidationError
from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import SolveRun
from swarm.services.lookup import get
from swarm.services.plan.queue import claim_next_run, take_team_snapshot
from swarm.services.plan.results import RunOutcome, finish_failed, finish_succeeded, solve_document
from swarm.services.plan.watch import Watcher

log = logging.getLogger(__name__)

SNAPSHOT_STAGE = "snapshot"  # the stage shown while the worker builds a team proposal's instance


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def run_claimed(
    engine: sa.Engine,
    run_id: int,
    worker_id: str,
    config: Config,
    *,
    clock: Clock = system_clock,
    interrupt: threading.Event | None = None,
) -> RunOutcome:
    """Solve a run this worker claimed, reporting progress and honouring stop requests, then store the result.

    The solve itself holds no transaction: progress and heartbeats go in short ones from a watcher thread, and
    the result, the draft schedule, a repair's publication and the organizer's mail in one at the end.
    ``interrupt`` (a worker asked to shut down) stops the search early; the best schedule so far is stored.
    """
    with unit_of_work(engine, immediate=True) as session:
        run = get(session, SolveRun, run_id)
        kind, document, parameters, seed = SolveKind(run.kind), run.input, dict(run.parameters), run.seed
    options = SolveOptions(
        time_limit=float(parameters.get("time_limit") or config.solve_time_limit),
        workers=config.solve_workers,
        seed=seed,
    )
    watcher = Watcher(engine, run_id, worker_id, config, clock, interrupt)
    watcher.start()  # heartbeats from here on: building a large team instance takes seconds
    try:
        if kind == SolveKind.SHELL and not document:
            watcher.progress(Progress(None, None, 0.0, SNAPSHOT_STAGE))
            document = take_team_snapshot(engine, run_id, worker_id)
        if document is None:
            return RunOutcome(run_id, SolveStatus.RUNNING, "another worker owns this run now; nothing solved")
        control = SolveControl(on_progress=watcher.progress)
        watcher.control = control
        result = solve_document(kind, document, options, control)
    except (ValidationError, NotFound) as error:  # nothing left to solve, e.g. the roles were removed
        watcher.stop()
        return finish_failed(engine, run_id, worker_id, _describe(error), config, clock)
    except Exception as error:  # a bad snapshot or an engine bug: the run fails visibly, the worker goes on
        log.exception("solve run %s failed", run_id)
        watcher.stop()
        return finish_failed(engine, run_id, worker_id, _describe(error), config, clock)
    finally:
        watcher.stop()
    if watcher.lost:
        return RunOutcome(run_id, SolveStatus.RUNNING, "another worker owns this run now; result dropped")
    try:
        return finish_succeeded(engine, run_id, worker_id, result, watcher.latest, config, clock)
    except (ValidationError, NotFound) as error:  # the data changed under the snapshot: say so, keep nothing
        return finish_failed(engine, run_id, worker_id, _describe(error), config, clock)


def _describe(error: Exception) -> str:
    return str(error) if isinstance(error, ValidationError | NotFound) else f"{type(error).__name__}: {error}"


def run_queued_solves(
    engine: sa.Engine,
    config: Config,
    *,
    clock: Clock = system_clock,
    worker_id: str | None = None,
    limit: int | None = None,
) -> list[RunOutcome]:
    """Claim and solve queued runs one after the other until none is left (the SQLite scheduler, tests, CLI)."""
    worker_id = worker_id or default_worker_id()
    outcomes: list[RunOutcome] = []
    while limit is None or len(outcomes) < limit:
        run_id = claim_next_run(engine, worker_id, clock=clock)
        if run_id is None:
            break
        outcomes.append(run_claimed(engine, run_id, worker_id, config, clock=clock))
    return outcomes
