"""The import pages, the printable table plan and the welcome page at phone width (390 px), with axe-core."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from swarm.persistence.db import unit_of_work
from swarm.persistence.models import OutboxMessage
from tests.exchange.conftest import csv_bytes
from tests.web.browser import PageChecker, log_in, requires_chromium, screenshot
from tests.web.world import PASSWORD

pytestmark = [pytest.mark.browser, requires_chromium]

ROWS = [
    ["Naam", "E-mail", "KvK-nummer", "Woonplaats", "Competenties", "Lievelingskleur"],
    ["Anna de Vries-van den Heuvel", "anna.devries.vandenheuvel@example.nl", "23456789", "Oude IJsselstreek", "participatie:2", "rood"],
    ["Bram Jansen", "bram@example.nl", "1234", "Nergenshuizen", "zwemmen:2", "blauw"],
]  # fmt: skip


@pytest.fixture
def phone(playwright_browser, live):
    context = playwright_browser.new_context(
        base_url=live.url, locale="nl-NL", viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    checker = PageChecker(live.url)
    checker.watch(page)
    yield page, checker
    context.close()
    assert not checker.csp_violations, checker.csp_violations


def fits(page) -> bool:
    """Nothing in the page's content reaches past the screen's edge (the header's menu is the layout's own)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('main *')]
                 .every(e => e.getBoundingClientRect().right <= window.innerWidth + 1
                             || e.closest('.scroll') !== null)"""
    )


def test_an_organizer_uploads_sees_every_row_and_confirms_on_a_phone(phone, the_world, engine, tmp_path):
    page, checker = phone
    log_in(page, checker, the_world.users["organizer_home"].email, PASSWORD)
    page.goto("/organizer/import/professionals")
    checker.axe(page)
    assert fits(page)
    bad = tmp_path / "professionals.csv"
    bad.write_bytes(csv_bytes(ROWS, encoding="cp1252"))
    page.get_by_label("Bestand (.csv of .xlsx, hoogstens 10 MB)").set_input_files(str(bad))
    page.get_by_role("button", name="Bestand controleren").click()
    assert page.get_by_role("heading", name="Fouten").is_visible()
    assert page.get_by_text('Regel 3, kolom “Woonplaats”: Onbekende plaats "Nergenshuizen"').is_visible()
    assert page.get_by_text('Regel 3, kolom “Competenties”: Onbekende competentie "zwemmen"').is_visible()
    assert page.get_by_role("button", name="Bevestigen").count() == 0
    checker.axe(page)
    assert fits(page)
    screenshot(page, "import-preview")
    page.get_by_role("button", name="Upload verwijderen").click()

    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(ROWS[:2]))
    page.goto("/organizer/import/professionals")
    page.get_by_label("Bestand (.csv of .xlsx, hoogstens 10 MB)").set_input_files(str(good))
    page.get_by_role("button", name="Bestand controleren").click()
    page.get_by_label("Kolom “Lievelingskleur”").select_option("")
    page.get_by_role("button", name="Deze kolommen gebruiken").click()
    checker.axe(page)
    assert fits(page)
    page.get_by_role("button", name="Bevestigen").click()
    assert page.get_by_text("Geïmporteerd: 1 nieuw, 0 bijgewerkt, 0 ongewijzigd.").is_visible()

    with unit_of_work(engine) as session:
        body = session.exec(
            select(OutboxMessage.body_text).where(OutboxMessage.recipient == ROWS[1][1])
        ).one()
    link = re.search(r"(/welkom/\S+)", body).group(1)
    page.get_by_role("button", name="Uitloggen").click()
    page.goto(link)
    checker.axe(page)
    assert fits(page)
    page.get_by_label("Deze gegevens zijn van mij en kloppen").check()
    page.get_by_label("Kies een wachtwoord").fill("een lang wachtwoord")
    page.get_by_role("button", name="Bevestigen en inloggen").click()
    assert page.get_by_text("Welkom! Controleer uw profiel en upload uw documenten.").is_visible()


def test_the_printable_table_plan_passes_axe_on_a_phone(phone, the_world):
    page, checker = phone
    log_in(page, checker, the_world.users["organizer_home"].email, PASSWORD)
    page.goto("/organizer/review")
    page.get_by_role("link", name=re.compile("Tafelindeling afdrukken")).first.click()
    assert page.get_by_role("heading", name="Ronde 1").is_visible()
    assert page.locator("nav").count() == 0
    checker.axe(page)
    assert fits(page)
