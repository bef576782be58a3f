"""Importing professionals: every row's outcome, all or nothing, re-imports that change nothing, round trips."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import delete, select

from swarm.domain.actors import SYSTEM, Actor
from swarm.domain.enums import UserRole
from swarm.domain.errors import NotAllowed
from swarm.persistence.models import Professional, ProfessionalSkill, QualificationDocument, User
from swarm.services.exchange.exporting import export_professionals
from swarm.services.exchange.importing import import_file
from swarm.services.exchange.report import ImportScope, Outcome
from swarm.services.people.professionals import qualification_of
from swarm.services.setup.reference import seed_region
from tests.exchange.conftest import csv_bytes, xlsx_bytes
from tests.swarm.factories import CLOCK, add_professional, build_world, count

HEADER = ["Naam", "E-mailadres", "KvK-nummer", "Woonplaats", "Reisafstand (km)", "Uurtarief", "Competenties"]
ANNA = [
    "Anna de Vries",
    "anna@example.nl",
    "12345678",
    "Ulft",
    "25",
    "95",
    "participatie:2, omgevingsrecht:1",
]
BRAM = ["Bram Jansen", "bram@example.nl", "87654321", "Winterswijk", "40", "80", "Projectleiding:3"]


@pytest.fixture
def world(db):
    return build_world(db)


def run(db, world, data, *, store=True, actor=None, mapping=None):
    return import_file(
        db,
        "professionals",
        data,
        ImportScope(world.region.id),
        mapping=mapping,
        store=store,
        actor=actor or world.organizer,
        clock=CLOCK,
    )


def people(db) -> dict[str, Professional]:
    return {p.email: p for p in db.exec(select(Professional))}


def test_new_professionals_are_stored_without_a_login_and_not_qualified(db, world):
    report = run(db, world, csv_bytes([HEADER, ANNA, BRAM]))
    assert report.ok and report.stored
    assert report.counts()[Outcome.NEW] == 2
    anna = people(db)["anna@example.nl"]
    assert (anna.name, anna.kvk_number, anna.travel_radius_km, anna.hourly_rate) == (
        "Anna de Vries",
        "12345678",
        25,
        95,
    )
    assert anna.region_id == world.region.id and anna.home_place_id == world.place.id
    assert anna.lat == world.place.lat
    assert count(db, User) == 0
    assert not qualification_of(db, anna.id, date(2027, 1, 12)).qualified


def test_importing_the_same_file_again_changes_nothing(db, world):
    data = csv_bytes([HEADER, ANNA, BRAM])
    run(db, world, data)
    before = {email: (p.id, p.updated_at) for email, p in people(db).items()}
    again = run(db, world, data)
    assert again.counts()[Outcome.UNCHANGED] == 2 and not again.stored
    assert {email: (p.id, p.updated_at) for email, p in people(db).items()} == before


def test_a_changed_row_updates_the_record_matched_by_kvk_number_never_a_duplicate(db, world):
    run(db, world, csv_bytes([HEADER, ANNA]))
    anna_id = people(db)["anna@example.nl"].id
    moved = [
        "Anna de Vries",
        "anna.devries@example.nl",
        "1234 5678",
        "Winterswijk",
        "25",
        "95",
        "participatie:3",
    ]
    report = run(db, world, csv_bytes([HEADER, moved]))
    assert [row.outcome for row in report.rows] == [Outcome.UPDATE]
    assert set(report.rows[0].changed) == {"E-mailadres", "Woonplaats", "Competenties"}
    assert count(db, Professional) == 1
    anna = db.get(Professional, anna_id)
    assert anna.email == "anna.devries@example.nl" and anna.updated_at == CLOCK()
    levels = dict(db.exec(select(ProfessionalSkill.skill_id, ProfessionalSkill.level)).all())
    assert sorted(levels.values()) == [3]


def test_without_a_kvk_match_the_email_address_finds_the_record(db, world):
    existing = add_professional(db, world, 7)  # registered themselves
    row = ["Professional 7", existing.email, "99999999", "Ulft", "40", "90", "participatie:2"]
    report = run(db, world, csv_bytes([HEADER, row]))
    assert report.rows[0].outcome is Outcome.UPDATE and report.rows[0].changed == ("KvK-nummer",)
    assert db.get(Professional, existing.id).kvk_number == "99999999"
    assert count(db, Professional) == 1


def test_one_bad_row_stores_nothing_and_every_bad_row_is_reported_by_line_and_column(db, world):
    bad_kvk = ["Cor", "cor@example.nl", "1234", "Ulft", "25", "95", ""]
    bad_place_and_rate = ["Dirk", "dirk@example.nl", "11112222", "Ulfd", "25", "veel", ""]
    report = run(db, world, csv_bytes([HEADER, ANNA, bad_kvk, BRAM, bad_place_and_rate]))
    assert not report.ok and not report.stored
    assert count(db, Professional) == 0
    found = {(error.line, error.column, error.text) for error in report.errors}
    assert (3, "KvK-nummer", "A KvK number has exactly 8 digits.") in found
    assert (5, "Uurtarief", '"veel" is not a whole number.') in found
    assert any(line == 5 and column == "Woonplaats" and "Ulft" in text for line, column, text in found)
    assert [row.outcome for row in report.rows] == [Outcome.NEW, Outcome.ERROR, Outcome.NEW, Outcome.ERROR]


def test_an_unknown_place_names_the_closest_places_of_the_list(db, world):
    report = run(db, world, csv_bytes([HEADER, [*ANNA[:3], "Winterwijk", *ANNA[4:]]]), store=False)
    assert report.errors[0].column == "Woonplaats"
    assert report.errors[0].text.startswith('Unknown place "Winterwijk". Did you mean: Winterswijk')


def test_an_ambiguous_place_is_settled_by_the_municipality(db, world):
    seed_region(db, "zuid-limburg")  # its Beek (municipality Beek) beside the Achterhoek's Beek
    header = [*HEADER, "Gemeente"]
    row = [*ANNA[:3], "Beek", *ANNA[4:], "Beek"]
    report = run(db, world, csv_bytes([header, row]), store=False)
    assert report.ok, report.errors
    place = report.rows[0].payload[1]["home_place_id"]
    wrong = run(db, world, csv_bytes([header, [*row[:-1], "Aalten"]]), store=False)
    assert "is not a place of the municipality Aalten" in wrong.errors[0].text
    assert place is not None


def test_two_rows_about_one_professional_are_both_kept_out(db, world):
    report = run(db, world, csv_bytes([HEADER, ANNA, [*ANNA[:1], "ANNA@example.nl", "55556666", *ANNA[3:]]]))
    assert report.rows[1].errors[0].text == "This row is about the same professional as line 2."
    assert count(db, Professional) == 0


def test_the_windows_1252_comma_file_excel_writes_and_an_xlsx_import_alike(db, world):
    dutch = [HEADER, ["Joëlle Bakker", "joelle@example.nl", "12345678", "Ulft", "25", "95", "participatie:2"]]
    first = run(db, world, csv_bytes(dutch, delimiter=",", encoding="cp1252"))
    assert first.stored and people(db)["joelle@example.nl"].name == "Joëlle Bakker"
    again = run(
        db, world, xlsx_bytes([dutch[0], [*dutch[1][:2], 12345678, "Ulft", 25, 95, "participatie:2"]])
    )
    assert again.file_format == "xlsx" and again.counts()[Outcome.UNCHANGED] == 1


def test_english_headers_in_another_order_and_a_mapped_unknown_header(db, world):
    header = ["Home place", "Email", "Full name", "Chamber of Commerce number", "Woonkern"]
    row = ["Ulft", "anna@example.nl", "Anna", "12345678", "x"]
    report = run(db, world, csv_bytes([header, row]), mapping={"Woonkern": ""})
    assert report.stored and report.unknown_headers == ()
    unmapped = run(db, world, csv_bytes([["Dorp", *header[1:4]], row[:4]]), store=False)
    assert unmapped.problems[0].text == "The column Woonplaats (Home place) is missing."
    mapped = run(db, world, csv_bytes([["Dorp", *header[1:4]], row[:4]]), mapping={"Dorp": "place"})
    assert mapped.ok and mapped.rows[0].outcome is Outcome.UNCHANGED


def test_only_the_regions_organizer_imports_its_professionals(db, world):
    coordinator = Actor(UserRole.COORDINATOR, municipality_id=world.municipality.id)
    with pytest.raises(NotAllowed):
        run(db, world, csv_bytes([HEADER, ANNA]), actor=coordinator)
    with pytest.raises(NotAllowed):
        run(
            db,
            world,
            csv_bytes([HEADER, ANNA]),
            actor=Actor(UserRole.ORGANIZER, region_id=world.region.id + 99),
        )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_into_an_empty_region_gives_the_same_records(db, world, fmt):
    for n in range(1, 4):
        add_professional(db, world, n, skills={"participatie": n, "projectleiding": 1}, bio=f"Over mij; {n}")
    exported = export_professionals(db, world.region.id, fmt, actor=world.organizer)
    db.exec(delete(ProfessionalSkill))
    db.exec(delete(QualificationDocument))
    db.exec(delete(Professional))
    report = run(db, world, exported.content, actor=SYSTEM)
    assert report.counts()[Outcome.NEW] == 3 and report.stored
    assert export_professionals(
        db, world.region.id, fmt, actor=world.organizer
    ).content == exported.content or (
        fmt == "xlsx"  # a workbook's bytes carry its creation time; compare what it holds
        and run(db, world, exported.content).counts()[Outcome.UNCHANGED] == 3
    )
    assert run(db, world, exported.content).counts()[Outcome.UNCHANGED] == 3
