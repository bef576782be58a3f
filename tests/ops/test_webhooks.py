"""Webhooks against a real HTTP receiver on loopback: events are written with the change that causes them,
POSTed with an HMAC-SHA256 signature over timestamp and body, retried with backoff when the receiver fails,
listed as failed after the last attempt and sent again on request: never lost."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from sqlmodel import select

from swarm.domain.actors import Actor
from swarm.domain.enums import OutboxStatus, UserRole
from swarm.domain.errors import NotAllowed, ValidationError
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import Invitation, WebhookDelivery
from swarm.services.ops import webhooks
from swarm.services.plan import publish
from tests.ops.conftest import solve_and_publish
from tests.ops.receiver import receiving

SECRET = "a-shared-secret-of-the-hr-system"


def register(engine, plannable, url, events=webhooks.EVENTS, secret=SECRET):
    with unit_of_work(engine) as db:
        webhook, shown = webhooks.register_webhook(
            db,
            plannable.region_id,
            webhooks.WebhookInput(url=url, events=list(events), secret=secret),
            allow_http=True,
            actor=plannable.organizer,
        )
        return webhook.id, shown


def deliveries(engine) -> list[WebhookDelivery]:
    with unit_of_work(engine) as db:
        return list(db.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def verified(request, secret=SECRET) -> dict:
    """What a receiver does: recompute the signature over TIMESTAMP.BODY, compare in constant time."""
    timestamp = request.headers["X-Swarm-Timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers["X-Swarm-Signature"], f"sha256={expected}")
    return json.loads(request.body)


def test_a_published_schedule_reaches_the_receiver_signed(ops_engine, plannable, clock, config):
    with receiving() as receiver:
        register(ops_engine, plannable, receiver.url)
        solve_and_publish(ops_engine, plannable, clock, config)
        report = webhooks.deliver_due(ops_engine, config, clock)
        assert (report.delivered, report.retried, report.failed) == (1, 0, 0)
        [request] = receiver.requests
    assert request.path == "/hooks/swarm"
    assert request.headers["X-Swarm-Event"] == "schedule.published"
    assert request.headers["X-Swarm-Timestamp"] == str(int(clock().timestamp()))
    event = verified(request)
    assert event["id"] == request.headers["X-Swarm-Event-Id"] and event["type"] == "schedule.published"
    assert event["region_id"] == plannable.region_id
    assert event["data"]["planning_round_id"] == plannable.round_id and event["data"]["sessions"] == 1
    assert event["data"]["link"] == "http://swarm.test/organizer/review"
    with pytest.raises(AssertionError):
        verified(request, secret="another secret of someone")
    assert [d.status for d in deliveries(ops_engine)] == [OutboxStatus.SENT]


def test_a_failing_receiver_gets_the_event_again_after_a_backoff_and_nothing_is_lost(
    ops_engine, plannable, clock, config
):
    with receiving() as receiver:
        receiver.answers = [500, 503]
        register(ops_engine, plannable, receiver.url)
        solve_and_publish(ops_engine, plannable, clock, config)
        first = webhooks.deliver_due(ops_engine, config, clock)
        assert (first.delivered, first.retried) == (0, 1)
        assert webhooks.deliver_due(ops_engine, config, clock).retried == 0  # not due yet: one minute later
        clock.advance(minutes=1)
        assert webhooks.deliver_due(ops_engine, config, clock).retried == 1  # 503: two minutes later
        clock.advance(minutes=1)
        assert not webhooks.deliver_due(ops_engine, config, clock)
        clock.advance(minutes=1)
        assert webhooks.deliver_due(ops_engine, config, clock).delivered == 1
        ids = {r.headers["X-Swarm-Event-Id"] for r in receiver.requests}
        bodies = {r.body for r in receiver.requests}
    assert len(receiver.requests) == 3 and len(ids) == 1 and len(bodies) == 1  # the same event each time
    [delivery] = deliveries(ops_engine)
    assert delivery.status == OutboxStatus.SENT and delivery.attempts == 3


def test_after_the_last_attempt_it_is_listed_as_failed_and_sent_again_on_request(
    ops_engine, plannable, clock, config
):
    with receiving() as receiver:
        receiver.answers = [500, 500, 500]
        register(ops_engine, plannable, receiver.url)
        solve_and_publish(ops_engine, plannable, clock, config)
        for _ in range(config.outbox_max_attempts):
            webhooks.deliver_due(ops_engine, config, clock)
            clock.advance(hours=2)
        with unit_of_work(ops_engine) as db:
            [(failed, _hook)] = webhooks.failed_deliveries(db, plannable.region_id, actor=plannable.organizer)
            assert failed.last_error == "HTTP 500" and failed.attempts == 3
            with pytest.raises(NotAllowed):
                webhooks.retry_delivery(
                    db, failed.id, actor=Actor(UserRole.ORGANIZER, region_id=plannable.region_id + 1)
                )
            webhooks.retry_delivery(db, failed.id, actor=plannable.organizer, clock=clock)
        assert webhooks.deliver_due(ops_engine, config, clock).delivered == 1
    assert len(receiver.requests) == 4


def test_a_receiver_that_is_not_there_counts_as_a_failure(ops_engine, plannable, clock, config):
    with receiving() as receiver:
        url = receiver.url  # the port is closed again when the receiver stops
    register(ops_engine, plannable, url)
    solve_and_publish(ops_engine, plannable, clock, config)
    assert webhooks.deliver_due(ops_engine, config, clock).retried == 1
    [delivery] = deliveries(ops_engine)
    assert delivery.status == OutboxStatus.PENDING and "ConnectionError" in delivery.last_error


def test_a_decline_is_told_without_personal_data(ops_engine, plannable, clock, config):
    solve_and_publish(ops_engine, plannable, clock, config)
    with receiving() as receiver:
        register(ops_engine, plannable, receiver.url, events=[webhooks.INVITATION_DECLINED])
        with unit_of_work(ops_engine) as db:
            invitation = db.exec(select(Invitation).order_by(Invitation.id)).first()
            person = invitation.professional_id
            publish.respond_to_invitation(
                db,
                invitation.id,
                "decline",
                actor=Actor(UserRole.PROFESSIONAL, professional_id=person),
                clock=clock,
            )
        webhooks.deliver_due(ops_engine, config, clock)
        [request] = receiver.requests
    event = verified(request)
    assert event["type"] == "invitation.declined"
    assert event["data"]["professional"] == f"p-{person}" and event["data"]["invitation_id"] == invitation.id
    assert b"@" not in request.body and b"Pro " not in request.body  # no e-mail address, no name


def test_only_the_events_a_receiver_chose_and_only_while_it_is_active(ops_engine, plannable, clock, config):
    webhook_id, _secret = register(
        ops_engine, plannable, "http://127.0.0.1:9/x", events=[webhooks.TEAM_PROPOSED]
    )
    solve_and_publish(ops_engine, plannable, clock, config)
    assert deliveries(ops_engine) == []
    with unit_of_work(ops_engine) as db:
        webhooks.set_webhook_active(db, webhook_id, False, actor=plannable.organizer)
        assert webhooks.emit(db, plannable.region_id, webhooks.TEAM_PROPOSED, {}, clock=clock) == 0


@pytest.mark.parametrize(
    ("url", "allow_http", "events", "secret", "field"),
    [
        ("http://hr.example.nl/hook", False, webhooks.EVENTS, "", "url"),
        ("ftp://hr.example.nl/hook", True, webhooks.EVENTS, "", "url"),
        ("https://", False, webhooks.EVENTS, "", "url"),
        ("https://hr.example.nl/\x00", False, webhooks.EVENTS, "", "url"),
        ("https://hr.example.nl/hook", False, [], "", "events"),
        ("https://hr.example.nl/hook", False, ["schedule.deleted"], "", "events"),
        ("https://hr.example.nl/hook", False, webhooks.EVENTS, "short", "secret"),
    ],
)
def test_a_bad_receiver_is_refused_at_its_field(
    ops_engine, plannable, url, allow_http, events, secret, field
):
    with unit_of_work(ops_engine) as db, pytest.raises(ValidationError) as refused:
        webhooks.register_webhook(
            db,
            plannable.region_id,
            webhooks.WebhookInput(url=url, events=list(events), secret=secret),
            allow_http=allow_http,
            actor=plannable.organizer,
        )
    assert refused.value.field == field


def test_a_secret_is_made_when_none_is_given_and_only_organizers_of_the_region_register(
    ops_engine, plannable
):
    with unit_of_work(ops_engine) as db:
        _hook, secret = webhooks.register_webhook(
            db,
            plannable.region_id,
            webhooks.WebhookInput(url="https://hr.example.nl/hook"),
            actor=plannable.organizer,
        )
        assert secret.startswith("whsec_") and len(secret) > 40
        with pytest.raises(NotAllowed):
            webhooks.register_webhook(
                db,
                plannable.region_id,
                webhooks.WebhookInput(url="https://hr.example.nl/hook"),
                actor=Actor(UserRole.COORDINATOR, municipality_id=1),
            )


def test_the_outbox_job_delivers_webhooks_too(ops_engine, plannable, clock, config):
    from swarm import jobs

    with receiving() as receiver:
        register(ops_engine, plannable, receiver.url)
        solve_and_publish(ops_engine, plannable, clock, config)
        report = jobs.send_outbox(ops_engine, config.with_overrides(smtp_port=1), clock)
        assert report.webhooks.delivered == 1 and len(receiver.requests) == 1
