"""The organizer's reads around a draft, on SQLite and PostgreSQL: the publish preview (counts the mails, keeps
nothing) and the pin field's search (availability for the table's slot, distance, names matched literally)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from swarm.domain.actors import SYSTEM
from swarm.domain.enums import SessionStatus
from swarm.domain.errors import ValidationError
from swarm.persistence.models import OutboxMessage, Session
from swarm.services.people.professionals import set_availability
from swarm.services.plan.publish import preview_publish, publish_round
from swarm.services.plan.queue import enqueue_solve
from swarm.services.plan.requests import submit_swarm_request
from swarm.services.plan.review import find_professional, pin_candidates
from tests.swarm.factories import CLOCK, add_professional, count
from tests.swarm.test_privacy import solve
from tests.swarm.test_rounds import config_of, draft


@pytest.fixture
def solved(db, world):
    """Three people said yes, one if need be, to the morning; one question for it, solved into a draft."""
    people = [add_professional(db, world, n, skills={"participatie": 2}) for n in range(1, 4)]
    maybe = add_professional(db, world, 4, name="Maaike 50%_korting", skills={"participatie": 2})
    for person in people:
        set_availability(db, person.id, {world.morning.id: "yes"}, actor=SYSTEM, clock=CLOCK)
    set_availability(db, maybe.id, {world.morning.id: "maybe"}, actor=SYSTEM, clock=CLOCK)
    request = draft(db, world, "Omgevingsplan", slot_ids=[world.morning.id])
    submit_swarm_request(db, request.id, actor=world.coordinator, clock=CLOCK)
    solve(db, enqueue_solve(db, world.round.id, actor=world.organizer, clock=CLOCK))
    return request, people, maybe


def _statuses(db, world) -> set[str]:
    return {s.status for s in db.exec(select(Session).where(Session.planning_round_id == world.round.id))}


def test_the_preview_counts_the_mails_publishing_sends_and_keeps_nothing(db, world, solved):
    mails_before = count(db, OutboxMessage)
    preview = preview_publish(db, world.round.id, actor=world.organizer, config=config_of(db), clock=CLOCK)
    assert preview.mails >= 2 and len(preview.published) == 1
    assert count(db, OutboxMessage) == mails_before and _statuses(db, world) == {SessionStatus.DRAFT}
    report = publish_round(db, world.round.id, actor=world.organizer, config=config_of(db), clock=CLOCK)
    assert report.mails == preview.mails and count(db, OutboxMessage) == mails_before + report.mails
    assert _statuses(db, world) == {SessionStatus.PUBLISHED}
    with pytest.raises(ValidationError):  # nothing left to publish: refused like publishing itself
        preview_publish(db, world.round.id, actor=world.organizer, config=config_of(db), clock=CLOCK)


def test_pin_candidates_show_the_answer_for_the_tables_slot_and_the_distance(db, world, solved):
    request, people, maybe = solved
    region = world.region.id
    assert pin_candidates(db, region, request.id, "  ") == []
    everyone = pin_candidates(db, region, request.id, "a", limit=10)
    assert [c.id for c in everyone][-1] == maybe.id  # yes first, if need be after
    assert {c.answer for c in everyone} == {"yes", "maybe"}
    assert all(c.km == 0.0 and c.within_radius for c in everyone)  # home and venue both in Ulft
    [by_number] = pin_candidates(db, region, request.id, str(people[0].id))
    assert by_number.name == people[0].name and by_number.label == f"{people[0].name} (#{people[0].id})"
    # % and _ are letters here, not wildcards
    assert [c.id for c in pin_candidates(db, region, request.id, "50%_")] == [maybe.id]
    assert pin_candidates(db, region, request.id, "%") == [c for c in everyone if c.id == maybe.id]
    assert pin_candidates(db, region, request.id, "1_") == []
    # what only a tampered request sends finds nobody, on PostgreSQL too (NUL, past 32 bits, other digits)
    for hostile in ("a\x00b", "x\r\ny", str(2**63), f"Jan (#{2**40})", "\u00b2", "(#\u0663)"):
        assert pin_candidates(db, region, request.id, hostile) == []


def test_a_typed_pin_finds_one_professional_or_says_why_not(db, world, solved):
    _request, people, maybe = solved
    region = world.region.id
    assert find_professional(db, region, maybe.name.upper()).id == maybe.id
    assert find_professional(db, region, f"{people[1].name} (#{people[1].id})").id == people[1].id
    assert find_professional(db, region, f" {people[2].id} ").id == people[2].id
    hostile = ("a\x00b", "Jan\r\nBcc: x", str(2**63), f"Jan (#{2**40})", "\u00b2", "(#\u0663)")
    for typed in ("Niemand", "999999", "Professional", *hostile):
        with pytest.raises(ValidationError) as refused:
            find_professional(db, region, typed)
        assert refused.value.field == "professional_id"
    twin = add_professional(db, world, 9, name=people[0].name)
    with pytest.raises(ValidationError, match="type their number"):
        find_professional(db, region, people[0].name)
    assert find_professional(db, region, str(twin.id)).id == twin.id
