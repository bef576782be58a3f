"""`swarm api-token`: a token made on the command line is printed once, works, is listed and can be revoked."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlmodel import Session

from swarm.cli import main
from swarm.domain.enums import UserRole
from swarm.services.people.accounts import Scope, create_user
from swarm.services.people.api_tokens import authenticate_token
from tests.swarm.factories import CLOCK, build_world


@pytest.fixture
def run(committing_engine, database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("SWARM_DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def organizer(committing_engine):
    with Session(committing_engine) as session:
        world = build_world(session)
        user = create_user(
            session,
            "olga@example.nl",
            None,
            Scope(UserRole.ORGANIZER, region_id=world.region.id),
            clock=CLOCK,
        )
        session.commit()
        return user.id


def test_a_token_is_printed_once_works_and_is_revoked(run, committing_engine, organizer):
    made = run("api-token", "create", "--email", "olga@example.nl", "--name", "HR-systeem")
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip().splitlines()[-1]
    assert secret.startswith("swarm_")
    with Session(committing_engine) as session:
        assert authenticate_token(session, secret).id == organizer
    listed = run("api-token", "list", "--email", "olga@example.nl")
    number, name, prefix, state = listed.stdout.strip().split("\t")
    assert (
        (name, state) == ("HR-systeem", "active")
        and secret.startswith(prefix)
        and secret not in listed.stdout
    )
    assert run("api-token", "revoke", number).exit_code == 0
    with Session(committing_engine) as session:
        assert authenticate_token(session, secret) is None


def test_an_unknown_account_or_token_is_one_line_and_status_2(run, organizer):
    unknown = run("api-token", "create", "--email", "nobody@example.nl")
    assert unknown.exit_code == 2 and "--email: no account has this e-mail address" in unknown.output
    missing = run("api-token", "revoke", "999")
    assert missing.exit_code == 2 and "token 999: no such token" in missing.output
    bad_name = run("api-token", "create", "--email", "olga@example.nl", "--name", "")
    assert bad_name.exit_code == 2 and "--name:" in bad_name.output
