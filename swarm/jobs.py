"""The scheduler process (``swarm scheduler``) and the solve workers (``swarm worker``).

Every job is a plain function ``job(engine, config, clock)`` that tests call directly with a clock they move;
APScheduler only decides when. Jobs have stable ids, coalesce missed runs into one and have a misfire grace time;
each is idempotent through row state and outbox keys, so running one twice does no harm.

Exactly one scheduler per database: on PostgreSQL it holds ``pg_try_advisory_lock`` on a connection kept open for
its lifetime (the lock goes with the process, also when it is killed); on SQLite a file lock next to the database
file. A second scheduler refuses to start with :class:`SchedulerAlreadyRunning`. Web workers never run jobs.

The lock is checked every second and before every job (and every message of the outbox). A scheduler that lost it
(its connection was ended, the database went away) stops running jobs at once and stands by: it tries to take the
lock again, with backoff while the database is unreachable, and carries on when it holds it. One that takes the
lock waits a few checks before its first job, so a scheduler that lost it has noticed and stopped by then.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from filelock import FileLock, Timeout
from sqlalchemy.engine import make_url

from swarm.config import Config
from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.db import create_engine, is_sqlite, process_name
from swarm.persistence.outage import Outage, connection_lost
from swarm.services.ops import audit, housekeeping, outbox, webhooks
from swarm.services.people import retention
from swarm.services.plan import cadence, polls, queue, replies, worker
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


def send_outbox(
    engine: sa.Engine, config: Config, clock: Clock, keep_going: Callable[[], bool] = lambda: True
) -> OutboxReport:
    """The outbox: mail, then webhook deliveries (each kind with its own backoff; neither waits on the other)."""
    return OutboxReport(
        outbox.send_due(engine, config, clock, keep_going=keep_going),
        webhooks.deliver_due(engine, config, clock, keep_going=keep_going),
    )


@dataclass(frozen=True)
class Job:
    id: str
    function: JobFunction
    every_seconds: float
    # Works through a batch and takes ``keep_going``: the scheduler stops it between two items once it lost its lock.
    batched: bool = False


@dataclass(frozen=True)
class Intervals:
    """How often each job runs, in seconds (tests and demos shorten them)."""

    polls: float = 60
    rounds: float = 300  # a cadence's round opens within five minutes of its day starting
    solves: float = 10
    outbox: float = 30
    reminders: float = 3600
    poll_mails: float = 600  # asking for availability and reminding before the deadline
    replies: float = 120  # calendar answers in the reply mailbox (only with SWARM_IMAP_HOST)
    documents: float = 6 * 3600
    retention: float = 24 * 3600
    lock_check: float = 1.0  # how often the scheduler checks that it still holds its lock


def jobs_for(engine: sa.Engine, intervals: Intervals = Intervals()) -> list[Job]:
    solve_job = Job("run-solves", run_solves, intervals.solves) if is_sqlite(engine) else None
    return [
        Job("open-rounds", cadence.open_due_rounds, intervals.rounds),
        Job("close-polls", polls.close_due_polls, intervals.polls),
        Job("poll-mails", polls.send_poll_mails, intervals.poll_mails),
        Job("read-replies", replies.read_replies, intervals.replies),
        solve_job or Job("reclaim-solves", reclaim_solves, intervals.solves),
        Job("send-outbox", send_outbox, intervals.outbox, batched=True),
        Job("reminders", housekeeping.send_reminders, intervals.reminders),
        Job("document-expiry", housekeeping.warn_expiring_documents, intervals.documents),
        Job("retention", retention.run_retention, intervals.retention),
        Job("audit-retention", audit.purge_expired, intervals.retention),
    ]


def run_job(
    job: Job,
    engine: sa.Engine,
    config: Config,
    clock: Clock,
    lock: SchedulerLock | None = None,
    outage: Outage | None = None,
) -> object:
    """Run one job, only while ``lock`` is held; a failure is logged and the next due time tries again. A lost
    database connection is logged once per outage (``outage``), not as a traceback per job."""
    if lock is not None and not lock.may_run():
        log.debug("job %s: not run, the scheduler lock is not held", job.id)
        return None
    try:
        if job.batched and lock is not None:
            result = job.function(engine, config, clock, keep_going=lock.may_run)
        else:
            result = job.function(engine, config, clock)
    except Exception as error:
        if outage is not None and connection_lost(error):
            outage.failed(error)
        else:
            log.exception("job %s failed", job.id)
        return None
    if outage is not None:
        outage.recovered()
    # A job that found nothing to do stays out of the log; the scheduler runs some every few seconds.
    log.log(logging.INFO if result else logging.DEBUG, "job %s: %s", job.id, result)
    return result


# -- exactly one scheduler ----------------------------------------------------------------------------------------


class SchedulerAlreadyRunning(RuntimeError):
    """Another scheduler holds the lock of this database."""


_HOLDS_LOCK = sa.text(
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = pg_backend_pid() AND classid = 0 AND objid::bigint = :key AND objsubid = 1)"
)


class SchedulerLock:
    """The one-scheduler lock: a PostgreSQL advisory lock or a file lock beside the SQLite database.

    On PostgreSQL the lock lives on a connection of its own (``application_name`` ``swarm-scheduler-lock:<pid>``)
    and ends with it: when that connection is ended (``pg_terminate_backend``, a restart or failover of the
    server, a network cut) the lock is free for another scheduler. :meth:`holds` asks the server, on that same
    connection, whether this session still holds it (``pg_locks``); any error counts as no.
    """

    def __init__(self, url: str):
        self.url = url
        self._sqlite = make_url(url).get_backend_name() == "sqlite"
        self._engine = (
            None
            if self._sqlite
            else create_engine(
                url, poolclass=sa.pool.NullPool, application_name=process_name("scheduler-lock")
            )
        )
        self._connection: sa.Connection | None = None
        self._file_lock: FileLock | None = None
        self._mutex = threading.Lock()  # jobs ask from their threads, the scheduler's loop from its own
        # Set by the scheduler's loop while its jobs may run: held, and settled after taking it.
        self.in_charge = threading.Event()

    @property
    def on_sqlite(self) -> bool:
        return self._sqlite

    def where(self) -> str:
        if self._sqlite:
            path = self._lock_path()
            return f"the lock file {path}" if path else "this process (in-memory database)"
        return f"PostgreSQL advisory lock {ADVISORY_LOCK_KEY} of database {make_url(self.url).database!r}"

    def _lock_path(self) -> Path | None:
        database = make_url(self.url).database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return Path(database).with_name(Path(database).name + ".scheduler.lock")

    def acquire(self) -> None:
        """Take the lock; SchedulerAlreadyRunning when another scheduler holds it. A database that cannot be
        reached raises its OperationalError."""
        if self._sqlite:
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
        assert self._engine is not None
        with self._mutex:
            self._close()
            connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            try:
                got = connection.execute(
                    sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
                ).scalar()
            except BaseException:
                connection.close()
                raise
            if not got:
                connection.close()
                raise SchedulerAlreadyRunning(self._refusal())
            self._connection = connection  # held open: the lock lives as long as this connection

    def may_run(self) -> bool:
        """Whether a job may run now: the scheduler is in charge and the database says the lock is still held."""
        return self.in_charge.is_set() and self.holds()

    def holds(self) -> bool:
        """Whether this process still holds the lock, asked of the database on the lock's own connection."""
        if self._sqlite:
            # Held from acquire to release: the operating system keeps a file lock as long as its process lives.
            return self._lock_path() is None or self._file_lock is not None
        with self._mutex:
            if self._connection is None:
                return False
            try:
                return bool(self._connection.execute(_HOLDS_LOCK, {"key": ADVISORY_LOCK_KEY}).scalar())
            except sa.exc.SQLAlchemyError:
                self._close()  # the connection is gone, and the lock with it
                return False

    def _refusal(self) -> str:
        return (
            f"Another swarm scheduler is already running for this database ({self.where()} is held). "
            "Run exactly one scheduler; stop the other one first."
        )

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(sa.exc.SQLAlchemyError):  # already dead
                connection.close()

    def release(self) -> None:
        with self._mutex:
            if self._connection is not None:
                with contextlib.suppress(sa.exc.SQLAlchemyError):  # a dead connection took the lock with it
                    self._connection.execute(
                        sa.text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
                    )
                self._close()
        if self._file_lock is not None:
            self._file_lock.release()
            self._file_lock = None

    def dispose(self) -> None:
        self.release()
        if self._engine is not None:
            self._engine.dispose()


def build_scheduler(
    engine: sa.Engine,
    config: Config,
    clock: Clock = system_clock,
    intervals: Intervals = Intervals(),
    lock: SchedulerLock | None = None,
    outage: Outage | None = None,
) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
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
            args=[job, engine, config, clock, lock, outage],
            replace_existing=True,
            next_run_time=clock(),  # run once at start-up: whatever fell due while no scheduler ran
        )
    return scheduler


TAKEOVER_CHECKS = 3  # lock checks a scheduler waits after taking the lock (PostgreSQL) before its first job
STANDBY_SECONDS = 5.0  # how often a standby scheduler tries the lock that another scheduler holds


def run_scheduler(
    config: Config,
    *,
    intervals: Intervals = Intervals(),
    clock: Clock = system_clock,
    standby: bool = False,
) -> None:
    """Take the lock, then run the jobs until SIGTERM/SIGINT. Raises SchedulerAlreadyRunning when another
    scheduler holds the lock at start-up, unless ``standby``: then it waits until it can take the lock (a hot
    standby). Losing the lock later stops the jobs at once; the process then stands by until it holds the lock
    again (see the module's docstring)."""
    url = config.resolved_database_url
    engine = create_engine(url, application_name=process_name("scheduler"))
    lock = SchedulerLock(url)
    outage = Outage(log, "scheduler")
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, _frame: _stop(stopping, number))
    try:
        try:
            _acquire_at_start(lock, outage, stopping)
        except SchedulerAlreadyRunning:
            if not standby:
                raise
            if not _stand_by(lock, outage, stopping, intervals, settle=False):
                return
        if stopping.is_set():
            return
        scheduler = build_scheduler(engine, config, clock, intervals, lock, outage)
        scheduler.start(paused=True)
        try:
            if _settled(lock, stopping, intervals):
                lock.in_charge.set()
                scheduler.resume()
                log.info("scheduler running (%s)", lock.where())
            _watch_lock(scheduler, lock, outage, stopping, intervals)
        finally:
            scheduler.shutdown(wait=True)  # running jobs end before the lock is given up
    finally:
        lock.dispose()
        engine.dispose()


def _stop(stopping: threading.Event, signum: int) -> None:
    log.info("scheduler: signal %s, stopping", signum)
    stopping.set()


def _acquire_at_start(lock: SchedulerLock, outage: Outage, stopping: threading.Event) -> None:
    """The lock at start-up: another scheduler holding it is refused at once; a database that is not up yet
    is waited for (with backoff, logged once)."""
    while not stopping.is_set():
        try:
            lock.acquire()
        except Exception as error:
            if not connection_lost(error):
                raise
            stopping.wait(outage.failed(error))
            continue
        outage.recovered()
        return


def _settled(lock: SchedulerLock, stopping: threading.Event, intervals: Intervals) -> bool:
    """After taking the lock on PostgreSQL: wait a few lock checks before the first job, still holding it. A
    scheduler that just lost this lock checks it as often, so it has stopped its jobs by then. (A file lock
    cannot be lost while its process lives, and a dead process runs nothing.)"""
    if lock.on_sqlite:
        return True
    for _check in range(TAKEOVER_CHECKS):
        if stopping.wait(intervals.lock_check) or not lock.holds():
            return False
    return True


def _watch_lock(
    scheduler: BackgroundScheduler,
    lock: SchedulerLock,
    outage: Outage,
    stopping: threading.Event,
    intervals: Intervals,
) -> None:
    """Check the lock every ``intervals.lock_check`` seconds until stopped; when it is lost, pause the jobs and
    stand by until it is held again."""
    while not stopping.wait(intervals.lock_check):
        if scheduler.state == STATE_RUNNING and lock.holds():
            continue
        if scheduler.state == STATE_RUNNING:
            lock.in_charge.clear()
            scheduler.pause()  # no job starts from now on; one running stops at its next check of the lock
            log.error(
                "scheduler: lost %s (its database connection ended); no job runs until it holds the lock again",
                lock.where(),
            )
        if _stand_by(lock, outage, stopping, intervals):
            lock.in_charge.set()
            scheduler.resume()
            log.warning("scheduler: holds %s again; the jobs run again", lock.where())


def _stand_by(
    lock: SchedulerLock,
    outage: Outage,
    stopping: threading.Event,
    intervals: Intervals,
    *,
    settle: bool = True,
) -> bool:
    """Try to take the lock again until it is held (True) or the scheduler is stopped (False): with backoff
    while the database is unreachable, every STANDBY_SECONDS while another scheduler holds it. ``settle``: wait
    the take-over checks here (the caller does it otherwise)."""
    told = False
    while not stopping.is_set():
        try:
            lock.acquire()
        except SchedulerAlreadyRunning:
            outage.recovered()
            if not told:
                log.warning(
                    "scheduler: another scheduler holds %s now; this one stands by and takes over if it stops",
                    lock.where(),
                )
                told = True
            stopping.wait(STANDBY_SECONDS)
            continue
        except Exception as error:
            if not connection_lost(error):
                raise
            stopping.wait(outage.failed(error))
            continue
        outage.recovered()
        if not settle or _settled(lock, stopping, intervals):
            return True
    return False


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
    best schedule so far, then the worker exits.

    A lost database connection does not end the worker: it waits with backoff (0.5 s doubling to 30 s), logs
    the outage once when it starts and once when it ends, and carries on where it was (see
    :func:`swarm.services.plan.worker.run_claimed` for a run in progress)."""
    engine = create_engine(config.resolved_database_url, application_name=process_name("worker"))
    worker_id = worker_id or worker.default_worker_id()
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    outage = Outage(log, f"worker {worker_id}")
    done = 0
    try:
        while not stop.is_set():
            try:
                queue.reclaim_stale_runs(engine, config, clock=clock)
                run_id = queue.claim_next_run(
                    engine,
                    worker_id,
                    clock=clock,
                    repair_quiet=timedelta(seconds=config.repair_quiet_seconds),
                )
            except Exception as error:
                if not connection_lost(error):
                    raise
                stop.wait(outage.failed(error))
                continue
            outage.recovered()
            if run_id is None:
                if exit_when_idle:
                    break
                stop.wait(poll_seconds)
                continue
            try:
                outcome = worker.run_claimed(
                    engine, run_id, worker_id, config, clock=clock, interrupt=stop, outage=outage
                )
            except Exception as error:  # stopped while the database was away: the run is queued again later
                if not connection_lost(error):
                    raise
                log.warning("worker %s: stopped before solve run %s could be stored", worker_id, run_id)
                continue
            done += 1
            if report is not None:
                report(outcome)
    finally:
        engine.dispose()
    return done
