"""One-time links end to end: the mail goes through the outbox to a real SMTP server (aiosmtpd on loopback), the
test client follows the link in the mail that arrived. Invitation, reset, confirmation; used, expired and unknown
links; password change and log out everywhere; staff without passwords (single sign-on only)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from swarm.config import Config
from swarm.domain.actors import Actor
from swarm.domain.enums import UserRole
from swarm.domain.timeutil import fixed_clock
from swarm.persistence.db import unit_of_work
from swarm.services.ops.outbox import send_due
from swarm.services.people.account_mail import Links
from swarm.services.people.staff import StaffInput, invite_staff
from swarm.webapp import create_app
from tests.swarm.test_mail_support import smtp_server
from tests.web.conftest import login
from tests.web.mailbox import follow, link_in, outbox_to
from tests.web.world import NOW, PASSWORD, csrf_token_from


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


def deliver(engine, smtp, clock=NOW) -> list:
    """Run the outbox job against the SMTP server; the messages that arrived."""
    config = Config.for_tests(smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_from="zwerm@swarm.test")
    report = send_due(engine, config, fixed_clock(clock))
    assert report.failed == 0 and report.retried == 0
    return smtp.inbox.messages


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def without_tokens(page: str) -> str:
    return re.sub(r'(content|value)="[^"]{40,}"', "", page)


def post(client, path, data=None, page=None):
    token = csrf_token_from(client.get(page or path).get_data(as_text=True))
    return client.post(path, data={**(data or {}), "csrf_token": token})


def test_an_invitation_arrives_by_smtp_and_its_link_sets_the_first_password(
    login_as, app, the_world, engine, smtp
):
    admin = login_as("administrator_home")
    post(
        admin,
        "/admin/staff",
        {
            "name": "Carla Coördinator",
            "email": "carla@example.nl",
            "role": "coordinator",
            "municipality_id": str(the_world.municipalities["home"].id),
            "region_id": "0",
            "locale": "nl",
        },
    )
    [message] = deliver(engine, smtp)
    assert message["To"].addresses[0].addr_spec == "carla@example.nl"
    assert message["Subject"] == "Uw account voor Zwerm"
    body = text_of(message)
    assert "Beste Carla Coördinator," in body and "HR-coördinator van Oude IJsselstreek" in body
    assert "http://swarm.test/account/link/" in body and "http://swarm.test/password/forgot" in body
    carla = app.test_client()
    assert login(carla, "carla@example.nl", "").status_code == 400  # no password yet: nothing logs in
    done = follow(
        carla, link_in(body), {"new_password": "carla heeft koffie", "repeat_password": "carla heeft koffie"}
    )
    assert done.status_code == 302 and done.headers["Location"] == "/coordinator/"
    other = app.test_client()
    assert login(other, "carla@example.nl", "carla heeft koffie").status_code == 302


def test_a_reset_never_tells_whether_the_address_exists_and_its_link_ends_the_other_sessions(
    app, the_world, engine, smtp, login_as
):
    known, unknown = app.test_client(), app.test_client()
    organizer = the_world.users["organizer_home"]
    first = post(known, "/password/forgot", {"email": organizer.email})
    second = post(unknown, "/password/forgot", {"email": "nobody@example.nl"})
    assert first.status_code == second.status_code == 302
    said = known.get("/login").get_data(as_text=True)
    assert "Als er een account bestaat voor" in said
    answer_to_unknown = unknown.get("/login").get_data(as_text=True)
    assert without_tokens(said).replace(organizer.email, "X") == without_tokens(answer_to_unknown).replace(
        "nobody@example.nl", "X"
    )
    [message] = deliver(engine, smtp)
    assert message["Subject"] == "Een nieuw wachtwoord voor Zwerm" and "2 uur geldig" in text_of(message)
    elsewhere = login_as("organizer_home")
    assert elsewhere.get("/organizer/").status_code == 200
    person = app.test_client()
    done = follow(
        person,
        link_in(text_of(message)),
        {"new_password": "een nieuwe lange zin", "repeat_password": "een nieuwe lange zin"},
    )
    assert done.status_code == 302 and done.headers["Location"] == "/organizer/"
    assert elsewhere.get("/organizer/").status_code == 302  # the session from before the reset has ended
    assert login(app.test_client(), organizer.email, PASSWORD).status_code == 400
    assert login(app.test_client(), organizer.email, "een nieuwe lange zin").status_code == 302


def test_a_reset_link_expires_after_two_hours_and_says_how_to_get_a_new_one(
    engine, database_url, the_world, smtp
):
    def app_at(moment):
        return create_app(
            {
                "SWARM": Config.for_tests(database_url=database_url),
                "SWARM_ENGINE": engine,
                "SWARM_CLOCK": fixed_clock(moment),
            }
        )

    post(app_at(NOW).test_client(), "/password/forgot", {"email": the_world.users["coordinator_home"].email})
    path = link_in(outbox_to(engine, the_world.users["coordinator_home"].email)[-1].body_text)
    assert app_at(NOW + timedelta(hours=1, minutes=59)).test_client().get(path).status_code == 200
    late = app_at(NOW + timedelta(hours=2)).test_client().get(path)
    page = late.get_data(as_text=True)
    assert late.status_code == 410 and "Deze link is verlopen." in page and "/password/forgot" in page
    english = app_at(NOW + timedelta(hours=3)).test_client().get(path, headers={"Accept-Language": "en"})
    assert "This link has expired." in english.get_data(as_text=True)
    unknown = app_at(NOW).test_client().get("/account/link/" + "x" * 43)
    assert unknown.status_code == 404 and "niet geldig" in unknown.get_data(as_text=True)
    for junk in ("%00", "a" * 500, "%E2%80%AE"):
        assert app_at(NOW).test_client().get("/account/link/" + junk).status_code == 404


def test_a_used_link_cannot_be_used_again(app, the_world, engine):
    client = app.test_client()
    post(client, "/password/forgot", {"email": the_world.users["coordinator_home"].email})
    path = link_in(outbox_to(engine, the_world.users["coordinator_home"].email)[-1].body_text)
    page = client.get(path).get_data(as_text=True)
    data = {
        "new_password": "eerste nieuwe zin",
        "repeat_password": "eerste nieuwe zin",
        "csrf_token": csrf_token_from(page),
    }
    assert client.post(path, data=data).status_code == 302
    again = app.test_client().post(path, data=data)
    assert again.status_code in (
        400,
        410,
    )  # refused: a fresh client has no CSRF session, and the link is used
    assert app.test_client().get(path).status_code == 410


def test_changing_the_password_needs_the_current_one_and_ends_the_other_sessions(login_as, the_world):
    here, there = login_as("coordinator_home"), login_as("coordinator_home")
    wrong = post(
        here,
        "/account",
        {
            "current_password": "not it at all",
            "new_password": "een heel andere zin",
            "repeat_password": "een heel andere zin",
        },
    )
    assert wrong.status_code == 400 and "Dit is niet uw huidige wachtwoord." in wrong.get_data(as_text=True)
    weak = post(
        here,
        "/account",
        {"current_password": PASSWORD, "new_password": "wachtwoord1", "repeat_password": "wachtwoord1"},
    )
    assert weak.status_code == 400 and 'id="new_password-error"' in weak.get_data(as_text=True)
    done = post(
        here,
        "/account",
        {
            "current_password": PASSWORD,
            "new_password": "een heel andere zin",
            "repeat_password": "een heel andere zin",
        },
    )
    assert done.status_code == 302
    assert here.get("/coordinator/").status_code == 200  # this session goes on
    assert there.get("/coordinator/").status_code == 302  # the other one has ended


@pytest.mark.parametrize("role", ["coordinator", "professional", "organizer", "administrator"])
def test_every_role_reaches_its_account_page_and_logs_out_everywhere(login_as, role):
    here, there = login_as(f"{role}_home"), login_as(f"{role}_home")
    page = here.get("/account")
    assert page.status_code == 200 and "Overal uitloggen" in page.get_data(as_text=True)
    assert 'href="/account"' in page.get_data(as_text=True)  # in the menu
    assert post(here, "/account/logout-everywhere", page="/account").status_code == 302
    assert here.get("/account").status_code == 302 and there.get("/account").status_code == 302


def test_self_registration_sends_a_confirmation_that_arrives_by_smtp(client, the_world, engine, smtp):
    from tests.web.test_professional import _registration

    post(client, "/register", _registration(the_world))
    [message] = deliver(engine, smtp)
    assert message["Subject"] == "Bevestig uw e-mailadres voor Zwerm"
    confirmed = follow(client, link_in(text_of(message)))
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == "/professional/"


@pytest.fixture
def sso_only(engine, database_url):
    """An installation where staff log in only through single sign-on (the provider is never asked here)."""
    config = Config.for_tests(
        database_url=database_url,
        oidc_issuer="http://127.0.0.1:9/issuer",
        oidc_client_id="swarm",
        oidc_client_secret="secret",
        staff_password_login=False,
    )
    return create_app({"SWARM": config, "SWARM_ENGINE": engine, "SWARM_CLOCK": fixed_clock(NOW)})


def test_without_staff_passwords_invitations_and_resets_point_staff_to_their_municipality_account(
    sso_only, app, the_world, engine
):
    refused = login(sso_only.test_client(), the_world.users["administrator_home"].email)
    assert refused.status_code == 400 and "single sign-on" in refused.get_data(as_text=True)
    links = Links(
        token=lambda secret: f"http://swarm.test/account/link/{secret}",
        login="http://swarm.test/login",
        forgot="http://swarm.test/password/forgot",
    )
    with unit_of_work(engine) as session:
        invite_staff(
            session,
            StaffInput("dirk@example.nl", "Dirk", UserRole.ORGANIZER, region_id=the_world.regions["home"].id),
            links=links,
            staff_passwords=False,
            actor=Actor(UserRole.ADMINISTRATOR, user_id=the_world.users["administrator_home"].id),
            clock=fixed_clock(NOW),
        )
    [invitation] = outbox_to(engine, "dirk@example.nl")
    assert "gemeenteaccount" in invitation.body_text and "/account/link/" not in invitation.body_text

    organizer = the_world.users["organizer_home"].email
    post(app.test_client(), "/password/forgot", {"email": organizer})  # asked while passwords were still on
    link_from_before = link_in(outbox_to(engine, organizer)[-1].body_text)
    assert post(sso_only.test_client(), "/password/forgot", {"email": organizer}).status_code == 302
    notice = outbox_to(engine, organizer)[-1]
    assert notice.subject == "Inloggen in Zwerm" and "/account/link/" not in notice.body_text
    late = sso_only.test_client().get(link_from_before)
    assert late.status_code == 403 and "gemeenteaccount" in late.get_data(as_text=True)

    professional = the_world.users["professional_home"].email
    post(sso_only.test_client(), "/password/forgot", {"email": professional})
    assert "/account/link/" in outbox_to(engine, professional)[-1].body_text  # professionals still can
    page = sso_only.test_client().get("/password/forgot").get_data(as_text=True)
    assert "loggen in met hun gemeenteaccount" in page
