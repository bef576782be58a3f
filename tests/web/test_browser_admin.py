"""The administrator sets up a region from nothing in Chromium, at desktop width and at 390 px (a phone): two
municipalities whose places are picked through the search field (htmx fills it as you type), a venue, and an
organizer invited by mail. The mail goes through the outbox to a real SMTP server; the organizer opens its link in
a browser of their own and sets the password. axe-core runs on every page; no page scrolls sideways."""

from __future__ import annotations

import pytest

from swarm.config import Config
from swarm.domain.timeutil import fixed_clock
from swarm.services.ops.outbox import send_due
from tests.swarm.test_mail_support import smtp_server
from tests.web import world as test_world
from tests.web.browser import log_in, requires_chromium, screenshot
from tests.web.mailbox import link_in
from tests.web.world import NOW

pytestmark = [pytest.mark.browser, requires_chromium]

WIDTHS = {"desktop": 1280, "phone": 390}


def _fits(page) -> None:
    """No horizontal scrolling at this width."""
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 30))"""
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (
        page.url,
        wide[:8],
    )


def _check(page, checker) -> None:
    checker.axe(page)
    _fits(page)


def _municipality(page, checker, name, code, seat, extra_places):
    from playwright.sync_api import expect

    page.get_by_role("button", name="Een gemeente toevoegen").click()
    _check(page, checker)
    page.get_by_label("Naam van de gemeente").fill(name)
    page.get_by_label("CBS-code").fill(code)
    page.get_by_label("Hoofdplaats (plaats van het gemeentehuis)").fill(seat)
    page.get_by_role("button", name="Gemeente aanmaken").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    for place in extra_places:
        search = page.get_by_label("Zoek een Nederlandse plaats")
        search.fill("")
        search.press_sequentially(place[:5], delay=40)  # htmx asks as the letters come
        add = page.get_by_role("button", name=f"{place} toevoegen")
        expect(add).to_be_visible()
        _check(page, checker)
        add.click()
        expect(page.get_by_text(f"{place} is nu een plaats van {name}.")).to_be_visible()
    expect(page.get_by_role("button", name=f"{seat} verwijderen")).to_be_visible()
    _check(page, checker)
    page.get_by_role("link", name="Noord-Veluwe").click()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_administrator_sets_up_a_region_and_invites_an_organizer_who_sets_a_password(
    open_page, the_world, engine, width
):
    from playwright.sync_api import expect

    _open, checker = open_page
    admin = _open()
    admin.set_viewport_size({"width": WIDTHS[width], "height": 900})
    log_in(admin, checker, the_world.users["administrator_home"].email, test_world.PASSWORD)
    expect(admin.get_by_role("heading", name="Regio's")).to_be_visible()
    _check(admin, checker)

    admin.get_by_role("button", name="Een regio toevoegen").click()
    _check(admin, checker)
    admin.get_by_label("Naam van de regio").fill("Noord-Veluwe")
    admin.get_by_role("button", name="Regio aanmaken").click()
    expect(admin.get_by_role("heading", name="Noord-Veluwe")).to_be_visible()
    _check(admin, checker)

    _municipality(admin, checker, "Nunspeet", "GM0302", "Nunspeet", ["Elspeet", "Hulshorst"])
    _municipality(admin, checker, "Elburg", "GM0230", "Elburg", ["Doornspijk"])

    admin.get_by_role("button", name="Een locatie toevoegen").click()
    _check(admin, checker)
    admin.get_by_label("Naam van de locatie").fill("Dorpshuis Elspeet")
    admin.get_by_label("Plaats", exact=True).select_option(label="Elspeet")
    admin.get_by_label("Capaciteit (personen)").fill("30")
    admin.get_by_label("Tafels").fill("4")
    admin.get_by_role("button", name="Locatie toevoegen").click()
    expect(admin.get_by_role("link", name="Dorpshuis Elspeet")).to_be_visible()
    _check(admin, checker)
    if width == "desktop":
        screenshot(admin, "admin-region")

    admin.get_by_role("link", name="Medewerkersaccounts").first.click()
    _check(admin, checker)
    admin.get_by_label("Naam", exact=True).fill("Olga Organisator")
    admin.get_by_label("E-mailadres").fill("olga@noord-veluwe.example")
    admin.get_by_label("Rol").select_option("organizer")
    admin.get_by_label("Regio (organisatoren)").select_option(label="Noord-Veluwe")
    admin.get_by_role("button", name="Uitnodiging versturen").click()
    expect(admin.get_by_text("olga@noord-veluwe.example is uitgenodigd")).to_be_visible()
    expect(admin.get_by_role("cell", name="uitgenodigd", exact=True)).to_be_visible()
    _check(admin, checker)

    with smtp_server() as smtp:
        config = Config.for_tests(smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_from="zwerm@swarm.test")
        assert send_due(engine, config, fixed_clock(NOW)).sent == 1
        [message] = smtp.inbox.messages
    body = message.get_body(("plain",)).get_content()
    assert message["Subject"] == "Uw account voor Zwerm" and "organisator van Noord-Veluwe" in body

    organizer = _open()
    organizer.set_viewport_size({"width": WIDTHS[width], "height": 900})
    organizer.goto(link_in(body))
    expect(organizer.get_by_role("heading", name="Stel uw wachtwoord in")).to_be_visible()
    _check(organizer, checker)
    organizer.get_by_label("Nieuw wachtwoord", exact=True).fill("wachtwoord")
    organizer.get_by_label("Nieuw wachtwoord nogmaals").fill("wachtwoord")
    organizer.get_by_role("button", name="Mijn wachtwoord opslaan").click()
    expect(organizer.locator("#new_password-error")).to_be_visible()  # too short and too common
    _check(organizer, checker)
    organizer.get_by_label("Nieuw wachtwoord", exact=True).fill("olga plant de zwermen")
    organizer.get_by_label("Nieuw wachtwoord nogmaals").fill("olga plant de zwermen")
    organizer.get_by_role("button", name="Mijn wachtwoord opslaan").click()
    expect(organizer.get_by_text("Uw wachtwoord is ingesteld. U bent ingelogd.")).to_be_visible()
    expect(organizer).to_have_url(f"{checker.base_url}/organizer/")
    _check(organizer, checker)
    organizer.get_by_role("link", name="Mijn account").first.click()
    expect(organizer.get_by_role("heading", name="Overal uitloggen")).to_be_visible()
    _check(organizer, checker)
