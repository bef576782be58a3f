"""AVG: a professional downloads everything stored about them, and erasure leaves nothing that points to them."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import SQLModel, select

import solver.swarm
from solver.control import SolveControl, SolveOptions
from swarm.config import Config
from swarm.domain.actors import SYSTEM, Actor
from swarm.domain.enums import (
    FeedOwner,
    OutboxStatus,
    PinKind,
    SessionStatus,
    SolveKind,
    SolveStatus,
    UserRole,
)
from swarm.domain.errors import NotAllowed
from swarm.persistence.models import (
    Availability,
    CalendarFeed,
    OutboxMessage,
    Professional,
    ProfessionalSkill,
    QualificationDocument,
    Seat,
    Session,
    SolveRun,
    User,
)
from swarm.services.ops.feeds import create_feed
from swarm.services.people.privacy import (
    ANONYMOUS_NAME,
    anonymise_professional,
    erase_from_run,
    export_personal_data,
)
from swarm.services.people.professionals import register_professional, set_availability
from swarm.services.plan.draft import store_swarm_schedule
from swarm.services.plan.publish import publish_round
from swarm.services.plan.queue import enqueue_solve
from swarm.services.plan.requests import (
    NeedInput,
    RequestInput,
    create_swarm_request,
    set_pin,
    submit_swarm_request,
)
from swarm.services.plan.results import solve_document
from swarm.services.team.instance import build_shell_instance
from swarm.services.team.projects import ProjectInput, ProjectRoleInput, create_project
from tests.swarm.factories import CLOCK, NOW, add_professional, count, profile, record_documents


@pytest.fixture
def person(db, world):
    professional = register_professional(
        db,
        profile(world, bio="Ervaren in participatie"),
        password="a good password",
        clock=CLOCK,
    )
    record_documents(db, professional.id)
    me = Actor(UserRole.PROFESSIONAL, professional_id=professional.id)
    set_availability(db, professional.id, {world.morning.id: "yes"}, actor=me, clock=CLOCK)
    return professional, me


def test_the_export_holds_profile_account_skills_documents_and_answers(db, person):
    professional, me = person
    data = export_personal_data(db, professional.id, actor=me)
    json.dumps(data)
    assert data["profile"]["email"] == "pro1@example.nl" and data["profile"]["home_place"] == "Ulft"
    assert data["profile"]["home_coordinates"] == [professional.lat, professional.lon]
    assert data["account"]["email"] == "pro1@example.nl"
    assert data["skills"] == {"participatie": 2}
    assert len(data["documents"]) == 3
    assert data["availability"] == {"2027-01-12-am": "yes"}


def test_only_the_professional_may_export_or_erase(store, db, person, world):
    professional, _ = person
    with pytest.raises(NotAllowed):
        export_personal_data(db, professional.id, actor=world.organizer)
    with pytest.raises(NotAllowed):
        anonymise_professional(db, professional.id, store=store, actor=world.coordinator, clock=CLOCK)


def test_erasure_leaves_no_personal_data(store, db, person):
    professional, me = person
    anonymise_professional(db, professional.id, store=store, actor=me, clock=CLOCK)
    row = db.get(Professional, professional.id)
    assert row.name == ANONYMOUS_NAME and "pro1" not in row.email and row.bio == ""
    assert row.lat is None and row.home_place_id is None and row.anonymised_at == NOW
    assert (
        count(db, User)
        == count(db, ProfessionalSkill)
        == count(db, QualificationDocument)
        == count(db, Availability)
        == 0
    )
    assert db.exec(select(Professional).where(Professional.email == "pro1@example.nl")).first() is None


# -- copies of a person in stored documents -------------------------------------------------------------------


def stored_mentions(db, person_id: int, name: str, email: str) -> dict[str, set[str]]:
    """Which columns of which tables still hold the person's name, e-mail or ``p-<id>``: every row of every table,
    every text or JSON value (decoded, so a name stored with JSON escapes is found too)."""
    patterns = {
        "name": re.compile(rf"(?<!\w){re.escape(name)}(?!\w)"),
        "email": re.compile(re.escape(email), re.IGNORECASE),
        "id": re.compile(rf"(?<![\w-])p-{person_id}(?![\w-])"),
    }
    found: dict[str, set[str]] = {key: set() for key in patterns}
    for table in SQLModel.metadata.sorted_tables:
        for row in db.connection().execute(sa.select(table)).mappings():
            for column, value in row.items():
                if isinstance(value, str):
                    text = value
                elif isinstance(value, dict | list):
                    text = json.dumps(value, ensure_ascii=False)
                else:
                    continue
                for key, pattern in patterns.items():
                    if pattern.search(text):
                        found[key].add(f"{table.name}.{column}")
    return found


def open_request(db, world, title: str, **changes):
    values = dict(
        municipality_id=world.municipality.id,
        title=title,
        table_size_min=2,
        table_size_max=2,
        needs=[NeedInput("participatie", 1)],
        slot_ids=[world.morning.id],
        venue_ids=[world.venue.id],
    )
    values.update(changes)
    request = create_swarm_request(db, RequestInput(**values), actor=SYSTEM, clock=CLOCK)
    submit_swarm_request(db, request.id, actor=SYSTEM, clock=CLOCK)
    return request


def solve(db, run: SolveRun) -> dict:
    """The engine's result for the run's snapshot, stored as a finished run would be (and as the draft)."""
    result = solve_document(
        SolveKind(run.kind), run.input, SolveOptions(time_limit=5, workers=1), SolveControl()
    )
    run.status, run.result, run.score = SolveStatus.SUCCEEDED, result, result.get("score")
    db.add(run)
    store_swarm_schedule(
        db, run.region_id, result, planning_round_id=run.planning_round_id, solve_run_id=run.id, clock=CLOCK
    )
    return result


@pytest.fixture
def published(db, world):
    """Six people, two requests of two seats in one session: solved, published, and solved again (a draft)."""
    people = [add_professional(db, world, n, skills={"participatie": 1 + n % 3}) for n in range(1, 7)]
    for person in people:
        set_availability(db, person.id, {world.morning.id: "yes"}, actor=SYSTEM, clock=CLOCK)
    requests = [open_request(db, world, title) for title in ("Omgevingsplan", "Energietransitie")]
    first = enqueue_solve(db, world.round.id, actor=world.organizer, clock=CLOCK)
    solve(db, first)
    config = Config.for_tests(db.get_bind().engine.url.render_as_string(hide_password=False))
    publish_round(db, world.round.id, actor=world.organizer, config=config, clock=CLOCK)
    seated = sorted({seat.professional_id for seat in db.exec(select(Seat))})
    victim = next(p for p in people if p.id == seated[0])
    set_pin(db, requests[0].id, victim.id, PinKind.INCLUDE, actor=world.organizer)
    second = enqueue_solve(db, world.round.id, actor=world.organizer, clock=CLOCK)
    solve(db, second)  # the organizer's draft, the pinned victim in it
    queued = enqueue_solve(db, world.round.id, actor=world.organizer, clock=CLOCK)
    db.flush()
    return world, people, victim, (first, second, queued)


def test_solve_snapshots_hold_no_names(db, published):
    _, people, _, (first, _, queued) = published
    for run in (first, queued):
        assert all(set(p) >= {"id", "lat", "lon"} and "name" not in p for p in run.input["professionals"])
    assert not any(person.name in json.dumps(first.input) for person in people)


def test_an_erased_person_appears_in_no_stored_row_and_the_runs_stay_readable(store, db, published):
    world, people, victim, (first, second, queued) = published
    me = Actor(UserRole.PROFESSIONAL, professional_id=victim.id)
    name, email, ref = victim.name, victim.email, f"p-{victim.id}"
    before = stored_mentions(db, victim.id, name, email)
    assert {"solve_runs.input", "solve_runs.result", "outbox_messages.body_text"} <= (
        before["name"] | before["id"] | before["email"]
    ), before
    seats_of_others = count_seats_of_others(db, victim.id)

    anonymise_professional(db, victim.id, store=store, actor=me, clock=CLOCK)
    db.expire_all()

    after = stored_mentions(db, victim.id, name, email)
    assert after["name"] == after["email"] == set(), after
    # Only the outbox key of the invitation already written keeps the bare id (so it is never sent twice)
    # and the anonymised row's own placeholder address; no text or JSON does.
    assert after["id"] <= {"outbox_messages.idempotency_key", "professionals.email"}, after

    # The finished runs stay readable: the person is erased-1, an entry without data, still seated in the result.
    for run in (db.get(SolveRun, first.id), db.get(SolveRun, second.id)):
        entries = {p["id"]: p for p in run.input["professionals"]}
        assert entries["erased-1"] == {"id": "erased-1"} and ref not in entries
        assert len(entries) == len(people)
        seated = {p for s in run.result["sessions"] for t in s["tables"] for r in t["rounds"] for p in r}
        assert "erased-1" in seated and ref not in seated
    # The queued run is solved without them: every id still resolves and the engine accepts it.
    waiting = db.get(SolveRun, queued.id)
    assert waiting.status == SolveStatus.QUEUED
    assert [p["id"] for p in waiting.input["professionals"]] == [f"p-{p.id}" for p in people if p != victim]
    assert waiting.input["pins"] == []
    solver.swarm.parse_instance(waiting.input)
    # The published schedule keeps everyone else; the organizer's draft lost only the victim's seats.
    assert count_seats_of_others(db, victim.id) == seats_of_others
    drafts = select(Session.id).where(Session.status == SessionStatus.DRAFT)
    assert not db.exec(
        select(Seat).where(Seat.professional_id == victim.id, Seat.session_id.in_(drafts))
    ).all()


def count_seats_of_others(db, victim_id: int) -> int:
    return len(db.exec(select(Seat).where(Seat.professional_id != victim_id)).all())


def test_erasure_drops_unsent_mail_and_blanks_sent_mail(store, db, published):
    _, _, victim, _ = published
    mine = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == victim.email)).all()
    assert mine and all(m.status == OutboxStatus.PENDING for m in mine)
    sent, *pending = mine
    sent.status, sent.sent_at = OutboxStatus.SENT, NOW
    db.add(sent)
    db.flush()
    others = db.exec(select(OutboxMessage.id).where(OutboxMessage.recipient != victim.email)).all()

    anonymise_professional(
        db, victim.id, store=store, actor=Actor(UserRole.PROFESSIONAL, professional_id=victim.id), clock=CLOCK
    )
    db.expire_all()
    kept = db.exec(select(OutboxMessage).where(OutboxMessage.id.in_([m.id for m in mine]))).all()
    assert [m.id for m in kept] == [sent.id]
    assert (kept[0].recipient, kept[0].recipient_name, kept[0].body_text, kept[0].ics_payload) == (
        f"anonymised-{victim.id}@invalid",
        "",
        "",
        None,
    )
    assert kept[0].idempotency_key.endswith(f":p-{victim.id}")  # a repeat of this mail is still recognised
    assert (
        db.exec(select(OutboxMessage.id).where(OutboxMessage.recipient != kept[0].recipient)).all() == others
    )


def test_a_running_solve_goes_back_to_the_queue_without_the_erased_person(store, db, published):
    world, people, victim, (_, _, queued) = published
    queued.status, queued.worker_id, queued.started_at = SolveStatus.RUNNING, "host:1:1", NOW
    db.add(queued)
    db.flush()
    anonymise_professional(
        db, victim.id, store=store, actor=Actor(UserRole.PROFESSIONAL, professional_id=victim.id), clock=CLOCK
    )
    db.expire_all()
    run = db.get(SolveRun, queued.id)
    assert (run.status, run.worker_id, run.started_at) == (SolveStatus.QUEUED, "", None)
    assert (
        f"p-{victim.id}" not in json.dumps(run.input) and len(run.input["professionals"]) == len(people) - 1
    )


def test_a_similar_id_is_left_alone(store, db, published):
    """Erasing p-1 must not touch p-10 or p-17: the id is matched whole."""
    _, people, victim, (first, _, _) = published
    other = f"p-{victim.id}0"
    first.input["requests"][0]["title"] = f"Met {other} en {other}x"
    flag_modified(first, "input")
    db.add(first)
    db.flush()
    anonymise_professional(
        db, victim.id, store=store, actor=Actor(UserRole.PROFESSIONAL, professional_id=victim.id), clock=CLOCK
    )
    db.expire_all()
    assert db.get(SolveRun, first.id).input["requests"][0]["title"] == f"Met {other} en {other}x"


def test_the_export_shows_what_the_solves_and_the_mail_hold_about_them(store, db, published):
    world, _, victim, (first, second, queued) = published
    me = Actor(UserRole.PROFESSIONAL, professional_id=victim.id)
    create_feed(db, FeedOwner.PROFESSIONAL, victim.id, actor=me, clock=CLOCK)
    data = export_personal_data(db, victim.id, actor=me)
    json.dumps(data)
    assert [r["run"] for r in data["solve_runs"]] == [first.id, second.id, queued.id]
    assert data["solve_runs"][0]["you"]["id"] == f"p-{victim.id}" and data["solve_runs"][0]["in_result"]
    assert data["mails"] and data["mails"][0]["kind"] == "invitation"
    assert data["pins"] == [
        {"request": "Omgevingsplan", "kind": "include", "created_at": data["pins"][0]["created_at"]}
    ]
    published_invitation = next(i for i in data["invitations"] if i["status"] == "published")
    assert len(published_invitation["tables"]) == world.region.rounds_per_session
    assert len(data["calendar_feeds"]) == 1

    anonymise_professional(db, victim.id, store=store, actor=me, clock=CLOCK)
    assert (
        db.exec(
            select(CalendarFeed).where(
                CalendarFeed.owner_kind == FeedOwner.PROFESSIONAL, CalendarFeed.owner_id == victim.id
            )
        ).all()
        == []
    )
    after = export_personal_data(db, victim.id, actor=SYSTEM)
    assert after["solve_runs"] == after["mails"] == after["pins"] == [] and after["account"] is None


def test_shell_snapshots_hold_no_names(db, world):
    lead = add_professional(db, world, 1, skills={"projectleiding": 3})
    helper = add_professional(db, world, 2, skills={"participatie": 2})
    project = create_project(
        db,
        ProjectInput(world.municipality.id, "Omgevingsplan", world.place.id),
        [
            ProjectRoleInput("Projectleider", "projectleiding", 16, "2027-W03", "2027-W05"),
            ProjectRoleInput("Participatie", "participatie", 8, "2027-W04", "2027-W06"),
        ],
        actor=SYSTEM,
        clock=CLOCK,
    )
    document = build_shell_instance(db, [project.id])
    assert {p["id"] for p in document["professionals"]} == {f"p-{lead.id}", f"p-{helper.id}"}
    assert not any("name" in p for p in document["professionals"])


def test_an_unfinished_team_snapshot_loses_the_person_from_marks_and_pins_but_keeps_other_ids():
    document = {
        "format": "shell-instance/1",
        "projects": [{"id": "project-1", "excluded": ["p-7"], "preferred": ["p-7", "p-70"], "roles": []}],
        "professionals": [{"id": "p-7", "lat": 52.0, "lon": 6.0}, {"id": "p-70", "lat": 52.0, "lon": 6.0}],
        "pins": [{"role": "role-1", "professional": "p-7"}, {"role": "role-2", "professional": "p-70"}],
        "previous": {"format": "shell-plan/1", "assignments": [{"role": "role-3", "professional": "p-7"}]},
    }
    erased = erase_from_run(
        {"input": document, "result": None, "parameters": {"project_ids": [1]}, "error": ""},
        "p-7",
        set(),
        set(),
        finished=False,
    )
    assert erased["input"]["projects"][0]["excluded"] == [] and erased["input"]["projects"][0][
        "preferred"
    ] == ["p-70"]
    assert [p["id"] for p in erased["input"]["professionals"]] == ["p-70"]
    assert erased["input"]["pins"] == [{"role": "role-2", "professional": "p-70"}]
    # An earlier proposal of someone gone is what "previous" describes: kept, under the new id.
    assert erased["input"]["previous"]["assignments"] == [{"role": "role-3", "professional": "erased-1"}]
    assert "result" not in erased  # a missing result stays missing (SQL NULL), not JSON null
    assert document["professionals"][0]["id"] == "p-7"  # the caller's document is not changed
    assert erase_from_run({"input": document}, "p-8", set(), set(), finished=True) is None


def test_a_declines_reason_is_in_the_export_and_gone_with_the_answer_links_after_erasure(
    store, db, published
):
    from swarm.persistence.models import Invitation, InvitationLink
    from swarm.services.plan.publish import respond_to_invitation

    _, _, victim, _ = published
    me = Actor(UserRole.PROFESSIONAL, professional_id=victim.id)
    invitation = db.exec(
        select(Invitation)
        .join(Session, Session.id == Invitation.session_id)
        .where(Invitation.professional_id == victim.id, Session.status == SessionStatus.PUBLISHED)
    ).one()
    assert db.exec(select(InvitationLink).where(InvitationLink.invitation_id == invitation.id)).all()
    respond_to_invitation(db, invitation.id, "decline", reason="Mijn moeder is ziek.", actor=me, clock=CLOCK)
    exported = export_personal_data(db, victim.id, actor=me)
    assert "Mijn moeder is ziek." in [i["decline_reason"] for i in exported["invitations"]]

    anonymise_professional(db, victim.id, store=store, actor=me, clock=CLOCK)
    db.expire_all()
    assert db.get(Invitation, invitation.id).decline_reason == ""
    assert not db.exec(select(InvitationLink).where(InvitationLink.invitation_id == invitation.id)).all()
