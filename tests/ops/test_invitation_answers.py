"""Answering from the mail: every invitation mail carries one-time accept and decline links that need no login,
work once, answer only for the version they were sent with and expire when the session ends."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlmodel import select

from swarm.domain.enums import InvitationResponse, SolveStatus
from swarm.domain.errors import ValidationError
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import Invitation, InvitationLink, OutboxMessage, Professional, Slot, SolveRun
from swarm.persistence.models import Session as SwarmSession
from swarm.services.plan import publish
from swarm.services.plan.answer_links import AnswerLinkProblem, AnswerLinkRefused, check_answer_link
from tests.ops.conftest import solve_and_publish

LINKS = re.compile(r"^(Ik kom[^:]*): https?://[^/\s]+/answer/([A-Za-z0-9_-]+)$", re.M)


def invitation_mails(engine) -> list[OutboxMessage]:
    with unit_of_work(engine) as db:
        return list(db.exec(select(OutboxMessage).where(OutboxMessage.kind == "invitation")))


def secrets_in(message: OutboxMessage) -> dict[str, str]:
    """The accept and decline secrets of a mail's links, by the words in front of them."""
    found = dict(LINKS.findall(message.body_text))
    return {
        "accept": next(s for words, s in found.items() if "aanvaarden" in words),
        "decline": next(s for words, s in found.items() if "afwijzen" in words),
    }


def invitation_of(engine, message: OutboxMessage) -> Invitation:
    """The invitation the mail is about (the round has one session: one invitation per person)."""
    with unit_of_work(engine) as db:
        return db.exec(
            select(Invitation)
            .join(Professional, Professional.id == Invitation.professional_id)
            .where(Professional.email == message.recipient)
        ).one()


@pytest.fixture
def published(ops_engine, plannable, clock, config):
    solve_and_publish(ops_engine, plannable, clock, config)
    return invitation_mails(ops_engine)


def test_every_invitation_mail_carries_an_accept_and_a_decline_link_and_asks_no_calendar_reply(
    ops_engine, published
):
    assert published
    for message in published:
        links = secrets_in(message)
        assert links["accept"] != links["decline"]
        [event] = Calendar.from_ical(message.ics_payload).walk("VEVENT")
        attendees = event.get("ATTENDEE")
        assert all(a.params["RSVP"] == "FALSE" for a in attendees)  # no iMIP REPLY is read: none asked for
    with unit_of_work(ops_engine) as db:  # only hashes are stored, never the secret itself
        stored = {link.token_hash for link in db.exec(select(InvitationLink))}
    assert len(stored) == 2 * len(published)
    assert not any(secrets_in(m)["accept"] in stored for m in published)


def test_a_decline_link_declines_once_with_its_reason_and_queues_a_repair(ops_engine, published, clock):
    message = published[0]
    invitation = invitation_of(ops_engine, message)
    secret = secrets_in(message)["decline"]
    with unit_of_work(ops_engine) as db:
        check_answer_link(db, secret, clock=clock)  # looking at it uses nothing up
    with unit_of_work(ops_engine) as db:
        publish.answer_by_link(db, secret, reason="  Ik ben die week   op vakantie. ", clock=clock)
    with unit_of_work(ops_engine) as db:
        answered = db.get(Invitation, invitation.id)
        assert answered.response == InvitationResponse.DECLINED
        assert answered.decline_reason == "Ik ben die week op vakantie."
        repairs = db.exec(select(SolveRun).where(SolveRun.status == SolveStatus.QUEUED)).all()
        assert len(repairs) == 1
    with pytest.raises(AnswerLinkRefused) as refused, unit_of_work(ops_engine) as db:
        publish.answer_by_link(db, secret, clock=clock)
    assert refused.value.problem is AnswerLinkProblem.USED


def test_an_accept_link_accepts_without_a_login(ops_engine, published, clock):
    message = published[1]
    invitation = invitation_of(ops_engine, message)
    with unit_of_work(ops_engine) as db:
        publish.answer_by_link(db, secrets_in(message)["accept"], clock=clock)
    with unit_of_work(ops_engine) as db:
        assert db.get(Invitation, invitation.id).response == InvitationResponse.ACCEPTED


def test_a_reason_longer_than_500_characters_is_refused_and_the_link_still_works(
    ops_engine, published, clock
):
    message = published[0]
    secret = secrets_in(message)["decline"]
    with pytest.raises(ValidationError) as refused, unit_of_work(ops_engine) as db:
        publish.answer_by_link(db, secret, reason="x" * 501, clock=clock)
    assert refused.value.field == "reason"
    with unit_of_work(ops_engine) as db:
        check_answer_link(db, secret, clock=clock)
        publish.answer_by_link(db, secret, reason="x" * 500, clock=clock)


def test_a_link_expires_when_its_session_ends(ops_engine, published, clock):
    message = published[0]
    invitation = invitation_of(ops_engine, message)
    with unit_of_work(ops_engine) as db:
        row = db.get(SwarmSession, invitation.session_id)
        ends_at = db.get(Slot, row.slot_id).ends_at
        link = db.exec(select(InvitationLink).where(InvitationLink.invitation_id == invitation.id)).first()
        assert link.expires_at == ends_at
    clock.now = ends_at - timedelta(seconds=1)
    with unit_of_work(ops_engine) as db:
        check_answer_link(db, secrets_in(message)["accept"], clock=clock)
    clock.now = ends_at
    with pytest.raises(AnswerLinkRefused) as refused, unit_of_work(ops_engine) as db:
        check_answer_link(db, secrets_in(message)["accept"], clock=clock)
    assert refused.value.problem is AnswerLinkProblem.EXPIRED


def test_a_link_from_an_older_mail_about_the_session_no_longer_answers(ops_engine, published, clock):
    message = published[0]
    invitation = invitation_of(ops_engine, message)
    with unit_of_work(ops_engine) as db:  # an update went out since: the invitation's version moved on
        row = db.get(Invitation, invitation.id)
        row.sequence += 1
        db.add(row)
    with pytest.raises(AnswerLinkRefused) as refused, unit_of_work(ops_engine) as db:
        publish.answer_by_link(db, secrets_in(message)["accept"], clock=clock)
    assert refused.value.problem is AnswerLinkProblem.OUTDATED


def test_a_made_up_link_is_unknown(ops_engine, published, clock):
    for secret in ("", "nope", "x" * 200, "é" * 10):
        with pytest.raises(AnswerLinkRefused) as refused, unit_of_work(ops_engine) as db:
            check_answer_link(db, secret, clock=clock)
        assert refused.value.problem is AnswerLinkProblem.UNKNOWN
