"""The professional's journey through the web app (without a browser)."""

from datetime import UTC, datetime

import pytest

from swarm.domain.enums import AvailabilityAnswer, SessionStatus
from swarm.domain.timeutil import fixed_clock
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import Invitation
from swarm.persistence.models import Session as ScheduledSession
from swarm.services.people import professionals
from tests.web.conftest import login
from tests.web.mailbox import follow, link_in, outbox_to
from tests.web.world import PASSWORD, csrf_token_from


def _registration(world, **changes):
    data = {
        "name": "Fatima el Amrani",
        "email": "fatima@example.nl",
        "password": "a good long password",
        "kvk_number": "8765 4321",
        "home_place_id": str(world.places["home"].id),
        "travel_radius_km": "35",
        "hourly_rate": "85",
        "hours_per_week": "16",
        "skill_participatie": "3",
        "skill_omgevingsrecht": "0",
        "skill_projectleiding": "1",
    }
    data.update(changes)
    return data


def _post(client, path, data):
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def test_a_professional_registers_confirms_the_address_and_is_told_plainly_what_is_missing(
    client, the_world, engine
):
    response = _post(client, "/register", _registration(the_world))
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "fatima@example.nl" in client.get("/login").get_data(as_text=True)  # told to look for the mail
    refused = login(client, "fatima@example.nl", "a good long password")
    assert refused.status_code == 400 and "Bevestig eerst uw e-mailadres" in refused.get_data(as_text=True)
    [mail] = outbox_to(engine, "fatima@example.nl")
    assert mail.subject == "Bevestig uw e-mailadres voor Zwerm"
    confirmed = follow(client, link_in(mail.body_text))
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == "/professional/"
    page = client.get("/professional/").get_data(as_text=True)
    summary = page.split('id="qualification-summary">')[1].split("</p>")[0]
    assert summary.startswith("U bent nog niet gekwalificeerd:")
    for kind in (
        "KvK-uittreksel",
        "Verklaring omtrent het gedrag (VOG)",
        "Beroepsaansprakelijkheidsverzekering",
    ):
        assert f"{kind}: nog niet geüpload" in summary
    assert "modelovereenkomst" in summary  # not accepted at registration


def test_a_kvk_number_registered_before_is_refused_without_saying_whose(client, the_world):
    taken = the_world.professionals["foreign"].kvk_number  # another region's professional, even
    response = _post(client, "/register", _registration(the_world, kvk_number=taken))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="kvk_number-error"' in page and "Dit KvK-nummer is al geregistreerd." in page
    assert the_world.professionals["foreign"].name not in page


def test_a_bad_kvk_number_is_shown_at_the_field_and_the_typed_input_is_kept(client, the_world):
    response = _post(client, "/register", _registration(the_world, kvk_number="1234"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="kvk_number-error"' in page and "8 cijfers" in page
    assert 'value="Fatima el Amrani"' in page and 'value="1234"' in page
    assert 'aria-invalid="true"' in page


def test_an_email_already_registered_is_refused_at_the_email_field(client, the_world):
    taken = the_world.professionals["home"].email
    page = _post(client, "/register", _registration(the_world, email=taken)).get_data(as_text=True)
    assert 'id="email-error"' in page


def test_a_missing_home_place_is_refused_at_its_field(client, the_world):
    page = _post(client, "/register", _registration(the_world, home_place_id="0")).get_data(as_text=True)
    assert 'id="home_place_id-error"' in page


def test_availability_is_saved_from_the_plain_form(app, the_world, login_as, engine):
    client = login_as("professional_home")
    slots = the_world.slots["home"]
    data = {f"slot_{slots[0].id}": "maybe", f"slot_{slots[1].id}": "no", f"slot_{slots[2].id}": "yes"}
    response = _post(client, "/professional/availability", data)
    assert response.status_code == 302
    with unit_of_work(engine) as session:
        answers = professionals.availability_of(session, the_world.professionals["home"].id)
    assert answers[slots[0].id] == AvailabilityAnswer.MAYBE and answers[slots[1].id] == AvailabilityAnswer.NO


def test_the_availability_grid_works_without_javascript(login_as, the_world):
    page = login_as("professional_home").get("/professional/availability").get_data(as_text=True)
    slot = the_world.slots["home"][0]
    assert f'name="slot_{slot.id}"' in page and 'type="radio"' in page
    assert "dinsdag 12 januari 2027" in page and "09:00" in page
    assert "Vraagstukken: " + the_world.requests["home"].title in page  # what the slot may be used for


def test_login_with_a_wrong_password_says_so_at_the_field(client, the_world):
    response = login(client, the_world.users["organizer_home"].email, "wrong password!")
    assert response.status_code == 400
    assert 'id="password-error"' in response.get_data(as_text=True)


def test_a_login_renews_the_session(client, the_world):
    client.get("/")
    before = client.get_cookie("session").value
    login(client, the_world.users["professional_home"].email)
    assert client.get_cookie("session").value != before


def test_raising_the_session_version_signs_the_user_out(login_as, the_world, engine):
    client = login_as("professional_home")
    assert client.get("/professional/").status_code == 200
    from swarm.domain.actors import SYSTEM
    from swarm.services.people.accounts import revoke_sessions

    with unit_of_work(engine) as session:
        revoke_sessions(session, the_world.users["professional_home"].id, actor=SYSTEM)
    response = client.get("/professional/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_ends_the_session(login_as):
    client = login_as("professional_home")
    page = client.get("/professional/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token_from(page)})
    assert client.get("/professional/").status_code == 302


@pytest.mark.parametrize("key", ["coordinator_home", "organizer_home"])
def test_other_roles_cannot_open_the_professionals_pages(login_as, key):
    assert login_as(key).get("/professional/").status_code == 403


def test_the_password_in_the_world_is_what_login_uses():
    assert len(PASSWORD) >= 10


def test_clock_injection_is_available(app):
    app.config["SWARM_CLOCK"] = fixed_clock(datetime(2027, 1, 1, tzinfo=UTC))
    with app.app_context():
        from swarm.webapp.clock import today

        assert today().isoformat() == "2027-01-01"


def _invited_to(engine, world, slot) -> int:
    """A published session on ``slot`` with the home professional invited: the invitation's id."""
    with unit_of_work(engine) as session:
        row = ScheduledSession(
            region_id=world.regions["home"].id,
            planning_round_id=world.rounds["home"].id,
            slot_id=slot.id,
            venue_id=world.venues["home"].id,
            status=SessionStatus.PUBLISHED,
        )
        session.add(row)
        session.flush()
        invitation = Invitation(session_id=row.id, professional_id=world.professionals["home"].id)
        session.add(invitation)
        session.flush()
        return invitation.id


def test_invitations_to_come_are_listed_first_and_past_ones_after_them_read_only(
    app, login_as, engine, the_world
):
    slots = the_world.slots["home"]  # 12, 13 and 14 January, 09:00 in Amsterdam
    middle, last = _invited_to(engine, the_world, slots[1]), _invited_to(engine, the_world, slots[2])
    first = the_world.invitations["home"].id  # the world's published session on 12 January
    app.config["SWARM_CLOCK"] = fixed_clock(datetime(2027, 1, 13, 12, tzinfo=UTC))
    page = login_as("professional_home").get("/professional/invitations").get_data(as_text=True)
    order = [page.index(f'id="invitation-{i}"') for i in (last, middle, first)]
    assert order == sorted(order)  # to come first, then the past ones, latest first
    past = page[page.index('id="past-heading"') :]
    assert f'id="invitation-{last}"' not in past and "Eerdere sessies" in page
    assert "Aanvaarden" not in past and past.count("Deze sessie heeft plaatsgevonden") == 2
    assert "Aanvaarden" in page[: page.index('id="past-heading"')]


def test_an_answer_to_a_session_that_has_begun_is_refused_in_dutch_and_changes_nothing(
    app, login_as, engine, the_world
):
    invitation = the_world.invitations["home"]
    app.config["SWARM_CLOCK"] = fixed_clock(datetime(2027, 1, 12, 9, tzinfo=UTC))  # an hour into the session
    client = login_as("professional_home")
    token = csrf_token_from(client.get("/professional/invitations").get_data(as_text=True))
    response = client.post(
        f"/professional/invitations/{invitation.id}/respond",
        data={"csrf_token": token, "response": "accept"},
    )
    assert "Deze sessie is al begonnen." in client.get(response.headers["Location"]).get_data(as_text=True)
    with unit_of_work(engine) as session:
        assert session.get(Invitation, invitation.id).response == "needs-action"


def test_a_decline_posted_to_the_answer_buttons_only_asks_first(app, login_as, engine, the_world):
    invitation = the_world.invitations["home"]
    client = login_as("professional_home")
    token = csrf_token_from(client.get("/professional/invitations").get_data(as_text=True))
    response = client.post(
        f"/professional/invitations/{invitation.id}/respond",
        data={"csrf_token": token, "response": "decline"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/professional/invitations/{invitation.id}/decline")
    with unit_of_work(engine) as session:
        assert session.get(Invitation, invitation.id).response == "needs-action"


def test_the_availability_grid_offers_no_slot_once_its_poll_has_closed(app, login_as, the_world):
    app.config["SWARM_CLOCK"] = fixed_clock(
        datetime(2027, 1, 6, 9, tzinfo=UTC)
    )  # the round's deadline was the 5th
    page = login_as("professional_home").get("/professional/availability").get_data(as_text=True)
    assert 'type="radio"' not in page and "Er staan op dit moment geen tijdvakken open in uw regio." in page
