"""AVG rights (download, delete) and the personal calendar feed."""

import json
import re

import pytest
from sqlmodel import select

from swarm.persistence.db import unit_of_work
from swarm.persistence.models import Professional, User
from tests.web.conftest import login
from tests.web.world import csrf_token_from


def test_a_professional_downloads_everything_stored_about_them(login_as, the_world):
    response = login_as("professional_home").get("/professional/data.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert the_world.professionals["home"].email in json.dumps(response.get_json())


def test_a_professional_deletes_their_profile_and_can_no_longer_log_in(app, login_as, the_world, engine):
    client = login_as("professional_home")
    page = client.get("/professional/delete").get_data(as_text=True)
    refused = client.post("/professional/delete", data={"csrf_token": csrf_token_from(page)})
    assert refused.status_code == 400 and 'id="confirm-error"' in refused.get_data(as_text=True)
    response = client.post("/professional/delete", data={"csrf_token": csrf_token_from(page), "confirm": "y"})
    assert response.status_code == 302
    assert client.get("/professional/").status_code == 302
    with unit_of_work(engine) as session:
        person = session.get(Professional, the_world.professionals["home"].id)
        assert person.anonymised_at is not None and person.email != the_world.professionals["home"].email
        assert len(session.exec(select(User).filter_by(professional_id=person.id)).all()) == 0
    again = login(app.test_client(), the_world.users["professional_home"].email)
    assert again.status_code == 400


def test_the_calendar_link_is_shown_once_and_serves_the_published_sessions(app, login_as, the_world):
    client = login_as("professional_home")
    page = client.get("/professional/calendar").get_data(as_text=True)
    shown = client.post("/professional/calendar", data={"csrf_token": csrf_token_from(page)}).get_data(
        as_text=True
    )
    link = re.search(r'value="(http[^"]+\.ics)"', shown).group(1)
    path = link.split("swarm.test", 1)[-1] if "swarm.test" in link else "/" + link.split("/", 3)[3]
    anonymous = app.test_client()
    feed = anonymous.get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert b"BEGIN:VCALENDAR" in feed.data and b"BEGIN:VEVENT" in feed.data
    assert anonymous.get(path, headers={"If-None-Match": feed.headers["ETag"]}).status_code == 304
    assert link not in client.get("/professional/calendar").get_data(as_text=True)  # shown only once


def test_an_unknown_feed_token_is_not_found(client):
    assert client.get("/feeds/not-a-real-token.ics").status_code == 404


@pytest.mark.parametrize(
    ("role", "page"), [("coordinator", "/coordinator/calendar"), ("organizer", "/organizer/calendar")]
)
def test_coordinators_and_organizers_get_a_feed_of_their_sessions(app, login_as, role, page):
    client = login_as(f"{role}_home")
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    shown = client.post(page, data={"csrf_token": token}).get_data(as_text=True)
    link = re.search(r'value="(http[^"]+\.ics)"', shown).group(1)
    feed = app.test_client().get("/" + link.split("/", 3)[3])
    assert feed.status_code == 200 and b"BEGIN:VEVENT" in feed.data
