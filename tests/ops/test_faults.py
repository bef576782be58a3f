"""Faults against the real PostgreSQL: the processes' connections are ended mid-run (``pg_terminate_backend``,
found in ``pg_stat_activity`` by the ``application_name`` each swarm process sets), and the database is kept away
for a while (``ALTER DATABASE ... ALLOW_CONNECTIONS false``). Nothing may be lost or done twice: the worker waits
and stores its solve once, the outbox sends every message once (at most the one in flight twice), and a scheduler
that lost its lock runs no job while another one does.

Processes write their logs to files, which the tests read while they run; every wait has a deadline.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import select

from swarm.domain.enums import OutboxStatus, SolveStatus, UserRole
from swarm.domain.timeutil import fixed_clock
from swarm.jobs import ADVISORY_LOCK_KEY
from swarm.mail import Mail
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import OutboxMessage, Session, User
from swarm.services.ops import outbox
from tests.conftest import postgres_server_url
from tests.ops.test_processes import BOUND, LONG_AGO, ROOT, queue_copies, runs, wait_until
from tests.swarm.test_mail_support import Inbox, smtp_server

pytestmark = pytest.mark.postgres
OUTAGE = (
    3  # seconds the database stays away once a process noticed: longer than a solve here, several retries
)


def ours(message) -> bool:
    """A message this test wrote (the world's open round also has the scheduler ask for availability)."""
    return message["Message-ID"].startswith("<fault-test.")


@pytest.fixture(autouse=True)
def postgres_only(ops_engine):
    if ops_engine.dialect.name != "postgresql":
        pytest.skip("ending connections and taking the database away is a PostgreSQL test")


@dataclass
class Process:
    popen: subprocess.Popen
    out: Path
    err: Path

    def log(self) -> str:
        return self.err.read_text(errors="replace")

    def output(self) -> str:
        return self.out.read_text(errors="replace")

    def stop(self) -> int:
        self.popen.send_signal(signal.SIGTERM)
        return self.popen.wait(timeout=BOUND)


@contextmanager
def started(config, folder: Path, *commands: list[str], **settings: str) -> Iterator[list[Process]]:
    """``python -m swarm.cli_ops COMMAND`` processes against the test's database, each logging to files."""
    environment = {
        **os.environ,
        "SWARM_DATABASE_URL": config.database_url,
        "SWARM_BASE_URL": config.base_url,
        "SWARM_SOLVE_TIME_LIMIT": "2",
        "SWARM_SOLVE_WORKERS": "1",
        "SWARM_WORKER_HEARTBEAT_SECONDS": "1",
        "SWARM_SMTP_HOST": "127.0.0.1",
        "SWARM_SMTP_PORT": str(config.smtp_port),
        "SWARM_SMTP_FROM": config.smtp_from,
        "SWARM_OUTBOX_MAX_ATTEMPTS": str(config.outbox_max_attempts),
        **settings,
    }
    processes = []
    for command in commands:
        n = len(list(folder.glob("*.err")))  # a test may start several batches into one folder
        out, err = folder / f"{command[0]}-{n}.out", folder / f"{command[0]}-{n}.err"
        with out.open("w") as stdout, err.open("w") as stderr:
            popen = subprocess.Popen(
                [sys.executable, "-m", "swarm.cli_ops", *command],
                cwd=ROOT,
                env=environment,
                stdout=stdout,
                stderr=stderr,
            )
        processes.append(Process(popen, out, err))
    try:
        yield processes
    finally:
        for process in processes:
            if process.popen.poll() is None:
                process.popen.kill()
            process.popen.wait(timeout=BOUND)


@pytest.fixture
def admin() -> Iterator[sa.Engine]:
    """A connection to the server outside the test's database, which stays usable while that one is away."""
    engine = sa.create_engine(postgres_server_url(), isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def end_connections(admin: sa.Engine, database: str, application: str) -> int:
    """``pg_terminate_backend`` for every connection to ``database`` whose application_name starts so."""
    with admin.connect() as connection:
        return connection.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = :database AND application_name LIKE :pattern"
            ),
            {"database": database, "pattern": f"{application}%"},
        ).scalar_one()


@contextmanager
def database_away(admin: sa.Engine, database: str) -> Iterator[int]:
    """The database refuses new connections and every swarm process's connection is ended; back afterwards.
    Yields how many connections were ended."""
    with admin.connect() as connection:
        connection.exec_driver_sql(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS false')
    try:
        yield end_connections(admin, database, "swarm-")
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS true')


def database_of(config) -> str:
    return make_url(config.database_url).database


@dataclass
class TimedInbox(Inbox):
    """Takes a while to accept each message (so that something is always in flight) and notes when each came."""

    arrived: list[float] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.2)
        self.arrived.append(time.monotonic())
        return await super().handle_DATA(server, session, envelope)


def write_mail(engine, count: int, *, poisoned: bool = False) -> list[str]:
    """``count`` messages due long ago (the processes run on the real clock), and one with a line break in the
    name if ``poisoned``; the keys of the good ones."""
    keys = [f"fault-test:{n}" for n in range(count)]
    with unit_of_work(engine) as db:
        for n, key in enumerate(keys):
            mail = Mail("reminder", key, f"p{n}@example.nl", f"P {n}", f"Bericht {n}", "Tekst\n")
            outbox.enqueue_mail(db, mail, clock=fixed_clock(LONG_AGO))
        if poisoned:
            bad = Mail(
                "reminder", "fault-test:poisoned", "jan@example.nl", "Jan\r\nBcc: x@example.nl", "X", "."
            )
            outbox.enqueue_mail(db, bad, clock=fixed_clock(LONG_AGO))
    return keys


def outbox_rows(engine) -> dict[str, OutboxMessage]:
    with unit_of_work(engine) as db:
        return {row.idempotency_key: row for row in db.exec(select(OutboxMessage))}


def test_a_worker_waits_out_a_lost_database_and_stores_its_solve_exactly_once(
    ops_engine, plannable, clock, config, admin, tmp_path
):
    [run_id] = queue_copies(ops_engine, plannable, clock, 1)
    with started(config, tmp_path, ["worker", "--poll", "0.05"]) as (worker,):

        def claimed():
            [run] = runs(ops_engine)
            return run.status == SolveStatus.RUNNING and f":{worker.popen.pid}:" in run.worker_id

        wait_until(claimed, "the worker to claim the solve", every=0.01)
        worker.popen.send_signal(signal.SIGSTOP)  # held mid-run while its database goes away
        with database_away(admin, database_of(config)) as ended:
            assert ended >= 1, "the worker had no connection to end"
            worker.popen.send_signal(signal.SIGCONT)
            wait_until(lambda: "lost the database" in worker.log(), "the worker to notice")
            time.sleep(OUTAGE)  # the fault itself: the solve ends while its database is away
        wait_until(lambda: runs(ops_engine)[0].status == SolveStatus.SUCCEEDED, "the solve to be stored")
        assert worker.popen.poll() is None, "the worker exited instead of waiting for the database"

        # It carries on: a run queued after the outage is solved as well.
        second_id = queue_copies(ops_engine, plannable, clock, 1)[-1]
        wait_until(
            lambda: {r.status for r in runs(ops_engine)} == {SolveStatus.SUCCEEDED}, "the second solve"
        )
        assert worker.stop() == 0
    done = runs(ops_engine)
    assert [r.attempts for r in done] == [0, 0]  # never handed to another attempt, never solved twice
    lines = [line for line in worker.output().splitlines() if line.startswith("run ")]
    assert lines == [f"run {run_id} succeeded", f"run {second_id} succeeded"]
    with unit_of_work(ops_engine) as db:
        stored = set(db.exec(select(Session.solve_run_id)))
        told = db.exec(
            select(OutboxMessage.idempotency_key).where(OutboxMessage.kind == "solve_succeeded")
        ).all()
    assert stored == {second_id}  # the draft is the later run's, whole: never a mix of the two
    assert sorted(told) == sorted(
        f"solve-succeeded:{r}:{u}" for r in (run_id, second_id) for u in _organizers(ops_engine)
    )
    log = worker.log()
    assert log.count("lost the database") == 1 and log.count("the database is back") == 1
    assert "Traceback" not in log


def _organizers(engine) -> list[int]:
    with unit_of_work(engine) as db:
        return list(db.exec(select(User.id).where(User.role == UserRole.ORGANIZER)))


SCHEDULER = ["scheduler", "--outbox-every", "0.2", "--polls-every", "3600", "--solves-every", "3600"]


def all_sent(engine) -> bool:
    return all(row.status == OutboxStatus.SENT for row in outbox_rows(engine).values())


@contextmanager
def lock_taken_from(admin: sa.Engine, engine: sa.Engine, database: str) -> Iterator[None]:
    """End the running scheduler's lock connection and hold its advisory lock here, as a scheduler quicker than
    any other would: while this holds it, no scheduler may run a job. Given up again afterwards."""
    with engine.connect() as connection:
        for _attempt in range(20):  # the one that lost it may take it back in the moment between: again
            end_connections(admin, database, "swarm-scheduler-lock:")
            taken = connection.execute(
                sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
            ).scalar()
            connection.commit()
            if taken:
                break
        else:
            pytest.fail("could not take the scheduler lock from the running scheduler")
        try:
            yield
        finally:
            connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
            connection.commit()


def senders(*inboxes: tuple[str, TimedInbox]) -> list[str]:
    """Who sent, in the order the mail arrived, each turn once: ``["first", "second", "first"]``."""
    arrivals = sorted((moment, name) for name, inbox in inboxes for moment in inbox.arrived)
    turns: list[str] = []
    for _moment, name in arrivals:
        if not turns or turns[-1] != name:
            turns.append(name)
    return turns


def test_a_scheduler_that_lost_its_lock_runs_no_job_until_it_holds_it_again(
    ops_engine, config, admin, tmp_path
):
    keys = write_mail(ops_engine, 30)
    database = database_of(config)
    first_inbox, second_inbox = TimedInbox(), TimedInbox()
    with (
        smtp_server(first_inbox) as first_smtp,
        smtp_server(second_inbox) as second_smtp,
        started(config, tmp_path, SCHEDULER, SWARM_SMTP_PORT=str(first_smtp.port)) as (first,),
        # The second starts once the first holds the lock: on a loaded machine it could otherwise win the race.
        holding_the_lock(first),
        started(config, tmp_path, [*SCHEDULER, "--standby"], SWARM_SMTP_PORT=str(second_smtp.port)) as (
            second,
        ),
    ):
        wait_until(lambda: "stands by" in second.log(), "the second scheduler to stand by")
        wait_until(lambda: len(first_inbox.envelopes) >= 2, "the first scheduler to send some mail")
        # Only the lock's own connection ends: the jobs' connections still work, so nothing but the check of the
        # lock stops the first scheduler from sending on.
        with lock_taken_from(admin, ops_engine, database):
            lost_at = time.monotonic()
            wait_until(lambda: "stands by" in first.log(), "the first scheduler to stand by")
            assert not second_inbox.arrived  # the standby ran nothing either
        released_at = time.monotonic()
        # While neither held the lock, neither sent: the first at most finished the message it had in flight.
        assert not [m for m in first_inbox.arrived if lost_at + 2 < m < released_at]
        assert not [m for m in second_inbox.arrived if m < released_at]
        wait_until(lambda: all_sent(ops_engine), "every message to be sent by whichever took the lock")
        winner, loser = (
            (first, second) if "holds PostgreSQL advisory lock" in first.log() else (second, first)
        )
        assert winner.stop() == 0  # the other takes over and runs the jobs
        write_mail_later(ops_engine)
        wait_until(lambda: all_sent(ops_engine), "the other scheduler to take over")
        assert loser.stop() == 0
    # Turns, never two at once: the first until it lost the lock, then one of them, then the other.
    expected = ["first", "second", "first"] if winner is second else ["first", "second"]
    assert senders(("first", first_inbox), ("second", second_inbox)) == expected
    received = Counter(
        m["Message-ID"] for inbox in (first_inbox, second_inbox) for m in inbox.messages if ours(m)
    )
    assert len(received) == len(keys) + 1  # every message arrived
    assert sum(received.values()) - len(received) <= 1  # at most the one in flight twice
    log = first.log()
    assert log.count("lost PostgreSQL advisory lock") == 1 and "Traceback" not in log + second.log()


@contextmanager
def holding_the_lock(scheduler: Process) -> Iterator[None]:
    wait_until(lambda: "scheduler running" in scheduler.log(), "the first scheduler to take the lock")
    yield


def write_mail_later(engine) -> None:
    with unit_of_work(engine) as db:
        later = Mail("reminder", "fault-test:later", "later@example.nl", "L", "Later", ".")
        outbox.enqueue_mail(db, later, clock=fixed_clock(LONG_AGO))


def test_across_a_database_outage_the_outbox_sends_every_message_once_and_fails_the_poisoned_one(
    ops_engine, config, admin, tmp_path
):
    keys = write_mail(ops_engine, 20, poisoned=True)
    inbox = TimedInbox()
    with (
        smtp_server(inbox) as server,
        started(config, tmp_path, SCHEDULER, SWARM_SMTP_PORT=str(server.port)) as (scheduler,),
    ):
        wait_until(lambda: len(inbox.envelopes) >= 3, "the scheduler to send some mail")
        with database_away(admin, database_of(config)) as ended:
            assert ended >= 2  # at least the lock's connection and a job's
            wait_until(lambda: "lost PostgreSQL advisory lock" in scheduler.log(), "the lock to be missed")
            wait_until(lambda: "lost the database" in scheduler.log(), "the outage to be noticed")
            time.sleep(OUTAGE)  # the fault itself: the database stays away for several tries

        def done() -> bool:
            rows = outbox_rows(ops_engine)
            return all(rows[key].status == OutboxStatus.SENT for key in keys) and (
                rows["fault-test:poisoned"].status == OutboxStatus.FAILED
            )

        wait_until(done, "every good message to be sent and the poisoned one to fail")
        assert scheduler.popen.poll() is None
        log = scheduler.log()
        assert scheduler.stop() == 0
    received = Counter(m["Message-ID"] for m in inbox.messages if ours(m))
    assert len(received) == len(keys)
    assert sum(received.values()) - len(keys) <= 1  # at most the one in flight when the database went
    poisoned = outbox_rows(ops_engine)["fault-test:poisoned"]
    assert poisoned.last_error.startswith("mail.recipient_name: a mail header may not contain a line break")
    assert "the database is back" in log and "holds PostgreSQL advisory lock" in log
    assert "Traceback" not in log
