"""Staff log in through their municipality's OpenID Connect provider: a real provider on loopback
(tests/web/oidc.py), the app's own routes through the Flask test client, and every refusal a message on the
login page with nobody logged in."""

from __future__ import annotations

from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from sqlmodel import func, select

from swarm.config import Config
from swarm.domain.enums import AuditKind
from swarm.domain.timeutil import fixed_clock
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import AuditRecord, User
from swarm.webapp import create_app
from tests.web.conftest import login
from tests.web.oidc import OidcProvider
from tests.web.world import NOW, csrf_token_from

# The provider (oidc-provider-mock) still uses Authlib's older provider-side API; that is its business, not ours.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib.oidc.core.grants._legacy")

CLIENT_ID = "swarm-achterhoek"
APP_URL = "http://localhost"  # the test client's host, and so the app's public address (SWARM_BASE_URL)


@pytest.fixture
def provider():
    with OidcProvider() as provider:
        yield provider


def sso_config(database_url: str, issuer: str, **overrides) -> Config:
    return Config.for_tests(
        database_url=database_url,
        oidc_issuer=issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret="client-secret-from-the-provider",
        **overrides,
    ).with_overrides(base_url=APP_URL)


@pytest.fixture
def make_app(engine, database_url, provider):
    def _make(**overrides):
        issuer = overrides.pop("issuer", provider.issuer)
        return create_app(
            {
                "SWARM": sso_config(database_url, issuer, **overrides),
                "SWARM_ENGINE": engine,
                "SWARM_CLOCK": fixed_clock(NOW),
            }
        )

    return _make


@pytest.fixture
def client(make_app, the_world):
    return make_app().test_client()


def start(client, next_page: str | None = None):
    """Press the single sign-on button; returns the app's answer (a redirect to the provider)."""
    return client.get("/login/sso" + (f"?{urlencode({'next': next_page})}" if next_page else ""))


def sign_on(client, provider, sub: str, next_page: str | None = None):
    """Press the button, log in at the provider as ``sub``, and come back: returns the app's answer."""
    answer = start(client, next_page)
    assert answer.status_code == 302 and answer.location.startswith(provider.issuer), answer.location
    return client.get(provider.authorize(answer.location, sub))


def refused_with(client, answer, message: str) -> None:
    """The app sent the browser to the login page with this message, and nobody is logged in."""
    assert answer.status_code == 302 and answer.location == "/login", (answer.status_code, answer.location)
    page = unescape(client.get("/login").get_data(as_text=True))
    assert message in page, page
    assert client.get("/organizer/").status_code == 302  # still anonymous: sent to log in
    assert client.get("/coordinator/").status_code == 302


def log_out(client) -> None:
    answer = client.post(
        "/logout", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))}
    )
    assert answer.status_code == 302


def failed_sign_ons(engine) -> list[tuple[int | None, dict]]:
    """The audit log's failed logins of scope ``sso``: (account id or None, facts), oldest first."""
    with unit_of_work(engine) as session:
        records = session.exec(
            select(AuditRecord).where(AuditRecord.kind == AuditKind.LOGIN_FAILED).order_by(AuditRecord.id)
        ).all()
        return [(r.subject_id, dict(r.facts)) for r in records if r.facts.get("scope") == "sso"]


def with_query(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()} | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


# --- the login page -----------------------------------------------------------------------------------------


def test_without_single_sign_on_the_login_page_has_no_button_and_the_routes_are_not_found(app):
    client = app.test_client()
    assert "gemeenteaccount" not in client.get("/login").get_data(as_text=True)
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback?code=x&state=y").status_code == 404


def test_the_login_page_offers_single_sign_on_in_dutch_and_english(client, make_app):
    page = client.get("/login").get_data(as_text=True)
    assert "Medewerkers van de gemeente" in page and "Inloggen met uw gemeenteaccount" in page
    english = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Log in with your municipal account" in english
    named = make_app(oidc_provider_name="Gemeente Doetinchem").test_client().get("/login")
    assert "Inloggen met Gemeente Doetinchem" in named.get_data(as_text=True)


# --- the code flow ------------------------------------------------------------------------------------------


def test_the_button_reads_discovery_and_sends_the_browser_with_state_nonce_and_an_s256_challenge(
    client, provider
):
    answer = start(client)
    target = urlsplit(answer.location)
    discovered = requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=10).json()
    assert answer.location.startswith(discovered["authorization_endpoint"] + "?")
    query = {key: values[0] for key, values in parse_qs(target.query).items()}
    assert query["response_type"] == "code" and query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == f"{APP_URL}/login/sso/callback"
    assert "openid" in query["scope"].split()
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 20 and len(query["nonce"]) >= 20
    assert start(client).location != answer.location  # a fresh state, nonce and challenge every time


def test_an_organizer_signs_on_and_lands_on_the_dashboard_with_the_login_recorded(
    client, provider, the_world, engine
):
    organizer = the_world.users["organizer_home"]
    provider.add_user("a1b2-entra-object-id", email=organizer.email.upper(), email_verified=True)

    answer = sign_on(client, provider, "a1b2-entra-object-id")

    assert answer.status_code == 302 and answer.location == "/organizer/"
    assert client.get("/organizer/").status_code == 200
    assert provider.front.pkce_verified == 1  # the provider checked the app's verifier against its challenge
    with unit_of_work(engine) as session:
        assert session.get(User, organizer.id).last_login_at.replace(tzinfo=NOW.tzinfo) == NOW


def test_a_coordinator_signs_on_and_goes_to_the_page_asked_for_but_never_elsewhere(
    client, provider, the_world
):
    provider.add_user("coordinator", email=the_world.users["coordinator_home"].email)
    answer = sign_on(client, provider, "coordinator", next_page="/coordinator/roles")
    assert answer.location == "/coordinator/roles"

    log_out(client)
    answer = sign_on(client, provider, "coordinator", next_page="https://evil.example/coordinator/")
    assert answer.location == "/coordinator/"


def test_an_administrator_signs_on_too_and_lands_on_the_regions(client, provider, the_world):
    provider.add_user("beheer", email=the_world.users["administrator_home"].email)
    answer = sign_on(client, provider, "beheer")
    assert answer.status_code == 302 and answer.location == "/admin/"
    assert client.get("/admin/staff").status_code == 200


def test_an_intercepted_code_is_useless_without_the_verifier_in_the_users_session(
    client, provider, the_world
):
    provider.add_user("organizer", email=the_world.users["organizer_home"].email)
    callback = provider.authorize(start(client).location, "organizer")
    code = parse_qs(urlsplit(callback).query)["code"][0]

    stolen = requests.post(
        f"{provider.issuer}/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": f"{APP_URL}/login/sso/callback",
        },
        auth=(CLIENT_ID, "client-secret-from-the-provider"),
        timeout=10,
    )
    assert stolen.status_code == 400 and stolen.json()["error"] == "invalid_grant"
    assert client.get(callback).location == "/organizer/"


def test_logging_out_after_single_sign_on_ends_the_session(client, provider, the_world):
    provider.add_user("organizer", email=the_world.users["organizer_home"].email)
    sign_on(client, provider, "organizer")
    log_out(client)
    assert client.get("/organizer/").status_code == 302


# --- state and nonce ----------------------------------------------------------------------------------------


def test_a_callback_with_another_state_is_refused(client, provider, the_world, engine):
    provider.add_user("organizer", email=the_world.users["organizer_home"].email)
    callback = provider.authorize(start(client).location, "organizer")
    answer = client.get(with_query(callback, state="forged-state-of-an-attacker"))
    refused_with(client, answer, "Deze inlogpoging is verlopen of niet hier begonnen.")
    assert failed_sign_ons(engine) == [
        (None, {"scope": "sso", "known_account": False, "reason": "stale_attempt"})
    ]


def test_a_callback_replayed_after_use_or_in_another_browser_is_refused(
    client, make_app, provider, the_world
):
    provider.add_user("organizer", email=the_world.users["organizer_home"].email)
    callback = provider.authorize(start(client).location, "organizer")
    assert client.get(callback).location == "/organizer/"

    another_browser = make_app().test_client()
    refused_with(another_browser, another_browser.get(callback), "verlopen of niet hier begonnen")
    log_out(client)
    refused_with(client, client.get(callback), "verlopen of niet hier begonnen")


def test_an_id_token_with_another_nonce_is_refused(client, provider, the_world, caplog):
    provider.add_user("organizer", email=the_world.users["organizer_home"].email)
    provider.tampering.nonce = "nonce-of-an-earlier-login"
    answer = sign_on(client, provider, "organizer")
    refused_with(client, answer, "kon niet worden gecontroleerd")
    assert "Invalid claim: 'nonce'" in caplog.text


# --- issuer, audience, signature ----------------------------------------------------------------------------


def test_a_provider_whose_discovery_names_another_issuer_is_not_used(client, provider):
    provider.tampering.discovery_host = f"localhost:{provider.port}"
    answer = start(client)
    refused_with(client, answer, "Inloggen via uw organisatie is nu niet beschikbaar.")


def test_an_id_token_from_another_issuer_is_refused(client, provider, the_world, caplog):
    provider.add_user("organizer", email=the_world.users["organizer_home"].email)
    provider.tampering.token_host = f"localhost:{provider.port}"
    refused_with(client, sign_on(client, provider, "organizer"), "kon niet worden gecontroleerd")
    assert "Invalid claim: 'iss'" in caplog.text


def test_an_id_token_for_another_client_is_refused(client, provider, the_world, caplog):
    provider.add_user("organizer", email=the_world.users["organizer_home"].email)
    provider.tampering.client_id = "the-hr-system"
    refused_with(client, sign_on(client, provider, "organizer"), "kon niet worden gecontroleerd")
    assert "Invalid claim: 'aud'" in caplog.text


def test_an_id_token_altered_after_signing_is_refused(client, provider, the_world, caplog):
    provider.add_user("stranger", email="stranger@example.nl")
    provider.tampering.forged_claims = {"email": the_world.users["organizer_home"].email}
    refused_with(client, sign_on(client, provider, "stranger"), "kon niet worden gecontroleerd")
    assert "BadSignatureError" in caplog.text


# --- who may sign on ----------------------------------------------------------------------------------------


def test_an_unknown_email_is_refused_and_no_account_is_made(client, provider, engine):
    provider.add_user("new-colleague", email="nieuwe.collega@oude-ijsselstreek.nl")
    with unit_of_work(engine) as session:
        accounts_before = session.exec(select(func.count()).select_from(User)).one()
    refused_with(
        client,
        sign_on(client, provider, "new-colleague"),
        "Er is geen medewerkersaccount voor nieuwe.collega@oude-ijsselstreek.nl.",
    )
    with unit_of_work(engine) as session:
        assert session.exec(select(func.count()).select_from(User)).one() == accounts_before


def test_a_professional_cannot_sign_on_as_staff(client, provider, the_world):
    email = the_world.users["professional_home"].email
    provider.add_user("freelancer", email=email)
    refused_with(client, sign_on(client, provider, "freelancer"), "is het account van een zzp'er")


def test_an_inactive_staff_account_is_refused(client, provider, the_world, engine):
    organizer = the_world.users["organizer_home"]
    with unit_of_work(engine) as session:
        session.get(User, organizer.id).active = False
    provider.add_user("organizer", email=organizer.email)
    refused_with(client, sign_on(client, provider, "organizer"), "staat uit")
    assert failed_sign_ons(engine) == [
        (organizer.id, {"scope": "sso", "known_account": True, "reason": "inactive"})
    ]


def test_every_refused_answer_of_the_provider_is_a_failed_login_in_the_audit_log(
    client, provider, the_world, engine
):
    provider.add_user("stranger", email="stranger@example.nl")
    refused_with(client, sign_on(client, provider, "stranger"), "Er is geen medewerkersaccount")
    refused_with(client, client.get(provider.deny(start(client).location)), "heeft u niet ingelogd")
    provider.add_user("organizer", email=the_world.users["organizer_home"].email)
    provider.tampering.nonce = "nonce-of-an-earlier-login"
    refused_with(client, sign_on(client, provider, "organizer"), "kon niet worden gecontroleerd")

    assert [facts["reason"] for _, facts in failed_sign_ons(engine)] == [
        "unknown_account",
        "provider_refused",
        "unverified_answer",
    ]


def test_a_provider_that_cannot_be_reached_writes_nothing_to_the_audit_log(make_app, the_world, engine):
    with OidcProvider() as gone:
        issuer = gone.issuer
    client = make_app(issuer=issuer).test_client()
    refused_with(client, start(client), "nu niet beschikbaar")
    assert failed_sign_ons(engine) == []  # nobody tried to log in: the button found no provider


def test_a_missing_or_unverified_email_is_refused(client, provider, the_world):
    provider.add_user("no-mail", name="Zonder Adres")
    refused_with(client, sign_on(client, provider, "no-mail"), "heeft uw e-mailadres niet doorgegeven")

    provider.add_user("unverified", email=the_world.users["organizer_home"].email, email_verified=False)
    refused_with(client, sign_on(client, provider, "unverified"), "niet bevestigd")


def test_the_email_claim_is_a_setting_for_providers_like_entra_id(make_app, provider, the_world):
    client = make_app(oidc_email_claim="preferred_username").test_client()
    provider.add_user(
        "x", preferred_username=the_world.users["coordinator_home"].email, email="other@example.nl"
    )
    assert sign_on(client, provider, "x").location == "/coordinator/"


# --- the provider is down or says no ------------------------------------------------------------------------


def test_a_login_cancelled_at_the_provider_is_a_message(client, provider):
    answer = client.get(provider.deny(start(client).location))
    refused_with(client, answer, "heeft u niet ingelogd")


def test_an_unreachable_provider_is_a_message_not_an_error_page(make_app, the_world):
    with OidcProvider() as gone:
        issuer = gone.issuer
    client = make_app(issuer=issuer).test_client()
    refused_with(client, start(client), "nu niet beschikbaar")


def test_the_messages_are_english_on_request(client, provider):
    provider.add_user("new-colleague", email="new@example.nl")
    client.post("/language", data={"language": "en", "csrf_token": csrf_token_from(client.get("/").text)})
    assert "Log in with your municipal account" in client.get("/login").text
    answer = sign_on(client, provider, "new-colleague")
    refused_with(client, answer, "There is no staff account for new@example.nl.")


# --- local passwords ----------------------------------------------------------------------------------------


def test_with_staff_passwords_off_staff_must_sign_on_but_professionals_keep_their_password(
    make_app, the_world
):
    app = make_app(staff_password_login=False)
    page = app.test_client().get("/login").get_data(as_text=True)
    assert "Alleen zzp'ers loggen in met een wachtwoord" in unescape(page)

    for staff in ("organizer_home", "coordinator_home"):
        client = app.test_client()
        answer = login(client, the_world.users[staff].email)
        assert answer.status_code == 400
        assert "Medewerkers loggen in via hun organisatie" in answer.get_data(as_text=True)
        assert client.get("/organizer/").status_code == 302 and client.get("/coordinator/").status_code == 302

    professional = app.test_client()
    assert login(professional, the_world.users["professional_home"].email).location == "/professional/"


def test_with_staff_passwords_on_both_ways_work(make_app, provider, the_world):
    client = make_app().test_client()
    assert login(client, the_world.users["organizer_home"].email).location == "/organizer/"
