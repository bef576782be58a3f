"""The API's pages in Chromium at 390 px (a phone): the API's docs, making a token on the account page and adding
a webhook, with axe-core on every page and no horizontal scrolling."""

from __future__ import annotations

import pytest

from tests.web.browser import log_in, requires_chromium
from tests.web.test_browser_admin import _check
from tests.web.world import PASSWORD

pytestmark = [pytest.mark.browser, requires_chromium]


def test_docs_token_and_webhook_at_phone_width(open_page, the_world):
    _open, checker = open_page
    page = _open("nl-NL")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/api/v1/docs")
    _check(page, checker)
    log_in(page, checker, the_world.users["organizer_home"].email, PASSWORD)
    page.goto("/account")
    page.get_by_label("Naam van het token").fill("Dashboard van de regio")
    page.get_by_role("button", name="Token maken").click()
    assert page.locator("#new-token").inner_text().startswith("swarm_")
    _check(page, checker)
    page.goto("/organizer/webhooks")
    page.get_by_label("Adres van de ontvanger").fill("https://dashboard.achterhoek.example.nl/hooks/swarm")
    page.get_by_role("button", name="De webhook toevoegen").click()
    assert page.locator("#new-secret").inner_text().startswith("whsec_")
    _check(page, checker)
