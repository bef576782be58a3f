"""Operations commands: ``swarm scheduler``, ``swarm worker``, ``swarm plan``, ``swarm export-ics`` and
``swarm audit purge``.

``COMMANDS`` is added to the ``swarm`` group in swarm/cli.py; ``python -m swarm.cli_ops`` runs them on their own.
Bad input ends with a message naming what is wrong and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import click
from sqlmodel import select

from swarm.config import Config, ConfigError
from swarm.domain.actors import SYSTEM
from swarm.domain.enums import SolveStatus
from swarm.domain.errors import NotFound, ValidationError
from swarm.domain.refs import request_ref
from swarm.domain.timeutil import system_clock
from swarm.jobs import Intervals, SchedulerAlreadyRunning, run_scheduler, run_worker
from swarm.persistence.db import create_engine, unit_of_work
from swarm.persistence.models import SolveRun, SwarmRequest
from swarm.services.lookup import region_by_slug
from swarm.services.ops import audit as audit_log
from swarm.services.plan.frame import current_planning_round
from swarm.services.plan.publish import export_ics as write_invitation_files
from swarm.services.plan.publish import publish_round
from swarm.services.plan.queue import enqueue_solve
from swarm.services.plan.results import RunOutcome
from swarm.services.plan.worker import run_queued_solves


def _config() -> Config:
    try:
        return Config.from_env()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # APScheduler logs every run of every job at INFO; our own job log says what each one did.
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)


@click.command("scheduler")
@click.option("--polls-every", type=click.FloatRange(min=0.1), default=60, show_default=True, help="Seconds")
@click.option("--solves-every", type=click.FloatRange(min=0.1), default=10, show_default=True, help="Seconds")
@click.option("--outbox-every", type=click.FloatRange(min=0.1), default=30, show_default=True, help="Seconds")
@click.option(
    "--standby",
    is_flag=True,
    help="When another scheduler runs, wait and take over when it stops or loses its database (instead of exiting)",
)
def scheduler(polls_every: float, solves_every: float, outbox_every: float, standby: bool) -> None:
    """Run the recurring jobs (rounds by cadence, deadlines, solves on SQLite, mail, reminders, expiry warnings,
    retention).

    Exactly one runs jobs per database; a second one refuses and exits with status 1, or with --standby waits.
    A scheduler that loses its lock (its database connection ended) stops its jobs at once and stands by.
    """
    _logging()
    intervals = Intervals(polls=polls_every, solves=solves_every, outbox=outbox_every)
    try:
        run_scheduler(_config(), intervals=intervals, standby=standby)
    except SchedulerAlreadyRunning as error:
        raise click.ClickException(str(error)) from None


@click.command("worker")
@click.option("--id", "worker_id", default=None, help="Name in the solve runs (default: host:pid)")
@click.option(
    "--poll", type=click.FloatRange(min=0.05), default=2.0, show_default=True, help="Seconds between looks"
)
@click.option("--exit-when-idle", is_flag=True, help="Stop when no solve is queued (batch use, tests)")
def worker(worker_id: str | None, poll: float, exit_when_idle: bool) -> None:
    """Claim queued solves and run them; start any number of these next to a PostgreSQL database."""
    _logging()

    def report(outcome: RunOutcome) -> None:
        click.echo(f"run {outcome.run_id} {outcome.status.value} {outcome.message}".rstrip(), err=False)
        sys.stdout.flush()

    run_worker(
        _config(), worker_id=worker_id, poll_seconds=poll, exit_when_idle=exit_when_idle, report=report
    )


@click.command("plan")
@click.option("--region", "region_slug", required=True, help="Region slug, e.g. achterhoek")
@click.option("--publish", is_flag=True, help="Publish the schedule and queue the invitations")
@click.option(
    "--time-limit", type=click.FloatRange(min=1, max=3600), default=None, help="Seconds (default: config)"
)
def plan(region_slug: str, publish: bool, time_limit: float | None) -> None:
    """Solve the region's open requests into a draft schedule (and publish it with --publish)."""
    config = _config()
    engine = create_engine(config.resolved_database_url)
    try:
        with unit_of_work(engine) as session:
            region = region_by_slug(session, region_slug)
            planning_round = current_planning_round(session, region.id)
            if planning_round is None:
                raise click.ClickException(f"--region: {region_slug} has no open planning round.")
            round_id, round_name = planning_round.id, planning_round.name
            run_id = enqueue_solve(session, round_id, actor=SYSTEM, time_limit=time_limit).id
        click.echo(f"Solving {round_name} of {region.name} (run {run_id}) ...")
        run = _solve_until_done(engine, config, run_id)
        if run.status != SolveStatus.SUCCEEDED:
            raise click.ClickException(f"The solve {run.status.value}: {run.error or 'stopped'}")
        _print_result(engine, run)
        if publish:
            with unit_of_work(engine) as session:
                report = publish_round(session, round_id, actor=SYSTEM, config=config)
            click.echo(
                f"Published: {len(report.published)} new, {len(report.updated)} changed, "
                f"{len(report.cancelled)} cancelled sessions; {report.mails} mails in the outbox."
            )
    except NotFound as error:
        raise click.ClickException(f"--region: no region {error.ident!r}") from None
    except ValidationError as error:
        raise click.ClickException(f"{error.field}: {error.text}") from None
    finally:
        engine.dispose()


def _solve_until_done(engine, config: Config, run_id: int) -> SolveRun:
    """Solve here; if a worker or the scheduler took the run first, wait for it."""
    run_queued_solves(engine, config)
    while True:
        with unit_of_work(engine) as session:
            run = session.get(SolveRun, run_id)
        if run.status not in (SolveStatus.QUEUED, SolveStatus.RUNNING):
            return run
        time.sleep(0.5)


def _print_result(engine, run: SolveRun) -> None:
    result = run.result or {}
    sessions, unscheduled = result.get("sessions") or [], result.get("unscheduled") or []
    with unit_of_work(engine) as session:
        titles = {request_ref(r.id): r.title for r in session.exec(select(SwarmRequest))}
    click.echo(
        f"Score {run.score} (bound {run.bound}); {len(sessions)} sessions, {len(unscheduled)} unscheduled."
    )
    for item in sessions:
        tables = "; ".join(titles.get(t["request"], t["request"]) for t in item["tables"])
        click.echo(f"  {item['slot']} at {item['venue']}: {tables}")
    for item in unscheduled:
        click.echo(f"  not planned: {titles.get(item['request'], item['request'])}: {item['reason']}")


@click.command("export-ics")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
def export_ics(out_dir: Path) -> None:
    """Write every published session's invitation, one .ics per session and attendee."""
    config = _config()
    engine = create_engine(config.resolved_database_url)
    try:
        written = write_invitation_files(engine, out_dir, config, system_clock)
    except OSError as error:
        raise click.ClickException(f"--out: {error}") from None
    finally:
        engine.dispose()
    click.echo(
        f"{len(written)} invitation(s) written to {out_dir}" if written else "No published sessions yet."
    )


@click.group("audit")
def audit() -> None:
    """The audit log (who did what and when)."""


@audit.command("purge")
def audit_purge() -> None:
    """Remove the audit records older than SWARM_AUDIT_RETENTION_DAYS now (the scheduler does it daily)."""
    config = _config()
    engine = create_engine(config.resolved_database_url)
    try:
        removed = audit_log.purge_expired(engine, config, system_clock)
    finally:
        engine.dispose()
    click.echo(f"{removed} audit record(s) older than {config.audit_retention_days} days removed.")


COMMANDS = [scheduler, worker, plan, export_ics, audit]


@click.group()
def ops() -> None:
    """swarm operations commands (also available as subcommands of `swarm`)."""


for _command in COMMANDS:
    ops.add_command(_command)

if __name__ == "__main__":
    ops()
