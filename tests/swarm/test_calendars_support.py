"""Shared pieces for the calendar and mail tests: example sessions with awkward data and a real Radicale
CalDAV server on loopback. Holds fixtures and helpers only, no tests."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from base64 import b64encode
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from swarm.calendars import AMSTERDAM, Attendee, CalendarSession, Person, Role, ThemeTable, Venue
from swarm.domain.enums import InvitationResponse

HOST = "swarm.example.nl"
STAMP = datetime(2027, 1, 5, 10, 30, tzinfo=UTC)  # the injected clock's "now"

OMGEVINGSWET = ThemeTable("Omgevingswet: participatie; wie praat mee?", "Oude IJsselstreek")
JEUGDZORG = ThemeTable("Jeugdzorg, wachtlijsten \\ doorlooptijden", "Aalten")

GEERTJE = Attendee(
    key="p-0001",
    name="Geertje van 't Hoff, MSc",
    email="geertje@example.nl",
    plan=(OMGEVINGSWET, JEUGDZORG, OMGEVINGSWET),
    reasons=(
        "Omgevingsrecht op niveau 3; de tafel vraagt niveau 2",
        "Woont 12 km van Ulft (grens: 30 km)",
        "Twee uitnodigingen in het afgelopen jaar, dus voorrang; loting bij gelijke stand",
    ),
)
OMER = Attendee(
    key="p-0002",
    name="Ömer Çelik",
    email="omer.celik@example.nl",
    partstat=InvitationResponse.ACCEPTED,
    plan=(JEUGDZORG, OMGEVINGSWET, JEUGDZORG),
    reasons=("Jeugdzorg op niveau 2",),
)
ZOE = Attendee(
    key="p-0003",
    name="Zoë D'Hondt-Ruíz",
    email="zoe@example.be",
    role=Role.OPTIONAL,
    partstat=InvitationResponse.TENTATIVE,
    rsvp=False,
    plan=(JEUGDZORG, JEUGDZORG, OMGEVINGSWET),
)
ORGANIZER = Person("Anne-Marie Ëlberg", "organisator@achterhoek.example.nl")
ULFT = Venue("Cultuurhuis DRU, zaal 'De Smelterij'", "Hutteweg 24, 7071 BV Ulft")
ONLINE = Venue("Online", online_url="https://meet.example.nl/zwerm/achterhoek-1?pwd=a;b,c")


def session(key: str = "s-0042", *, day: tuple[int, int, int] = (2027, 1, 12), hours=(9, 12), **changes):
    """A two-table session in Amsterdam local time; `changes` override any field."""
    start = datetime(*day, hours[0], 0, tzinfo=AMSTERDAM)
    end = datetime(*day, hours[1], 0, tzinfo=AMSTERDAM)
    fields = dict(
        key=key,
        title="Achterhoek, ronde 1: wonen; zorg & werk",
        start=start,
        end=end,
        venue=ULFT,
        organizer=ORGANIZER,
        tables=(OMGEVINGSWET, JEUGDZORG),
        attendees=(GEERTJE, OMER, ZOE),
    )
    fields.update(changes)
    return CalendarSession(**fields)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, *, log: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            with open(log, encoding="utf-8", errors="replace") as output:
                raise RuntimeError(f"server exited with code {process.returncode}: {output.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


@dataclass
class CalDav:
    """A tiny CalDAV client on http.client: just the requests the tests need."""

    port: int
    user: str = "swarm"

    def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        token = b64encode(f"{self.user}:unused".encode()).decode()
        all_headers = {"Authorization": f"Basic {token}", **(headers or {})}
        try:
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()


@pytest.fixture(scope="module")
def radicale() -> Iterator[CalDav]:
    """A real Radicale on a free loopback port with its own temporary storage and no authentication."""
    storage = tempfile.mkdtemp(prefix="radicale-")
    port = free_port()
    command = [
        sys.executable, "-m", "radicale",
        "--config", "",
        "--server-hosts", f"127.0.0.1:{port}",
        "--storage-filesystem-folder", storage,
        "--auth-type", "none",
        "--rights-type", "owner_only",
        "--logging-level", "warning",
    ]  # fmt: skip
    log_path = os.path.join(storage, "radicale.log")
    # Output goes to a file, not a pipe: a pipe nobody reads would block the server once full.
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
    try:
        wait_for_port(port, process, log=log_path)
        yield CalDav(port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(storage, ignore_errors=True)
