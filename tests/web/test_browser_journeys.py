"""The three journeys end to end in the system Chromium against a live server on a fresh database.

Each journey runs at desktop size and on a 390 x 844 phone. axe-core runs on every page visited (zero violations),
at phone width no page may scroll sideways, and the browser console must report no CSP violation.
Screenshots of the main pages go to test-results/screenshots (SWARM_SCREENSHOTS=docs/img refreshes the README pictures).
"""

from __future__ import annotations

import re
import threading

import pytest

from swarm.config import Config
from swarm.domain.timeutil import fixed_clock
from swarm.persistence.db import unit_of_work
from tests.web import world as test_world
from tests.web.browser import DESKTOP, PHONE, log_in, requires_chromium, screenshot
from tests.web.mailbox import newest_link
from tests.web.world import NOW

pytestmark = [pytest.mark.browser, requires_chromium]

# a journey walked at both sizes (overrides conftest's `viewport` fixture)
both_sizes = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])

DOCUMENT_KINDS = ("kvk_extract", "vog", "liability_insurance")
PROFESSIONALS = [
    ("Anouk de Vries", "anouk@example.nl", "12345670"),
    ("Bram Jansen", "bram@example.nl", "23456781"),
    ("Chaima Bakker", "chaima@example.nl", "34567892"),
]


@pytest.fixture
def the_world(engine) -> test_world.World:
    """The browser journeys start from a region with no schedule yet."""
    with unit_of_work(engine) as session:
        return test_world.build(session, with_schedule=False)


def test_home_page_explains_the_roles_offers_the_demo_accounts_and_switches_language(open_page, the_world):
    _open, checker = open_page
    page = _open()
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.get_by_role("heading", name="Drie rollen").is_visible()
    assert page.get_by_role(
        "cell", name=the_world.users["organizer_home"].email
    ).is_visible()  # demo accounts
    checker.axe(page)
    screenshot(page, "home")
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Three roles").is_visible()
    checker.axe(page)


def test_an_english_browser_gets_english(open_page):
    _open, checker = open_page
    page = _open("en-GB")
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"


@both_sizes
def test_coordinator_requests_professionals_register_and_mark_availability(
    open_page, live, the_world, engine, viewport
):
    from playwright.sync_api import expect

    _open, checker = open_page
    slot = the_world.slots["home"][1]

    # The coordinator keeps the role book and requests a swarm.
    coordinator = _open()
    _login(coordinator, checker, the_world.users["coordinator_home"].email)
    checker.axe(coordinator)
    coordinator.get_by_role("link", name="Rollenboek").first.click()
    checker.axe(coordinator)
    coordinator.get_by_role("button", name="Een rol toevoegen").click()
    coordinator.get_by_label("Naam van de rol").fill("Omgevingsjurist")
    coordinator.get_by_label("Competentie, rij 1").select_option("omgevingsrecht")
    coordinator.get_by_label("Minimumniveau, rij 1").select_option("2")
    checker.axe(coordinator)
    coordinator.get_by_role("button", name="Opslaan").click()
    assert coordinator.get_by_role("heading", name="Omgevingsjurist").is_visible()

    coordinator.get_by_role("link", name="Zwermsessie aanvragen").first.click()
    coordinator.get_by_label("Titel van het vraagstuk").fill(
        "Hoe maken we het omgevingsplan samen met inwoners?"
    )
    coordinator.get_by_label("Competentie, rij 1").select_option("participatie")
    coordinator.get_by_label("Kleinste tafel").fill("2")
    coordinator.get_by_label("Grootste tafel").fill("6")
    coordinator.locator(f'input[name="slot_ids"][value="{slot.id}"]').check()
    checker.axe(coordinator)
    screenshot(coordinator, "coordinator-request-form")
    coordinator.get_by_role("button", name="Opslaan en openstellen voor de regio").click()
    assert coordinator.get_by_text("open voor beschikbaarheid").first.is_visible()
    checker.axe(coordinator)

    # Three professionals register once and mark their availability.
    for index, (name, email, kvk) in enumerate(PROFESSIONALS):
        page = _open()
        page.goto("/register")
        checker.axe(page)
        page.get_by_label("Naam").fill(name)
        page.get_by_label("E-mailadres").fill(email)
        page.get_by_label("Wachtwoord").fill("a good long password")
        page.get_by_label("KvK-nummer").fill(kvk)
        page.get_by_label("Woonplaats").select_option(label="Oude IJsselstreek")
        page.get_by_label("Participatie").select_option("2")
        page.get_by_label("Ik aanvaard de modelovereenkomst voor de Wet DBA").check()
        page.get_by_role("button", name="Inschrijven").click()
        assert page.get_by_text("Welkom! U bent ingeschreven.").is_visible()
        checker.axe(page)
        _confirm(page, checker, engine, email)
        # The organizer checked their documents (test_browser_documents walks the upload and the check);
        # the third has no insurance yet.
        _checked_on_paper(engine, email, DOCUMENT_KINDS if index < 2 else DOCUMENT_KINDS[:2])
        if index == 2:
            # Told plainly what is missing: the insurance.
            page.reload()
            assert page.get_by_text("Beroepsaansprakelijkheidsverzekering: nog niet geüpload").is_visible()
            screenshot(page, "professional-dashboard")
        page.get_by_role("link", name="Beschikbaarheid").first.click()
        checker.axe(page)
        rows = page.locator("tr[data-slot]")
        if index == 0:
            # Paint "yes" over all three slots by pressing the first row's yes cell and dragging down
            # (on a phone the grid is scrolled into the window first).
            page.locator("table.availability").scroll_into_view_if_needed()
            first = rows.nth(0).locator('td[data-answer="yes"]').bounding_box()
            last = rows.nth(2).locator('td[data-answer="yes"]').bounding_box()
            page.mouse.move(first["x"] + 5, first["y"] + first["height"] / 2)
            page.mouse.down()
            page.mouse.move(last["x"] + 5, last["y"] + last["height"] / 2, steps=8)
            page.mouse.up()
            assert page.locator('tr[data-slot][data-answer="yes"]').count() == 3
            screenshot(page, "availability")
        else:
            # With the keyboard only: focus the slot's radio group and use the arrow keys.
            row = page.locator(f'tr[data-slot="{slot.id}"]')
            row.locator('input[value="no"]').focus()
            page.keyboard.press("ArrowLeft")
            page.keyboard.press("ArrowLeft")
            assert row.locator('input[value="yes"]').is_checked()
        page.get_by_role("button", name="Beschikbaarheid opslaan").click()
        assert page.get_by_text("Uw beschikbaarheid is opgeslagen.").is_visible()

    # The coordinator follows the status: of the three who registered, the one without insurance is not qualified
    # and does not count; with the professional already in the region that makes three "yes" for the slot.
    coordinator.reload()
    checker.axe(coordinator)
    screenshot(coordinator, "coordinator-request")
    cells = coordinator.locator("table").first.locator("tbody tr").first.locator("td")
    assert cells.nth(0).inner_text().strip() == "3"

    # The coordinator opens the question to change it; meanwhile the round's availability deadline passes. Saving is
    # refused in Dutch, nothing is changed, and the focus moves to the summary of what is wrong.
    coordinator.get_by_role("button", name="Wijzigen").click()
    coordinator.get_by_label("Titel van het vraagstuk").fill("Een titel die niet wordt opgeslagen")
    _deadline_passes(live)
    coordinator.get_by_role("button", name="Opslaan als concept").click()
    summary = coordinator.locator(".error-summary")
    expected = (
        "De beschikbaarheidspeiling van deze ronde is gesloten; trek de aanvraag in om haar te wijzigen."
    )
    assert summary.get_by_text(expected).is_visible()
    expect(summary).to_be_focused()
    assert (
        coordinator.get_by_label("Titel van het vraagstuk").input_value()
        == "Een titel die niet wordt opgeslagen"
    )
    checker.axe(coordinator)
    screenshot(coordinator, "coordinator-refused")
    coordinator.keyboard.press("Tab")  # from the summary the keyboard goes on into the form
    assert coordinator.evaluate("document.activeElement.closest('main') !== null")


def test_leaving_the_availability_grid_with_unsaved_changes_asks_first(open_page, the_world):
    from playwright.sync_api import expect

    _open, checker = open_page
    page = _open()
    _login(page, checker, the_world.users["professional_home"].email)
    asked = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # "stay on this page"

    page.on("dialog", stay)
    # nothing changed: leaving does not ask
    page.get_by_role("link", name="Beschikbaarheid").first.click()
    page.get_by_role("link", name="Profiel").first.click()
    expect(page.get_by_role("heading", name="Uw profiel")).to_be_visible()
    assert asked == []

    # an answer changed and not saved: leaving asks, and staying keeps the answer
    page.get_by_role("link", name="Beschikbaarheid").first.click()
    row = page.locator("tr[data-slot]").first
    answer = "no" if row.locator('input[value="yes"]').is_checked() else "yes"
    row.locator(f'input[value="{answer}"]').check()
    expect(page.get_by_text("Wijzigingen nog niet opgeslagen.")).to_be_visible()
    with page.expect_event("dialog"):
        page.get_by_role("link", name="Profiel").first.click()
    assert asked == ["beforeunload"]
    assert page.url.endswith("/availability")
    assert row.locator(f'input[value="{answer}"]').is_checked()

    # saving does not ask, and after saving leaving does not ask either
    page.get_by_role("button", name="Beschikbaarheid opslaan").click()
    expect(page.get_by_text("Uw beschikbaarheid is opgeslagen.")).to_be_visible()
    page.get_by_role("link", name="Profiel").first.click()
    expect(page.get_by_role("heading", name="Uw profiel")).to_be_visible()
    assert asked == ["beforeunload"]
    checker.axe(page)


def _deadline_passes(live):
    """The live server's clock moves to just after the availability deadline of the world's rounds."""
    from datetime import timedelta

    deadline = test_world.FIRST_SLOT - timedelta(days=7)  # as test_world.build sets it
    live.server.app.config["SWARM_CLOCK"] = fixed_clock(deadline + timedelta(minutes=1))


@both_sizes
def test_organizer_pages_pass_axe(open_page, the_world, viewport):
    from playwright.sync_api import expect

    _open, checker = open_page
    page = _open()
    _login(page, checker, the_world.users["organizer_home"].email)
    checker.axe(page)
    screenshot(page, "organizer-dashboard")
    page.get_by_role("link", name="Gelijke behandeling").first.click()
    checker.axe(page)
    page.get_by_label("Gewicht eerlijke verdeling").fill("-1")
    page.get_by_role("button", name="Beleid opslaan").click()
    assert page.locator("#weight_fairness-error").is_visible()
    assert page.get_by_label("Gewicht eerlijke verdeling").input_value() == "-1"
    expect(page.locator(".error-summary")).to_be_focused()
    checker.axe(page)
    page.get_by_role("link", name="Planning").first.click()
    checker.axe(page)
    # a solve refused before the redirect: the focus goes to the error it flashed
    page.get_by_label("Tijdslimiet in seconden").fill("0")
    page.get_by_role("button", name="Planning starten").click()
    refused = page.get_by_role("alert").filter(has_text="Geef een tijdslimiet tussen 1 en 600 seconden.")
    expect(refused).to_be_focused()
    checker.axe(page)


def test_the_axe_check_catches_a_violation(open_page):
    _open, checker = open_page
    page = _open()
    page.goto("/")
    page.evaluate(
        "() => { const img = document.createElement('img'); img.src = '/static/none.png'; document.querySelector('main').append(img); }"
    )
    with pytest.raises(AssertionError, match="image-alt"):
        checker.axe(page)


def _worker(engine, database_url):
    """The solve worker, as the scheduler process would run it: outside any web request."""
    from swarm.services.plan.worker import run_queued_solves

    thread = threading.Thread(
        target=run_queued_solves,
        args=(engine, Config.for_tests(database_url=database_url)),
        kwargs={"clock": fixed_clock(NOW)},
        daemon=True,
    )
    thread.start()
    return thread


def _register(page, checker, engine, name, email, kvk):
    page.goto("/register")
    page.get_by_label("Naam").fill(name)
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill("a good long password")
    page.get_by_label("KvK-nummer").fill(kvk)
    page.get_by_label("Woonplaats").select_option(label="Oude IJsselstreek")
    page.get_by_label("Participatie").select_option("2")
    page.get_by_label("Ik aanvaard de modelovereenkomst voor de Wet DBA").check()
    page.get_by_role("button", name="Inschrijven").click()
    _confirm(page, checker, engine, email)
    _checked_on_paper(engine, email, DOCUMENT_KINDS)
    page.get_by_role("link", name="Beschikbaarheid").first.click()


def _checked_on_paper(engine, email, kinds):
    """The organizer of the region recorded these documents of the professional as checked."""
    from datetime import date

    from sqlmodel import select

    from swarm.domain.actors import SYSTEM
    from swarm.persistence.models import Professional
    from swarm.services.people.qualifications import CheckedDocument, record_checked_document

    with unit_of_work(engine) as session:
        person = session.exec(select(Professional).where(Professional.email == email)).one()
        for kind in kinds:
            record_checked_document(
                session,
                person.id,
                CheckedDocument(kind, date(2027, 12, 31)),
                actor=SYSTEM,
                clock=fixed_clock(NOW),
            )


def _confirm(page, checker, engine, email):
    """The professional follows the link in the confirmation mail (read from the outbox) and is logged in."""
    page.goto(newest_link(engine, email))
    checker.axe(page)
    page.get_by_role("button", name="Mijn e-mailadres bevestigen").click()
    assert page.get_by_text("Uw e-mailadres is bevestigd. Welkom!").is_visible()


@both_sizes
def test_organizer_solves_reviews_publishes_and_a_decline_is_repaired(
    open_page, the_world, engine, database_url, viewport
):
    from playwright.sync_api import expect

    _open, checker = open_page
    slot = the_world.slots["home"][1]

    # A coordinator's request for the second slot, and four professionals who can come then.
    coordinator = _open()
    _login(coordinator, checker, the_world.users["coordinator_home"].email)
    coordinator.get_by_role("link", name="Zwermsessie aanvragen").first.click()
    coordinator.get_by_label("Titel van het vraagstuk").fill("Energie besparen met inwoners")
    coordinator.get_by_label("Competentie, rij 1").select_option("participatie")
    coordinator.get_by_label("Kleinste tafel").fill("2")
    coordinator.get_by_label("Grootste tafel").fill("4")
    coordinator.locator(f'input[name="slot_ids"][value="{slot.id}"]').check()
    coordinator.get_by_role("button", name="Opslaan en openstellen voor de regio").click()
    expect(coordinator.get_by_text("open voor beschikbaarheid").first).to_be_visible()

    professionals = {}
    for name, email, kvk in [*PROFESSIONALS, ("Daan Visser", "daan@example.nl", "45678903")]:
        page = _open()
        _register(page, checker, engine, name, email, kvk)
        page.locator(f'tr[data-slot="{slot.id}"] input[value="yes"]').check()
        page.get_by_role("button", name="Beschikbaarheid opslaan").click()
        expect(page.get_by_text("Uw beschikbaarheid is opgeslagen.")).to_be_visible()
        professionals[name] = page

    # The organizer starts a solve; it runs in the worker, the page follows it live and reloads when done.
    organizer = _open()
    _login(organizer, checker, the_world.users["organizer_home"].email)
    organizer.get_by_role("link", name="Planning").first.click()
    organizer.get_by_label("Tijdslimiet in seconden").fill("5")
    organizer.get_by_role("button", name="Planning starten").click()
    expect(organizer.locator("#solve-progress")).to_be_visible()
    checker.axe(organizer)
    worker = _worker(engine, database_url)
    expect(organizer.get_by_role("heading", name="Concept", exact=True)).to_be_visible(timeout=60_000)
    worker.join(timeout=60)
    checker.axe(organizer)
    screenshot(organizer, "organizer-review")
    # the timeline as a chart, and beside it the table that says the same in words
    expect(organizer.get_by_role("img", name=re.compile("Tijdlijn van het concept"))).to_be_visible()
    expect(
        organizer.locator("table.timeline").get_by_role("link", name="Energie besparen met inwoners")
    ).to_be_visible()
    organizer.get_by_role("button", name="Deze planning publiceren en de uitnodigingen versturen").click()
    organizer.get_by_role("button", name=re.compile(r"^Publiceren en \d+ mails? versturen$")).click()
    expect(organizer.get_by_text("Gepubliceerd:", exact=False).first).to_be_visible()
    checker.axe(organizer)

    # Everyone invited sees why; one of them declines, and the repair keeps everybody else where they were.
    invited = []
    for name, page in professionals.items():
        page.get_by_role("link", name="Uitnodigingen").first.click()
        if page.locator("article[id^=invitation-]").count():
            invited.append(name)
            checker.axe(page)
    assert len(invited) >= 3, invited
    decliner = professionals[invited[0]]
    expect(decliner.get_by_text("Waarom u bent uitgenodigd:", exact=False).first).to_be_visible()
    screenshot(decliner, "professional-invitation")
    decliner.get_by_role("button", name="Afwijzen").first.click()
    # declining asks first, with room for a reason
    expect(decliner.get_by_role("heading", name="Uitnodiging afwijzen?")).to_be_visible()
    checker.axe(decliner)
    decliner.get_by_role("button", name="Ja, afwijzen").click()
    expect(decliner.get_by_text("U hebt afgewezen", exact=False).first).to_be_visible()
    _worker(engine, database_url).join(timeout=60)

    for name in invited[1:]:
        page = professionals[name]
        page.reload()
        assert page.locator("article[id^=invitation-]").count() == 1, name
        expect(page.get_by_text("Deze uitnodiging is ingetrokken.")).to_have_count(0)
    organizer.reload()
    published = organizer.locator("section[aria-labelledby=published-heading]")
    for name in invited[1:]:
        expect(published.get_by_text(name).first).to_be_visible()
    checker.axe(organizer)


def _login(page, checker, email):
    log_in(page, checker, email, test_world.PASSWORD)


def test_a_professional_makes_and_copies_a_calendar_link(open_page, the_world):
    from playwright.sync_api import expect

    _open, checker = open_page
    page = _open()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    _login(page, checker, the_world.users["professional_home"].email)
    page.get_by_role("link", name="Een link naar uw sessies voor uw agenda-app").click()
    checker.axe(page)
    page.get_by_role("button", name="Mijn agendalink maken").click()
    link = page.get_by_label("Uw persoonlijke agendalink", exact=False).input_value()
    assert link.startswith("http") and link.endswith(".ics")
    page.get_by_role("button", name="Link kopiëren").click()
    expect(page.get_by_role("status").filter(has_text="Gekopieerd")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == link
    checker.axe(page)
