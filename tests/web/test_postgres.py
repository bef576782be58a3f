"""The web app on PostgreSQL: the same pages and flows as on SQLite (runs when SWARM_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import pytest

from swarm.config import Config
from swarm.domain.timeutil import fixed_clock
from swarm.persistence import migrate
from swarm.persistence.db import create_engine, unit_of_work
from swarm.webapp import create_app
from tests.conftest import empty_all_tables
from tests.web import world
from tests.web.conftest import login
from tests.web.test_authorization import ROLES, _actor_routes, _id_params, _url

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(postgres_url):
    migrate.upgrade(postgres_url)
    engine = create_engine(postgres_url)
    empty_all_tables(engine)
    with unit_of_work(engine) as session:
        built = world.build(session)
    settings = {
        "SWARM": Config.for_tests(database_url=postgres_url),
        "SWARM_ENGINE": engine,
        "SWARM_CLOCK": fixed_clock(world.NOW),  # the world's present, as on SQLite (tests/web/conftest.py)
    }
    yield create_app(settings), built
    empty_all_tables(engine)
    engine.dispose()


def test_every_page_of_every_role_renders_on_postgresql(pg_app):
    app, built = pg_app
    for role in ROLES:
        client = app.test_client()
        assert login(client, built.users[f"{role}_home"].email).status_code == 302
        for owner, method, rule in _actor_routes(app):
            if owner == role and method == "GET":
                url = _url(rule, _id_params(built, "home"), built, "home")
                assert client.get(url).status_code == 200, (role, url)


def test_the_api_on_postgresql_reaches_every_operation_and_refuses_bad_input_without_a_500(pg_app):
    from swarm.domain.timeutil import fixed_clock
    from tests.web.api import bearer, tokens_for
    from tests.web.test_api_authorization import MATRIX, call

    _app, built = pg_app
    engine = _app.extensions["swarm_engine"]
    app = create_app(
        {
            "SWARM": Config.for_tests(database_url=engine.url.render_as_string(hide_password=False)),
            "SWARM_ENGINE": engine,
            "SWARM_CLOCK": fixed_clock(world.NOW),
        }
    )
    tokens = tokens_for(engine, built)
    client = app.test_client()
    for role in ("coordinator", "professional", "organizer", "administrator"):
        for (method, path), (allowed, answers) in MATRIX.items():
            # one database for every role here: withdrawing would change what submit answers the next role
            if role in allowed and not path.endswith("/withdraw"):
                response = call(client, method, path, built, "home", role, tokens[f"{role}_home"])
                assert response.status_code in answers, (role, method, path, response.get_json())
    refused = client.post(
        "/api/v1/requests",
        json={
            "title": "Nul\x00byte",
            "question": "\ud800",
        },
        headers=bearer(tokens["coordinator_home"]),
    )
    assert refused.status_code == 422
    assert {e["field"] for e in refused.get_json()["errors"]} == {"title", "question"}
