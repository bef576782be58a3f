"""Checked qualifications in Chromium, at desktop width and at 390 px (a phone): a professional uploads the
three documents and reads that they wait for a check; the organizer of the region opens and approves them; the
professional reads until when they are qualified. axe-core runs on every page; no page scrolls sideways."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.documents import JPEG, PDF, PNG
from tests.web.browser import log_in, requires_chromium, screenshot
from tests.web.mailbox import newest_link
from tests.web.world import PASSWORD

pytestmark = [pytest.mark.browser, requires_chromium]

WIDTHS = {"desktop": 1280, "phone": 390}
UPLOADS = (
    ("KvK-uittreksel", "kvk_extract", "uittreksel KvK oktober.pdf", "application/pdf", PDF),
    ("Verklaring omtrent het gedrag (VOG)", "vog", "vog.jpg", "image/jpeg", JPEG),
    ("Beroepsaansprakelijkheidsverzekering", "liability_insurance", "polis.png", "image/png", PNG),
)


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (
        f"{page.url} scrolls sideways at {page.viewport_size['width']} px"
    )


def _look(page, checker) -> None:
    checker.axe(page)
    _fits(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_professional_uploads_the_organizer_approves_and_the_professional_is_qualified(
    playwright_browser, live, the_world, engine, width
):
    from playwright.sync_api import expect

    from tests.web.browser import PageChecker

    checker = PageChecker(live.url)

    def open_page():
        context = playwright_browser.new_context(
            base_url=live.url, locale="nl-NL", viewport={"width": WIDTHS[width], "height": 900}
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        checker.watch(page)
        return page

    # A new professional registers and confirms the address.
    professional = open_page()
    professional.goto("/register")
    _look(professional, checker)
    professional.get_by_label("Naam").fill("Esra Yilmaz")
    professional.get_by_label("E-mailadres").fill("esra@example.nl")
    professional.get_by_label("Wachtwoord").fill("a good long password")
    professional.get_by_label("KvK-nummer").fill("56789012")
    professional.get_by_label("Woonplaats").select_option(label="Oude IJsselstreek")
    professional.get_by_label("Ik aanvaard de modelovereenkomst voor de Wet DBA").check()
    professional.get_by_role("button", name="Inschrijven").click()
    professional.goto(newest_link(engine, "esra@example.nl"))
    professional.get_by_role("button", name="Mijn e-mailadres bevestigen").click()
    expect(professional.locator("#qualification-summary")).to_contain_text("U bent nog niet gekwalificeerd")
    _look(professional, checker)

    # The three documents, one by one; a text file named .pdf is refused at the field first.
    professional.get_by_label("Document", exact=True).select_option("vog")
    professional.get_by_label("Bestand (PDF, PNG of JPEG, hoogstens 10 MB)").set_input_files(
        {"name": "vog.pdf", "mimeType": "application/pdf", "buffer": b"geen pdf"}
    )
    professional.get_by_role("button", name="Document uploaden").click()
    expect(professional.locator("#file-error")).to_have_text("Upload een PDF-, PNG- of JPEG-bestand.")
    _look(professional, checker)
    for _label, kind, name, mime, content in UPLOADS:
        professional.get_by_label("Document", exact=True).select_option(kind)
        professional.get_by_label("Bestand (PDF, PNG of JPEG, hoogstens 10 MB)").set_input_files(
            {"name": name, "mimeType": mime, "buffer": content}
        )
        professional.get_by_role("button", name="Document uploaden").click()
        expect(professional.get_by_text("uw document wacht op controle")).to_be_visible()
    for _label, kind, *_ in UPLOADS:
        expect(professional.locator(f"#standing-{kind}")).to_contain_text("geüpload, wacht op controle")
    expect(professional.locator("#qualification-summary")).to_contain_text("wacht op controle")
    _look(professional, checker)
    screenshot(professional, f"professional-documents-waiting-{width}")

    # The organizer of the region finds them in the queue and approves each with the dates read from it.
    organizer = open_page()
    log_in(organizer, checker, the_world.users["organizer_home"].email, PASSWORD)
    organizer.goto("/organizer/documents")
    _look(organizer, checker)
    organizer.get_by_role("link", name="Esra Yilmaz").first.click()
    expect(organizer.get_by_role("heading", name="Documenten van Esra Yilmaz")).to_be_visible()
    _look(organizer, checker)
    screenshot(organizer, f"organizer-document-check-{width}")
    for label, kind, name, _mime, content in UPLOADS:
        article = organizer.locator("article", has=organizer.get_by_role("heading", name=label))
        with organizer.expect_download() as download:
            article.get_by_role("link", name=f"{name} openen").click()
        assert download.value.suggested_filename == name
        assert Path(download.value.path()).read_bytes() == content
        article.get_by_label("Geldig tot").fill(
            "2029-06-30" if kind != "liability_insurance" else "2027-09-30"
        )
        if kind != "liability_insurance":
            article.get_by_label("Afgiftedatum").fill("2026-11-02")
        article.get_by_role("button", name="Goedkeuren").click()
        expect(organizer.get_by_text("Het document is goedgekeurd.")).to_be_visible()
    _look(organizer, checker)
    organizer.goto("/organizer/documents")
    expect(organizer.get_by_text("Er wacht niets op controle.")).to_be_visible()

    # The professional reads until when they are qualified: the earliest expiry, the insurance's.
    professional.reload()
    expect(professional.locator("#qualification-summary")).to_contain_text(
        "U bent gekwalificeerd tot 30 sep 2027"
    )
    expect(professional.locator("#standing-vog")).to_contain_text("goedgekeurd tot 30 jun 2029")
    _look(professional, checker)
    screenshot(professional, f"professional-qualified-{width}")
    assert not checker.csp_violations
