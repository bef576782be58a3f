"""What a team proposal costs the web request, and what it costs the worker that claims it.

    python -m bench.team_queue_bench                               # 20,000 professionals, 1,000 roles
    python -m bench.team_queue_bench --professionals 2000 --write  # and write the section of docs/benchmarks.md

Each run seeds the Achterhoek region (``seed_demo``, seed 1) into a throwaway database (a SQLite file in a
temporary folder; a PostgreSQL database created on ``--postgres`` and dropped afterwards, as the tests do) and
adds one project of ``--roles`` roles of 156 weeks each (the longest a role may span), skills taken in turn from
the catalogue. Then it times, three times each, with the fastest counting:

- *request*: ``enqueue_team_solve`` and its commit, which is all the coordinator's "propose" request does with the
  database;
- *worker*: claiming the run and ``take_team_snapshot``, the instance the worker builds before it solves.

The solve itself is not timed here (``bench.shell_bench`` measures the engine).
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlmodel import select

from bench.common import machine, markdown_table, today, write_section
from bench.seed_bench import DEFAULT_POSTGRES, postgres_admin
from swarm.domain.actors import SYSTEM
from swarm.domain.enums import SolveStatus
from swarm.domain.rules import MAX_ROLE_WEEKS
from swarm.domain.timeutil import iso_week
from swarm.persistence import migrate
from swarm.persistence.db import create_engine, unit_of_work
from swarm.persistence.models import Municipality, Place, Region, Skill, SolveRun
from swarm.services.plan import queue
from swarm.services.setup.demo import seed_demo
from swarm.services.team.projects import ProjectInput, ProjectRoleInput, create_project

REGION = "achterhoek"
SEED_DAY = date(2026, 12, 1)
FIRST_MONDAY = date(2027, 1, 4)
SECTION = "Queueing a team proposal"
REPEAT = 3


@dataclass
class Measured:
    backend: str
    request_seconds: float
    worker_seconds: float
    instance_mb: float
    professionals_in_instance: int


def _project(engine, roles: int) -> int:
    with unit_of_work(engine) as session:
        region = session.exec(select(Region).where(Region.slug == REGION)).one()
        municipality = session.exec(
            select(Municipality).where(Municipality.region_id == region.id).order_by(Municipality.id)
        ).first()
        place = session.exec(select(Place).order_by(Place.id)).first()
        skills = [skill.code for skill in session.exec(select(Skill).order_by(Skill.id))]
        inputs = []
        for n in range(roles):
            first = FIRST_MONDAY + timedelta(weeks=n % 52)
            last = first + timedelta(weeks=MAX_ROLE_WEEKS - 1)
            inputs.append(
                ProjectRoleInput(
                    f"Rol {n + 1}", skills[n % len(skills)], 8, iso_week(first), iso_week(last), 1 + n % 2
                )
            )
        project = create_project(
            session, ProjectInput(municipality.id, "Groot project", place.id), inputs, actor=SYSTEM
        )
        return project.id


def measure(backend: str, url: str, professionals: int, roles: int) -> Measured:
    migrate.upgrade(url)
    engine = create_engine(url)
    try:
        with unit_of_work(engine) as session:
            seed_demo(session, REGION, professionals=professionals, seed=1, today=SEED_DAY)
        project_id = _project(engine, roles)
        request, work, document = [], [], {}
        for attempt in range(REPEAT):
            started = time.perf_counter()
            with unit_of_work(engine) as session:
                run_id = queue.enqueue_team_solve(session, [project_id], actor=SYSTEM).id
            request.append(time.perf_counter() - started)
            started = time.perf_counter()
            worker_id = f"bench-{attempt}"
            assert queue.claim_next_run(engine, worker_id) == run_id
            document = queue.take_team_snapshot(engine, run_id, worker_id) or {}
            work.append(time.perf_counter() - started)
            with unit_of_work(engine) as session:  # out of the way of the next attempt
                session.get(SolveRun, run_id).status = SolveStatus.CANCELLED
    finally:
        engine.dispose()
    return Measured(
        backend,
        min(request),
        min(work),
        len(json.dumps(document)) / 1e6,
        len(document.get("professionals", [])),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.team_queue_bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--professionals", type=int, default=20_000)
    parser.add_argument("--roles", type=int, default=1000)
    parser.add_argument(
        "--postgres", default=DEFAULT_POSTGRES, help="server to create a throwaway database on"
    )
    parser.add_argument(
        "--write", action="store_true", help=f'write the section "{SECTION}" of docs/benchmarks.md'
    )
    options = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if options.professionals < 1 or options.roles < 1:
        parser.error("--professionals and --roles: at least 1")

    results = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(
            measure("SQLite", f"sqlite:///{Path(folder) / 'bench.db'}", options.professionals, options.roles)
        )
    admin = postgres_admin(options.postgres)
    if admin is not None:
        name = f"swarm_bench_{secrets.token_hex(6)}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            url = make_url(options.postgres).set(database=name).render_as_string(hide_password=False)
            results.append(measure("PostgreSQL", url, options.professionals, options.roles))
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()

    rows = [
        [
            m.backend,
            f"{m.request_seconds:.3f}",
            f"{m.worker_seconds:.1f}",
            f"{m.instance_mb:.1f}",
            f"{m.professionals_in_instance:,}",
        ]
        for m in results
    ]
    headers = [
        "database",
        "request: enqueue + commit (s)",
        "worker: claim + snapshot (s)",
        "instance MB",
        "professionals in it",
    ]
    body = "\n\n".join(
        [
            f"Measured {today()} on {machine()}. `python -m bench.team_queue_bench --professionals "
            f"{options.professionals} --roles {options.roles}`: `seed_demo` of Achterhoek (seed 1), one project of "
            f"{options.roles:,} roles of {MAX_ROLE_WEEKS} weeks each; fastest of {REPEAT}.",
            markdown_table(headers, rows),
        ]
    )
    print(body)
    if options.write:
        write_section(SECTION, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
