"""How fast ``swarm seed`` fills a fresh database: professionals, rows written, seconds, peak memory.

    python -m bench.seed_bench                          # reference data only, 2,000 and 20,000 professionals
    python -m bench.seed_bench --sizes 2000 --write     # and write the section of docs/benchmarks.md

Each run seeds the Achterhoek region into a throwaway database that nothing else uses: a SQLite file in a temporary
folder, and, when the server answers, a PostgreSQL database created for the run on ``--postgres`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``, the server the tests use) and dropped afterwards, as the
tests do. The database is migrated first (not timed). The seeding runs in a child process of its own, so the
peak memory is its high-water mark alone; the seconds are those of ``seed_demo`` and its commit, measured inside
the child. Rows written are all rows in the database after the seed minus those before (the reference data of
places, municipalities and skills included). Size 0 seeds that reference data alone, to tell its share apart.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench.common import machine, markdown_table, run_isolated, today, write_section

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REGION = "achterhoek"
SEED_DAY = date(2026, 12, 1)  # the demo's "today": fixed, so every run writes the same data
SECTION = "Seeding speed"


@dataclass
class Measured:
    backend: str
    professionals: int
    rows: int | None = None
    seconds: float | None = None
    wall_seconds: float | None = None
    peak_mb: float | None = None
    note: str = ""


# -- the child: one seed, timed ----------------------------------------------------------------------------------


def child(url: str, professionals: int, seed: int, out: str) -> None:
    """Seed the region (0 professionals: its reference data alone) and write the seconds it took to ``out``."""
    from swarm.persistence.db import create_engine, unit_of_work
    from swarm.services.setup.demo import seed_demo
    from swarm.services.setup.reference import seed_reference

    engine = create_engine(url)
    try:
        started = time.perf_counter()
        with unit_of_work(engine) as session:
            if professionals:
                seed_demo(session, REGION, professionals=professionals, seed=seed, today=SEED_DAY)
            else:
                seed_reference(session, REGION)
        seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    Path(out).write_text(json.dumps({"seconds": seconds}))


# -- the parent: throwaway databases, the child, the table ---------------------------------------------------------


def row_count(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            tables = [t for t in sa.inspect(connection).get_table_names() if t != "alembic_version"]
            return sum(connection.exec_driver_sql(f'SELECT count(*) FROM "{t}"').scalar_one() for t in tables)
    finally:
        engine.dispose()


def measure(backend: str, url: str, professionals: int, seed: int, kill_after: float) -> Measured:
    from swarm.persistence import migrate

    migrate.upgrade(url)
    before = row_count(url)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "result.json"
        argv = [
            sys.executable,
            "-m",
            "bench.seed_bench",
            "--child",
            url,
            str(professionals),
            str(seed),
            str(out),
        ]
        run = run_isolated(argv, kill_after=kill_after)
        result = json.loads(out.read_text()) if out.exists() else None
    if result is None or run.returncode != 0:
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        why = f"stopped after {kill_after:.0f} s" if run.killed else last
        return Measured(backend, professionals, note=f"failed: {why}")
    return Measured(
        backend,
        professionals,
        rows=row_count(url) - before,
        seconds=result["seconds"],
        wall_seconds=run.wall_seconds,
        peak_mb=run.peak_mb,
    )


def best_of(runs: list[Measured]) -> Measured:
    """The fastest of repeated runs (the others only waited for the shared machine), with the highest peak."""
    done = [m for m in runs if m.seconds is not None]
    if not done:
        return runs[-1]
    best = min(done, key=lambda m: m.seconds)
    best.peak_mb = max(m.peak_mb for m in done)
    best.note = f"best of {len(done)}" if len(done) > 1 else ""
    return best


def on_sqlite(professionals: int, seed: int, kill_after: float) -> Measured:
    with tempfile.TemporaryDirectory() as folder:
        return measure("SQLite", f"sqlite:///{Path(folder) / 'seed.db'}", professionals, seed, kill_after)


def postgres_admin(server: str) -> sa.Engine | None:
    """An AUTOCOMMIT engine on the server, or None when it does not answer within a few seconds."""
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError:
        admin.dispose()
        return None
    return admin


def on_postgres(admin: sa.Engine, server: str, professionals: int, seed: int, kill_after: float) -> Measured:
    name = f"swarm_bench_{secrets.token_hex(6)}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
        return measure("PostgreSQL", url, professionals, seed, kill_after)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def table(results: list[Measured]) -> str:
    rows = []
    for m in results:
        if m.seconds is None:
            rows.append([m.backend, "–", "–", "–", "–", "–", m.note])
            continue
        rows.append(
            [
                m.backend,
                f"{m.professionals:,}" if m.professionals else "0 (reference data only)",
                f"{m.rows:,}",
                f"{m.seconds:.1f}",
                f"{m.rows / m.seconds:,.0f}" if m.professionals else "–",
                f"{m.peak_mb:.0f}",
                m.note,
            ]
        )
    headers = ["database", "professionals", "rows written", "seconds", "rows/s", "peak MB", "note"]
    return markdown_table(headers, rows)


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["--child"]:
        url, professionals, seed, out = argv[1:5]
        child(url, int(professionals), int(seed), out)
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.seed_bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="0,2000,20000",
        help="professionals per run, comma-separated (0: the region's reference data alone)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--repeat", type=int, default=2, help="runs per size and database; the fastest counts"
    )
    parser.add_argument(
        "--postgres", default=DEFAULT_POSTGRES, help="server to create throwaway databases on"
    )
    parser.add_argument("--kill-after", type=float, default=900, help="seconds a seed may take at most")
    parser.add_argument(
        "--write", action="store_true", help=f'write the section "{SECTION}" of docs/benchmarks.md'
    )
    options = parser.parse_args(argv)
    try:
        sizes = [int(size) for size in options.sizes.split(",")]
    except ValueError:
        parser.error(f"--sizes: expected whole numbers like 2000,20000, got {options.sizes!r}")
    if any(size < 0 for size in sizes):
        parser.error("--sizes: a size cannot be negative")

    admin = postgres_admin(options.postgres)
    results = []
    repeat = range(max(options.repeat, 1))
    for size in sizes:
        results.append(best_of([on_sqlite(size, options.seed, options.kill_after) for _ in repeat]))
        print(table(results[-1:]).splitlines()[-1], flush=True)
        if admin is not None:
            runs = [
                on_postgres(admin, options.postgres, size, options.seed, options.kill_after) for _ in repeat
            ]
            results.append(best_of(runs))
            print(table(results[-1:]).splitlines()[-1], flush=True)
    if admin is None:
        results.append(Measured("PostgreSQL", 0, note=f"not reachable at {options.postgres}; not measured"))
    else:
        admin.dispose()

    server = make_url(options.postgres).set(password=None).render_as_string()
    findings, reference_bound = [], True
    for backend in ("SQLite", "PostgreSQL"):
        measured = [m for m in results if m.backend == backend and m.peak_mb is not None]
        alone = next((m for m in measured if m.professionals == 0), None)
        largest = max(measured, key=lambda m: m.professionals, default=None)
        if alone is not None and largest is not None and largest.professionals:
            findings.append(
                f"{backend}: {alone.peak_mb:.0f} MB for the reference data alone, {largest.peak_mb:.0f} MB with "
                f"{largest.professionals:,} professionals"
            )
            reference_bound &= largest.peak_mb <= 1.1 * alone.peak_mb
    finding = ""
    if findings:
        cause = (
            "Peak memory is set by loading the region's reference data (the GeoNames places behind it), not by "
            "the professionals"
            if reference_bound
            else "Peak memory grows with the professionals beyond the reference data's"
        )
        finding = f"{cause}: " + "; ".join(findings) + "."
    body = "\n".join(
        [
            f"Measured {today()} on {machine()}, shared with other work at the time.",
            f"`python -m bench.seed_bench --sizes {options.sizes} --repeat {options.repeat}` (seed "
            f"{options.seed}): `swarm seed --region "
            f"{REGION}` into a fresh, migrated database each time (SQLite: a temporary file; PostgreSQL: a "
            f"throwaway database on {server}, dropped afterwards). Seconds: `seed_demo` and its commit, in a "
            "process of its own; peak MB: that process's resident high-water mark (Python, the demo generator "
            "and the rows in flight). Rows written: every row of every table added by the seed (reference data "
            "included).",
            "",
            table(results),
            *(["", finding] if finding else []),
        ]
    )
    print()
    print(body)
    if options.write:
        write_section(SECTION, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
