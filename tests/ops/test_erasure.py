"""AVG erasure in a running system: a worker holds a solve that names the person, mail to them is waiting, and
their published session is two days away. After the erasure, and after the workers and jobs ran on, no stored row
holds their name, e-mail or ``p-<id>``; the round was repaired without them and everyone else kept their place."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from swarm.domain.actors import Actor
from swarm.domain.enums import FeedOwner, OutboxStatus, SessionStatus, SolveStatus, UserRole
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import Invitation, OutboxMessage, Professional, Seat, SolveRun
from swarm.persistence.models import Session as SwarmSession
from swarm.services.ops import feeds, housekeeping, outbox
from swarm.services.people import privacy
from swarm.services.plan import publish, queue, worker
from tests.ops.conftest import solve_and_publish
from tests.swarm.test_mail_support import smtp_server
from tests.swarm.test_privacy import stored_mentions

# Left on purpose: the key of a mail already sent (so it is never sent twice) and the anonymised row's own address.
ALLOWED_ID = {"outbox_messages.idempotency_key", "professionals.email"}


def seated_in_published(db) -> set[int]:
    published = select(SwarmSession.id).where(SwarmSession.status == SessionStatus.PUBLISHED)
    return set(db.exec(select(Seat.professional_id).where(Seat.session_id.in_(published))))


def test_erasure_reaches_running_solves_waiting_mail_and_the_published_round(
    store, ops_engine, plannable, clock, config
):
    solve_and_publish(ops_engine, plannable, clock, config)
    with smtp_server() as server:
        assert (
            outbox.send_due(ops_engine, config.with_overrides(smtp_port=server.port), clock).sent == 5
        )  # 4 invitations, the organizer's note
    with unit_of_work(ops_engine) as db:
        before = seated_in_published(db)
        victim = min(before)
        person = db.get(Professional, victim)
        name, email = person.name, person.email
        invitation = db.exec(select(Invitation).where(Invitation.professional_id == victim)).one()
    me = Actor(UserRole.PROFESSIONAL, professional_id=victim)
    with unit_of_work(ops_engine) as db:
        publish.respond_to_invitation(db, invitation.id, "accept", actor=me, clock=clock)
        feeds.create_feed(db, FeedOwner.PROFESSIONAL, victim, actor=me, clock=clock)
        queue.enqueue_solve(db, plannable.round_id, actor=plannable.organizer, clock=clock)
    running = queue.claim_next_run(ops_engine, "a-worker-that-will-lose-it", clock=clock)
    with unit_of_work(ops_engine) as db:
        waiting = queue.enqueue_solve(db, plannable.round_id, actor=plannable.organizer, clock=clock).id
    clock.now = datetime(2027, 1, 10, 12, tzinfo=UTC)  # two days before the session: reminders are written
    assert housekeeping.send_reminders(ops_engine, config, clock) == 4
    with unit_of_work(ops_engine) as db:
        found = stored_mentions(db, victim, name, email)
        assert "solve_runs.input" in found["id"] and "outbox_messages.body_text" in found["name"]

    with unit_of_work(ops_engine) as db:
        privacy.anonymise_professional(db, victim, store=store, actor=me, clock=clock)

    with unit_of_work(ops_engine) as db:
        found = stored_mentions(db, victim, name, email)
        assert found["name"] == found["email"] == set() and found["id"] <= ALLOWED_ID, found
        lost = db.get(SolveRun, running)
        assert (lost.status, lost.worker_id) == (SolveStatus.QUEUED, "")
        assert db.get(SolveRun, waiting).status == SolveStatus.QUEUED
        repair = db.exec(
            select(SolveRun).where(SolveRun.status == SolveStatus.QUEUED).order_by(SolveRun.id)
        ).all()
        assert [r.parameters["purpose"] for r in repair] == ["plan", "plan", "repair"]
        assert not db.exec(
            select(OutboxMessage).where(
                OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.recipient.like("anonymised-%")
            )
        ).all()

    outcomes = worker.run_queued_solves(ops_engine, config, clock=clock)
    assert [o.status for o in outcomes] == [SolveStatus.SUCCEEDED] * 3, outcomes
    with unit_of_work(ops_engine) as db:
        found = stored_mentions(db, victim, name, email)
        assert found["name"] == found["email"] == set() and found["id"] <= ALLOWED_ID, found
        after = seated_in_published(db)
        assert victim not in after and before - {victim} <= after and len(after) == len(before)
        # The repair's mail went to the newcomer and to those whose plan changed, never to the erased person.
        assert not db.exec(
            select(OutboxMessage).where(
                OutboxMessage.recipient == f"anonymised-{victim}@invalid",
                OutboxMessage.status == OutboxStatus.PENDING,
            )
        ).all()
