"""The processes swarm starts import the installed swarm and solver, never stray modules of the folder they run
in, and the demo stops, saying why, when its scheduler process dies.

A stray module here writes a marker file beside itself and exits: a test that finds a marker, or a process that
died early, has caught an import from the current directory.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

from bench.swarm_instances import custom
from solver.swarm import bound, candidates
from solver.swarm.eligibility import Eligibility
from solver.swarm.instance import parse_instance
from solver.swarm.session_bound import BoundBeside
from tests.ops.test_processes import BOUND, wait_until
from tests.swarm.test_calendars_support import free_port

SWARM = Path(sys.executable).parent / "swarm"  # the console script, as a user starts it
STRAY = (
    'import pathlib, sys\npathlib.Path(__file__).with_suffix(".imported").touch()\nsys.exit("stray module")\n'
)


@pytest.fixture
def folder_with_strays(tmp_path) -> Path:
    for name in ("swarm", "solver"):
        (tmp_path / f"{name}.py").write_text(STRAY)
    return tmp_path


def strays_imported(folder: Path) -> list[str]:
    return sorted(marker.stem for marker in folder.glob("*.imported"))


@contextmanager
def demo(folder: Path) -> Iterator[tuple[subprocess.Popen, int, Path]]:
    """`swarm demo` in `folder` (its own SQLite database there), until its scheduler runs or it has stopped."""
    port = free_port()
    log = folder / "demo.log"
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SWARM_")}
    environment.update(SWARM_DATABASE_URL=f"sqlite:///{folder / 'demo.db'}", PYTHONUNBUFFERED="1")
    command = [SWARM, "demo", "--professionals", "20", "--plan-seconds", "1", "--port", str(port)]
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=folder, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        wait_until(
            lambda: "scheduler running" in log.read_text() or process.poll() is not None,
            "the demo's scheduler to run",
        )
        yield process, port, log
    finally:
        stop_with_children(process)


def stop_with_children(process: subprocess.Popen) -> None:
    """Stop the demo as a user would (it stops its scheduler itself); kill whatever is left after that."""
    try:
        family = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        family = []
    process.terminate()
    try:
        process.wait(timeout=BOUND)
    finally:
        for member in family:
            with contextlib.suppress(psutil.NoSuchProcess):
                member.kill()


def scheduler_of(demo_process: subprocess.Popen) -> psutil.Process:
    (scheduler,) = [
        child for child in psutil.Process(demo_process.pid).children() if "scheduler" in child.cmdline()
    ]
    return scheduler


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def test_the_demo_runs_its_scheduler_from_the_installed_swarm_not_from_a_stray_swarm_py(folder_with_strays):
    with demo(folder_with_strays) as (process, port, log):
        assert process.poll() is None, log.read_text()
        assert scheduler_of(process).is_running()
        assert listening(port)
    assert strays_imported(folder_with_strays) == []


def test_the_demo_stops_with_a_clear_message_when_its_scheduler_dies(tmp_path):
    with demo(tmp_path) as (process, port, log):
        scheduler_of(process).kill()
        assert process.wait(timeout=BOUND) == 1
        assert not listening(port)
    assert (
        "Error: the scheduler process was killed by SIGKILL, so the demo stops: without it no solve, reminder "
        "or mail would run (its log above may say why)"
    ) in log.read_text()


def test_the_demo_stopped_on_purpose_exits_cleanly_and_stops_its_scheduler(tmp_path):
    with demo(tmp_path) as (process, _port, log):
        scheduler = scheduler_of(process)
        process.terminate()
        assert process.wait(timeout=BOUND) == 0
        scheduler.wait(timeout=BOUND)  # raises psutil.TimeoutExpired while it runs
        assert not scheduler.is_running()
    assert "Error" not in log.read_text()


def test_python_m_swarm_imports_the_installed_solver_not_a_stray_solver_py(tmp_path):
    (tmp_path / "solver.py").write_text(STRAY)
    done = subprocess.run(
        [sys.executable, "-m", "swarm", "solve", "--help"], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: swarm solve")
    assert strays_imported(tmp_path) == []


def test_the_sessions_bound_process_imports_the_installed_solver_not_a_stray_solver_py(
    folder_with_strays, monkeypatch
):
    elig = Eligibility(parse_instance(custom(60, 4, 3, 2, seed=5, name="stray")))
    _, tables = candidates.survey(elig, 40)
    staffable = sorted(tables)
    _, prices = bound.tables_lp(elig, 10, staffable, tables)
    monkeypatch.chdir(folder_with_strays)
    beside = BoundBeside(elig.instance, staffable, prices, tables, time.monotonic() + 20)
    wait_until(lambda: beside.best() is not None or not beside.running, "a bound from the process")
    assert isinstance(beside.close(), int)
    assert strays_imported(folder_with_strays) == []
