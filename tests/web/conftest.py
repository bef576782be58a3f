"""Web app fixtures: an app on a fresh, migrated SQLite database per test, a small world with two of everything
(so every test can reach for a foreign municipality, region or professional), and logged-in clients."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from swarm.config import Config
from swarm.domain.timeutil import fixed_clock
from swarm.persistence import migrate
from swarm.persistence.db import create_engine, unit_of_work
from swarm.webapp import create_app
from tests.web import world
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, LiveServer, PageChecker


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """One migrated database file per test run; each test gets a copy (migrating once keeps tests fast)."""
    path = tmp_path_factory.mktemp("template") / "swarm.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(migrated_template, tmp_path) -> str:
    path = tmp_path / "swarm.db"
    shutil.copyfile(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def engine(database_url):
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def app(engine, database_url):
    """The app on the test database, its clock fixed at the world's present (tests may set another)."""
    return create_app(
        {
            "SWARM": Config.for_tests(database_url=database_url),
            "SWARM_ENGINE": engine,
            "SWARM_CLOCK": fixed_clock(world.NOW),
        }
    )


@pytest.fixture
def the_world(engine) -> world.World:
    with unit_of_work(engine) as session:
        return world.build(session)


@pytest.fixture
def client(app):
    return app.test_client()


def login(client, email: str, password: str = world.PASSWORD):
    """Log in through the real form (with its CSRF token) and return the response."""
    page = client.get("/login")
    token = world.csrf_token_from(page.get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def login_as(app, the_world):
    """login_as("organizer") -> a test client logged in as that user of the world."""

    def _login(key: str):
        client = app.test_client()
        response = login(client, the_world.users[key].email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return _login


# --- browser tests (tests/web/browser.py has the helpers) ---------------------------------------------------


@pytest.fixture(scope="module")
def playwright_browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live(engine, database_url, the_world):
    app = create_app(
        {
            "SWARM": Config.for_tests(database_url=database_url),
            "SWARM_ENGINE": engine,
            "SWARM_CLOCK": fixed_clock(world.NOW),
            "DEMO_ACCOUNTS": [
                {"role": user.role, "name": user.name, "email": user.email, "password": world.PASSWORD}
                for key, user in the_world.users.items()
                if key.endswith("_home")
            ],
        }
    )
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def viewport() -> dict[str, int]:
    """The browser window of open_page; a test parametrizes `viewport` with PHONE to walk at phone width."""
    return DESKTOP


@pytest.fixture
def open_page(playwright_browser, live, viewport):
    """open_page(locale) -> (page, checker): a fresh browser context (its own cookies) on the live server.

    At phone width the checker also refuses any page that scrolls sideways."""
    contexts = []
    checker = PageChecker(live.url, phone=viewport["width"] <= PHONE["width"])

    def _open(locale: str = "nl-NL"):
        context = playwright_browser.new_context(base_url=live.url, locale=locale, viewport=viewport)
        contexts.append(context)
        context.set_default_timeout(10_000)
        page = context.new_page()
        checker.watch(page)
        return page

    yield _open, checker
    for context in contexts:
        context.close()
    assert not checker.csp_violations, checker.csp_violations


# --- the JSON API -------------------------------------------------------------------------------------------


@pytest.fixture
def api_tokens(engine, the_world) -> dict[str, str]:
    """A personal API token for every user of the world, by the world's user key."""
    from tests.web.api import tokens_for

    return tokens_for(engine, the_world)
