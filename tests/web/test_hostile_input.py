"""Input never breaks a page (issue 14, point 4), tried the way an attacker would.

- a crawl, logged in as each role and anonymously: ids past 64 bits in every id segment of every route, NUL and
  CR/LF in every free-text field of every form the role is shown, huge and malformed ids in every hidden field,
  select and checkbox, NUL in the login form: no 5xx at all, and nothing hostile stored;
- a Hypothesis property: generated garbage posted to every form of every role gets no 5xx, and where it is
  refused (4xx) the database is exactly as before;
- the refusals name the field in Dutch; dates have a range; a form body is at most 1 MB.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel

from tests.web.conftest import login
from tests.web.forms_crawl import SESSION_ENDING, PageForm, forms_on, pages_of, role_forms
from tests.web.test_authorization import ROLES, _id_params
from tests.web.test_postgres import pg_app  # noqa: F401  (the fixture)
from tests.web.world import csrf_token_from

PAST_64_BITS = str(2**64 + 1)
PAST_32_BITS = str(2**31)
HOSTILE_TEXT = "a\x00b\r\nc"  # a NUL byte and a line break, as in the measurement
ANONYMOUS_PAGES = ["/", "/login", "/register", "/password/forgot"]
# Attempts counted in their own transaction, on purpose even when the form is refused (login throttling).
COUNTED_APART = {"login_throttles"}


def _token(client) -> str:
    return csrf_token_from(client.get("/").get_data(as_text=True))


def _post(client, token: str, form: PageForm, replaced: dict, *, filled: bool = False):
    data = form.filled(**replaced) if filled else form.data(**replaced)
    data["csrf_token"] = [token]
    return client.post(form.action, data=data, content_type="multipart/form-data" if form.multipart else None)


def _segment_values(app, world) -> dict[str, str]:
    values = {name: str(ident) for name, ident in _id_params(world, "home").items()}
    values.update(
        kind="professionals", key="upload-organizer-home", fmt="csv", token="x" * 20, filename="app.css"
    )
    return values


def _urls_with_one_bad_segment(app, world, bad: str):
    """(method, url) for every route, once for each of its segments set to ``bad`` (the others valid)."""
    values = _segment_values(app, world)
    for rule in app.url_map.iter_rules():
        names = re.findall(r"<(?:[^:>]+:)?(\w+)>", rule.rule)
        for name in names:
            url = re.sub(
                r"<(?:[^:>]+:)?(\w+)>",
                lambda m, name=name: bad if m.group(1) == name else values.get(m.group(1), "1"),
                rule.rule,
            )
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, url


def _client_for(app, the_world, login_as, role):
    return login_as(f"{role}_home") if role else app.test_client()


def _crawl_route_segments(app, world, client) -> list[tuple]:
    """Every route with each segment past 64 (and 32) bits in turn: the answers that were server errors."""
    token = _token(client)
    tried, failures = 0, []
    for bad in (PAST_64_BITS, PAST_32_BITS):
        for method, url in _urls_with_one_bad_segment(app, world, bad):
            if method == "GET":
                response = client.get(url)
            else:
                response = client.open(url, method=method, data={"csrf_token": token})
            tried += 1
            if response.status_code >= 500:
                failures.append((method, url, response.status_code))
    assert tried > 100
    return failures


def _crawl_query_strings(app, world, client, role: str | None) -> list[tuple]:
    """Every page of the role with ids past 64 bits and NUL in the query string: the server errors."""
    hostile = (
        f"?round={PAST_64_BITS}&request={PAST_64_BITS}&page={PAST_64_BITS}&q=a%00b%0D%0A&next=%00&polling=%00"
    )
    pages = pages_of(app, world, role) if role else ANONYMOUS_PAGES
    failures = []
    for url in pages:
        response = client.get(url + hostile)
        if response.status_code >= 500:
            failures.append(("GET", url + hostile, response.status_code))
    return failures


@pytest.mark.parametrize("role", [*ROLES, None])
def test_ids_past_64_bits_in_every_route_segment_are_never_a_server_error(app, the_world, login_as, role):
    client = _client_for(app, the_world, login_as, role)
    assert _crawl_route_segments(app, the_world, client) == []
    assert _crawl_query_strings(app, the_world, client, role) == []


def _stored_strings(engine) -> list[tuple[str, str]]:
    found = []
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for row in connection.execute(sa.select(table)):
                found.extend((table.name, value) for value in row if isinstance(value, str))
    return found


def _crawl_forms(app, world, client, role: str) -> list[tuple]:
    """NUL and CR/LF in each text field, bad ids in each choice, of every form the role is shown: server errors."""
    token = _token(client)
    forms = [form for form in role_forms(app, world, client, role) if not SESSION_ENDING.search(form.action)]
    assert len(forms) >= 3, [form.action for form in forms]
    failures, text_posts = [], 0
    for form in forms:
        for name in form.text_fields():
            response = _post(client, token, form, {name: HOSTILE_TEXT})
            text_posts += 1
            if response.status_code >= 500:
                failures.append((form.action, name, "text", response.status_code))
        for name in form.id_fields():
            for bad in (PAST_64_BITS, PAST_32_BITS, "abc", "-1", ""):
                response = _post(client, token, form, {name: bad})
                if response.status_code >= 500:
                    failures.append((form.action, name, bad, response.status_code))
    assert text_posts >= 5
    return failures


def _hostile_values_stored(engine) -> list[tuple[str, str]]:
    return [
        (table, value) for table, value in _stored_strings(engine) if "\x00" in value or "b\r\nc" in value
    ]


@pytest.mark.parametrize("role", ROLES)
def test_nul_and_line_breaks_in_every_text_field_and_bad_ids_in_every_choice(
    app, the_world, login_as, engine, role
):
    client = login_as(f"{role}_home")
    assert _crawl_forms(app, the_world, client, role) == []
    assert _hostile_values_stored(engine) == []


@pytest.mark.postgres
def test_the_whole_crawl_on_postgresql(pg_app):  # noqa: F811  (PostgreSQL refuses NUL where SQLite stores it)
    app, built = pg_app
    engine = app.config["SWARM_ENGINE"]
    anonymous = app.test_client()
    failures = _crawl_route_segments(app, built, anonymous)
    failures += _crawl_query_strings(app, built, anonymous, None)
    failures += _crawl_anonymous_forms(anonymous)
    for role in ROLES:
        client = app.test_client()
        assert login(client, built.users[f"{role}_home"].email).status_code == 302
        failures += _crawl_route_segments(app, built, client)
        failures += _crawl_query_strings(app, built, client, role)
        failures += _crawl_forms(app, built, client, role)
    assert failures == []
    assert _hostile_values_stored(engine) == []


def _crawl_anonymous_forms(client) -> list[tuple]:
    token, failures = _token(client), []
    for page in ANONYMOUS_PAGES:
        for form in forms_on(page, client.get(page).get_data(as_text=True)):
            for name in form.text_fields():
                response = _post(client, token, form, {name: HOSTILE_TEXT})
                if response.status_code >= 500:
                    failures.append((form.action, name, response.status_code))
    return failures


def test_anonymous_forms_and_the_login_refuse_nul_without_a_server_error(client, the_world, engine):
    assert _crawl_anonymous_forms(client) == []
    token = _token(client)
    response = client.post(
        "/login", data={"email": "pro.achterhoek@example.nl\x00", "password": "x\x00", "csrf_token": token}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "E-mailadres bevat een onzichtbaar stuurteken" in page
    assert all("\x00" not in value for _table, value in _stored_strings(engine))


# --- the property: garbage in every form ------------------------------------------------------------------

GARBAGE = st.one_of(
    st.text(max_size=30),
    st.tuples(
        st.text(max_size=10), st.sampled_from(["\x00", "\r\n", "\x1b", "\u2028"]), st.text(max_size=10)
    ).map("".join),
    st.sampled_from(
        [
            PAST_64_BITS,
            PAST_32_BITS,
            "-1",
            "0",
            "abc",
            "",
            "\x00",
            "\r\n",
            "0001-01-01",
            "0001-01-01T00:00",
            "9999-12-31T23:59",
            "1e309",
            "NaN",
            "١٢٣",
            "2027-W99",
            "x" * 3000,
        ]
    ),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


def _database(engine) -> dict[str, list[tuple]]:
    """Every row of every table (but the throttle's counters), in key order."""
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row) for row in connection.execute(sa.select(table).order_by(*table.primary_key))
            ]
            for table in SQLModel.metadata.sorted_tables
            if table.name not in COUNTED_APART
        }


def _garbage_fields(form: PageForm) -> list[str]:
    return sorted({f.name for f in form.fields if f.kind not in ("submit", "button")} - {"csrf_token", ""})


def _post_garbage_to_every_form(app, world, client, engine, role: str, examples: int) -> None:
    """The property: any garbage in up to 4 fields of any form is refused (4xx, nothing changed) or taken."""
    token = _token(client)
    forms = [
        form
        for form in role_forms(app, world, client, role)
        if not SESSION_ENDING.search(form.action) and _garbage_fields(form)  # a bare button takes no input
    ]
    assert len(forms) >= 3

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.data())
    def post_garbage(data):
        form = data.draw(st.sampled_from(forms), label="form")
        replaced = data.draw(
            st.dictionaries(st.sampled_from(_garbage_fields(form)), GARBAGE, min_size=1, max_size=4),
            label="fields",
        )
        filled = data.draw(st.booleans(), label="other fields filled in")
        before = _database(engine)
        response = _post(client, token, form, replaced, filled=filled)
        assert response.status_code < 500, (form.action, replaced)
        if 400 <= response.status_code < 500:
            assert _database(engine) == before, (form.action, replaced)

    post_garbage()


@pytest.mark.parametrize("role", ROLES)
def test_garbage_posted_to_every_form_is_refused_or_taken_never_a_server_error(
    app, the_world, login_as, engine, role
):
    _post_garbage_to_every_form(app, the_world, login_as(f"{role}_home"), engine, role, examples=40)


@pytest.mark.postgres
@pytest.mark.parametrize("role", ROLES)
def test_garbage_posted_to_every_form_on_postgresql(pg_app, role):  # noqa: F811
    app, built = pg_app
    client = app.test_client()
    assert login(client, built.users[f"{role}_home"].email).status_code == 302
    _post_garbage_to_every_form(app, built, client, app.config["SWARM_ENGINE"], role, examples=25)


# --- what the refusals say ----------------------------------------------------------------------------------


def _form_page(client, url: str) -> tuple[str, PageForm]:
    page = client.get(url).get_data(as_text=True)
    return csrf_token_from(page), forms_on(url, page)[-1]


def test_a_control_character_is_refused_at_the_field_it_is_in_named_in_dutch(login_as, engine):
    client = login_as("coordinator_home")
    token, form = _form_page(client, "/coordinator/roles/new")
    before = _database(engine)
    response = _post(
        client, token, form, {"name": "Adviseur\r\nBcc: x@example.nl", "purpose": "regel 1\r\nregel 2"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Naam van de rol bevat een onzichtbaar stuurteken (zoals een regeleinde of een NUL-teken)" in page
    assert "Doel bevat" not in page  # a multi-line text keeps its line breaks
    assert _database(engine) == before
    response = _post(client, token, form, {"name": "Adviseur", "purpose": "regel 1\x00"})
    assert "Doel bevat een onzichtbaar stuurteken (zoals een NUL-teken)" in response.get_data(as_text=True)
    assert response.status_code == 400


def test_a_multi_line_text_keeps_its_line_breaks(login_as, engine):
    client = login_as("coordinator_home")
    token, form = _form_page(client, "/coordinator/roles/new")
    response = _post(client, token, form, {"name": "Adviseur", "purpose": "regel 1\r\nregel 2\tmet tab"})
    assert response.status_code == 302
    with engine.connect() as connection:
        purposes = (
            connection.execute(sa.text("SELECT purpose FROM roles WHERE name = 'Adviseur'")).scalars().all()
        )
    assert purposes == ["regel 1\nregel 2\tmet tab"] or purposes == ["regel 1\r\nregel 2\tmet tab"]


def test_a_deadline_in_the_year_1_is_refused_with_a_message(login_as, engine):
    client = login_as("organizer_home")
    token, form = _form_page(client, "/organizer/rounds/new")
    before = _database(engine)
    response = _post(client, token, form, {"name": "Ronde", "availability_deadline": "0001-01-01T00:00"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "moet tussen 2000-01-01 en 2099-12-31 liggen" in page
    assert _database(engine) == before


@pytest.mark.parametrize("bad", ["abc", PAST_64_BITS, PAST_32_BITS, "-3", ""])
def test_a_pin_with_a_malformed_id_in_its_hidden_field_creates_nothing(login_as, the_world, engine, bad):
    client = login_as("organizer_home")
    token = _token(client)
    before = _database(engine)
    data = {
        "csrf_token": token,
        "p1-request_id": bad,
        "p1-professional_id": str(the_world.professionals["home"].id),
        "p1-kind": "include",
    }
    response = client.post("/organizer/pins", data=data)
    assert response.status_code < 500
    response = client.post(
        "/organizer/pins/delete", data={"csrf_token": token, "request_id": "1", "professional_id": bad}
    )
    assert response.status_code < 500
    assert _database(engine) == before


def test_a_form_body_over_1_mb_gets_the_friendly_413_page(login_as):
    client = login_as("coordinator_home")
    token = _token(client)
    response = client.post(
        "/coordinator/roles/new", data={"csrf_token": token, "name": "x", "purpose": "y" * (1024 * 1024)}
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Te groot" in page and "Traceback" not in page


def test_an_import_upload_may_be_larger_than_a_form(login_as):
    client = login_as("organizer_home")
    page = client.get("/organizer/import/professionals").get_data(as_text=True)
    token = csrf_token_from(page)
    import io

    big = b"Naam;E-mail\r\n" + b"Anna;anna@example.nl\r\n" * (2 * 1024 * 1024 // 22)
    response = client.post(
        "/organizer/import/professionals",
        data={"csrf_token": token, "file": (io.BytesIO(big), "people.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code != 413


def test_every_form_of_the_web_app_is_built_on_the_shared_checks(app):
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm

    import swarm.webapp.forms
    from swarm.webapp.forms.base import SwarmForm

    for module in pkgutil.iter_modules(swarm.webapp.forms.__path__):
        importlib.import_module(f"swarm.webapp.forms.{module.name}")
    found, pending = [], list(FlaskForm.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("swarm."):
            found.append(cls)
    assert len(found) > 25
    assert [cls.__qualname__ for cls in found if not issubclass(cls, SwarmForm)] == []
