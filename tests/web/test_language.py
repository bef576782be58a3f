"""Dutch by default, English when the browser asks for it or the user picks it."""

from tests.web.world import csrf_token_from


def _lang(response) -> str:
    page = response.get_data(as_text=True)
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def test_dutch_is_the_default(client):
    assert _lang(client.get("/")) == "nl"


def test_a_browser_asking_for_english_gets_english(client):
    response = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert _lang(response) == "en"
    assert "Three roles" in response.get_data(as_text=True)


def test_a_browser_preferring_dutch_over_english_gets_dutch(client):
    assert _lang(client.get("/", headers={"Accept-Language": "nl-NL,nl;q=0.9,en;q=0.8"})) == "nl"


def test_a_language_the_app_does_not_have_falls_back_to_dutch(client):
    assert _lang(client.get("/", headers={"Accept-Language": "de-DE"})) == "nl"


def test_the_users_pick_wins_over_the_browser(client):
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.post("/language", data={"language": "en", "next": "/privacy", "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/privacy"
    assert _lang(client.get("/", headers={"Accept-Language": "nl"})) == "en"


def test_the_language_switch_never_redirects_off_site(client):
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.post(
        "/language", data={"language": "en", "next": "https://evil.example/", "csrf_token": token}
    )
    assert response.headers["Location"] == "/"


def test_an_unknown_language_is_ignored(client):
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    client.post("/language", data={"language": "xx", "csrf_token": token})
    assert _lang(client.get("/")) == "nl"


def test_dates_are_shown_in_amsterdam_time_in_the_users_locale(app):
    from datetime import UTC, datetime

    from flask import render_template_string

    moment = datetime(2027, 1, 12, 8, 0, tzinfo=UTC)
    with app.test_request_context("/", headers={"Accept-Language": "nl"}):
        dutch = render_template_string("{{ m|datetime('full') }}", m=moment)
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        english = render_template_string("{{ m|datetime('full') }}", m=moment)
    assert "dinsdag 12 januari 2027" in dutch and "09:00" in dutch
    assert "Tuesday, January 12, 2027" in english and "9:00" in english


def test_a_logged_in_users_pick_is_kept_for_their_mail(login_as, the_world, engine):
    from swarm.persistence.db import unit_of_work
    from swarm.persistence.models import User

    client = login_as("professional_home")
    token = csrf_token_from(client.get("/professional/").get_data(as_text=True))
    client.post("/language", data={"language": "en", "csrf_token": token})
    with unit_of_work(engine) as session:
        assert session.get(User, the_world.users["professional_home"].id).locale == "en"
    assert _lang(client.get("/professional/")) == "en"
