"""axe-core on every page of every role, in Dutch and in English, in the system Chromium (zero violations).

The journeys (test_browser_journeys.py) check the pages in the states a user walks through; this walk makes sure no
page is left out: every GET route of each role's blueprint, with the test world's own ids.
"""

from __future__ import annotations

import pytest

from tests.web.browser import PageChecker, log_in, requires_chromium
from tests.web.test_authorization import ROLES, _actor_routes, _id_params, _url
from tests.web.world import PASSWORD

pytestmark = [pytest.mark.browser, requires_chromium]

PUBLIC_PAGES = [
    "/",
    "/login",
    "/register",
    "/privacy",
    "/password/forgot",
    "/account/link/unknown",
    "/does-not-exist",
    "/api/v1/docs",
]


def _pages(app, world, role):
    for owner, method, rule in _actor_routes(app):
        if (
            owner == role
            and method == "GET"
            and not rule.endpoint.endswith("progress")
            and not rule.rule.endswith((".json", ".<fmt>", ".ics"))  # downloads, no pages
        ):
            yield _url(rule, _id_params(world, "home"), world, "home")


@pytest.mark.parametrize("locale", ["nl-NL", "en-GB"])
def test_every_public_page_passes_axe(open_page, locale):
    _open, checker = open_page
    page = _open(locale)
    for path in PUBLIC_PAGES:
        page.goto(path)
        checker.axe(page)


@pytest.mark.parametrize("locale", ["nl-NL", "en-GB"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_a_role_passes_axe(open_page, live, the_world, role, locale):
    _open, checker = open_page
    page = _open("nl-NL")
    log_in(page, checker, the_world.users[f"{role}_home"].email, PASSWORD)
    if locale == "en-GB":
        page.get_by_role("button", name="English").click()
        assert page.locator("html").get_attribute("lang") == "en"
    app = live.server.app
    for path in [*_pages(app, the_world, role), "/account"]:
        response = page.goto(path)
        assert response.status == 200, path
        checker.axe(page)
    assert len(checker.checked) >= 3


# The outermost elements that stick out to the right: what a page too wide for a phone must fix.
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
            && !(e.parentElement && e.parentElement.getBoundingClientRect().right > window.innerWidth + 1))
  .slice(0, 5).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className
                    + ' ' + Math.round(e.getBoundingClientRect().right))"""


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_a_role_fits_a_390_px_phone(playwright_browser, live, the_world, role):
    """No page scrolls sideways on a phone (tables scroll in their own box), and axe still finds nothing."""
    checker = PageChecker(live.url)
    context = playwright_browser.new_context(
        base_url=live.url, locale="nl-NL", viewport={"width": 390, "height": 844}
    )
    try:
        page = context.new_page()
        log_in(page, checker, the_world.users[f"{role}_home"].email, PASSWORD)
        too_wide = []
        for path in [*_pages(live.server.app, the_world, role), *PUBLIC_PAGES]:
            page.goto(path)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                too_wide.append((path, overflow, page.evaluate(WIDEST)))
            checker.axe(page)
        assert not too_wide, too_wide
    finally:
        context.close()
