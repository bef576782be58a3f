"""Single sign-on in the system Chromium: the button on the login page, the provider's own login form, and back
on the organizer's dashboard; a refusal is a message on the login page. axe-core on every page of the app."""

from __future__ import annotations

import pytest

from swarm.domain.timeutil import fixed_clock
from swarm.webapp import create_app
from tests.web.browser import LiveServer, PageChecker, requires_chromium
from tests.web.oidc import OidcProvider
from tests.web.test_sso import sso_config
from tests.web.world import NOW

pytestmark = [
    pytest.mark.browser,
    requires_chromium,
    pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib.oidc.core.grants._legacy"),
]


@pytest.fixture
def provider():
    with OidcProvider() as provider:
        yield provider


@pytest.fixture
def live(engine, database_url, the_world, provider):
    app = create_app(
        {
            "SWARM": sso_config(database_url, provider.issuer),
            "SWARM_ENGINE": engine,
            "SWARM_CLOCK": fixed_clock(NOW),
        }
    )
    with LiveServer(app) as server:
        # the provider sends the browser back to SWARM_BASE_URL, which is known once the server has its port
        app.config["SWARM"] = app.config["SWARM"].with_overrides(base_url=server.url)
        yield server


@pytest.fixture
def browser_page(playwright_browser, live):
    """A phone-sized page (390 px) in Dutch on the live server, and its checker."""
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


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_organizer_logs_in_with_the_municipal_account_button_and_lands_on_the_dashboard(
    browser_page, live, provider, the_world
):
    page, checker = browser_page
    provider.add_user("5f1c-entra-object-id", email=the_world.users["organizer_home"].email)

    page.goto("/login")
    checker.axe(page)
    assert fits_the_screen(page)
    page.get_by_role("button", name="Inloggen met uw gemeenteaccount", exact=True).click()

    page.wait_for_url(f"{provider.issuer}/oauth2/authorize?*")  # the provider's own login form
    page.get_by_placeholder("sub").fill("5f1c-entra-object-id")
    page.get_by_role("button", name="Authorize").click()

    page.wait_for_url(f"{live.url}/organizer/")
    assert page.get_by_role("heading", name="Regio Achterhoek").is_visible()
    checker.axe(page)


def test_an_unknown_colleague_sees_why_on_the_login_page(browser_page, live, provider):
    page, checker = browser_page
    provider.add_user("new", email="nieuwe.collega@oude-ijsselstreek.nl")

    page.goto("/login")
    page.get_by_role("button", name="Inloggen met uw gemeenteaccount", exact=True).click()
    page.get_by_placeholder("sub").fill("new")
    page.get_by_role("button", name="Authorize").click()

    page.wait_for_url(f"{live.url}/login")
    assert (
        page.get_by_role("alert")
        .filter(has_text="Er is geen medewerkersaccount voor nieuwe.collega@oude-ijsselstreek.nl.")
        .is_visible()
    )
    assert fits_the_screen(page)
    checker.axe(page)
