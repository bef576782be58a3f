"""The organizer's pages without a browser: policy, pins, review of a draft, publishing."""

from datetime import UTC, datetime

from sqlmodel import select

from swarm.config import Config
from swarm.domain.timeutil import fixed_clock
from swarm.mail import Mail
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import OutboxMessage, Pin, Region
from swarm.persistence.models import Session as ScheduledSession
from swarm.services.ops import outbox
from swarm.services.ops.outbox import enqueue_mail
from swarm.services.ops.snapshot_retention import reduce_old_snapshots
from swarm.services.plan.worker import run_queued_solves
from tests.swarm.test_mail_support import smtp_server
from tests.web.world import NOW, csrf_token_from


def _organizer_with_a_solved_draft(app, login_as, engine, database_url):
    """The home organizer, logged in, after asking for a plan and a worker solving it: (client, CSRF token)."""
    app.config["SWARM_CLOCK"] = fixed_clock(NOW)
    client = login_as("organizer_home")
    token = csrf_token_from(client.get("/organizer/review").get_data(as_text=True))
    client.post("/organizer/plan/solve", data={"csrf_token": token, "time_limit": "5"})
    run_queued_solves(engine, Config.for_tests(database_url=database_url), clock=fixed_clock(NOW))
    return client, token


def test_the_policy_is_saved_and_shows_who_had_no_turn(login_as, the_world, engine):
    client = login_as("organizer_home")
    page = client.get("/organizer/policy").get_data(as_text=True)
    assert the_world.professionals["home"].name in page
    response = client.post(
        "/organizer/policy",
        data={"csrf_token": csrf_token_from(page), "weight_fairness": "25", "history_window_rounds": "4"},
    )
    assert response.status_code == 302
    with unit_of_work(engine) as session:
        region = session.get(Region, the_world.regions["home"].id)
        assert (region.weight_fairness, region.history_window_rounds) == (25, 4)


def test_the_organizer_switches_the_guaranteed_turn_on_and_off(login_as, the_world, engine):
    client = login_as("organizer_home")
    page = client.get("/organizer/policy").get_data(as_text=True)
    assert "Gegarandeerde beurt" in page
    fields = {"csrf_token": csrf_token_from(page), "weight_fairness": "5", "history_window_rounds": "4"}
    response = client.post(
        "/organizer/policy",
        data={**fields, "guaranteed_turn_after_rounds": "3", "guaranteed_turn_max_skill_percent": "10"},
    )
    assert response.status_code == 302
    with unit_of_work(engine) as session:
        region = session.get(Region, the_world.regions["home"].id)
        assert region.swarm_policy() == {"guaranteed_turn": {"after_rounds": 3, "max_skill_percent": 10}}
    response = client.post("/organizer/policy", data={**fields, "guaranteed_turn_max_skill_percent": "250"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="guaranteed_turn_max_skill_percent-error"' in html
    # An emptied field (as a browser sends it) switches the turn off.
    emptied = {**fields, "guaranteed_turn_after_rounds": "", "guaranteed_turn_max_skill_percent": "10"}
    assert client.post("/organizer/policy", data=emptied).status_code == 302
    with unit_of_work(engine) as session:
        assert session.get(Region, the_world.regions["home"].id).swarm_policy() == {}


def test_a_negative_fairness_weight_is_refused_at_its_field(login_as):
    client = login_as("organizer_home")
    page = client.get("/organizer/policy").get_data(as_text=True)
    response = client.post(
        "/organizer/policy",
        data={"csrf_token": csrf_token_from(page), "weight_fairness": "-5", "history_window_rounds": "4"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="weight_fairness-error"' in html and 'value="-5"' in html


def test_pins_are_set_and_removed_for_requests_of_the_region_only(
    app, login_as, the_world, engine, database_url
):
    client, token = _organizer_with_a_solved_draft(app, login_as, engine, database_url)
    page = client.get("/organizer/review").get_data(as_text=True)
    assert "Concept" in page and "Tijdlijn" in page and "Dekking van de behoeften" in page

    request, person = the_world.requests["home"], the_world.professionals["home"]
    prefix = f"pin{request.id}"
    response = client.post(
        "/organizer/pins",
        data={
            "csrf_token": token,
            f"{prefix}-csrf_token": token,
            f"{prefix}-request_id": str(request.id),
            f"{prefix}-professional_id": str(person.id),
            f"{prefix}-kind": "include",
        },
    )
    assert response.status_code == 302
    with unit_of_work(engine) as session:
        assert [(p.request_id, p.professional_id, p.kind) for p in session.exec(select(Pin)).all()] == [
            (request.id, person.id, "include")
        ]
    assert "Vastzetting van" in client.get("/organizer/review").get_data(as_text=True)

    foreign = the_world.requests["foreign"]
    refused = client.post(
        "/organizer/pins/delete",
        data={"csrf_token": token, "request_id": str(foreign.id), "professional_id": str(person.id)},
    )
    assert refused.status_code == 404
    client.post(
        "/organizer/pins/delete",
        data={"csrf_token": token, "request_id": str(request.id), "professional_id": str(person.id)},
    )
    with unit_of_work(engine) as session:
        assert len(session.exec(select(Pin)).all()) == 0


def test_publishing_makes_the_draft_the_published_schedule(app, login_as, the_world, engine, database_url):
    client, token = _organizer_with_a_solved_draft(app, login_as, engine, database_url)
    response = client.post("/organizer/plan/publish", data={"csrf_token": token})
    assert response.status_code == 302
    page = client.get("/organizer/review").get_data(as_text=True)
    assert "Gepubliceerd:" in page
    with unit_of_work(engine) as session:
        statuses = {
            s.status
            for s in session.exec(select(ScheduledSession).filter_by(region_id=the_world.regions["home"].id))
        }
    assert statuses == {"published"}


def test_mail_that_could_not_be_delivered_is_listed_and_can_be_sent_again(login_as, the_world, engine):
    from swarm.persistence.models import OutboxMessage

    client = login_as("organizer_home")
    page = client.get("/organizer/").get_data(as_text=True)
    assert "550 5.1.1 mailbox unknown" in page
    message = the_world.failed_mail["home"]
    response = client.post(f"/organizer/mail/{message.id}/retry", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    with unit_of_work(engine) as session:
        assert session.get(OutboxMessage, message.id).status == "pending"


def test_mail_refused_for_a_line_break_in_the_name_is_listed_with_why_and_goes_out_when_sent_again(
    app, login_as, the_world, engine, database_url
):
    app.config["SWARM_CLOCK"] = fixed_clock(NOW)
    config = Config.for_tests(database_url=database_url, smtp_from="planning@swarm.test")
    with unit_of_work(engine) as session:
        enqueue_mail(
            session,
            Mail(
                "expiry_warning", "test:crlf", "jan@example.nl", "Jan\r\nBcc: all@example.nl", "Uw VOG", "."
            ),
            region_id=the_world.regions["home"].id,
            clock=fixed_clock(NOW),
        )
    with smtp_server() as server:
        report = outbox.send_due(engine, config.with_overrides(smtp_port=server.port), fixed_clock(NOW))
    assert report.failed == 1 and server.inbox.messages == []
    client = login_as("organizer_home")
    page = client.get("/organizer/").get_data(as_text=True)
    assert "Waarom het niet is verzonden" in page and "Neem eerst de oorzaak weg" in page
    assert "mail.recipient_name: a mail header may not contain a line break" in page
    with unit_of_work(engine) as session:
        message_id = session.exec(select(OutboxMessage.id).filter_by(idempotency_key="test:crlf")).one()
    response = client.post(f"/organizer/mail/{message_id}/retry", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    with smtp_server() as server:
        assert (
            outbox.send_due(engine, config.with_overrides(smtp_port=server.port), fixed_clock(NOW)).sent == 1
        )
    [sent] = server.inbox.messages
    assert sent["To"].addresses[0].display_name == "Jan Bcc: all@example.nl" and sent["Bcc"] is None


def test_a_published_session_can_be_cancelled(login_as, the_world, engine):
    client = login_as("organizer_home")
    page = client.get("/organizer/review").get_data(as_text=True)
    session_id = the_world.invitations["home"].session_id
    response = client.post(
        f"/organizer/sessions/{session_id}/cancel", data={"csrf_token": csrf_token_from(page)}
    )
    assert response.status_code == 302
    with unit_of_work(engine) as session:
        assert session.get(ScheduledSession, session_id).status == "cancelled"


def test_a_draft_made_before_the_published_schedule_changed_is_flagged_and_not_published(
    app, login_as, the_world, engine, database_url
):
    from flask_babel import force_locale, gettext
    from markupsafe import escape

    from swarm.services.plan.publish import STALE_DRAFT

    client, token = _organizer_with_a_solved_draft(app, login_as, engine, database_url)
    assert "flash-error" not in client.get("/organizer/review").get_data(as_text=True)
    published_id = the_world.invitations["home"].session_id
    client.post(f"/organizer/sessions/{published_id}/cancel", data={"csrf_token": token})

    with app.test_request_context(), force_locale("nl"):
        warning = str(escape(gettext(STALE_DRAFT)))
    assert warning in client.get("/organizer/review").get_data(as_text=True)
    client.post("/organizer/plan/publish", data={"csrf_token": token})
    assert warning in client.get("/organizer/review").get_data(as_text=True)
    with unit_of_work(engine) as session:
        statuses = [
            s.status
            for s in session.exec(select(ScheduledSession).filter_by(region_id=the_world.regions["home"].id))
        ]
    assert "draft" in statuses and statuses.count("published") == 0  # the draft was not published


def test_the_review_reads_the_same_after_retention_reduced_the_snapshot_of_the_published_run(
    app, login_as, the_world, engine, database_url
):
    client, token = _organizer_with_a_solved_draft(app, login_as, engine, database_url)
    client.post("/organizer/plan/publish", data={"csrf_token": token})

    def kept_parts() -> list[str]:
        page = client.get("/organizer/review").get_data(as_text=True)
        return [
            page[page.index(f'id="{heading}"') :].split("</section>")[0]
            for heading in ("breakdown-heading", "unscheduled-heading")
            if f'id="{heading}"' in page
        ]

    before = kept_parts()
    years_later = fixed_clock(datetime(2029, 12, 1, tzinfo=UTC))  # the published sessions ended long ago
    config = Config.for_tests(database_url=database_url)
    with unit_of_work(engine) as session:
        published_run = session.exec(
            select(ScheduledSession.solve_run_id).where(ScheduledSession.status == "published")
        ).first()
    assert published_run in reduce_old_snapshots(engine, config, years_later)
    assert before and 'id="breakdown-heading"' in before[0]
    assert kept_parts() == before
