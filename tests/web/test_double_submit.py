"""A form sent twice creates one thing (issue 14, point 4): the one-time form token of ``OnceForm``."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from swarm.persistence.db import create_engine, new_session
from swarm.persistence.models import FormSubmission
from swarm.services.ops import form_submissions
from tests.web.conftest import login
from tests.web.forms_crawl import PageForm, forms_on
from tests.web.test_postgres import pg_app  # noqa: F401  (the fixture)
from tests.web.world import NOW, csrf_token_from


def _form_with(client, url: str, field: str) -> tuple[str, PageForm]:
    page = client.get(url).get_data(as_text=True)
    form = next(form for form in forms_on(url, page) if any(f.name == field for f in form.fields))
    return csrf_token_from(page), form


def _count(engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def _send(client, token, form, **replaced):
    data = form.data(**replaced)
    data["csrf_token"] = [token]
    return client.post(form.action, data=data)


def test_the_new_request_form_posted_twice_creates_one_request(login_as, engine):
    client = login_as("coordinator_home")
    token, form = _form_with(client, "/coordinator/requests/new", "title")
    assert len(form.data()["form_token"][0]) >= 16
    before = _count(engine, "swarm_requests")
    first = _send(client, token, form, title="Wonen boven winkels")
    second = _send(client, token, form, title="Wonen boven winkels")
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]  # the request the first one made
    assert _count(engine, "swarm_requests") == before + 1
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "Dit formulier was al verstuurd; er is niets nieuws aangemaakt." in page


def test_each_showing_of_the_form_has_its_own_token(login_as, engine):
    client = login_as("coordinator_home")
    before = _count(engine, "swarm_requests")
    for _time in range(2):  # the same text, typed in twice on purpose: two questions
        token, form = _form_with(client, "/coordinator/requests/new", "title")
        assert _send(client, token, form, title="Wonen boven winkels").status_code == 302
    assert _count(engine, "swarm_requests") == before + 2


ONCE_FORMS = {
    "role": ("coordinator", "/coordinator/roles/new", "name", "roles", lambda w: {"name": "Adviseur"}),
    "project": (
        "coordinator",
        "/coordinator/projects/new",
        "title",
        "projects",
        lambda w: {"title": "Nieuw omgevingsplan"},
    ),
    "round": (
        "organizer",
        "/organizer/rounds/new",
        "availability_deadline",
        "planning_rounds",
        lambda w: {
            "name": "Ronde maart",
            "availability_deadline": "2027-02-20T12:00",
            "slots-0-starts_at": "2027-03-02T09:00",
            "slots-0-ends_at": "12:00",
        },
    ),
    "webhook": (
        "organizer",
        "/organizer/webhooks",
        "url",
        "webhooks",
        lambda w: {"url": "https://hr.example.nl/in"},
    ),
    "api token": ("organizer", "/account", "expires_in_days", "api_tokens", lambda w: {"name": "HR-systeem"}),
    "venue": (
        "administrator",
        "/admin/regions/{region}/venues/new",
        "capacity",
        "venues",
        lambda w: {"name": "Bibliotheek Ulft", "place_id": str(w.places["home"].id)},
    ),
    "staff": (
        "administrator",
        "/admin/staff",
        "email",
        "users",
        lambda w: {
            "name": "Nieuwe Planner",
            "email": "planner.nieuw@example.nl",
            "role": "organizer",
            "region_id": str(w.regions["home"].id),
        },
    ),
}


@pytest.mark.parametrize("kind", sorted(ONCE_FORMS))
def test_every_form_that_creates_something_creates_it_once(login_as, the_world, engine, kind):
    role, url, field, table, fill = ONCE_FORMS[kind]
    client = login_as(f"{role}_home")
    token, form = _form_with(client, url.format(region=the_world.regions["home"].id), field)
    before = _count(engine, table)
    first = _send(client, token, form, **fill(the_world))
    assert first.status_code in (200, 302), first.get_data(
        as_text=True
    )  # a new secret is shown at once (200)
    assert _count(engine, table) == before + 1
    second = _send(client, token, form, **fill(the_world))
    assert second.status_code == 302
    if first.status_code == 302:
        assert second.headers["Location"] == first.headers["Location"]
    assert _count(engine, table) == before + 1


def test_a_refused_form_keeps_its_token_and_creates_on_the_corrected_post(login_as, engine):
    client = login_as("coordinator_home")
    token, form = _form_with(client, "/coordinator/roles/new", "name")
    before = _count(engine, "roles")
    refused = _send(client, token, form, name="")
    assert refused.status_code == 400
    assert form.data()["form_token"][0] in refused.get_data(as_text=True)  # shown again with the same token
    assert _count(engine, "form_submissions") == 0  # the claim went with the refusal
    assert _send(client, token, form, name="Adviseur").status_code == 302
    assert _count(engine, "roles") == before + 1


def test_a_malformed_token_is_refused_not_a_server_error(login_as, engine):
    client = login_as("coordinator_home")
    token, form = _form_with(client, "/coordinator/roles/new", "name")
    for bad in ("short", "x" * 65, "a\x00" * 10, "é" * 20):
        assert _send(client, token, form, name="Adviseur", form_token=bad).status_code == 400
    assert _count(engine, "form_submissions") == 0


def test_another_users_token_creates_nothing_and_reveals_nothing(app, the_world, login_as, engine):
    client = login_as("coordinator_home")
    token, form = _form_with(client, "/coordinator/requests/new", "title")
    first = _send(client, token, form, title="Wonen boven winkels")
    other = app.test_client()
    login(other, the_world.users["coordinator_foreign"].email)
    other_token = csrf_token_from(other.get("/").get_data(as_text=True))
    before = _count(engine, "swarm_requests")
    second = _send(other, other_token, form, title="Wonen boven winkels")
    assert second.status_code == 302
    assert second.headers["Location"] != first.headers["Location"]  # not sent to the other one's request
    assert _count(engine, "swarm_requests") == before


# --- across processes: PostgreSQL ---------------------------------------------------------------------------


@pytest.mark.postgres
def test_a_concurrent_second_claim_waits_for_the_first_and_then_finds_it(pg_app):  # noqa: F811
    app, _built = pg_app
    engine = create_engine(app.config["SWARM"].resolved_database_url)
    token = "t" * 32
    first, second = new_session(engine), new_session(engine)
    found = {}
    try:
        assert form_submissions.claim(first, token, 7, clock=lambda: NOW) is None
        waiter = threading.Thread(
            target=lambda: found.update(result=form_submissions.claim(second, token, 7, clock=lambda: NOW))
        )
        waiter.start()
        waiter.join(0.5)
        assert waiter.is_alive()  # the second insert waits for the first transaction
        form_submissions.record_location(first, token, "/coordinator/requests/1")
        first.commit()
        waiter.join(5)
        assert found["result"] == form_submissions.EarlierSubmission("/coordinator/requests/1")
        second.rollback()
        with new_session(engine) as check:
            assert check.exec(sa.select(sa.func.count()).select_from(FormSubmission)).one()[0] == 1
    finally:
        first.close()
        second.close()
        engine.dispose()


@pytest.mark.postgres
def test_two_concurrent_posts_of_the_new_request_form_create_one_request_on_postgresql(pg_app):  # noqa: F811
    app, built = pg_app
    clients = [app.test_client(), app.test_client()]
    for client in clients:
        login(client, built.users["coordinator_home"].email)
    token, form = _form_with(clients[0], "/coordinator/requests/new", "title")
    tokens = [token, csrf_token_from(clients[1].get("/").get_data(as_text=True))]
    engine = create_engine(app.config["SWARM"].resolved_database_url)
    before = _count(engine, "swarm_requests")
    start = threading.Barrier(2)
    answers: list[int] = []

    def post(index: int) -> None:
        start.wait()
        answers.append(_send(clients[index], tokens[index], form, title="Tegelijk verstuurd").status_code)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    try:
        assert answers == [302, 302]
        assert _count(engine, "swarm_requests") == before + 1
    finally:
        engine.dispose()
