"""Going live, end to end, with only the README's commands ("Going live"): an empty PostgreSQL database is
migrated with ``swarm db upgrade``, ``swarm admin create`` makes the administrator (password on standard input),
gunicorn serves the web app, ``swarm scheduler`` sends the mail to a real SMTP server on loopback and ``swarm
worker`` solves. Then, in Chromium and in Dutch: the administrator sets up a region with two municipalities and a
venue and invites an organizer and a coordinator; they follow the links in their mails and set their passwords.
The coordinator submits a question while no round is open; the organizer opens a round, and the question joins
it. Two professionals imported with ``swarm import`` confirm their profiles through their mails, upload their
documents, which the organizer approves, and say they can come; the organizer plans (the worker solves),
publishes (the invitations reach the SMTP server), opens the next round, and the coordinator submits again.

Every process reads the real clock (as in production), so the dates of the rounds are counted from today.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.conftest import (
    NO_POSTGRES,
    _create_postgres_database,
    _drop_postgres_database,
    postgres_server_url,
)
from tests.documents import JPEG, PDF, PNG
from tests.swarm.test_calendars_support import free_port
from tests.swarm.test_mail_support import SmtpServer, smtp_server
from tests.web.browser import PageChecker, requires_chromium

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow, requires_chromium]

BIN = Path(sys.executable).parent  # the virtual environment's scripts: swarm, gunicorn
BOUND = 60  # seconds any wait may take at most (a loaded CI machine)
ADMIN = ("beheer@noord-veluwe.example", "beheer van de zwermen")
ORGANIZER = ("Olga Organisator", "olga@noord-veluwe.example", "olga plant de zwermen")
COORDINATOR = ("Cees Coördinator", "cees@nunspeet.example", "cees vraagt een zwerm")
PROFESSIONALS = (
    # name, e-mail, KvK number, place, municipality, password
    ("Anouk Hendriks", "anouk@example.nl", "68750110", "Elspeet", "Nunspeet", "anouk komt graag"),
    ("Bas te Winkel", "bas@example.nl", "70121734", "Doornspijk", "Elburg", "bas komt ook graag"),
)
UPLOADS = (
    ("KvK-uittreksel", "kvk_extract", "kvk.pdf", "application/pdf", PDF),
    ("Verklaring omtrent het gedrag (VOG)", "vog", "vog.jpg", "image/jpeg", JPEG),
    ("Beroepsaansprakelijkheidsverzekering", "liability_insurance", "polis.png", "image/png", PNG),
)


def wait_until(condition: Callable[[], object], what: str, timeout: float = BOUND):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")


@pytest.fixture
def empty_database() -> Iterator[str]:
    """A new, empty PostgreSQL database (not migrated: ``swarm db upgrade`` does that)."""
    server = postgres_server_url()
    if server is None:
        pytest.skip(NO_POSTGRES)
    url, admin = _create_postgres_database(server)
    try:
        yield url
    finally:
        _drop_postgres_database(admin, url)


class Installation:
    """The settings of the README's "Going live" as environment variables, and the commands run with them."""

    def __init__(self, database_url: str, smtp: SmtpServer, folder: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.smtp = smtp
        self.folder = folder
        self.environment = {
            **{key: value for key, value in os.environ.items() if not key.startswith("SWARM_")},
            "SWARM_DATABASE_URL": database_url,
            "SWARM_SECRET_KEY": secrets.token_urlsafe(48),
            "SWARM_BASE_URL": self.url,
            "SWARM_SMTP_HOST": "127.0.0.1",
            "SWARM_SMTP_PORT": str(smtp.port),
            "SWARM_SMTP_TLS": "none",
            "SWARM_SMTP_FROM": "zwerm@noord-veluwe.example",
            "SWARM_DOCUMENT_DIR": str(folder / "documents"),
        }
        self.logs: list[Path] = []

    def run(self, *command: str, stdin: str | None = None) -> str:
        """A command to its end; its output (it must succeed)."""
        done = subprocess.run(
            [str(BIN / command[0]), *command[1:]],
            cwd=self.folder,
            env=self.environment,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=BOUND,
        )
        assert done.returncode == 0, f"{' '.join(command)}: {done.stdout}{done.stderr}"
        return done.stdout

    @contextmanager
    def started(self, *command: str) -> Iterator[subprocess.Popen]:
        """A long-running process, stopped (SIGTERM, then SIGKILL) at the end; its output in a log file."""
        log = self.folder / f"{command[0]}-{len(self.logs)}.log"
        self.logs.append(log)
        with log.open("w") as output:
            process = subprocess.Popen(
                [str(BIN / command[0]), *command[1:]],
                cwd=self.folder,
                env=self.environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def serving(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def mail_to(self, address: str, subject: str | None = None) -> EmailMessage:
        """The newest mail the SMTP server received for the address (waiting for it)."""

        def found():
            return [
                m
                for m in self.smtp.inbox.messages
                if m["To"] and address in m["To"] and (subject is None or m["Subject"] == subject)
            ]

        return wait_until(found, f"a mail to {address}")[-1]

    def link_in(self, message: EmailMessage) -> str:
        body = message.get_body(("plain",)).get_content()
        match = re.search(re.escape(self.url) + r"/[^\s>\"]+", body)
        assert match, f"no link to {self.url} in: {body}"
        return match.group(0)

    def show_logs(self) -> None:
        for log in self.logs:
            print(f"--- {log.name}\n{log.read_text()[-4000:]}")


def _csv(folder: Path) -> Path:
    path = folder / "zzp-noord-veluwe.csv"
    lines = [
        "Naam;E-mail;KvK-nummer;Woonplaats;Gemeente;Reisafstand (km);Uurtarief (€);Uren per week;"
        "Max. sessies per ronde;Competenties"
    ]
    lines += [f"{n};{e};{k};{p};{m};30;90;24;2;participatie:2" for n, e, k, p, m, _ in PROFESSIONALS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_region_goes_live_from_an_empty_database(empty_database, playwright_browser, tmp_path):
    from playwright.sync_api import expect

    if not (BIN / "gunicorn").exists():
        pytest.fail("gunicorn is not installed: it is in the test extra (pip install -e '.[test]')")
    today = datetime.now(UTC).date()
    first_day = today + timedelta(days=21)
    next_day = today + timedelta(days=49)

    with ExitStack() as stack:
        smtp = stack.enter_context(smtp_server())
        swarm = Installation(empty_database, smtp, tmp_path)
        try:
            _walk(swarm, stack, playwright_browser, expect, today, first_day, next_day)
        except BaseException:
            swarm.show_logs()
            raise


def _walk(swarm: Installation, stack: ExitStack, browser, expect, today: date, first_day, next_day) -> None:
    began = time.monotonic()

    def phase(what: str) -> None:  # the time each step took shows with a failure (and with -s)
        print(f"{time.monotonic() - began:6.1f} s: {what}")

    # The README's commands: migrate the empty database, the processes, and (while they start) the first
    # administrator, whose password comes on standard input.
    assert "skill catalogue" in swarm.run("swarm", "db", "upgrade")
    web = stack.enter_context(
        swarm.started(
            "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{swarm.port}", "swarm.webapp:create_app()"
        )
    )
    stack.enter_context(swarm.started("swarm", "scheduler", "--outbox-every", "1"))
    stack.enter_context(swarm.started("swarm", "worker", "--poll", "0.5"))
    assert "created" in swarm.run("swarm", "admin", "create", "--email", ADMIN[0], stdin=ADMIN[1] + "\n")
    wait_until(lambda: web.poll() is not None or swarm.serving(), "gunicorn to answer")
    assert web.poll() is None, "gunicorn stopped"

    phase("processes up")
    checker = PageChecker(swarm.url)

    def open_page():
        context = browser.new_context(
            base_url=swarm.url, locale="nl-NL", viewport={"width": 1280, "height": 900}
        )
        stack.callback(context.close)
        # Every click here goes through gunicorn, PostgreSQL and the scheduler and worker processes started above;
        # with the suite's other xdist process beside them on two cores, a page can take tens of seconds.
        context.set_default_timeout(45_000)
        page = context.new_page()
        checker.watch(page)
        return page

    # The administrator logs in and sets up the region: two municipalities and a venue.
    admin = open_page()
    admin.goto("/login")
    admin.get_by_label("E-mailadres").fill(ADMIN[0])
    admin.get_by_label("Wachtwoord").fill(ADMIN[1])
    admin.get_by_role("button", name="Inloggen").click()
    expect(admin.get_by_role("heading", name="Regio's")).to_be_visible()
    admin.get_by_role("button", name="Een regio toevoegen").click()
    admin.get_by_label("Naam van de regio").fill("Noord-Veluwe")
    admin.get_by_role("button", name="Regio aanmaken").click()
    expect(admin.get_by_role("heading", name="Noord-Veluwe")).to_be_visible()
    for name, code, places in (("Nunspeet", "GM0302", ["Elspeet"]), ("Elburg", "GM0230", ["Doornspijk"])):
        admin.get_by_role("button", name="Een gemeente toevoegen").click()
        admin.get_by_label("Naam van de gemeente").fill(name)
        admin.get_by_label("CBS-code").fill(code)
        admin.get_by_label("Hoofdplaats (plaats van het gemeentehuis)").fill(name)
        admin.get_by_role("button", name="Gemeente aanmaken").click()
        expect(admin.get_by_role("heading", name=name)).to_be_visible()
        for place in places:
            admin.get_by_label("Zoek een Nederlandse plaats").press_sequentially(place[:5], delay=40)
            admin.get_by_role("button", name=f"{place} toevoegen").click()
            expect(admin.get_by_text(f"{place} is nu een plaats van {name}.")).to_be_visible()
        admin.get_by_role("link", name="Noord-Veluwe").click()
    admin.get_by_role("button", name="Een locatie toevoegen").click()
    admin.get_by_label("Naam van de locatie").fill("Dorpshuis Elspeet")
    admin.get_by_label("Plaats", exact=True).select_option(label="Elspeet")
    admin.get_by_label("Capaciteit (personen)").fill("30")
    admin.get_by_label("Tafels").fill("4")
    admin.get_by_role("button", name="Locatie toevoegen").click()
    expect(admin.get_by_role("link", name="Dorpshuis Elspeet")).to_be_visible()

    phase("region set up")
    # ... and invites an organizer of the region and a coordinator of Nunspeet.
    admin.get_by_role("link", name="Medewerkersaccounts").first.click()
    for name, email, role, where, label in (
        (ORGANIZER[0], ORGANIZER[1], "organizer", "Regio (organisatoren)", "Noord-Veluwe"),
        (
            COORDINATOR[0],
            COORDINATOR[1],
            "coordinator",
            "Gemeente (HR-coördinatoren)",
            "Nunspeet (Noord-Veluwe)",
        ),
    ):
        admin.get_by_label("Naam", exact=True).fill(name)
        admin.get_by_label("E-mailadres").fill(email)
        admin.get_by_label("Rol").select_option(role)
        admin.get_by_label(where).select_option(label=label)
        admin.get_by_role("button", name="Uitnodiging versturen").click()
        expect(admin.get_by_text(f"{email} is uitgenodigd")).to_be_visible()

    phase("staff invited")
    # The scheduler sends the invitations; each follows the link and sets a password.
    staff = {}
    for key, (_name, email, password), home in (
        ("organizer", ORGANIZER, "/organizer/"),
        ("coordinator", COORDINATOR, "/coordinator/"),
    ):
        mail = swarm.mail_to(email)
        assert mail["Subject"] == "Uw account voor Zwerm"
        page = staff[key] = open_page()
        page.goto(swarm.link_in(mail))
        expect(page.get_by_role("heading", name="Stel uw wachtwoord in")).to_be_visible()
        page.get_by_label("Nieuw wachtwoord", exact=True).fill(password)
        page.get_by_label("Nieuw wachtwoord nogmaals").fill(password)
        page.get_by_role("button", name="Mijn wachtwoord opslaan").click()
        expect(page.get_by_text("Uw wachtwoord is ingesteld. U bent ingelogd.")).to_be_visible()
        expect(page).to_have_url(swarm.url + home)
    organizer, coordinator = staff["organizer"], staff["coordinator"]

    phase("staff passwords set")
    # No round is open: the coordinator submits a question for the next one.
    coordinator.get_by_role("link", name="Zwermsessie aanvragen").first.click()
    expect(
        coordinator.get_by_text("Geen planningsronde neemt nu vraagstukken aan.", exact=False)
    ).to_be_visible()
    _question(coordinator, "Inwoners betrekken bij het omgevingsplan")
    coordinator.get_by_role("button", name="Opslaan en indienen voor de volgende ronde").click()
    expect(
        coordinator.get_by_role("heading", name="Inwoners betrekken bij het omgevingsplan")
    ).to_be_visible()
    first_question = coordinator.url

    phase("question waiting")
    # The organizer opens the first round; the waiting question joins it.
    _open_round(organizer, expect, "Zwermronde 1", first_day - timedelta(days=7), first_day)
    expect(organizer.get_by_text("Dorpshuis Elspeet").first).to_be_visible()
    expect(organizer.get_by_text("Inwoners betrekken bij het omgevingsplan")).to_be_visible()
    coordinator.goto(first_question)
    expect(coordinator.get_by_text("Zwermronde 1", exact=False).first).to_be_visible()

    phase("first round open")
    # The operator imports the region's professionals (the README's `swarm import`); each gets a mail.
    report = swarm.run(
        "swarm", "import", "professionals", str(_csv(swarm.folder)), "--region", "noord-veluwe"
    )
    assert "2 new" in report and "2 invitation(s)" in report, report
    people = []
    for name, email, _kvk, _place, _municipality, password in PROFESSIONALS:
        page = open_page()
        page.goto(swarm.link_in(swarm.mail_to(email)))
        expect(page.get_by_role("heading", name="Bevestig uw profiel")).to_be_visible()
        page.get_by_label("Deze gegevens zijn van mij en kloppen").check()
        page.get_by_label("Kies een wachtwoord").fill(password)
        page.get_by_role("button", name="Bevestigen en inloggen").click()
        expect(page.get_by_text("Welkom! Controleer uw profiel en upload uw documenten.")).to_be_visible()
        page.goto("/professional/profile")
        page.get_by_label("Ik aanvaard de modelovereenkomst voor de Wet DBA").check()
        page.get_by_role("button", name="Opslaan", exact=True).click()
        expect(page.get_by_label("Ik aanvaard de modelovereenkomst voor de Wet DBA")).to_be_checked()
        phase(f"{name} confirmed the profile")
        page.goto("/professional/")
        for _label, kind, file_name, mime, content in UPLOADS:
            page.get_by_label("Document", exact=True).select_option(kind)
            page.get_by_label("Bestand (PDF, PNG of JPEG, hoogstens 10 MB)").set_input_files(
                {"name": file_name, "mimeType": mime, "buffer": content}
            )
            page.get_by_role("button", name="Document uploaden").click()
            expect(page.get_by_text("uw document wacht op controle")).to_be_visible()
        people.append((name, page))

    phase("documents uploaded")
    # The organizer checks the documents.
    for name, _page in people:
        organizer.goto("/organizer/documents")
        organizer.get_by_role("link", name=name).first.click()
        expect(organizer.get_by_role("heading", name=f"Documenten van {name}")).to_be_visible()
        for label, kind, *_ in UPLOADS:
            article = organizer.locator("article", has=organizer.get_by_role("heading", name=label))
            article.get_by_label("Geldig tot").fill((today + timedelta(days=730)).isoformat())
            if kind != "liability_insurance":
                article.get_by_label("Afgiftedatum").fill((today - timedelta(days=7)).isoformat())
            article.get_by_role("button", name="Goedkeuren").click()
            expect(organizer.get_by_text("Het document is goedgekeurd.")).to_be_visible()

    phase("documents checked")
    # Qualified, both say they can come.
    for _name, page in people:
        page.goto("/professional/")
        expect(page.locator("#qualification-summary")).to_contain_text("U bent gekwalificeerd")
        page.get_by_role("link", name="Beschikbaarheid").first.click()
        row = page.locator("tr[data-slot]")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Inwoners betrekken bij het omgevingsplan")
        row.locator('input[value="yes"]').check()
        page.get_by_role("button", name="Beschikbaarheid opslaan").click()
        expect(page.get_by_text("Uw beschikbaarheid is opgeslagen.")).to_be_visible()

    phase("availability marked")
    # The organizer plans (the worker process solves) and publishes; the invitations go out by mail.
    organizer.get_by_role("link", name="Planning").first.click()
    organizer.get_by_label("Tijdslimiet in seconden").fill("5")
    organizer.get_by_role("button", name="Planning starten").click()
    expect(organizer.get_by_role("heading", name="Concept", exact=True)).to_be_visible(timeout=BOUND * 1000)
    organizer.get_by_role("button", name="Deze planning publiceren en de uitnodigingen versturen").click()
    organizer.get_by_role("button", name=re.compile(r"^Publiceren en \d+ mails? versturen$")).click()
    expect(organizer.get_by_text("Gepubliceerd:", exact=False).first).to_be_visible()
    for _name, email, *_ in PROFESSIONALS:
        invitation = wait_until(
            lambda email=email: [
                m for m in swarm.smtp.inbox.messages if email in (m["To"] or "") and m.get_body(("calendar",))
            ],
            f"the invitation to {email}",
        )[-1]
        assert "Inwoners betrekken bij het omgevingsplan" in invitation.get_body(("plain",)).get_content()
    coordinator.goto(first_question)
    expect(coordinator.get_by_text("Dorpshuis Elspeet", exact=False).first).to_be_visible()

    phase("published")
    # The next round opens, and the coordinator submits a new question to it.
    _open_round(organizer, expect, "Zwermronde 2", next_day - timedelta(days=7), next_day)
    coordinator.get_by_role("link", name="Zwermsessie aanvragen").first.click()
    expect(coordinator.locator("#round-note")).to_contain_text("Zwermronde 2")
    _question(coordinator, "Jeugdzorg in de kernen")
    coordinator.locator('input[name="slot_ids"]').first.check()
    coordinator.get_by_role("button", name="Opslaan en openstellen voor de regio").click()
    expect(coordinator.get_by_text("open voor beschikbaarheid").first).to_be_visible()
    expect(coordinator.get_by_text("Zwermronde 2", exact=False).first).to_be_visible()
    phase("second round: question submitted")
    assert not checker.csp_violations, checker.csp_violations


def _question(page, title: str) -> None:
    page.get_by_label("Titel van het vraagstuk").fill(title)
    page.get_by_label("Competentie, rij 1").select_option("participatie")
    page.get_by_label("Minimumniveau, rij 1").select_option("1")
    page.get_by_label("Kleinste tafel").fill("2")
    page.get_by_label("Grootste tafel").fill("2")


def _open_round(page, expect, name: str, deadline: date, day: date) -> None:
    page.get_by_role("link", name="Rondes").first.click()
    page.get_by_role("button", name="Een ronde openen").first.click()
    page.get_by_label("Naam van de ronde").fill(name)
    page.get_by_label("Uiterste datum beschikbaarheid").fill(f"{deadline.isoformat()}T17:00")
    page.locator("#slots-0-starts_at").fill(f"{day.isoformat()}T09:00")
    page.locator("#slots-0-ends_at").fill("12:00")
    page.get_by_role("button", name="De ronde openen").click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
