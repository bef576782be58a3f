"""Pages under load: home, a professional's availability and the organizer's review, in one run.

    python -m bench.load_bench                         # 20 s a page, 50 clients, a fresh database
    python -m bench.load_bench --seconds 30 --write "After"   # and write that section of docs/benchmarks.md
    python -m bench.load_bench --keep-db               # keep the database and print its URL ...
    python -m bench.load_bench --database URL          # ... and measure against it again (no seed, no solve)
    python -m bench.load_bench --database URL --in-process 40   # CPU a request in this process, no HTTP

As production runs it: a fresh PostgreSQL database on ``--postgres`` (default the tests' server on 127.0.0.1:5432)
migrated with ``swarm db upgrade``, the demo region seeded with ``swarm seed --professionals 2000``, its round
solved into a draft with ``swarm plan`` (the real solve, as ``swarm demo`` does, not published: the draft is what
the organizer reviews), and the app served by ``gunicorn --workers 4 'swarm.webapp:create_app()'`` on loopback.
The roles log in through the real login form (CSRF token, cookies kept). Then ``--clients`` threads, each with a
keep-alive connection of its own, ask for one page as fast as they are answered for ``--seconds``; the three pages
follow each other in the same run, so their ratios compare like with like on a shared machine.

The load generator runs on the same machine as gunicorn and PostgreSQL and costs CPU of its own: its CPU seconds
are printed beside those of gunicorn's workers, with the load average before and after. A request counts as an
error when it raises (time-out ``--timeout``) or answers anything but 200.

``--in-process N`` measures instead the CPU a request of each page costs when served in this one process through
Flask's test client, N requests after each other (after three to warm up): no gunicorn, no HTTP, no clients'
threads beside it. On a shared machine it moves far less between runs than the CPU per request under load.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import requests
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench.common import REPO, _process_tree, machine, markdown_table, today, write_section

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REGION = "achterhoek"
PASSWORD = "zwerm-demo-2027"  # swarm.seed.model.DEMO_PASSWORD, the published demo password
ORGANIZER = f"organisator@{REGION}.demo"
PROFESSIONAL = f"zzp1@{REGION}.demo"
CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
VALUE = re.compile(r'value="([^"]+)"')


@dataclass
class Page:
    name: str
    path: str
    role: str | None  # the account whose cookies the clients send; None: anonymous
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    server_cpu: float = 0.0  # CPU seconds gunicorn's processes spent while this page was driven
    sample_status: str = ""

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# -- the database: created, migrated, seeded, solved ---------------------------------------------------------------


def swarm_command(args: list[str], env: dict[str, str]) -> None:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-P", "-m", "swarm", *args], env=env, cwd=REPO, capture_output=True
    )
    if done.returncode != 0:
        sys.exit(f"swarm {' '.join(args)} failed:\n{done.stdout.decode()}\n{done.stderr.decode()}")
    print(f"  swarm {' '.join(args)}: {time.monotonic() - started:.0f} s", flush=True)


def prepare_database(server: str, professionals: int, plan_seconds: float, env: dict[str, str]) -> str:
    name = f"swarm_load_{secrets.token_hex(6)}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    env = {**env, "SWARM_DATABASE_URL": url}
    print(f"preparing {name} ...", flush=True)
    swarm_command(["db", "upgrade"], env)
    swarm_command(
        [
            "seed",
            "--region",
            REGION,
            "--professionals",
            str(professionals),
            "--today",
            date.today().isoformat(),
        ],
        env,
    )
    swarm_command(["plan", "--region", REGION, "--time-limit", str(plan_seconds)], env)
    return url


def drop_database(server: str, url: str) -> None:
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    admin.dispose()


# -- gunicorn ----------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "swarm.webapp:create_app()",
        ],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200:
                return server
        except requests.RequestException:
            time.sleep(0.3)
    stop_gunicorn(server)
    sys.exit("gunicorn did not answer within 60 s")


def stop_gunicorn(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU seconds of these processes (Linux /proc), each as far as it has run."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, ValueError, IndexError):
            pass
    return total / ticks


# -- clients -----------------------------------------------------------------------------------------------------


def login(base: str, email: str) -> requests.cookies.RequestsCookieJar:
    """The real login: the form's CSRF token, the POST, the session cookie it sets."""
    with requests.Session() as client:
        form = client.get(f"{base}/login", timeout=30)
        token = VALUE.search(CSRF.search(form.text).group(0)).group(1)
        answer = client.post(
            f"{base}/login",
            data={"csrf_token": token, "email": email, "password": PASSWORD},
            allow_redirects=False,
            timeout=30,
        )
        if answer.status_code != 302 or "/login" in answer.headers.get("Location", "/login"):
            sys.exit(f"login of {email} refused ({answer.status_code})")
        return client.cookies


def drive(base: str, page: Page, cookies, clients: int, seconds: float, timeout: float) -> None:
    """``clients`` threads, each asking for ``page`` again as soon as it is answered, until the time is up."""
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at: list[float] = []

    def client() -> None:
        latencies, errors = [], 0
        with requests.Session() as session:
            if cookies is not None:
                session.cookies.update(cookies)
            start.wait()
            while time.monotonic() < stop_at[0]:
                began = time.monotonic()
                try:
                    answer = session.get(base + page.path, timeout=timeout, allow_redirects=False)
                    answer.content  # noqa: B018 - read the whole body, as a browser would
                    ok = answer.status_code == 200
                    if not ok and not page.sample_status:
                        page.sample_status = str(answer.status_code)
                except requests.RequestException as problem:
                    ok = False
                    if not page.sample_status:
                        page.sample_status = type(problem).__name__
                if ok:
                    latencies.append(time.monotonic() - began)
                else:
                    errors += 1
        with lock:
            page.latencies.extend(latencies)
            page.errors += errors

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    stop_at.append(began + seconds)
    start.wait()
    for thread in threads:
        thread.join()
    page.seconds = time.monotonic() - began  # includes the last answers that started before the end


# -- the run -----------------------------------------------------------------------------------------------------


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def run(args: argparse.Namespace) -> int:
    env = {
        **os.environ,
        "SWARM_SECRET_KEY": secrets.token_urlsafe(32),
        "SWARM_BASE_URL": "http://127.0.0.1",
    }
    env.pop("SWARM_DATABASE_URL", None)
    url = args.database or prepare_database(args.postgres, args.professionals, args.plan_seconds, env)
    if args.in_process:
        try:
            print(in_process(url, args.in_process))
        finally:
            if not args.database and not args.keep_db:
                drop_database(args.postgres, url)
        return 0
    env["SWARM_DATABASE_URL"] = url
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(env, port, args.workers)
    load_before = load_average()
    try:
        jars = {"professional": login(base, PROFESSIONAL), "organizer": login(base, ORGANIZER)}
        pages = [
            Page("home", "/", None),
            Page("availability", "/professional/availability", "professional"),
            Page("review", "/organizer/review", "organizer"),
        ]
        sizes = {}
        for page in pages:  # one warm-up request each; every worker imports lazily on its first page
            cookies = jars.get(page.role) if page.role else None
            answer = requests.get(base + page.path, cookies=cookies, timeout=120, allow_redirects=False)
            if answer.status_code != 200:
                sys.exit(f"{page.path} answers {answer.status_code} before the load")
            sizes[page.name] = len(answer.content)
        server_pids = _process_tree(server.pid)
        server_cpu, own_cpu = cpu_seconds(server_pids), sum(os.times()[:2])
        began = time.monotonic()
        for page in pages:
            print(f"driving {page.name} ({args.clients} clients, {args.seconds:.0f} s) ...", flush=True)
            before = cpu_seconds(server_pids)
            cookies = jars.get(page.role) if page.role else None
            drive(base, page, cookies, args.clients, args.seconds, args.timeout)
            page.server_cpu = cpu_seconds(server_pids) - before
        wall = time.monotonic() - began
        server_cpu = cpu_seconds(server_pids) - server_cpu
        own_cpu = sum(os.times()[:2]) - own_cpu
    finally:
        stop_gunicorn(server)
        if not args.database and not args.keep_db:
            drop_database(args.postgres, url)
    load_after = load_average()
    report = render(pages, sizes, args, wall, server_cpu, own_cpu, load_before, load_after)
    print(report)
    if args.keep_db and not args.database:
        print(f"\nkept the database: --database {url}")
    if args.write:
        write_section(f"Pages under load: {args.write}", report)
    return 0


def in_process(url: str, requests_each: int) -> str:
    """CPU seconds a request of each page in this process (Flask's test client), with the load average."""
    os.environ.update(
        SWARM_DATABASE_URL=url, SWARM_SECRET_KEY=secrets.token_urlsafe(32), SWARM_BASE_URL="http://127.0.0.1"
    )
    from swarm.webapp import create_app  # here: the load run itself never imports the app

    app = create_app()
    load_before = load_average()
    figures = []
    for name, path, email in (
        ("home", "/", None),
        ("availability", "/professional/availability", PROFESSIONAL),
        ("review", "/organizer/review", ORGANIZER),
    ):
        client = app.test_client()
        if email is not None:
            form = client.get("/login").get_data(as_text=True)
            token = VALUE.search(CSRF.search(form).group(0)).group(1)
            data = {"csrf_token": token, "email": email, "password": PASSWORD}
            if client.post("/login", data=data).status_code != 302:
                sys.exit(f"login of {email} refused")
        for _ in range(3):
            if client.get(path).status_code != 200:
                sys.exit(f"{path} does not answer 200")
        began = time.process_time()
        for _ in range(requests_each):
            client.get(path)
        figures.append(f"{name} {(time.process_time() - began) / requests_each * 1000:.1f} ms")
    return (
        f"In-process CPU a request ({requests_each} requests each, Flask's test client): {', '.join(figures)}. "
        f"{today()}; {machine()}; load average {load_before} before, {load_average()} after."
    )


def render(pages, sizes, args, wall, server_cpu, own_cpu, load_before, load_after) -> str:
    home = pages[0].rate
    rows = [
        [
            page.name,
            f"`{page.path}`",
            f"{sizes[page.name] / 1024:.0f} KB",
            len(page.latencies),
            f"{page.rate:.1f}",
            f"{page.percentile(0.50) * 1000:.0f} ms",
            f"{page.percentile(0.95) * 1000:.0f} ms",
            f"{page.errors}" + (f" (first: {page.sample_status})" if page.errors else ""),
            f"{page.server_cpu / len(page.latencies) * 1000:.1f} ms" if page.latencies else "–",
        ]
        for page in pages
    ]
    table = markdown_table(
        ["page", "path", "size", "answered", "req/s", "p50", "p95", "errors", "gunicorn CPU a request"], rows
    )
    ratio = {page.name: page.rate / home if home else 0.0 for page in pages}
    lines = [
        table,
        "",
        f"Ratios in the same run: availability/home {ratio['availability']:.3f} "
        f"(1/{1 / ratio['availability'] if ratio['availability'] else float('inf'):.1f}, target >= 1/3), "
        f"review/home {ratio['review']:.3f} "
        f"(1/{1 / ratio['review'] if ratio['review'] else float('inf'):.1f}, target >= 1/10).",
        "",
        f"{today()}; {machine()}. gunicorn {args.workers} workers, PostgreSQL and the load generator "
        f"({args.clients} client threads, Python requests with keep-alive) share the machine. "
        f"{args.seconds:.0f} s a page, {args.professionals} professionals. Load average (1, 5, 15 min) "
        f"{load_before} before, {load_after} after. CPU seconds during the {wall:.0f} s of load: gunicorn "
        f"{server_cpu:.0f}, the load generator {own_cpu:.0f} (of {wall * (os.cpu_count() or 1):.0f} available).",
    ]
    if any(page.latencies for page in pages):
        lines.append(
            "Mean latency: "
            + ", ".join(
                f"{page.name} {statistics.fmean(page.latencies) * 1000:.0f} ms"
                for page in pages
                if page.latencies
            )
            + "."
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="load per page (default 20)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a request is an error")
    parser.add_argument("--professionals", type=int, default=2000)
    parser.add_argument("--plan-seconds", type=float, default=20.0, help="time limit of the solve")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="server to create the database on")
    parser.add_argument("--database", help="measure against this prepared database (from --keep-db)")
    parser.add_argument("--keep-db", action="store_true", help="keep the new database for later runs")
    parser.add_argument("--write", metavar="LABEL", help="write the section 'Pages under load: LABEL'")
    parser.add_argument(
        "--in-process",
        type=int,
        metavar="N",
        help="instead: CPU a request, N requests a page in this process",
    )
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
