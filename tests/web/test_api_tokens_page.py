"""The account page makes and revokes personal API tokens: a new token is shown once, works in the API at once,
and stops when revoked."""

from __future__ import annotations

import re

from tests.web.api import bearer
from tests.web.world import csrf_token_from


def test_a_token_made_on_the_account_page_is_shown_once_and_revoked_there(login_as, app):
    client = login_as("coordinator_home")
    page = client.get("/account").get_data(as_text=True)
    assert "API-tokens" in page
    made = client.post(
        "/account/api-tokens", data={"name": "HR-systeem", "csrf_token": csrf_token_from(page)}
    )
    assert made.status_code == 200
    secret = re.search(r'id="new-token">(swarm_[\w-]+)<', made.get_data(as_text=True)).group(1)
    api = app.test_client()
    assert api.get("/api/v1/me", headers=bearer(secret)).get_json()["role"] == "coordinator"
    again = client.get("/account").get_data(as_text=True)
    assert secret not in again and "HR-systeem" in again and secret[:12] in again
    revoke = re.search(r'action="(/account/api-tokens/\d+/revoke)"', again).group(1)
    assert client.post(revoke, data={"csrf_token": csrf_token_from(again)}).status_code == 302
    assert api.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_a_token_without_a_name_is_refused_at_its_field(login_as):
    client = login_as("professional_home")
    page = client.get("/account").get_data(as_text=True)
    refused = client.post("/account/api-tokens", data={"name": "", "csrf_token": csrf_token_from(page)})
    assert refused.status_code == 400
    assert 'id="name-error"' in refused.get_data(as_text=True)


def test_another_users_token_cannot_be_revoked(login_as, api_tokens, the_world, app):
    from sqlmodel import select

    from swarm.persistence.db import unit_of_work
    from swarm.persistence.models import ApiToken

    with unit_of_work(app.extensions["swarm_engine"]) as session:
        foreign = session.exec(
            select(ApiToken).where(ApiToken.user_id == the_world.users["organizer_foreign"].id)
        ).first()
        foreign_id = foreign.id
    client = login_as("organizer_home")
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    assert (
        client.post(f"/account/api-tokens/{foreign_id}/revoke", data={"csrf_token": token}).status_code == 404
    )
    assert (
        app.test_client().get("/api/v1/me", headers=bearer(api_tokens["organizer_foreign"])).status_code
        == 200
    )
