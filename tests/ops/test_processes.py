"""Real processes: one scheduler per database, workers that share the queue, and processes killed with SIGKILL.

Each test starts `python -m swarm.cli_ops ...` subprocesses against its own database and waits for them with a
deadline; nothing here sleeps for a fixed time to let something happen.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from swarm.domain.enums import OutboxStatus, SessionStatus, SolveStatus
from swarm.domain.timeutil import fixed_clock, system_clock
from swarm.mail import Mail
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import OutboxMessage, Session, SolveRun
from swarm.services.ops import outbox
from swarm.services.plan import queue
from tests.swarm.test_mail_support import Inbox, smtp_server

ROOT = Path(__file__).resolve().parents[2]
BOUND = 120  # seconds any wait below may take at most (a loaded CI machine)
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


def wait_until(condition: Callable[[], object], what: str, timeout: float = BOUND, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


@contextmanager
def processes(config, *commands: list[str], **settings: str) -> Iterator[list[subprocess.Popen]]:
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
        **settings,
    }
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "swarm.cli_ops", *command],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    try:
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
            process.communicate(timeout=BOUND)


def runs(engine) -> list[SolveRun]:
    with unit_of_work(engine) as db:
        return list(db.exec(select(SolveRun).order_by(SolveRun.id)))


def queue_copies(engine, plannable, clock, count: int) -> list[int]:
    """``count`` queued runs of the round (copies of one snapshot: the queue itself keeps one per round)."""
    with unit_of_work(engine) as db:
        first = queue.enqueue_solve(db, plannable.round_id, actor=plannable.organizer, clock=clock)
        for n in range(1, count):
            db.add(
                SolveRun(
                    kind=first.kind,
                    region_id=first.region_id,
                    planning_round_id=first.planning_round_id,
                    input=first.input,
                    parameters=first.parameters,
                    queued_at=clock() + timedelta(seconds=n),
                )
            )
    return [r.id for r in runs(engine)]


def test_a_second_scheduler_refuses_to_start(ops_engine, config):
    with processes(config, ["scheduler"], ["scheduler"]) as (first, second):
        refused = wait_until(
            lambda: first.poll() is not None or second.poll() is not None, "one scheduler to give up"
        )
        assert refused
        loser, winner = (first, second) if first.poll() is not None else (second, first)
        _, error = loser.communicate(timeout=BOUND)
        assert loser.returncode == 1 and "Another swarm scheduler is already running" in error
        assert winner.poll() is None
        winner.send_signal(signal.SIGTERM)
        winner.wait(timeout=BOUND)
        assert winner.returncode == 0


@pytest.mark.postgres
def test_three_workers_solve_twenty_queued_runs_each_exactly_once(ops_engine, plannable, clock, config):
    if ops_engine.dialect.name != "postgresql":
        pytest.skip("several workers side by side is the PostgreSQL set-up")
    ids = queue_copies(ops_engine, plannable, clock, 20)
    worker = ["worker", "--exit-when-idle", "--poll", "0.1"]
    with processes(config, worker, worker, worker) as started:
        outputs = [p.communicate(timeout=BOUND)[0] for p in started]
    assert [p.returncode for p in started] == [0, 0, 0]
    solved = Counter(
        line.split()[1] for out in outputs for line in out.splitlines() if line.startswith("run ")
    )
    assert solved == Counter({str(i): 1 for i in ids})
    done = runs(ops_engine)
    assert {r.status for r in done} == {SolveStatus.SUCCEEDED} and {r.attempts for r in done} == {0}
    assert len({r.worker_id for r in done}) >= 2  # the queue was shared
    with unit_of_work(ops_engine) as db:
        drafts = db.exec(select(Session.solve_run_id).where(Session.status == SessionStatus.DRAFT)).all()
    assert len(set(drafts)) == 1  # one run's draft stands; the others replaced each other, never mixed


SOLVERS = {
    "worker": ["worker", "--poll", "0.05"],
    "scheduler": ["scheduler", "--solves-every", "0.1", "--polls-every", "3600", "--outbox-every", "3600"],
}


@pytest.mark.parametrize("solver", sorted(SOLVERS))
def test_a_solve_whose_process_was_killed_is_finished_by_the_next(
    ops_engine, plannable, clock, config, solver
):
    if solver == "scheduler" and ops_engine.dialect.name != "sqlite":
        pytest.skip("the scheduler solves only on SQLite; on PostgreSQL the workers do")
    [run_id] = queue_copies(ops_engine, plannable, clock, 1)
    with processes(config, SOLVERS[solver]) as (doomed,):

        def claimed_by_doomed():
            [run] = runs(ops_engine)
            return run.status == SolveStatus.RUNNING and f":{doomed.pid}:" in run.worker_id

        wait_until(claimed_by_doomed, f"the first {solver} to claim the solve", every=0.01)
        doomed.send_signal(signal.SIGSTOP)  # frozen mid-solve; the row must still say so
        [run] = runs(ops_engine)
        assert run.status == SolveStatus.RUNNING, "the solve finished before the process could be killed"
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=BOUND)
    with processes(config, SOLVERS[solver]) as (rescuer,):
        wait_until(
            lambda: runs(ops_engine)[0].status == SolveStatus.SUCCEEDED, f"the next {solver} to finish it"
        )
        rescuer.send_signal(signal.SIGTERM)
        rescuer.wait(timeout=BOUND)
    [run] = runs(ops_engine)
    assert f":{rescuer.pid}:" in run.worker_id and run.attempts == 1
    with unit_of_work(ops_engine) as db:
        assert set(db.exec(select(Session.solve_run_id))) == {run_id}


class SlowInbox(Inbox):
    """Takes a while to accept each message, so that a sender can be killed while one is on its way."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.3)
        return await super().handle_DATA(server, session, envelope)


def test_a_killed_scheduler_loses_no_mail(ops_engine, config):
    keys = [f"kill-test:{n}" for n in range(8)]
    with unit_of_work(ops_engine) as db:
        for n, key in enumerate(keys):
            mail = Mail("reminder", key, f"p{n}@example.nl", f"P {n}", f"Bericht {n}", "Tekst\n")
            # Due long ago: the scheduler process runs on the real clock, which may lag this test's.
            outbox.enqueue_mail(db, mail, clock=fixed_clock(LONG_AGO))
    inbox = SlowInbox()
    with smtp_server(inbox) as server:
        config = config.with_overrides(smtp_port=server.port)
        with processes(config, ["scheduler", "--outbox-every", "0.2", "--polls-every", "3600"]) as (
            scheduler,
        ):
            wait_until(lambda: len(inbox.envelopes) >= 2, "the scheduler to send some mail")
            scheduler.send_signal(signal.SIGKILL)
            scheduler.wait(timeout=BOUND)
        # The next scheduler finds what is left; a message claimed by the dead one waits out its lease.
        # The scheduler ran on the real clock; this one is at least a lease later, whatever clock the test sees.
        outbox.send_due(ops_engine, config, lambda: system_clock() + outbox.CLAIM_LEASE)
        # only this test's messages (the world's open round also has the scheduler ask for availability)
        received = Counter(
            m["Message-ID"] for m in inbox.messages if m["Message-ID"].startswith("<kill-test.")
        )
    with unit_of_work(ops_engine) as db:
        statuses = set(db.exec(select(OutboxMessage.status)))
    assert statuses == {OutboxStatus.SENT}
    assert len(received) == len(keys)  # every message arrived
    assert sum(received.values()) - len(keys) <= 1  # at most the one in flight at the kill arrived twice
