"""`swarm admin`: the first administrator from an empty database, the list of staff, a sample region's import."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from swarm.cli import main
from swarm.domain.enums import UserRole
from swarm.persistence.models import Municipality, Place, Region, User, Venue
from swarm.services.people.accounts import authenticate


@pytest.fixture
def run(committing_engine, database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("SWARM_DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str, input: str | None = None):
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)

    return invoke


def test_the_first_administrator_is_created_with_a_password_from_standard_input(run, committing_engine):
    created = run(
        "admin",
        "create",
        "--email",
        "Beheer@Example.nl",
        "--name",
        "Bea Beheer",
        input="beheer wachtwoord 1\n",
    )
    assert created.exit_code == 0, created.output
    assert "administrator beheer@example.nl created" in created.output
    with Session(committing_engine) as session:
        user = session.exec(select(User)).one()
        assert (UserRole(user.role), user.name) == (UserRole.ADMINISTRATOR, "Bea Beheer")
        assert authenticate(session, "beheer@example.nl", "beheer wachtwoord 1") is not None
    listed = run("admin", "list")
    assert listed.exit_code == 0 and "administrator\tbeheer@example.nl\tBea Beheer" in listed.output


@pytest.mark.parametrize(
    "email, password, says",
    [
        (
            "beheer@example.nl",
            "another good one 9\n",
            "--email: an account with this e-mail address already exists",
        ),
        ("nieuw@example.nl", "1234567890\n", "password: This password is too common."),
        (
            "nieuw@example.nl",
            "nieuw@example.nl\n",
            "password: Do not use your email address as your password.",
        ),
        ("nieuw@example.nl", "kort\n", "password: Use at least 10 characters."),
        ("geen-adres", "beheer wachtwoord 1\n", "--email: Enter a valid email address."),
    ],
)
def test_a_refusal_is_one_line_with_exit_status_2_and_creates_nothing(
    run, committing_engine, email, password, says
):
    assert (
        run("admin", "create", "--email", "beheer@example.nl", input="beheer wachtwoord 1\n").exit_code == 0
    )
    refused = run("admin", "create", "--email", email, input=password)
    assert refused.exit_code == 2
    assert says in refused.output and "Traceback" not in refused.output
    with Session(committing_engine) as session:
        assert len(session.exec(select(User)).all()) == 1


def test_a_name_with_a_line_break_is_refused(run):
    refused = run(
        "admin", "create", "--email", "a@example.nl", "--name", "Bea\nBeheer", input="beheer wachtwoord 1\n"
    )
    assert refused.exit_code == 2 and "--name:" in refused.output


def test_a_sample_region_is_imported_without_people_and_seeding_it_later_still_works(run, committing_engine):
    imported = run("admin", "import-region", "--region", "achterhoek")
    assert imported.exit_code == 0, imported.output
    assert "Achterhoek: 8 municipalities" in imported.output
    with Session(committing_engine) as session:
        assert session.exec(select(Region.slug)).all() == ["achterhoek"]
        assert len(session.exec(select(Municipality)).all()) == 8
        assert len(session.exec(select(Place).where(Place.municipality_id.is_not(None))).all()) > 20
        venues = session.exec(select(Venue)).all()
        assert len(venues) == 8 and not any(v.online for v in venues)
        assert session.exec(select(User)).all() == []
    again = run("admin", "import-region", "--region", "achterhoek")
    assert "0 venues" in again.output
    seeded = run("seed", "--region", "achterhoek", "--professionals", "20", "--today", "2026-11-27")
    assert seeded.exit_code == 0, seeded.output
    with Session(committing_engine) as session:
        assert len(session.exec(select(Venue)).all()) == 9  # the town halls once, plus the online room
    assert run("admin", "import-region", "--region", "atlantis").exit_code == 2
