"""axe-core on every page of every role, in Dutch and in English, in the system Chromium (zero violations).

The journeys (test_browser_journeys.py) check the pages in the states a user walks through; this walk makes sure no
page is left out: every GET route of each role's blueprint, with the test world's own ids.
"""

from __future__ import annotations

import pytest

from tests.web.browser import PHONE, PageChecker, log_in, requires_chromium, too_wide
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


# Every item of the main menu (the page links, "Uitloggen", the language button) lies inside the window.
MENU_OUTSIDE = """() => [...document.querySelectorAll('body > header nav a, body > header nav button')]
  .filter(e => { const r = e.getBoundingClientRect();
                 return r.width === 0 || r.left < 0 || r.right > window.innerWidth + 1; })
  .map(e => e.textContent.trim())"""

# Every box that scrolls a wide table sideways can be reached with the keyboard and says what it holds.
UNNAMED_SCROLL_BOXES = """() => [...document.querySelectorAll('.scroll')]
  .filter(e => { const by = (e.getAttribute('aria-labelledby') || '').split(' ').filter(id => id);
                 const name = (e.getAttribute('aria-label') || '')
                   + by.map(id => (document.getElementById(id) || {}).textContent || '').join('');
                 return !(['region', 'group'].includes(e.getAttribute('role')) && e.tabIndex === 0 && name.trim()); })
  .map(e => e.outerHTML.slice(0, 120))"""


def _walk_at_phone_width(page, checker, paths):
    """Each page fits the phone's width with its whole menu in reach and its wide tables in named scroll boxes,
    and passes axe."""
    problems = []
    for path in paths:
        response = page.goto(path)
        assert response.status in (200, 404), path  # /does-not-exist is a page too
        wide = too_wide(page)
        outside = page.evaluate(MENU_OUTSIDE)
        unnamed = page.evaluate(UNNAMED_SCROLL_BOXES)
        if wide or outside or unnamed:
            problems.append((path, wide, outside, unnamed))
        checker.axe(page)
    assert not problems, problems


def test_every_public_page_fits_a_390_px_phone(playwright_browser, live):
    checker = PageChecker(live.url)
    context = playwright_browser.new_context(base_url=live.url, locale="nl-NL", viewport=PHONE)
    try:
        page = context.new_page()
        _walk_at_phone_width(page, checker, PUBLIC_PAGES)
        assert page.get_by_role("button", name="English").is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_a_role_fits_a_390_px_phone(playwright_browser, live, the_world, role):
    """No page scrolls sideways on a phone (tables scroll in their own box), every menu item stays in reach
    ("Uitnodigingen", "Uitloggen", "English"), and axe still finds nothing."""
    checker = PageChecker(live.url)
    context = playwright_browser.new_context(base_url=live.url, locale="nl-NL", viewport=PHONE)
    try:
        page = context.new_page()
        log_in(page, checker, the_world.users[f"{role}_home"].email, PASSWORD)
        _walk_at_phone_width(
            page, checker, [*_pages(live.server.app, the_world, role), "/account", *PUBLIC_PAGES]
        )
        # MENU_OUTSIDE checked every item on every page; these are the ones that used to fall off the screen
        banner = page.get_by_role("banner")
        if role == "professional":
            assert banner.get_by_role("link", name="Uitnodigingen").is_visible()
        assert banner.get_by_role("button", name="Uitloggen").is_visible()
        assert banner.get_by_role("button", name="English").is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"])
def test_the_phone_check_catches_a_page_that_scrolls_sideways(open_page, viewport):
    _open, checker = open_page
    page = _open()
    page.goto("/")
    checker.axe(page)
    page.evaluate(
        "() => { const p = document.createElement('p'); p.textContent = 'wide'; p.style.width = '600px'; p.id = 'wide';"
        " document.querySelector('main').append(p); }"
    )
    with pytest.raises(AssertionError, match="scrolls sideways on a phone.*P#wide"):
        checker.axe(page)
