"""Publishing a draft, answers to invitations, the repair after a decline, cancellation and the .ics export."""

from __future__ import annotations

import dataclasses

import pytest
from icalendar import Calendar
from sqlmodel import select

from swarm.domain.actors import Actor
from swarm.domain.enums import (
    InvitationResponse,
    PlanningRoundStatus,
    RequestStatus,
    SessionStatus,
    SolveStatus,
    UserRole,
)
from swarm.domain.errors import NotAllowed, ValidationError
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import (
    Invitation,
    OutboxMessage,
    PlanningRound,
    Professional,
    Session,
    SolveRun,
    SwarmRequest,
)
from swarm.services.plan import publish, queue, worker
from tests.ops.conftest import solve_and_publish


def professional(person_id: int) -> Actor:
    return Actor(UserRole.PROFESSIONAL, professional_id=person_id)


def mails(engine, kind: str | None = None) -> list[OutboxMessage]:
    with unit_of_work(engine) as db:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind:
            query = query.where(OutboxMessage.kind == kind)
        return list(db.exec(query))


def event_of(message: OutboxMessage):
    calendar = Calendar.from_ical(message.ics_payload)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def invitations(engine) -> dict[int, Invitation]:
    with unit_of_work(engine) as db:
        return {i.professional_id: i for i in db.exec(select(Invitation))}


def the_session(engine) -> Session:
    with unit_of_work(engine) as db:
        return db.exec(select(Session).where(Session.status != SessionStatus.DRAFT)).one()


def test_publishing_makes_sessions_invitations_and_their_mail_at_once(ops_engine, plannable, clock, config):
    report = solve_and_publish(ops_engine, plannable, clock, config)
    session = the_session(ops_engine)
    assert (
        report.published == [session.id]
        and session.status == SessionStatus.PUBLISHED
        and session.version == 0
    )
    invited = invitations(ops_engine)
    sent = mails(ops_engine, "invitation")
    assert report.mails == len(sent) == len(invited) == 4
    assert sorted(m.recipient for m in sent) == sorted(
        f"pro{p - plannable.people[0] + 1}@example.nl" for p in invited
    )
    calendar, event = event_of(sent[0])
    assert calendar["METHOD"] == "REQUEST" and event["SEQUENCE"] == 0
    assert str(event["UID"]) == f"swarm-session-{session.uid}@swarm.test"
    assert str(event["ORGANIZER"]) == f"mailto:{plannable.organizer_email}"
    for message in sent:  # each professional's invitation names them and the organizer, nobody else (AVG)
        attendees = [str(a) for a in event_of(message)[1].get("ATTENDEE")]
        assert attendees == [f"mailto:{message.recipient}", f"mailto:{plannable.organizer_email}"]
        others = {m.recipient for m in sent} - {message.recipient}
        assert not any(other in message.ics_payload or other in message.body_text for other in others)
    assert "Waarom u bent uitgenodigd" in str(event["DESCRIPTION"])
    with unit_of_work(ops_engine) as db:
        assert {r.status for r in db.exec(select(SwarmRequest))} == {RequestStatus.PLANNED}
        assert db.get(PlanningRound, plannable.round_id).status == PlanningRoundStatus.PLANNED


def test_there_is_nothing_to_publish_before_a_solve(ops_engine, plannable, clock, config):
    with unit_of_work(ops_engine) as db, pytest.raises(ValidationError) as error:
        publish.publish_round(db, plannable.round_id, actor=plannable.organizer, config=config, clock=clock)
    assert error.value.field == "planning_round_id"


def test_publishing_the_same_plan_again_sends_nothing(ops_engine, plannable, clock, config):
    solve_and_publish(ops_engine, plannable, clock, config)
    report = solve_and_publish(ops_engine, plannable, clock, config)
    assert (report.published, report.updated, report.cancelled, report.mails) == ([], [], [], 0)
    assert the_session(ops_engine).version == 0


def test_answers_become_the_attendees_partstat(ops_engine, plannable, clock, config):
    solve_and_publish(ops_engine, plannable, clock, config)
    first, second, *_ = invitations(ops_engine).values()
    clock.advance(days=1)
    with unit_of_work(ops_engine) as db:
        publish.respond_to_invitation(
            db, first.id, "accept", actor=professional(first.professional_id), clock=clock
        )
        publish.respond_to_invitation(
            db, second.id, "maybe", actor=professional(second.professional_id), clock=clock
        )
    answers = invitations(ops_engine)
    with unit_of_work(ops_engine) as db:
        assert db.get(Professional, first.professional_id).last_active_at == clock()
    assert answers[first.professional_id].response == InvitationResponse.ACCEPTED
    assert answers[second.professional_id].response == InvitationResponse.TENTATIVE
    with unit_of_work(ops_engine) as db:
        assert db.exec(select(SolveRun)).all()[-1].status == SolveStatus.SUCCEEDED  # no repair for these


def test_only_the_invited_professional_answers_and_only_with_a_known_answer(
    ops_engine, plannable, clock, config
):
    solve_and_publish(ops_engine, plannable, clock, config)
    invitation = next(iter(invitations(ops_engine).values()))
    with unit_of_work(ops_engine) as db, pytest.raises(NotAllowed):
        publish.respond_to_invitation(db, invitation.id, "accept", actor=professional(-1), clock=clock)
    with unit_of_work(ops_engine) as db, pytest.raises(ValidationError) as error:
        publish.respond_to_invitation(
            db, invitation.id, "ja hoor", actor=professional(invitation.professional_id)
        )
    assert error.value.field == "response"


def test_a_decline_is_repaired_with_updates_and_a_cancel_to_the_decliner(
    ops_engine, plannable, clock, config
):
    solve_and_publish(ops_engine, plannable, clock, config)
    before = the_session(ops_engine)
    invited = invitations(ops_engine)
    decliner = next(iter(invited))
    with unit_of_work(ops_engine) as db:
        publish.respond_to_invitation(
            db, invited[decliner].id, "decline", actor=professional(decliner), clock=clock
        )
        repair = db.exec(select(SolveRun).where(SolveRun.status == SolveStatus.QUEUED)).one()
    assert repair.parameters["purpose"] == queue.REPAIR
    [outcome] = worker.run_queued_solves(ops_engine, config, clock=clock)
    assert outcome.status == SolveStatus.SUCCEEDED
    after = the_session(ops_engine)
    assert after.uid == before.uid and after.version == 1
    [cancel] = mails(ops_engine, "cancellation")
    calendar, event = event_of(cancel)
    assert cancel.recipient == f"pro{decliner - plannable.people[0] + 1}@example.nl"
    assert (
        calendar["METHOD"] == "CANCEL"
        and event["SEQUENCE"] == 1
        and str(event["UID"]).startswith("swarm-session-")
    )
    updates, newcomers = mails(ops_engine, "update"), mails(ops_engine, "invitation")[4:]
    assert len(updates) + len(newcomers) == 4  # everyone on the changed session hears of it
    assert all(event_of(m)[1]["SEQUENCE"] == 1 for m in updates + newcomers)
    assert not any(
        "de tijd" in m.body_text or "de plaats" in m.body_text for m in updates
    )  # same slot and venue
    assert all(
        "Reageren: http://swarm.test/professional/invitations" in m.body_text for m in updates + newcomers
    )
    now_invited = invitations(ops_engine)
    assert now_invited[decliner].cancelled_at is not None
    assert sum(1 for i in now_invited.values() if i.cancelled_at is None) == 4


def test_declines_close_together_make_one_repair_and_one_change_mail_each(
    ops_engine, plannable, clock, config
):
    quiet = dataclasses.replace(config, repair_quiet_seconds=120)
    solve_and_publish(ops_engine, plannable, clock, quiet)
    first, second = list(invitations(ops_engine).values())[:2]
    sent_before = len(mails(ops_engine))
    with unit_of_work(ops_engine) as db:
        publish.respond_to_invitation(
            db, first.id, "decline", actor=professional(first.professional_id), clock=clock
        )
    clock.advance(seconds=90)
    assert worker.run_queued_solves(ops_engine, quiet, clock=clock) == []  # still quiet after the first
    with unit_of_work(ops_engine) as db:
        publish.respond_to_invitation(
            db, second.id, "decline", actor=professional(second.professional_id), clock=clock
        )
    clock.advance(seconds=90)
    assert worker.run_queued_solves(ops_engine, quiet, clock=clock) == []  # the second decline restarted it
    clock.advance(seconds=31)
    [outcome] = worker.run_queued_solves(ops_engine, quiet, clock=clock)
    assert outcome.status == SolveStatus.SUCCEEDED
    with unit_of_work(ops_engine) as db:
        runs = db.exec(select(SolveRun).order_by(SolveRun.id)).all()
    assert [run.parameters["purpose"] for run in runs] == [queue.PLAN, queue.REPAIR]  # one repair for both
    sent = mails(ops_engine)[sent_before:]
    recipients = [m.recipient for m in sent]
    assert len(recipients) == len(set(recipients))  # nobody hears twice of the one change
    assert {m.kind for m in sent if m.kind == "cancellation"} == {"cancellation"}
    assert sum(1 for m in sent if m.kind == "cancellation") == 2  # both decliners are let go


def test_a_plan_the_organizer_starts_is_not_held_back_by_the_repair_quiet_period(
    ops_engine, plannable, clock, config
):
    quiet = dataclasses.replace(config, repair_quiet_seconds=3600)
    with unit_of_work(ops_engine) as db:
        queue.enqueue_solve(db, plannable.round_id, actor=plannable.organizer, clock=clock)
    [outcome] = worker.run_queued_solves(ops_engine, quiet, clock=clock)
    assert outcome.status == SolveStatus.SUCCEEDED


def test_cancelling_a_session_tells_everyone_and_opens_its_requests_again(
    ops_engine, plannable, clock, config
):
    solve_and_publish(ops_engine, plannable, clock, config)
    session = the_session(ops_engine)
    with unit_of_work(ops_engine) as db:
        publish.cancel_session(db, session.id, actor=plannable.organizer, config=config, clock=clock)
    cancels = mails(ops_engine, "cancellation")
    assert len(cancels) == 4
    calendar, event = event_of(cancels[0])
    assert calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1
    with unit_of_work(ops_engine) as db:
        assert {r.status for r in db.exec(select(SwarmRequest))} == {RequestStatus.OPEN}
        with pytest.raises(Exception, match="cannot become cancelled"):
            publish.cancel_session(db, session.id, actor=plannable.organizer, config=config, clock=clock)


def test_export_writes_one_invitation_per_session_and_attendee(
    ops_engine, plannable, clock, config, tmp_path
):
    assert publish.export_ics(ops_engine, tmp_path / "none", config, clock) == []
    solve_and_publish(ops_engine, plannable, clock, config)
    written = publish.export_ics(ops_engine, tmp_path / "out", config, clock)
    session = the_session(ops_engine)
    assert len(written) == 4 and all(p.name.startswith(session.uid) for p in written)
    assert not list((tmp_path / "out").glob("*.part"))
    for path in written:
        calendar = Calendar.from_ical(path.read_bytes())
        assert calendar["METHOD"] == "REQUEST"
        [event] = calendar.walk("VEVENT")
        assert len(event.get("ATTENDEE")) == 2  # the one professional and the organizer


def test_an_update_names_what_changed_for_each_person():
    from swarm.calendars import Change

    # (slot, venue, rounds, ((request, ((round, professional), ...)), ...)): person 7 swaps tables in round 2
    old = (1, 1, 2, ((10, ((1, 7), (2, 8))), (11, ((1, 8), (2, 7)))))
    same_place = (1, 1, 2, ((10, ((1, 7), (2, 7))), (11, ((1, 8), (2, 8)))))
    assert publish._changes(old, same_place, 7) == (Change.TABLES,)
    assert publish._changes(old, old, 7) == ()
    moved = (2, 3, 2, old[3])
    assert publish._changes(old, moved, 8) == (Change.TIME, Change.PLACE)
