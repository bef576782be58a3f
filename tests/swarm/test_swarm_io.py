"""Rows -> swarm-instance/1 -> (a schedule) -> draft sessions, with every id and reference checked."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import select

import solver.swarm
from swarm.domain.actors import SYSTEM
from swarm.domain.enums import InvitationResponse, PinKind, SessionStatus
from swarm.domain.errors import ValidationError
from swarm.persistence.models import Invitation, Seat, Session, SessionTable
from swarm.services.people.professionals import set_availability
from swarm.services.plan.draft import store_swarm_schedule
from swarm.services.plan.frame import round_slots
from swarm.services.plan.instance import build_swarm_instance
from swarm.services.plan.requests import (
    ExclusionInput,
    NeedInput,
    RequestInput,
    create_swarm_request,
    set_pin,
    submit_swarm_request,
)
from tests.swarm.factories import (
    CLOCK,
    add_professional,
    all_documents,
    count,
    open_round,
    profile,
    record_documents,
)
from tests.swarm.spec_checks import check_swarm_instance


def open_request(db, world, title="Omgevingsplan", **changes):
    values = dict(
        municipality_id=world.municipality.id,
        title=title,
        table_size_min=2,
        table_size_max=4,
        needs=[NeedInput("participatie", 1)],
        slot_ids=[world.morning.id, world.afternoon.id],
        priority=2,
    )
    values.update(changes)
    request = create_swarm_request(db, RequestInput(**values), actor=SYSTEM, clock=CLOCK)
    submit_swarm_request(db, request.id, actor=SYSTEM, clock=CLOCK)
    return request


@pytest.fixture
def planned_world(db, world):
    people = [add_professional(db, world, n, skills={"participatie": 1 + n % 3}) for n in range(1, 6)]
    for person in people:
        set_availability(
            db, person.id, {world.morning.id: "yes", world.afternoon.id: "maybe"}, actor=SYSTEM, clock=CLOCK
        )
    first = open_request(
        db, world, exclusions=[ExclusionInput(people[4].id, "family")], venue_ids=[world.venue.id]
    )
    second = open_request(db, world, "Energietransitie", max_travel_km=25.5)
    return world, people, first, second


def test_the_instance_is_valid_and_complete(db, planned_world):
    world, people, first, second = planned_world
    document = build_swarm_instance(db, world.region.id)
    check_swarm_instance(document)
    assert document["weights"] == {
        "scheduled": 1000,
        "skill": 10,
        "maybe": 15,
        "travel_km": 1,
        "fairness": 5,
        "repeat_table": 20,
        "change": 100,
    }
    assert [s["id"] for s in document["slots"]] == ["2027-01-12-am", "2027-01-12-pm"]
    assert document["slots"][0] == {
        "id": "2027-01-12-am",
        "start": "2027-01-12T09:00",
        "end": "2027-01-12T12:00",
    }
    by_id = {r["id"]: r for r in document["requests"]}
    assert by_id[f"r-{first.id}"]["excluded"] == [f"p-{people[4].id}"]
    assert by_id[f"r-{first.id}"]["venues"] == [world.venue.code]
    assert "venues" not in by_id[f"r-{second.id}"] and by_id[f"r-{second.id}"]["max_travel_km"] == 25.5
    person = next(p for p in document["professionals"] if p["id"] == f"p-{people[0].id}")
    assert person["availability"] == {"2027-01-12-am": "yes", "2027-01-12-pm": "maybe"}
    assert person["qualified"] is True and person["recent_invitations"] == 0 and person["max_travel_km"] == 40
    assert document["previous"] is None and document["pins"] == []


def test_the_solver_reader_accepts_the_instance(db, planned_world):
    swarm_model = solver.swarm
    document = build_swarm_instance(db, planned_world[0].region.id)
    instance = swarm_model.parse_instance(document)
    assert len(instance.requests) == 2 and len(instance.professionals) == 5


def test_export_solve_and_store_round_trip(db, planned_world):
    """The engine's own result for the exported instance is stored as a draft that names the same people."""
    swarm_model = solver.swarm
    from solver.control import SolveControl, SolveOptions

    world, people, first, second = planned_world
    instance = swarm_model.parse_instance(build_swarm_instance(db, world.region.id))
    result = swarm_model.to_document(
        swarm_model.solve(instance, SolveOptions(time_limit=5, workers=1), SolveControl())
    )
    assert result["sessions"], result["unscheduled"]
    stored = store_swarm_schedule(db, world.region.id, result, clock=CLOCK)
    seated = {p for s in result["sessions"] for t in s["tables"] for r in t["rounds"] for p in r}
    assert len(stored) == len(result["sessions"])
    assert {f"p-{i.professional_id}" for i in db.exec(select(Invitation))} == seated
    assert count(db, Seat) == sum(
        len(r) for s in result["sessions"] for t in s["tables"] for r in t["rounds"]
    )


def test_expired_documents_make_a_professional_unqualified_for_that_date(db, world):
    late = add_professional(db, world, 9)
    from swarm.services.people.professionals import register_professional

    expired = register_professional(db, profile(world, 10), clock=CLOCK)
    record_documents(db, expired.id, all_documents(date(2027, 1, 1)))
    for person in (late, expired):
        set_availability(db, person.id, {world.morning.id: "yes"}, actor=SYSTEM, clock=CLOCK)
    open_request(db, world)
    people = {p["id"]: p for p in build_swarm_instance(db, world.region.id)["professionals"]}
    assert people[f"p-{late.id}"]["qualified"] is True
    assert people[f"p-{expired.id}"]["qualified"] is False


def test_pins_go_into_the_instance_and_exclude_pins_into_excluded(db, planned_world):
    world, people, first, _ = planned_world
    set_pin(db, first.id, people[0].id, PinKind.INCLUDE, actor=SYSTEM)
    set_pin(db, first.id, people[1].id, PinKind.EXCLUDE, actor=SYSTEM)
    document = build_swarm_instance(db, world.region.id)
    assert document["pins"] == [{"request": f"r-{first.id}", "professional": f"p-{people[0].id}"}]
    request = next(r for r in document["requests"] if r["id"] == f"r-{first.id}")
    assert f"p-{people[1].id}" in request["excluded"]


def schedule_for(world, people, first) -> dict:
    p = [f"p-{x.id}" for x in people]
    return {
        "format": "swarm-schedule/1",
        "instance": "x",
        "status": "feasible",
        "score": 1,
        "bound": None,
        "sessions": [
            {
                "slot": "2027-01-12-am",
                "venue": world.venue.code,
                "tables": [
                    {"request": f"r-{first.id}", "rounds": [[p[0], p[1]], [p[0], p[1]], [p[0], p[1]]]}
                ],
            }
        ],
        "unscheduled": [],
    }


def test_a_schedule_is_stored_as_a_draft_with_seats_and_reasoned_invitations(db, planned_world):
    world, people, first, _ = planned_world
    stored = store_swarm_schedule(db, world.region.id, schedule_for(world, people, first), clock=CLOCK)
    assert [s.status for s in stored] == [SessionStatus.DRAFT]
    assert count(db, SessionTable) == 1 and count(db, Seat) == 6 and count(db, Invitation) == 2
    invitation = db.exec(
        Invitation.__table__.select().where(Invitation.professional_id == people[0].id)
    ).first()
    codes = [reason["code"] for reason in invitation.reasons]
    assert codes == ["skill", "availability", "travel", "turns"]
    # round 1: available now and never invited before, so one round waited
    assert invitation.reasons[-1]["facts"]["rounds_waited"] == 1
    assert invitation.response == InvitationResponse.NEEDS_ACTION

    # Storing again replaces the draft instead of adding to it.
    store_swarm_schedule(db, world.region.id, schedule_for(world, people, first), clock=CLOCK)
    assert count(db, Session) == 1 and count(db, Seat) == 6


def test_a_schedule_with_a_dangling_id_is_refused_and_nothing_is_stored(db, planned_world):
    world, people, first, _ = planned_world
    document = schedule_for(world, people, first)
    document["sessions"][0]["slot"] = "2027-02-30-am"
    with pytest.raises(ValidationError) as refused:
        store_swarm_schedule(db, world.region.id, document, clock=CLOCK)
    assert refused.value.params["problem"] == 'sessions[0].slot: unknown slot "2027-02-30-am"'
    document = schedule_for(world, people, first)
    document["sessions"][0]["tables"][0]["request"] = "r-999999"
    with pytest.raises(ValidationError):
        store_swarm_schedule(db, world.region.id, document, clock=CLOCK)
    assert count(db, Session) == 0


def test_recent_invitations_count_published_sessions_of_the_window(db, planned_world):
    world, people, first, _ = planned_world
    store_swarm_schedule(db, world.region.id, schedule_for(world, people, first), clock=CLOCK)
    for row in db.exec(Session.__table__.select()).all():
        db.get(Session, row.id).status = SessionStatus.PUBLISHED
    db.flush()
    next_round = open_round(db, world, "2027 Q2", datetime(2027, 4, 6))
    document = build_swarm_instance(db, world.region.id, planning_round_id=next_round.id)
    assert document["requests"] == []  # the new round has no requests yet
    from swarm.services.plan.history import recent_invitations

    history = recent_invitations(db, world.region.id, next_round, 4)
    assert history == {people[0].id: 1, people[1].id: 1}
    assert recent_invitations(db, world.region.id, next_round, 0) == {}


def test_rounds_waited_count_the_rounds_available_since_the_last_published_invitation(db, planned_world):
    from swarm.services.plan.history import rounds_waited

    world, people, first, _ = planned_world
    everyone = {person.id for person in people}
    document = build_swarm_instance(db, world.region.id)
    # round 1, nobody invited before: everyone who is available now waits this round
    assert {p["rounds_waited"] for p in document["professionals"]} == {1}
    store_swarm_schedule(db, world.region.id, schedule_for(world, people, first), clock=CLOCK)
    second = open_round(db, world, "Q2", datetime(2027, 3, 2))
    # a draft is no invitation, and a round without an answer is no wait
    assert rounds_waited(db, world.region.id, second) == dict.fromkeys(everyone, 1)
    for row in db.exec(Session.__table__.select()).all():
        db.get(Session, row.id).status = SessionStatus.PUBLISHED  # only published sessions count
    db.flush()
    third = open_round(db, world, "Q3", datetime(2027, 4, 6))
    [slot] = round_slots(db, third.id)
    set_availability(db, people[0].id, {slot.id: "maybe"}, actor=SYSTEM, clock=CLOCK)
    set_availability(db, people[2].id, {slot.id: "yes"}, actor=SYSTEM, clock=CLOCK)
    set_availability(db, people[3].id, {slot.id: "no"}, actor=SYSTEM, clock=CLOCK)
    # people 0 and 1 were invited in round 1: only what came after counts
    assert rounds_waited(db, world.region.id, third) == {
        people[0].id: 1, people[2].id: 2, people[3].id: 1, people[4].id: 1,
    }  # fmt: skip
    # a round's own invitations and later rounds never count
    assert rounds_waited(db, world.region.id, world.round) == dict.fromkeys(everyone, 1)


def test_an_excluded_professional_who_moved_away_leaves_the_instance_valid(db, planned_world):
    from swarm.persistence.models import Region

    world, people, first, _ = planned_world
    elsewhere = Region(slug="elders", name="Elders")
    db.add(elsewhere)
    db.flush()
    people[4].region_id = elsewhere.id  # still named in the first request's exclusions
    db.add(people[4])
    db.flush()
    document = build_swarm_instance(db, world.region.id)
    check_swarm_instance(document)
    request = next(r for r in document["requests"] if r["id"] == f"r-{first.id}")
    assert request["excluded"] == []


def test_a_schedule_seating_someone_twice_in_a_round_is_refused(db, planned_world):
    world, people, first, second = planned_world
    document = schedule_for(world, people, first)
    document["sessions"][0]["tables"].append(
        {
            "request": f"r-{second.id}",
            "rounds": [[f"p-{people[0].id}"], [f"p-{people[2].id}"], [f"p-{people[2].id}"]],
        }
    )
    with pytest.raises(ValidationError) as refused:
        store_swarm_schedule(db, world.region.id, document, clock=CLOCK)
    assert "round 1: someone sits at two tables at once" in refused.value.params["problem"]
    assert count(db, Session) == 0
