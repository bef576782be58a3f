"""What every benchmark script shares: isolated runs with per-process peak memory, the machine, Markdown output.

Results are validated with the independent checker of the tests (tests/solver/swarm_checker.py); there is one
copy of it and the benchmarks import it from there.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS_MD = REPO / "docs" / "benchmarks.md"
if str(REPO) not in sys.path:  # so `tests.solver.swarm_checker` imports when run as a script too
    sys.path.insert(0, str(REPO))

from tests.solver.swarm_checker import check_schedule, spec_score  # noqa: E402

__all__ = ["check_schedule", "spec_score", "IsolatedRun", "run_isolated", "machine", "markdown_table"]


@dataclass
class IsolatedRun:
    wall_seconds: float
    peak_mb: float
    returncode: int | None
    killed: bool
    stderr: str


def run_isolated(argv: list[str], kill_after: float, memory_limit_mb: int = 8192) -> IsolatedRun:
    """Run ``argv`` in its own process; SIGKILL it after ``kill_after`` seconds of wall time.

    Peak memory is the kernel's high-water mark of the process's resident set (``VmHWM``), read every
    50 ms, summed over the process and the processes it starts (the swarm engine's bound runs in one of
    its own; the sum of their peaks may only overstate the peak of the whole). (``ru_maxrss`` from
    ``wait4`` would not do: a forked child inherits its parent's peak.)
    The child's address space is capped at ``memory_limit_mb`` so a runaway model fails alone
    instead of pushing a shared machine into swap.
    """

    def cap_memory() -> None:
        limit = memory_limit_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    with tempfile.TemporaryFile() as err:
        started = time.monotonic()
        child = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, stderr=err, cwd=REPO, start_new_session=True
        )
        killed, peaks = False, {}
        while child.poll() is None:
            for pid in _process_tree(child.pid):
                peaks[pid] = max(peaks.get(pid, 0), _high_water_kb(pid))
            if time.monotonic() - started > kill_after:
                os.killpg(child.pid, signal.SIGKILL)
                killed = True
                child.wait()
                break
            time.sleep(0.05)
        wall = time.monotonic() - started
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    peak_kb = sum(peaks.values())
    return IsolatedRun(wall, peak_kb / 1024, None if killed else child.returncode, killed, text[-2000:])


def _process_tree(pid: int) -> list[int]:
    """``pid`` and every process below it (Linux: /proc/<pid>/task/<tid>/children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as children:
                    todo.extend(int(c) for c in children.read().split())
        except (OSError, ValueError):
            pass
    return found


def _high_water_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def read_json(path: str | os.PathLike[str]) -> dict | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def write_json_atomic(path: str | os.PathLike[str], document: dict) -> None:
    """Write to a temporary file beside ``path`` and rename, so a reader never sees half a file."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle)
    os.replace(temporary, path)


def machine() -> str:
    """One line naming the CPU model, core count and memory of this machine."""
    model = platform.processor() or "unknown CPU"
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        found = re.search(r"^Model name:\s*(.+)$", lscpu, re.MULTILINE)
        model = found.group(1).strip() if found else model
    except OSError:
        pass
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{model}, {os.cpu_count()} cores, {memory_gb:.0f} GB memory, Python {platform.python_version()}"


def today() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def markdown_table(headers: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join("---" for _ in headers) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_section(title: str, body: str, path: Path = BENCHMARKS_MD) -> None:
    """Replace the section ``## title`` of docs/benchmarks.md (or append it), leaving other sections alone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(os.path.join(tempfile.gettempdir(), "swarm-benchmarks-md.lock")):
        text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
        heading = f"## {title}"
        section = f"{heading}\n\n{body.strip()}\n"
        pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
        if pattern.search(text):
            text = pattern.sub(lambda _: section + "\n", text, count=1)
        else:
            text = text.rstrip("\n") + "\n\n" + section
        temporary = path.with_suffix(".md.tmp")
        temporary.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
        os.replace(temporary, path)
