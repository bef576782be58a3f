"""The scheduler's chores, called directly with a clock the test moves: each does its work once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from swarm.domain.enums import InvitationResponse, SolveStatus
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import (
    Availability,
    Invitation,
    OutboxMessage,
    Professional,
    QualificationDocument,
    SolveRun,
    SwarmRequest,
)
from swarm.services.ops import housekeeping, outbox
from swarm.services.people import retention
from swarm.services.people.privacy import ANONYMOUS_NAME
from swarm.services.plan import polls
from tests.ops.conftest import solve_and_publish
from tests.swarm.test_mail_support import smtp_server

AFTER_DEADLINE = datetime(2027, 1, 5, 16, 0, tzinfo=UTC)  # 17:00 in Amsterdam


def kinds(engine) -> list[str]:
    with unit_of_work(engine) as db:
        return list(db.exec(select(OutboxMessage.kind).order_by(OutboxMessage.id)))


def test_a_passed_deadline_closes_the_poll_and_queues_one_solve(ops_engine, plannable, clock, config):
    clock.now = AFTER_DEADLINE - timedelta(minutes=1)
    assert polls.close_due_polls(ops_engine, config, clock) == []
    clock.now = AFTER_DEADLINE
    assert polls.close_due_polls(ops_engine, config, clock) == [plannable.round_id]
    assert polls.close_due_polls(ops_engine, config, clock) == []
    with unit_of_work(ops_engine) as db:
        [run] = db.exec(select(SolveRun)).all()
        closed = {r.poll_closed_at for r in db.exec(select(SwarmRequest))}
    assert run.status == SolveStatus.QUEUED and closed == {AFTER_DEADLINE}


def test_reminders_go_two_days_ahead_once_and_not_to_who_declined(ops_engine, plannable, clock, config):
    solve_and_publish(ops_engine, plannable, clock, config)
    with unit_of_work(ops_engine) as db:
        declined = db.exec(select(Invitation)).first()
        declined.response = InvitationResponse.DECLINED
        db.add(declined)
    clock.now = datetime(2027, 1, 10, 7, 59, tzinfo=UTC)  # the session starts 12 January 08:00 UTC
    assert housekeeping.send_reminders(ops_engine, config, clock) == 0
    clock.now = datetime(2027, 1, 10, 8, 0, tzinfo=UTC)
    assert housekeeping.send_reminders(ops_engine, config, clock) == 3
    clock.advance(hours=1)
    assert housekeeping.send_reminders(ops_engine, config, clock) == 0
    with unit_of_work(ops_engine) as db:
        reminders = db.exec(select(OutboxMessage).where(OutboxMessage.kind == "reminder")).all()
    assert len(reminders) == 3 and all(
        m.ics_payload is None and "Herinnering" in m.subject for m in reminders
    )


def test_documents_expiring_within_30_days_are_warned_about_once(ops_engine, plannable, clock, config):
    clock.now = datetime(2027, 11, 30, 12, tzinfo=UTC)  # every document expires on 31 December 2027
    assert housekeeping.warn_expiring_documents(ops_engine, config, clock) == 0
    clock.now = datetime(2027, 12, 1, 12, tzinfo=UTC)
    assert housekeeping.warn_expiring_documents(ops_engine, config, clock) == 3 * len(plannable.people)
    assert housekeeping.warn_expiring_documents(ops_engine, config, clock) == 0
    with unit_of_work(ops_engine) as db:
        assert all(d.expiry_warned_at == clock() for d in db.exec(select(QualificationDocument)))
        subject = db.exec(select(OutboxMessage.subject)).first()
    assert "31-12-2027" in subject


def test_an_expiry_warning_to_a_name_with_a_line_break_is_sent_with_the_name_on_one_line(
    ops_engine, plannable, clock, config
):
    with unit_of_work(ops_engine) as db:  # stored before names were checked at input
        db.get(Professional, plannable.people[0]).name = "Jan Jansen\r\nBcc: everyone@example.nl"
    clock.now = datetime(2027, 12, 1, 12, tzinfo=UTC)
    assert housekeeping.warn_expiring_documents(ops_engine, config, clock) == 3 * len(plannable.people)
    with smtp_server() as server:
        report = outbox.send_due(ops_engine, config.with_overrides(smtp_port=server.port), clock)
    assert report.sent == 3 * len(plannable.people) and report.failed == 0
    names = {m["To"].addresses[0].display_name for m in server.inbox.messages}
    assert "Jan Jansen Bcc: everyone@example.nl" in names
    assert all(m["Bcc"] is None for m in server.inbox.messages)


def test_inactive_profiles_are_warned_then_anonymised_unless_their_owner_came_back(
    ops_engine, plannable, clock, config
):
    clock.now = datetime(2028, 11, 30, tzinfo=UTC)  # everyone was last active on 1 December 2026
    assert retention.apply_retention(ops_engine, config, clock) == (0, 0)
    clock.now = datetime(2028, 12, 2, tzinfo=UTC)
    assert retention.apply_retention(ops_engine, config, clock) == (len(plannable.people), 0)
    assert retention.apply_retention(ops_engine, config, clock) == (0, 0)
    returning = plannable.people[0]
    with unit_of_work(ops_engine) as db:
        person = db.get(Professional, returning)
        person.last_active_at = clock.advance(days=10)
        db.add(person)
    clock.advance(days=25)
    assert retention.apply_retention(ops_engine, config, clock) == (0, len(plannable.people) - 1)
    with unit_of_work(ops_engine) as db:
        people = {p.id: p for p in db.exec(select(Professional))}
        left = set(db.exec(select(Availability.professional_id)))
    assert people[returning].anonymised_at is None and people[returning].retention_warned_at is None
    gone = people[plannable.people[1]]
    assert gone.anonymised_at == clock() and gone.name == ANONYMOUS_NAME and gone.email.endswith("@invalid")
    assert gone.lat is None and left == {returning}
    # Nobody delivered the warnings here: those to the anonymised were still unsent, and erasure drops them.
    assert kinds(ops_engine) == ["retention_warning"]
