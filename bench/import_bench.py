"""How fast an organizer's file of professionals is previewed and stored: seconds and peak memory.

    python -m bench.import_bench                    # 20,000 professionals, SQLite and PostgreSQL
    python -m bench.import_bench --write            # and write the section of docs/benchmarks.md

The file is generated once: the demo generator's professionals of the Achterhoek (real GeoNames places of the
region and around it, Faker names, varied skills, distances, rates and hours), written as the CSV an organizer
would upload (Dutch headers, ';', UTF-8 with BOM). Each database is a throwaway one (a SQLite file; a PostgreSQL
database created on ``--postgres`` and dropped afterwards), migrated and given the region's reference data before
the clock starts. In a child process of its own (so the peak memory is its high-water mark alone) the file is
previewed (``import_file(store=False)``, every row checked) and then confirmed (checked again and stored, with the
commit), as the web app's upload -> preview -> confirm does. The target: at most 60 s together, under 500 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench.common import machine, markdown_table, run_isolated, today, write_section

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REGION = "achterhoek"
DAY = date(2026, 12, 1)
SECTION = "Import speed"


def write_file(path: Path, professionals: int, seed: int) -> None:
    """The demo's professionals of the region as the CSV the import reads."""
    from swarm.seed.demo import generate
    from swarm.services.exchange.columns import PROFESSIONALS
    from swarm.services.exchange.exporting import skills_text
    from swarm.services.exchange.tables import write_csv

    data = generate(REGION, professionals=professionals, seed=seed, today=DAY)
    codes = {m.cbs_code: m.name for m in data.region.municipalities}
    rows = [
        [
            p.name,
            p.email,
            p.kvk_number,
            p.home.name,
            codes.get(p.home.municipality_code, ""),
            p.travel_radius_km,
            p.hourly_rate,
            p.hours_per_week,
            p.max_sessions_per_round,
            skills_text((s.skill, s.level) for s in p.skills),
            "",
        ]
        for p in data.professionals
    ]
    path.write_bytes(write_csv(PROFESSIONALS.header, rows))


def child(url: str, file: str, out: str) -> None:
    from swarm.domain.actors import SYSTEM
    from swarm.domain.timeutil import system_clock
    from swarm.persistence.db import create_engine, unit_of_work
    from swarm.services.exchange.importing import import_file
    from swarm.services.exchange.report import ImportScope, Outcome
    from swarm.services.lookup import region_by_slug

    engine = create_engine(url)
    data = Path(file).read_bytes()
    try:
        started = time.perf_counter()
        with unit_of_work(engine) as session:
            region_id = region_by_slug(session, REGION).id
            preview = import_file(
                session,
                "professionals",
                data,
                ImportScope(region_id),
                store=False,
                actor=SYSTEM,
                clock=system_clock,
            )
        previewed = time.perf_counter()
        with unit_of_work(engine) as session:
            region_id = region_by_slug(session, REGION).id
            stored = import_file(
                session, "professionals", data, ImportScope(region_id), actor=SYSTEM, clock=system_clock
            )
        done = time.perf_counter()
    finally:
        engine.dispose()
    result = {
        "rows": len(preview.rows),
        "errors": len(preview.errors),
        "new": stored.counts()[Outcome.NEW],
        "stored": stored.stored,
        "preview_seconds": previewed - started,
        "confirm_seconds": done - previewed,
    }
    Path(out).write_text(json.dumps(result))


def measure(backend: str, url: str, file: Path, kill_after: float) -> dict:
    from swarm.persistence import migrate
    from swarm.persistence.db import create_engine, unit_of_work
    from swarm.services.setup.reference import seed_reference

    migrate.upgrade(url)
    engine = create_engine(url)
    with unit_of_work(engine) as session:  # in this process: the GeoNames data behind it is not the import's
        seed_reference(session, REGION)
    engine.dispose()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "result.json"
        run = run_isolated(
            [sys.executable, "-m", "bench.import_bench", "--child", url, str(file), str(out)], kill_after
        )
        result = json.loads(out.read_text()) if out.exists() else None
    if result is None or run.returncode != 0:
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        return {"backend": backend, "note": f"failed: {'stopped' if run.killed else last}"}
    return {"backend": backend, "peak_mb": run.peak_mb, "note": "", **result}


def on_postgres(server: str, file: Path, kill_after: float) -> dict:
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError:
        admin.dispose()
        return {"backend": "PostgreSQL", "note": f"not reachable at {server}; not measured"}
    name = f"swarm_bench_{secrets.token_hex(6)}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
        return measure("PostgreSQL", url, file, kill_after)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def table(results: list[dict]) -> str:
    rows = []
    for r in results:
        if "rows" not in r:
            rows.append([r["backend"], "–", "–", "–", "–", "–", r["note"]])
            continue
        total = r["preview_seconds"] + r["confirm_seconds"]
        verdict = "meets the target" if total <= 60 and r["peak_mb"] < 500 else "misses the target"
        rows.append(
            [
                r["backend"],
                f"{r['rows']:,} ({r['new']:,} stored)",
                f"{r['preview_seconds']:.1f}",
                f"{r['confirm_seconds']:.1f}",
                f"{total:.1f}",
                f"{r['peak_mb']:.0f}",
                verdict,
            ]
        )
    headers = [
        "database",
        "rows",
        "preview s",
        "confirm s (check + store)",
        "total s",
        "peak MB",
        "60 s, 500 MB",
    ]
    return markdown_table(headers, rows)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        child(*argv[1:4])
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.import_bench", description=__doc__.splitlines()[0])
    parser.add_argument("--professionals", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--postgres", default=DEFAULT_POSTGRES, help="server to create a throwaway database on"
    )
    parser.add_argument("--kill-after", type=float, default=600)
    parser.add_argument(
        "--write", action="store_true", help=f'write the section "{SECTION}" of docs/benchmarks.md'
    )
    options = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "professionals.csv"
        write_file(file, options.professionals, options.seed)
        size_mb = file.stat().st_size / 2**20
        results.append(measure("SQLite", f"sqlite:///{Path(folder) / 'import.db'}", file, options.kill_after))
        print(table(results[-1:]).splitlines()[-1], flush=True)
        results.append(on_postgres(options.postgres, file, options.kill_after))
        print(table(results[-1:]).splitlines()[-1], flush=True)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    server = make_url(options.postgres).set(password=None).render_as_string()
    body = "\n".join(
        [
            f"Measured {today()} on {machine()}, load average {load} (1, 5, 15 min) when it ended: the machine "
            "was shared with other work.",
            f"`python -m bench.import_bench --professionals {options.professionals}` (seed {options.seed}): a "
            f"{size_mb:.1f} MB CSV of the demo generator's {options.professionals:,} Achterhoek professionals (real "
            "places, varied skills, distances, rates) imported into a fresh, migrated database with the region's "
            f"reference data (SQLite: a temporary file; PostgreSQL: a throwaway database on {server}). Preview: "
            "every row read, converted, matched and checked, nothing stored; confirm: checked again and stored "
            "(bulk inserts) with the commit, as the web app's confirmation does. Peak MB: the importing process's "
            "resident high-water mark.",
            "",
            table(results),
        ]
    )
    print()
    print(body)
    if options.write:
        write_section(SECTION, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
