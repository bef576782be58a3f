"""The ``swarm`` command: database, seeding, solver files, the demo and the web server.

Every command reads its settings from ``SWARM_*`` variables (``swarm config --list``). Bad input ends with one
line on stderr and a non-zero status, never a traceback.
"""

from __future__ import annotations

import functools
import importlib
import signal
import subprocess
import sys
import threading
import time
from datetime import date

import click
from sqlalchemy.engine import make_url
from sqlmodel import select

from solver.cli import main as solver_main
from solver.formats import InvalidInstance, load_json, write_json_atomic
from swarm.config import Config, ConfigError, settings_table
from swarm.domain.enums import UserRole
from swarm.domain.errors import NotFound, ValidationError
from swarm.domain.refs import parse_ref
from swarm.persistence import migrate
from swarm.persistence.db import create_engine, unit_of_work
from swarm.persistence.models import Municipality, PlanningRound, Project, ProjectRole, User
from swarm.seed.model import DEMO_PASSWORD
from swarm.seed.regions import UnknownRegion
from swarm.services.lookup import region_by_slug
from swarm.services.plan.draft import store_swarm_schedule
from swarm.services.plan.instance import build_swarm_instance
from swarm.services.setup.reference import seed_skills
from swarm.services.team.instance import build_shell_instance, store_shell_plan

# Modules of other parts that add commands: each may define ``COMMANDS`` (or ``commands``), a list of click commands.
EXTENSIONS = (
    "swarm.cli_ops",
    "swarm.cli_admin",
    "swarm.cli_rounds",
    "swarm.cli_exchange",
    "swarm.jobs",
    "swarm.calendars.commands",
)


def _friendly(func):
    """Turn the errors people can fix into one clear line."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ValidationError as problem:
            raise click.ClickException(f"{problem.field}: {problem.text}") from None
        except (ConfigError, NotFound) as problem:
            raise click.ClickException(str(problem)) from None

    return wrapper


def _config() -> Config:
    try:
        return Config.from_env()
    except ConfigError as problem:
        raise click.ClickException(str(problem)) from None


def _engine(config: Config):
    return create_engine(config.resolved_database_url)


def _require_schema(config: Config):
    engine = _engine(config)
    if migrate.current_revision(engine) != migrate.head_revision():
        engine.dispose()
        raise click.ClickException("the database is not up to date: run `swarm db upgrade` first")
    return engine


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """swarm: swarm sessions and flexible-shell teams for Dutch municipalities."""


@main.group()
def db() -> None:
    """Create or change the database schema (Alembic migrations)."""


@db.command("upgrade")
@click.argument("revision", default="head")
@_friendly
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: the newest), and at the newest load the skill catalogue."""
    config = _config()
    migrate.upgrade(config.resolved_database_url, revision)
    click.echo(f"database at {revision} ({_safe_url(config)})")
    engine = _engine(config)
    try:
        if migrate.current_revision(engine) == migrate.head_revision():
            # Reference data every installation needs, also one that starts from an empty database and sets
            # its regions up in the web app: questions, roles and profiles name skills from this catalogue.
            with unit_of_work(engine) as session:
                count = len(seed_skills(session))
            click.echo(f"skill catalogue: {count} skills")
    finally:
        engine.dispose()


@db.command("downgrade")
@click.argument("revision", default="-1")
@_friendly
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION (default: one step; `base` removes every table)."""
    config = _config()
    migrate.downgrade(config.resolved_database_url, revision)
    click.echo(f"database at {revision} ({_safe_url(config)})")


@db.command("current")
def db_current() -> None:
    """Show the database's migration revision and the newest one."""
    engine = _engine(_config())
    click.echo(f"current: {migrate.current_revision(engine) or '(empty)'}, newest: {migrate.head_revision()}")


def _safe_url(config: Config) -> str:
    return make_url(config.resolved_database_url).render_as_string(hide_password=True)


@main.command("config")
@click.option("--list", "show_list", is_flag=True, help="List every SWARM_* setting with its default.")
@click.option("--markdown", is_flag=True, help="With --list: as a Markdown table (the README's).")
def config_command(show_list: bool, markdown: bool) -> None:
    """Show the settings (SWARM_* environment variables)."""
    if show_list and markdown:
        click.echo("| Variable | Default | What it does |\n| --- | --- | --- |")
        for row in settings_table():
            click.echo(f"| `{row.variable}` | `{row.default}` | {row.description} |")
        return
    if show_list:
        for row in settings_table():
            click.echo(f"{row.variable}\t{row.default}\t{row.description}")
        return
    config = _config()
    click.echo(f"database: {_safe_url(config)}")
    click.echo(f"base url: {config.base_url}")


@main.command()
@click.option("--region", required=True, help="Region slug, e.g. achterhoek, zuid-limburg, flevoland.")
@click.option("--professionals", default=300, show_default=True, type=click.IntRange(min=0))
@click.option("--seed", "seed_value", default=1, show_default=True, type=int, help="Random seed.")
@click.option(
    "--requests", default=None, type=click.IntRange(min=0), help="Number of requests (default: by region)."
)
@click.option(
    "--today", type=click.DateTime(["%Y-%m-%d"]), help="The demo's today (default: the current date)."
)
@_friendly
def seed(region: str, professionals: int, seed_value: int, requests: int | None, today) -> None:
    """Seed a region with real places and a reproducible demo data set."""
    report = _seed(
        _config(), region, professionals, seed_value, requests, today.date() if today else date.today()
    )
    _print_report(report)


def _seed(config: Config, region: str, professionals: int, seed_value: int, requests, today: date):
    # Imported here, not at the top: the demo generator (Faker) adds 0.2 s to every start of `swarm`.
    from swarm.services.setup.demo import seed_demo

    engine = _require_schema(config)
    started = time.perf_counter()
    try:
        with unit_of_work(engine) as session:
            report = seed_demo(
                session, region, professionals=professionals, seed=seed_value, today=today, requests=requests
            )
    except UnknownRegion as problem:
        raise click.ClickException(f"--region: {problem}") from None
    finally:
        engine.dispose()
    if report.created:
        click.echo(f"seeded {region} in {time.perf_counter() - started:.1f} s")
    return report


def _print_report(report) -> None:
    if not report.created:
        click.echo(f"{report.region} was seeded before; nothing changed")
        return
    click.echo(", ".join(f"{name} {count}" for name, count in report.counts.items()))


@main.command("export-instance")
@click.option("--region", required=True, help="Region slug.")
@click.option("--kind", type=click.Choice(["swarm", "shell"]), default="swarm", show_default=True)
@click.option(
    "--round", "round_sequence", type=int, help="Planning round number (swarm; default: the newest)."
)
@click.option("--projects", help="Comma-separated project ids (shell; default: every project of the region).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True))
@_friendly
def export_instance(
    region: str, kind: str, round_sequence: int | None, projects: str | None, output: str
) -> None:
    """Write a swarm-instance/1 (or shell-instance/1) file from the database."""
    engine = _require_schema(_config())
    with unit_of_work(engine) as session:
        the_region = region_by_slug(session, region)
        if kind == "swarm":
            round_id = None
            if round_sequence is not None:
                round_id = session.exec(
                    select(PlanningRound.id).where(
                        PlanningRound.region_id == the_region.id, PlanningRound.sequence == round_sequence
                    )
                ).first()
                if round_id is None:
                    raise click.ClickException(f"--round: {region} has no planning round {round_sequence}")
            document = build_swarm_instance(session, the_region.id, planning_round_id=round_id)
        else:
            if projects:
                try:
                    ids = [int(part) for part in projects.split(",")]
                except ValueError:
                    raise click.ClickException("--projects: expected ids like 1,2,3") from None
            else:
                ids = list(
                    session.exec(
                        select(Project.id)
                        .join(Municipality, Municipality.id == Project.municipality_id)
                        .where(Municipality.region_id == the_region.id)
                    )
                )
            document = build_shell_instance(session, ids)
    engine.dispose()
    try:
        write_json_atomic(output, document)
    except OSError as problem:
        raise click.ClickException(f"-o: cannot write {output}: {problem.strerror or problem}") from None
    click.echo(f"wrote {output} ({document['format']})")


@main.command("import-result")
@click.option("--region", required=True, help="Region slug.")
@click.option("--round", "round_sequence", type=int, help="Planning round number (default: the newest).")
@click.argument("result", type=click.Path(exists=True, dir_okay=False))
@_friendly
def import_result(region: str, round_sequence: int | None, result: str) -> None:
    """Store a swarm-schedule/1 file as the draft schedule (or a shell-plan/1 as proposed teams)."""
    try:
        document = load_json(result)
    except InvalidInstance as problem:
        raise click.ClickException(str(problem)) from None
    fmt = document.get("format") if isinstance(document, dict) else None
    engine = _require_schema(_config())
    with unit_of_work(engine) as session:
        the_region = region_by_slug(session, region)
        if fmt == "shell-plan/1":
            role_ids = [parse_ref(a.get("role", ""), "role") for a in document.get("assignments") or []]
            project_ids = set(
                session.exec(select(ProjectRole.project_id).where(ProjectRole.id.in_(role_ids)))
            )
            stored = store_shell_plan(session, sorted(project_ids), document)
            click.echo(f"stored {len(stored)} proposed assignments")
        else:
            round_id = None
            if round_sequence is not None:
                round_id = session.exec(
                    select(PlanningRound.id).where(
                        PlanningRound.region_id == the_region.id, PlanningRound.sequence == round_sequence
                    )
                ).first()
            stored = store_swarm_schedule(session, the_region.id, document, planning_round_id=round_id)
            click.echo(f"stored {len(stored)} draft sessions")
    engine.dispose()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--debug", is_flag=True, help="Reload on code changes (development only).")
def serve(host: str, port: int, debug: bool) -> None:
    """Serve the web app (development server; use gunicorn 'swarm.webapp:create_app()' in production)."""
    _serve(_config(), host, port, debug)


def _serve(config: Config, host: str, port: int, debug: bool = False) -> None:
    _web_app(config).run(host=host, port=port, debug=debug)


def _web_app(config: Config, demo_accounts: list[dict] | None = None):
    # Imported here, not at the top: Flask and the web app add 0.3 s to every start of `swarm` (`swarm solve`, the
    # scheduler, the workers), which never serve a page.
    from swarm.webapp import create_app

    _require_schema(config).dispose()
    settings: dict = {"SWARM": config}
    if demo_accounts:
        settings["DEMO_ACCOUNTS"] = demo_accounts
    return create_app(settings)


@main.command()
@click.option("--region", default="achterhoek", show_default=True)
@click.option("--professionals", default=300, show_default=True, type=click.IntRange(min=0))
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--plan-seconds", default=20.0, show_default=True, type=click.FloatRange(min=1), help="Solve time."
)
@click.option("--no-serve", is_flag=True, help="Prepare the database only.")
@_friendly
def demo(region: str, professionals: int, port: int, plan_seconds: float, no_serve: bool) -> None:
    """Create and migrate the database, seed the demo region, plan and publish its round, serve the web app."""
    config = _config()
    migrate.upgrade(config.resolved_database_url)
    report = _seed(config, region, professionals, 1, None, date.today())
    _print_report(report)
    plan = main.commands.get("plan")  # swarm plan (operations part): solve and publish the demo round
    if report.created and plan is not None:
        try:
            click.get_current_context().invoke(
                plan, region_slug=region, publish=True, time_limit=plan_seconds
            )
        except (
            click.ClickException
        ) as problem:  # the demo still opens; the organizer can plan from the web app
            click.echo(f"planning the demo round did not work: {problem.format_message()}", err=True)
    accounts = _demo_accounts(config, region)
    click.echo("\nDemo accounts (role, email, password):")
    for account in accounts:
        click.echo(f"  {account['role']:<13} {account['email']:<44} {account['password']}")
    if no_serve:
        return
    _serve_beside_scheduler(_web_app(config, demo_accounts=accounts), port)


def _serve_beside_scheduler(app, port: int) -> None:
    """Serve the demo with a scheduler process beside it; if that process dies, the demo stops and says so.

    The web process never runs jobs: the solves that the demo's pages start run in the scheduler. It runs with
    -P, so that it imports the installed swarm and not a stray swarm.py in the current directory."""
    from werkzeug.serving import make_server  # only the demo serves this way; see _web_app for why here

    try:
        server = make_server("127.0.0.1", port, app, threaded=True)
    except OSError as problem:
        raise click.ClickException(f"--port: cannot listen on 127.0.0.1:{port}: {problem.strerror}") from None
    click.echo(f"\nswarm demo: http://127.0.0.1:{port}/  (Ctrl-C stops)\n")
    scheduler = subprocess.Popen([sys.executable, "-P", "-m", "swarm", "scheduler", "--solves-every", "2"])
    stopping = threading.Event()  # set before the scheduler is stopped on purpose (Ctrl-C, SIGTERM, the end)

    def stop(exit_code: int | None):
        def handler(*_):
            stopping.set()  # Ctrl-C reaches the scheduler too: its exit is then no failure
            raise KeyboardInterrupt if exit_code is None else SystemExit(exit_code)

        return handler

    def watch() -> None:
        scheduler.wait()
        if not stopping.is_set():
            server.shutdown()

    signal.signal(signal.SIGINT, stop(None))
    signal.signal(signal.SIGTERM, stop(0))
    threading.Thread(target=watch, name="scheduler-watch", daemon=True).start()
    try:
        server.serve_forever()
    finally:
        died = not stopping.is_set() and scheduler.poll() is not None
        stopping.set()
        scheduler.terminate()
        try:
            scheduler.wait(timeout=15)
        except subprocess.TimeoutExpired:
            scheduler.kill()
    if died:
        raise click.ClickException(
            f"the scheduler process {_how_it_ended(scheduler.returncode)}, so the demo stops: without it no "
            "solve, reminder or mail would run (its log above may say why)"
        )


def _how_it_ended(returncode: int) -> str:
    if returncode < 0:
        return f"was killed by {signal.Signals(-returncode).name}"
    return f"exited with status {returncode}"


def _demo_accounts(config: Config, region: str) -> list[dict]:
    """The region's demo accounts (they all use the published demo password), for the console and the home page."""
    engine = _engine(config)
    with unit_of_work(engine) as session:
        users = session.exec(select(User).where(User.email.like(f"%@{region}.demo")).order_by(User.id)).all()
        accounts = [
            {"role": UserRole(u.role).value, "name": u.name, "email": u.email, "password": DEMO_PASSWORD}
            for u in users
        ]
    engine.dispose()
    return accounts


@main.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True}, add_help_option=False
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def solve(args: tuple[str, ...]) -> None:
    """Solve an instance file: swarm solve INSTANCE.json -o RESULT.json [--time-limit S] (no database needed)."""
    sys.exit(solver_main(list(args)))


def _load_extensions() -> None:
    for name in EXTENSIONS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as missing:
            if missing.name and name.startswith(missing.name):
                continue  # that part is not installed (yet)
            raise
        for command in getattr(module, "COMMANDS", getattr(module, "commands", ())):
            main.add_command(command)


_load_extensions()


if __name__ == "__main__":
    main()
