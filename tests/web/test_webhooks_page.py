"""The organizer's webhooks page: add a receiver (its secret shown once), pause and remove it, and send a failed
event again."""

from __future__ import annotations

import re

from sqlmodel import select

from swarm.domain.enums import OutboxStatus
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import Webhook, WebhookDelivery
from tests.web.world import csrf_token_from


def test_an_organizer_adds_a_webhook_and_sees_its_secret_once(login_as, engine, the_world):
    client = login_as("organizer_home")
    page = client.get("/organizer/webhooks").get_data(as_text=True)
    added = client.post(
        "/organizer/webhooks",
        data={
            "url": "https://dashboard.example.nl/hooks",
            "events": ["schedule.published", "team.proposed"],
            "csrf_token": csrf_token_from(page),
        },
    )
    assert added.status_code == 200
    secret = re.search(r'id="new-secret">(whsec_[\w-]+)<', added.get_data(as_text=True)).group(1)
    with unit_of_work(engine) as session:
        hook = session.exec(select(Webhook).where(Webhook.url == "https://dashboard.example.nl/hooks")).one()
        assert hook.secret == secret and hook.events == ["schedule.published", "team.proposed"]
    assert secret not in client.get("/organizer/webhooks").get_data(as_text=True)


def test_plain_http_is_refused_at_its_field(login_as):
    client = login_as("organizer_home")
    page = client.get("/organizer/webhooks").get_data(as_text=True)
    refused = client.post(
        "/organizer/webhooks",
        data={
            "url": "http://dashboard.example.nl/hooks",
            "events": ["team.proposed"],
            "csrf_token": csrf_token_from(page),
        },
    )
    assert refused.status_code == 400
    assert 'id="url-error"' in refused.get_data(as_text=True)


def test_pause_retry_and_remove(login_as, engine, the_world):
    client = login_as("organizer_home")
    token = csrf_token_from(client.get("/organizer/webhooks").get_data(as_text=True))
    hook, delivery = the_world.webhooks["home"], the_world.failed_deliveries["home"]
    assert "HTTP 500" in client.get("/organizer/webhooks").get_data(as_text=True)
    client.post(f"/organizer/webhooks/{hook.id}/active", data={"csrf_token": token})
    client.post(f"/organizer/webhook-deliveries/{delivery.id}/retry", data={"csrf_token": token})
    with unit_of_work(engine) as session:
        assert session.get(Webhook, hook.id).active is False
        assert session.get(WebhookDelivery, delivery.id).status == OutboxStatus.PENDING
    client.post(f"/organizer/webhooks/{hook.id}/delete", data={"csrf_token": token})
    with unit_of_work(engine) as session:
        assert session.get(Webhook, hook.id) is None
