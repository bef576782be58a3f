"""A decline while the organizer has an unpublished draft: the repair mends the published schedule only, the draft
stays a draft (nothing of it is published or mailed), and it is marked stale until the organizer solves again."""

from __future__ import annotations

import pytest
from sqlmodel import select

from swarm.domain.actors import SYSTEM, Actor
from swarm.domain.enums import RequestStatus, SessionStatus, SolveStatus, UserRole
from swarm.domain.errors import ValidationError
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import (
    Invitation,
    Municipality,
    OutboxMessage,
    Session,
    SessionTable,
    SolveRun,
    SwarmRequest,
)
from swarm.services.plan import publish, queue, worker
from swarm.services.plan.requests import NeedInput, RequestInput, create_swarm_request, move_request
from tests.ops.conftest import solve_and_publish


def add_afternoon_request(engine, plannable, clock) -> int:
    """A third question, in the afternoon: what the organizer's next draft adds to the published morning. It is
    open in the published round, as a question is whose session was called off (a coordinator's new question
    would join the next round instead)."""
    with unit_of_work(engine) as db:
        municipality = db.exec(select(Municipality).where(Municipality.cbs_code == "GM1509")).one()
        request = create_swarm_request(
            db,
            RequestInput(
                municipality_id=municipality.id,
                title="Jeugdzorg",
                table_size_min=2,
                table_size_max=2,
                needs=[NeedInput("participatie", 1)],
                slot_ids=[plannable.afternoon_id],
                venue_ids=[plannable.venue_id],
                planning_round_id=plannable.round_id,
            ),
            actor=SYSTEM,
            clock=clock,
        )
        move_request(request, RequestStatus.OPEN, opened_at=clock())
        db.add(request)
        return request.id


def sessions(engine, status: SessionStatus) -> list[Session]:
    with unit_of_work(engine) as db:
        return list(db.exec(select(Session).where(Session.status == status).order_by(Session.id)))


def requests_of(engine, status: SessionStatus) -> set[int]:
    with unit_of_work(engine) as db:
        return set(
            db.exec(
                select(SessionTable.request_id)
                .join(Session, Session.id == SessionTable.session_id)
                .where(Session.status == status)
            )
        )


def solve_draft(engine, plannable, clock, config) -> None:
    with unit_of_work(engine) as db:
        queue.enqueue_solve(db, plannable.round_id, actor=plannable.organizer, clock=clock)
    [outcome] = worker.run_queued_solves(engine, config, clock=clock)
    assert outcome.status == SolveStatus.SUCCEEDED, outcome


def decline_one(engine, clock) -> int:
    with unit_of_work(engine) as db:
        invitation = db.exec(
            select(Invitation)
            .join(Session, Session.id == Invitation.session_id)
            .where(Session.status == SessionStatus.PUBLISHED)
            .order_by(Invitation.professional_id)
        ).first()
        publish.respond_to_invitation(
            db,
            invitation.id,
            "decline",
            actor=Actor(UserRole.PROFESSIONAL, professional_id=invitation.professional_id),
            clock=clock,
        )
        return invitation.professional_id


def mail_count(engine) -> int:
    with unit_of_work(engine) as db:
        return len(db.exec(select(OutboxMessage.id)).all())


def is_stale(engine, plannable) -> bool:
    with unit_of_work(engine) as db:
        return publish.draft_is_stale(db, plannable.round_id)


def test_a_decline_repairs_the_published_schedule_and_leaves_the_draft_a_stale_draft(
    ops_engine, plannable, clock, config
):
    solve_and_publish(ops_engine, plannable, clock, config)
    [published] = sessions(ops_engine, SessionStatus.PUBLISHED)
    afternoon_request = add_afternoon_request(ops_engine, plannable, clock)
    clock.advance(hours=1)
    solve_draft(
        ops_engine, plannable, clock, config
    )  # the organizer's new draft: the morning plus the afternoon
    assert afternoon_request in requests_of(ops_engine, SessionStatus.DRAFT)
    drafts_before = [s.id for s in sessions(ops_engine, SessionStatus.DRAFT)]
    assert not is_stale(ops_engine, plannable)

    clock.advance(hours=1)
    mails_before = mail_count(ops_engine)
    decliner = decline_one(ops_engine, clock)
    with unit_of_work(ops_engine) as db:
        [repair] = db.exec(select(SolveRun).where(SolveRun.status == SolveStatus.QUEUED)).all()
        # Only what is published is repaired: the afternoon question is not in the repair's instance.
        assert {r["id"] for r in repair.input["requests"]} == {f"r-{i}" for i in plannable.requests}
    assert is_stale(ops_engine, plannable)  # made before the decline, it still seats the decliner
    clock.advance(seconds=30)
    [outcome] = worker.run_queued_solves(ops_engine, config, clock=clock)
    assert outcome.status == SolveStatus.SUCCEEDED

    # The published morning session is repaired in place: same UID, next version, the decliner taken off.
    [repaired] = sessions(ops_engine, SessionStatus.PUBLISHED)
    assert (repaired.id, repaired.uid, repaired.version) == (published.id, published.uid, 1)
    with unit_of_work(ops_engine) as db:
        gone = db.exec(
            select(Invitation).where(
                Invitation.session_id == repaired.id, Invitation.professional_id == decliner
            )
        ).one()
        assert gone.cancelled_at is not None
        # Nothing of the draft went out: the afternoon question is still open and nobody was invited to it.
        assert db.get(SwarmRequest, afternoon_request).status == RequestStatus.OPEN
        new_mail = db.exec(select(OutboxMessage).order_by(OutboxMessage.id).offset(mails_before)).all()
    assert afternoon_request not in requests_of(ops_engine, SessionStatus.PUBLISHED)
    assert all("Jeugdzorg" not in (m.ics_payload or "") + m.body_text for m in new_mail)
    assert {m.kind for m in new_mail} <= {"invitation", "update", "cancellation", "solve_succeeded"}

    # The draft is still the organizer's draft, untouched, and says it is out of date.
    assert [s.id for s in sessions(ops_engine, SessionStatus.DRAFT)] == drafts_before
    assert is_stale(ops_engine, plannable)
    [notice] = [m for m in new_mail if m.kind == "solve_succeeded"]
    assert "hersteld" in notice.body_text and "concept" in notice.body_text.split("hersteld", 1)[1]
    with unit_of_work(ops_engine) as db, pytest.raises(ValidationError) as refused:
        publish.publish_round(db, plannable.round_id, actor=plannable.organizer, config=config, clock=clock)
    assert refused.value.field == "planning_round_id" and "Solve again" in refused.value.message

    # Solving again builds on the repaired schedule; that draft publishes without inviting the decliner back.
    clock.advance(minutes=5)
    solve_draft(ops_engine, plannable, clock, config)
    assert not is_stale(ops_engine, plannable)
    with unit_of_work(ops_engine) as db:
        publish.publish_round(db, plannable.round_id, actor=plannable.organizer, config=config, clock=clock)
        morning = db.exec(
            select(Invitation).where(
                Invitation.session_id == repaired.id, Invitation.professional_id == decliner
            )
        ).one()
    assert morning.cancelled_at is not None


def test_a_decline_while_a_plan_is_queued_leaves_the_plan_a_plan(ops_engine, plannable, clock, config):
    solve_and_publish(ops_engine, plannable, clock, config)
    add_afternoon_request(ops_engine, plannable, clock)
    clock.advance(hours=1)
    with unit_of_work(ops_engine) as db:
        plan = queue.enqueue_solve(db, plannable.round_id, actor=plannable.organizer, clock=clock).id
    clock.advance(minutes=1)
    decline_one(ops_engine, clock)
    with unit_of_work(ops_engine) as db:
        runs = {
            r.id: r.parameters["purpose"]
            for r in db.exec(select(SolveRun).where(SolveRun.status == SolveStatus.QUEUED))
        }
    assert runs[plan] == queue.PLAN and sorted(runs.values()) == [queue.PLAN, queue.REPAIR]
    outcomes = worker.run_queued_solves(ops_engine, config, clock=clock)
    assert [o.status for o in outcomes] == [SolveStatus.SUCCEEDED, SolveStatus.SUCCEEDED]
    # The plan was queued before the decline: its draft is a draft, out of date, and not published by anyone.
    assert sessions(ops_engine, SessionStatus.DRAFT) and is_stale(ops_engine, plannable)
    assert len(sessions(ops_engine, SessionStatus.PUBLISHED)) == 1


def test_a_repair_that_finds_the_published_schedule_changed_is_queued_again(
    ops_engine, plannable, clock, config
):
    solve_and_publish(ops_engine, plannable, clock, config)
    clock.advance(hours=1)
    decline_one(ops_engine, clock)
    clock.advance(minutes=1)
    [published] = sessions(ops_engine, SessionStatus.PUBLISHED)
    with unit_of_work(ops_engine) as db:  # the organizer calls the session off before the repair ran
        publish.cancel_session(db, published.id, actor=plannable.organizer, config=config, clock=clock)
    outcomes = worker.run_queued_solves(ops_engine, config, clock=clock)
    # The stale repair is not applied (it would bring the cancelled session back); the fresh one finds nothing to
    # repair, since nothing of the round is published any more.
    assert [o.status for o in outcomes] == [SolveStatus.SUCCEEDED]
    assert sessions(ops_engine, SessionStatus.PUBLISHED) == []
    assert [s.id for s in sessions(ops_engine, SessionStatus.CANCELLED)] == [published.id]
