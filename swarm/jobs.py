"""The scheduler process (``swarm scheduler``) and the solve workers (``swarm worker``).

Every job is a plain function ``job(engine, config, clock)`` that tests call directly with a clock they move;
APScheduler only decides when. Jobs have stable ids, coalesce missed runs into one and have a misfire grace time;
each is idempotent through row state and outbox keys, so running one twice does no harm.

Exactly one scheduler per database: on PostgreSQL it holds ``pg_try_advisory_lock`` on a connection kept open for
its lifetime (the lock goes with the process, also when it is killed); on SQLite a file lock next to the database
file. A second scheduler refuses with :class:`SchedulerAlreadyRunning`. Web workers never run jobs.
"""

from __future__ import annotations

import logging
import signal
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from apscheduler.schedulers.blocking import BlockingScheduler
from filelock import FileLock, Timeout
from sqlalchemy.engine import make_url

from swarm.config import Config
from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.db import create_engine, is_sqlite
from swarm.services.ops import housekeeping, outbox, webhooks
from swarm.services.people import retention
from swarm.services.plan import polls, queue, worker
from swarm.services.plan.results import RunOutcome

log = logging.getLogger(__name__)

JobFunction = Callable[[sa.Engine, Config, Clock], object]
ADVISORY_LOCK_KEY = zlib.crc32(b"swarm-scheduler")  # one number per application; the lock is per database


def run_solves(engine: sa.Engine, config: Config, clock: Clock) -> list:
    """SQLite: the scheduler solves queued runs itself (one at a time; the solver uses SWARM_SOLVE_WORKERS)."""
    queue.reclaim_stale_runs(engine, config, clock=clock)
    return worker.run_queued_solves(engine, config, clock=clock)


def reclaim_solves(engine: sa.Engine, config: Config, clock: Clock) -> list[int]:
    """PostgreSQL: workers solve; the scheduler only puts runs of crashed workers back in the queue."""
    return queue.reclaim_stale_runs(engine, config, clock=clock)


@dataclass(frozen=True)
class OutboxReport:
    mail: outbox.SendReport
    webhooks: webhooks.DeliveryReport

    def __bool__(self) -> bool:
        return bool(self.mail.sent or self.mail.retried or self.mail.failed or self.webhooks)


def send_outbox(engine: sa.Engine, config: Config, clock: Clock) -> OutboxReport:
    """The outbox: mail, then webhook deliveries (each kind with its own backoff; neither waits on the other)."""
    return OutboxReport(outbox.send_due(engine, config, clock), webhooks.deliver_due(engine, config, clock))


@dataclass(frozen=True)
class Job:
    id: str
    function: JobFunction
    every_seconds: float


@dataclass(frozen=True)
class Intervals:
    """How often each job runs, in seconds (tests and demos shorten them)."""

    polls: float = 60
    solves: float = 10
    outbox: float = 30
    reminders: float = 3600
    documents: float = 6 * 3600
    retention: float = 24 * 3600


def jobs_for(engine: sa.Engine, intervals: Intervals = Intervals()) -> list[Job]:
    solve_job = Job("run-solves", run_solves, intervals.solves) if is_sqlite(engine) else None
    return [
        Job("close-polls", polls.close_due_polls, intervals.polls),
        solve_job or Job("reclaim-solves", reclaim_solves, intervals.solves),
        Job("send-outbox", send_outbox, intervals.outbox),
        Job("reminders", housekeeping.send_reminders, intervals.reminders),
        Job("document-expiry", housekeeping.warn_expiring_documents, intervals.documents),
        Job("retention", retention.run_retention, intervals.retention),
    ]


def run_job(job: Job, engine: sa.Engine, config: Config, clock: Clock) -> object:
    """Run one job; a failure is logged and the next due time tries again."""
    try:
        result = job.function(engine, config, clock)
    except Exception:
        log.exception("job %s failed", job.id)
        return None
    # A job that found nothing to do stays out of the log; the scheduler runs some every few seconds.
    log.log(logging.INFO if result else logging.DEBUG, "job %s: %s", job.id, result)
    return result


# -- exactly one scheduler ----------------------------------------------------------------------------------------


class SchedulerAlreadyRunning(RuntimeError):
    """Another scheduler holds the lock of this database."""


class SchedulerLock:
    """The one-scheduler lock: a PostgreSQL advisory lock or a file lock beside the SQLite database."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self._connection: sa.Connection | None = None
        self._file_lock: FileLock | None = None

    def where(self) -> str:
        if is_sqlite(self.engine):
            path = self._lock_path()
            return f"the lock file {path}" if path else "this process (in-memory database)"
        return f"PostgreSQL advisory lock {ADVISORY_LOCK_KEY} of database {self.engine.url.database!r}"

    def _lock_path(self) -> Path | None:
        database = make_url(str(self.engine.url)).database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return Path(database).with_name(Path(database).name + ".scheduler.lock")

    def acquire(self) -> None:
        if is_sqlite(self.engine):
            path = self._lock_path()
            if path is None:
                return
            self._file_lock = FileLock(str(path))
            try:
                self._file_lock.acquire(timeout=0)
            except Timeout:
                self._file_lock = None
                raise SchedulerAlreadyRunning(self._refusal()) from None
            return
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        got = connection.execute(
            sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
        ).scalar()
        if not got:
            connection.close()
            raise SchedulerAlreadyRunning(self._refusal())
        self._connection = connection  # held open: the lock lives as long as this connection

    def _refusal(self) -> str:
        return (
            f"Another swarm scheduler is already running for this database ({self.where()} is held). "
            "Run exactly one scheduler; stop the other one first."
        )

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(
                    sa.text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )
            finally:
                self._connection.close()
                self._connection = None
        if self._file_lock is not None:
            self._file_lock.release()
            self._file_lock = None


def build_scheduler(
    engine: sa.Engine, config: Config, clock: Clock = system_clock, intervals: Intervals = Intervals()
) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        executors={"default": {"type": "threadpool", "max_workers": 4}},
    )
    for job in jobs_for(engine, intervals):
        scheduler.add_job(
            run_job,
            "interval",
            seconds=job.every_seconds,
            id=job.id,
            name=job.id,
            args=[job, engine, config, clock],
            replace_existing=True,
            next_run_time=clock(),  # run once at start-up: whatever fell due while no scheduler ran
        )
    return scheduler


def run_scheduler(config: Config, *, intervals: Intervals = Intervals(), clock: Clock = system_clock) -> None:
    """Take the lock, then run the jobs until SIGTERM/SIGINT. Raises SchedulerAlreadyRunning."""
    engine = create_engine(config.resolved_database_url)
    lock = SchedulerLock(engine)
    lock.acquire()
    scheduler = build_scheduler(engine, config, clock, intervals)

    def stop(signum, _frame) -> None:
        log.info("scheduler: signal %s, stopping", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    log.info("scheduler running (%s)", lock.where())
    try:
        scheduler.start()
    except KeyboardInterrupt:
        pass
    finally:
        lock.release()
        engine.dispose()


# -- workers --------------------------------------------------------------------------------------------------


def run_worker(
    config: Config,
    *,
    worker_id: str | None = None,
    poll_seconds: float = 2.0,
    exit_when_idle: bool = False,
    stop: threading.Event | None = None,
    clock: Clock = system_clock,
    report: Callable[[RunOutcome], None] | None = None,
) -> int:
    """Claim and solve queued runs until stopped; runs done. SIGTERM cuts the current solve short and stores its
    best schedule so far, then the worker exits."""
    engine = create_engine(config.resolved_database_url)
    worker_id = worker_id or worker.default_worker_id()
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    done = 0
    try:
        while not stop.is_set():
            queue.reclaim_stale_runs(engine, config, clock=clock)
            run_id = queue.claim_next_run(engine, worker_id, clock=clock)
            if run_id is None:
                if exit_when_idle:
                    break
                stop.wait(poll_seconds)
                continue
            outcome = worker.run_claimed(engine, run_id, worker_id, config, clock=clock, interrupt=stop)
            done += 1
            if report is not None:
                report(outcome)
    finally:
        engine.dispose()
    return done
