"""Calendar feeds at token URLs: only a hash stored, rotatable, revocable, no private data, a stable ETag."""

from __future__ import annotations

import hashlib

import pytest
from icalendar import Calendar
from sqlmodel import select

from swarm.domain.actors import SYSTEM, Actor
from swarm.domain.enums import FeedOwner, UserRole
from swarm.domain.errors import NotAllowed
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import CalendarFeed, Invitation, SwarmRequest, User
from swarm.services.ops import feeds
from tests.ops.conftest import solve_and_publish


def new_token(engine, kind: FeedOwner, owner_id: int, actor=SYSTEM) -> str:
    with unit_of_work(engine) as db:
        return feeds.create_feed(db, kind, owner_id, actor=actor)


def fetch(engine, token: str, config):
    with unit_of_work(engine) as db:
        return feeds.render_feed(db, token, config=config)


def test_only_a_hash_of_the_token_is_stored(ops_engine, plannable):
    token = new_token(ops_engine, FeedOwner.PROFESSIONAL, plannable.people[0])
    with unit_of_work(ops_engine) as db:
        [row] = db.exec(select(CalendarFeed)).all()
    assert len(token) >= 40 and row.token_hash == hashlib.sha256(token.encode()).hexdigest() != token


def test_a_professionals_feed_shows_their_sessions_without_private_data(ops_engine, plannable, clock, config):
    solve_and_publish(ops_engine, plannable, clock, config)
    with unit_of_work(ops_engine) as db:
        invited = db.exec(select(Invitation.professional_id)).first()
    token = new_token(ops_engine, FeedOwner.PROFESSIONAL, invited)
    response = fetch(ops_engine, token, config)
    calendar = Calendar.from_ical(response.body)
    [event] = calendar.walk("VEVENT")
    assert "METHOD" not in calendar and "ATTENDEE" not in event and "ORGANIZER" not in event
    assert "@example.nl" not in response.body.decode() and "Ronde 1" in str(event["DESCRIPTION"])
    body, etag, _ = fetch(ops_engine, token, config)
    assert (body, etag) == (response.body, response.etag)  # the same bytes on every fetch
    assert response.last_modified == clock().replace(microsecond=0)


def test_someone_not_invited_gets_an_empty_feed(ops_engine, plannable, clock, config):
    solve_and_publish(ops_engine, plannable, clock, config)
    with unit_of_work(ops_engine) as db:
        invited = set(db.exec(select(Invitation.professional_id)))
    outsider = next(p for p in plannable.people if p not in invited)
    response = fetch(ops_engine, new_token(ops_engine, FeedOwner.PROFESSIONAL, outsider), config)
    assert Calendar.from_ical(response.body).walk("VEVENT") == []


def test_municipality_and_organizer_feeds_show_the_regions_sessions(ops_engine, plannable, clock, config):
    solve_and_publish(ops_engine, plannable, clock, config)
    with unit_of_work(ops_engine) as db:
        municipality = db.exec(select(SwarmRequest.municipality_id)).first()
        organizer = db.exec(select(User).where(User.role == UserRole.ORGANIZER)).one()
    for kind, owner in ((FeedOwner.MUNICIPALITY, municipality), (FeedOwner.ORGANIZER, organizer.id)):
        body = fetch(ops_engine, new_token(ops_engine, kind, owner), config).body
        assert len(Calendar.from_ical(body).walk("VEVENT")) == 1


def test_rotating_or_revoking_stops_the_old_address(ops_engine, plannable, config):
    person = plannable.people[0]
    actor = Actor(UserRole.PROFESSIONAL, professional_id=person)
    old = new_token(ops_engine, FeedOwner.PROFESSIONAL, person, actor)
    new = new_token(ops_engine, FeedOwner.PROFESSIONAL, person, actor)  # rotate
    assert fetch(ops_engine, old, config) is None and fetch(ops_engine, new, config) is not None
    with unit_of_work(ops_engine) as db:
        assert feeds.revoke_feed(db, FeedOwner.PROFESSIONAL, person, actor=actor) == 1
    assert fetch(ops_engine, new, config) is None
    assert fetch(ops_engine, "made-up", config) is None and fetch(ops_engine, "", config) is None


def test_nobody_manages_someone_elses_feed(ops_engine, plannable):
    other = Actor(UserRole.PROFESSIONAL, professional_id=plannable.people[1])
    with unit_of_work(ops_engine) as db, pytest.raises(NotAllowed):
        feeds.create_feed(db, FeedOwner.PROFESSIONAL, plannable.people[0], actor=other)
    with unit_of_work(ops_engine) as db, pytest.raises(NotAllowed):
        feeds.create_feed(db, FeedOwner.MUNICIPALITY, 1, actor=plannable.organizer)
