"""Sessions that end on the server, login throttling kept in the database, and no caching behind the login."""

from __future__ import annotations

import pytest

from swarm.config import Config
from swarm.domain.timeutil import fixed_clock
from swarm.webapp import create_app
from tests.web.conftest import login
from tests.web.world import NOW, PASSWORD, csrf_token_from


def try_login(client, email, password="wrong password!", address="192.0.2.7", **headers):
    page = client.get("/login", environ_base={"REMOTE_ADDR": address})
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )


def test_a_cookie_saved_before_logout_opens_nothing_after_it(app, the_world):
    client = app.test_client()
    assert login(client, the_world.users["organizer_home"].email).status_code == 302
    saved = client.get_cookie("session").value
    assert client.get("/organizer/").status_code == 200
    token = csrf_token_from(client.get("/organizer/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", saved, domain="localhost")
    refused = replay.get("/organizer/")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")
    assert replay.get("/account").status_code == 302


def test_thirty_wrong_passwords_for_one_account_meet_a_429_before_the_thirtieth(app, the_world):
    email = the_world.users["coordinator_home"].email
    answers = []
    for attempt in range(30):
        # from ever other addresses: the account's own limit holds whatever the address
        answers.append(try_login(app.test_client(), email, address=f"198.51.100.{attempt + 1}"))
    codes = [a.status_code for a in answers]
    first = codes.index(429)
    assert first < 29 and set(codes[:first]) == {400} and set(codes[first:]) == {429}, codes
    locked = answers[first]
    assert 1 <= int(locked.headers["Retry-After"]) <= 900
    assert "Te veel pogingen. Wacht 15 minuten" in locked.get_data(as_text=True)
    right = try_login(app.test_client(), email, PASSWORD, address="203.0.113.99")
    assert right.status_code == 429  # the right password waits too: nothing is checked while locked
    english = try_login(app.test_client(), email, address="203.0.113.98", **{"Accept-Language": "en"})
    assert english.status_code == 429
    assert "Too many attempts. Please wait 15 minutes and try again (after 10:15)." in english.get_data(
        as_text=True
    )


def test_the_same_from_one_client_address_across_accounts(app, the_world):
    codes = [try_login(app.test_client(), f"person{n}@example.nl").status_code for n in range(30)]
    first = codes.index(429)
    assert first < 29 and set(codes[first:]) == {429}, codes
    elsewhere = try_login(
        app.test_client(), the_world.users["organizer_home"].email, PASSWORD, address="203.0.113.5"
    )
    assert elsewhere.status_code == 302  # another address is not affected


def test_the_lock_holds_across_app_restarts_and_lifts_after_the_lockout(engine, database_url, the_world):
    def app_at(moment):
        config = Config.for_tests(database_url=database_url, login_attempts_per_account=3)
        return create_app({"SWARM": config, "SWARM_ENGINE": engine, "SWARM_CLOCK": fixed_clock(moment)})

    email = the_world.users["professional_home"].email
    first = app_at(NOW)
    codes = [try_login(first.test_client(), email, address=f"198.51.100.{n}").status_code for n in range(4)]
    assert codes == [400, 400, 400, 429]
    restarted = app_at(NOW)  # a new app, another worker: the count is in the database
    assert try_login(restarted.test_client(), email, PASSWORD, address="198.51.100.9").status_code == 429
    later = app_at(NOW.replace(minute=16))
    assert try_login(later.test_client(), email, PASSWORD, address="198.51.100.9").status_code == 302


def test_a_successful_login_starts_the_account_afresh(app, the_world):
    email = the_world.users["organizer_home"].email
    for _ in range(9):
        assert try_login(app.test_client(), email).status_code == 400
    assert try_login(app.test_client(), email, PASSWORD).status_code == 302
    for _ in range(9):
        assert try_login(app.test_client(), email).status_code == 400


def test_password_reset_requests_are_throttled_like_logins(app, the_world):
    client = app.test_client()
    codes = []
    for _ in range(12):
        token = csrf_token_from(client.get("/password/forgot").get_data(as_text=True))
        codes.append(
            client.post(
                "/password/forgot", data={"email": "someone@example.nl", "csrf_token": token}
            ).status_code
        )
    assert codes[:10] == [302] * 10 and codes[10:] == [429, 429]


def test_behind_a_trusted_proxy_the_forwarded_address_counts(engine, database_url, the_world):
    config = Config.for_tests(database_url=database_url, trusted_proxies=1, login_attempts_per_address=2)
    app = create_app({"SWARM": config, "SWARM_ENGINE": engine, "SWARM_CLOCK": fixed_clock(NOW)})
    codes = [
        try_login(app.test_client(), f"p{n}@example.nl", **{"X-Forwarded-For": "192.0.2.50"}).status_code
        for n in range(3)
    ]
    assert codes == [400, 400, 429]
    other = try_login(app.test_client(), "p9@example.nl", **{"X-Forwarded-For": "192.0.2.51"})
    assert other.status_code == 400


@pytest.mark.parametrize(
    "email, password", [("a\x00b@example.nl", "x\x00y"), ("\r\n", "\x00"), ("x" * 300, "y" * 300)]
)
def test_garbage_in_the_login_form_is_a_clear_refusal_never_a_500(app, email, password):
    answer = try_login(app.test_client(), email, password)
    assert answer.status_code == 400


def test_pages_behind_the_login_are_not_stored_public_pages_may_be(login_as, app):
    client = login_as("organizer_home")
    for path in ("/organizer/", "/account", "/"):
        assert client.get(path).headers.get("Cache-Control") == "no-store", path
    anonymous = app.test_client()
    assert anonymous.get("/").headers.get("Cache-Control") is None
    assert anonymous.get("/password/forgot").headers.get("Cache-Control") == "no-store"
    assert "no-store" not in (client.get("/static/app.css").headers.get("Cache-Control") or "")
