"""swarm import and swarm export on a real database, with the example files of fixtures/import."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlmodel import func, select

from swarm.cli import main
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import OutboxMessage, Professional, Role, Venue
from swarm.services.setup.reference import seed_reference
from swarm.shipped import FIXTURES_DIR

EXAMPLES = FIXTURES_DIR / "import"


@pytest.fixture
def run(committing_engine, database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("SWARM_DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    with unit_of_work(committing_engine) as session:
        seed_reference(session, "achterhoek")

    def invoke(*args: str):
        return CliRunner().invoke(main, [str(arg) for arg in args], catch_exceptions=False)

    return invoke


def counted(engine, model) -> int:
    with unit_of_work(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_the_example_professionals_import_once_and_are_invited_once(run, committing_engine, tmp_path):
    dry = run(
        "import", "professionals", EXAMPLES / "professionals.csv", "--region", "achterhoek", "--dry-run"
    )
    assert dry.exit_code == 0, dry.output
    assert "5 new" in dry.output and "dry run: nothing stored" in dry.output
    assert counted(committing_engine, Professional) == 0
    stored = run("import", "professionals", EXAMPLES / "professionals.csv", "--region", "achterhoek")
    assert stored.exit_code == 0, stored.output
    assert "5 invitation(s)" in stored.output
    again = run("import", "professionals", EXAMPLES / "professionals.csv", "--region", "achterhoek")
    assert "5 unchanged" in again.output and "nothing to change" in again.output
    assert counted(committing_engine, Professional) == 5 and counted(committing_engine, OutboxMessage) == 5

    assert run("export", "professionals", "--region", "achterhoek", "-o", "pros.xlsx").exit_code == 0
    round_trip = run("import", "professionals", tmp_path / "pros.xlsx", "--region", "achterhoek", "--dry-run")
    assert "5 unchanged" in round_trip.output, round_trip.output


def test_roles_and_venues_from_the_examples(run, committing_engine):
    roles = run("import", "roles", EXAMPLES / "roles.csv", "--region", "achterhoek")
    assert roles.exit_code == 0, roles.output
    venues = run("import", "venues", EXAMPLES / "venues.csv", "--region", "achterhoek")
    assert venues.exit_code == 0, venues.output
    assert counted(committing_engine, Role) == 2 and counted(committing_engine, Venue) == 3


def test_a_bad_file_stores_nothing_and_says_where_on_stderr(run, committing_engine, tmp_path):
    bad = tmp_path / "bad.csv"
    text = (EXAMPLES / "professionals.csv").read_text(encoding="utf-8").replace("68750110", "6875")
    bad.write_bytes(text.replace("Winterswijk;Winterswijk", "Winterwijk;Winterswijk").encode("cp1252"))
    result = CliRunner().invoke(main, ["import", "professionals", str(bad), "--region", "achterhoek"])
    assert result.exit_code == 1
    assert 'line 2, column "KvK-nummer": A KvK number has exactly 8 digits.' in result.output
    assert 'line 3, column "Woonplaats": Unknown place "Winterwijk"' in result.output
    assert "nothing stored" in result.output
    assert counted(committing_engine, Professional) == 0


def test_refusals_name_the_option(run, tmp_path):
    unknown = CliRunner().invoke(
        main, ["import", "venues", str(EXAMPLES / "venues.csv"), "--region", "nergens"]
    )
    assert unknown.exit_code == 1 and "--region: no region 'nergens'" in unknown.output
    wrong = CliRunner().invoke(main, ["export", "professionals", "--region", "achterhoek", "-o", "x.txt"])
    assert wrong.exit_code == 1 and "-o: name a .csv or .xlsx file" in wrong.output
