"""The solve worker's loop: claim a queued run, solve it with a watcher beside it, store what it found.

Used by ``swarm worker`` (PostgreSQL, any number of them), by the scheduler on SQLite, by the CLI and the tests.
The queue it claims from is :mod:`swarm.services.plan.queue`; storing a result is :mod:`swarm.services.plan.results`.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import TypeVar

import sqlalchemy as sa

from solver.control import Progress, SolveControl, SolveOptions
from swarm.config import Config
from swarm.domain.enums import SolveKind, SolveStatus
from swarm.domain.errors import NotFound, ValidationError
from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import SolveRun
from swarm.persistence.outage import Outage, connection_lost, retry_while_lost
from swarm.services.lookup import get
from swarm.services.plan.queue import claim_next_run, take_team_snapshot
from swarm.services.plan.results import RunOutcome, finish_failed, finish_succeeded, solve_document
from swarm.services.plan.watch import Watcher

log = logging.getLogger(__name__)

T = TypeVar("T")
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
    outage: Outage | None = None,
) -> RunOutcome:
    """Solve a run this worker claimed, reporting progress and honouring stop requests, then store the result.

    The solve itself holds no transaction: progress and heartbeats go in short ones from a watcher thread, and
    the result, the draft schedule, a repair's publication and the organizer's mail in one at the end.
    ``interrupt`` (a worker asked to shut down) stops the search early; the best schedule so far is stored.

    A lost database connection is waited out with backoff (``outage`` logs it once) at every step: reading the
    run, taking a team snapshot, the heartbeats, storing the result. The solve goes on meanwhile, and its result
    is stored once the database is back, if the run is still this worker's. A lost connection never fails the
    run; only ``interrupt`` ends the waiting, and then the run goes back to the queue once its heartbeat is stale.
    """
    outage = outage or Outage(log, f"solve run {run_id}")

    def patiently(step: Callable[[], T]) -> T:
        return retry_while_lost(step, outage, stop=interrupt)

    kind, document, parameters, seed = patiently(partial(_read_run, engine, run_id))
    options = SolveOptions(
        time_limit=float(parameters.get("time_limit") or config.solve_time_limit),
        workers=config.solve_workers,
        seed=seed,
    )
    watcher = Watcher(engine, run_id, worker_id, config, clock, interrupt, outage)
    watcher.start()  # heartbeats from here on: building a large team instance takes seconds
    try:
        if kind == SolveKind.SHELL and not document:
            watcher.progress(Progress(None, None, 0.0, SNAPSHOT_STAGE))
            document = patiently(partial(take_team_snapshot, engine, run_id, worker_id))
        if document is None:
            return RunOutcome(run_id, SolveStatus.RUNNING, "another worker owns this run now; nothing solved")
        control = SolveControl(on_progress=watcher.progress)
        watcher.control = control
        result = solve_document(kind, document, options, control)
    except (ValidationError, NotFound) as error:  # nothing left to solve, e.g. the roles were removed
        watcher.stop()
        return patiently(partial(finish_failed, engine, run_id, worker_id, _describe(error), config, clock))
    except Exception as error:
        if connection_lost(error):  # only when interrupted while waiting for the database: leave the run be
            raise
        log.exception("solve run %s failed", run_id)  # a bad snapshot or an engine bug: fail it, go on
        watcher.stop()
        return patiently(partial(finish_failed, engine, run_id, worker_id, _describe(error), config, clock))
    finally:
        watcher.stop()
    if watcher.lost:
        return RunOutcome(run_id, SolveStatus.RUNNING, "another worker owns this run now; result dropped")
    try:
        return patiently(
            partial(finish_succeeded, engine, run_id, worker_id, result, watcher.latest, config, clock)
        )
    except (ValidationError, NotFound) as error:  # the data changed under the snapshot: say so, keep nothing
        return patiently(partial(finish_failed, engine, run_id, worker_id, _describe(error), config, clock))


def _read_run(engine: sa.Engine, run_id: int) -> tuple[SolveKind, dict, dict, int]:
    with unit_of_work(engine) as session:
        run = get(session, SolveRun, run_id)
        return SolveKind(run.kind), run.input, dict(run.parameters), run.seed


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
        run_id = claim_next_run(
            engine, worker_id, clock=clock, repair_quiet=timedelta(seconds=config.repair_quiet_seconds)
        )
        if run_id is None:
            break
        outcomes.append(run_claimed(engine, run_id, worker_id, config, clock=clock))
    return outcomes
