"""Importing role-book entries, venues and swarm requests: the same all-or-nothing, matched, re-importable files."""

from __future__ import annotations

import pytest
from sqlmodel import select

from swarm.domain.actors import SYSTEM, Actor
from swarm.domain.enums import RequestStatus, UserRole
from swarm.domain.errors import NotAllowed
from swarm.persistence.models import Role, RoleSkill, SwarmRequest, Venue
from swarm.services.exchange.importing import import_file
from swarm.services.exchange.report import ImportScope, Outcome
from tests.exchange.conftest import csv_bytes, xlsx_bytes
from tests.swarm.factories import CLOCK, build_world, count


@pytest.fixture
def world(db):
    return build_world(db)


def run(db, world, kind, data, *, municipality=True, actor=None):
    scope = ImportScope(world.region.id, world.municipality.id if municipality else None)
    return import_file(db, kind, data, scope, actor=actor or world.coordinator, clock=CLOCK)


ROLES = [
    ["Rol", "Doel", "Competenties (minimumniveau)"],
    ["Participatieadviseur", "Inwoners betrekken", "participatie:2"],
    ["Projectleider", "Projecten leiden", "projectleiding:3, participatie:1"],
]


def test_a_role_book_is_imported_then_updated_by_name_and_a_second_import_changes_nothing(db, world):
    assert run(db, world, "roles", csv_bytes(ROLES)).counts()[Outcome.NEW] == 2
    assert run(db, world, "roles", csv_bytes(ROLES)).counts()[Outcome.UNCHANGED] == 2
    changed = [ROLES[0], ROLES[1], ["Projectleider", "Projecten leiden", "projectleiding:2"]]
    report = run(db, world, "roles", xlsx_bytes(changed))
    assert [row.outcome for row in report.rows] == [Outcome.UNCHANGED, Outcome.UPDATE]
    assert report.rows[1].changed == ("Competenties (minimumniveau)",)
    assert count(db, Role) == 2 and count(db, RoleSkill) == 2


def test_a_coordinator_imports_only_the_own_municipalitys_role_book(db, world):
    rows = [["Gemeente", *ROLES[0]], ["Winterswijk", *ROLES[1][:2], "participatie:2"]]
    report = run(db, world, "roles", csv_bytes(rows))
    assert report.errors[0].text == "You import for Oude IJsselstreek only." and count(db, Role) == 0
    with pytest.raises(NotAllowed):
        run(db, world, "roles", csv_bytes(ROLES), actor=world.organizer)


def test_the_command_line_imports_role_books_for_the_municipalities_the_file_names(db, world):
    rows = [
        ["Gemeente", *ROLES[0]],
        ["GM1509", *ROLES[1][1:]],
        ["Winterswijk", *ROLES[2][1:]],
        ["Maastricht", *ROLES[2][1:]],
    ]
    report = run(db, world, "roles", csv_bytes(rows), municipality=False, actor=SYSTEM)
    assert report.rows[2].errors[0].text.startswith('Unknown municipality "Maastricht"')
    report = run(db, world, "roles", csv_bytes(rows[:3]), municipality=False, actor=SYSTEM)
    assert report.stored
    assert {r.municipality_id for r in db.exec(select(Role))} == {world.municipality.id, world.neighbour.id}


VENUES = [
    ["Naam", "Plaats", "Adres", "Capaciteit", "Tafels", "Online", "Link"],
    ["Bibliotheek Winterswijk", "Winterswijk", "Meddosestraat 4", "60", "6", "nee", ""],
    ["Online zaal", "", "", "30", "3", "ja", "https://meet.example.nl/zwerm"],
]


def test_venues_are_imported_updated_by_name_and_checked_by_the_frames_rules(db, world):
    organizer = world.organizer
    report = run(db, world, "venues", csv_bytes(VENUES), municipality=False, actor=organizer)
    assert report.counts()[Outcome.NEW] == 2, report.errors
    bigger = [VENUES[0], [*VENUES[1][:3], "80", "8", "nee", ""], VENUES[2]]
    report = run(db, world, "venues", csv_bytes(bigger), municipality=False, actor=organizer)
    assert [row.outcome for row in report.rows] == [Outcome.UPDATE, Outcome.UNCHANGED]
    assert db.exec(select(Venue.capacity).where(Venue.name == "Bibliotheek Winterswijk")).one() == 80
    bad = [
        VENUES[0],
        ["Zaal zonder plek", "", "", "10", "0", "nee", ""],
        ["Online", "", "", "10", "1", "ja", "geen link"],
    ]
    report = run(db, world, "venues", csv_bytes(bad), municipality=False, actor=organizer)
    assert {(e.line, e.column) for e in report.errors} == {(2, "Plaats"), (3, "Link")}
    assert count(db, Venue) == 3  # the world's venue and the two imported


REQUESTS = [
    [
        "Titel",
        "Vraag",
        "Behoeften",
        "Tijdvakken",
        "Locaties",
        "Kleinste tafel",
        "Grootste tafel",
        "Prioriteit",
    ],
    [
        "Inwoners betrekken",
        "Hoe?",
        "participatie:2:1",
        "2027-01-12-am",
        "Gemeentehuis Ulft",
        "3",
        "6",
        "1",
    ],
    [
        "Energie in de wijk",
        "",
        "projectleiding",
        "2027-01-12-am, 2027-01-12-pm",
        "",
        "4",
        "8",
        "2",
    ],
]


def test_requests_are_imported_as_drafts_and_a_second_import_changes_nothing(db, world):
    report = run(db, world, "requests", csv_bytes(REQUESTS))
    assert report.counts()[Outcome.NEW] == 2, report.errors
    assert {r.status for r in db.exec(select(SwarmRequest))} == {RequestStatus.DRAFT}
    assert run(db, world, "requests", csv_bytes(REQUESTS)).counts()[Outcome.UNCHANGED] == 2
    later = [REQUESTS[0], [*REQUESTS[1][:7], "3"], REQUESTS[2]]
    report = run(db, world, "requests", csv_bytes(later))
    assert [row.outcome for row in report.rows] == [Outcome.UPDATE, Outcome.UNCHANGED]
    assert report.rows[0].changed == ("Prioriteit",)
    assert count(db, SwarmRequest) == 2


def test_a_deadline_column_is_named_as_unknown_the_deadline_is_the_rounds(db, world):
    with_deadline = [
        [*row, value] for row, value in zip(REQUESTS, ["Deadline", "2027-01-05 17:00", ""], strict=True)
    ]
    report = run(db, world, "requests", csv_bytes(with_deadline))
    assert report.unknown_headers == ("Deadline",)
    assert report.counts()[Outcome.NEW] == 2 and count(db, SwarmRequest) == 2


def test_unknown_slots_venues_and_bad_sizes_are_reported_by_line_and_column(db, world):
    rows = [
        REQUESTS[0],
        [*REQUESTS[1][:3], "2027-02-30-am", "Nergens", "3", "6", "1"],
        [*REQUESTS[2][:5], "8", "4", "1"],
    ]
    report = run(db, world, "requests", csv_bytes(rows))
    found = {(e.line, e.column) for e in report.errors}
    assert found == {(2, "Tijdvakken"), (2, "Locaties"), (3, "Grootste tafel")}
    assert "2027-01-12-am" in report.errors[0].text
    assert count(db, SwarmRequest) == 0


def test_a_foreign_coordinator_cannot_import_into_this_municipality(db, world):
    stranger = Actor(UserRole.COORDINATOR, municipality_id=world.neighbour.id)
    with pytest.raises(NotAllowed):
        run(db, world, "requests", csv_bytes(REQUESTS), actor=stranger)
