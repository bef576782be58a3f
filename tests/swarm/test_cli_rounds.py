"""`swarm round`: open, list and close planning rounds on a real database, with one-line errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlmodel import select

from swarm import cli_rounds
from swarm.cli import main
from swarm.domain.actors import SYSTEM
from swarm.domain.timeutil import fixed_clock
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import PlanningRound, Slot
from swarm.services.plan.requests import RequestInput, create_swarm_request, submit_swarm_request
from tests.swarm.factories import CLOCK, build_world

AFTER_THE_FIRST_DEADLINE = fixed_clock(datetime(2027, 1, 6, 9, tzinfo=UTC))


@pytest.fixture
def run(committing_engine, database_url, monkeypatch, tmp_path):
    """`swarm ...` against a migrated database holding the Achterhoek with one round (deadline 5 January)."""
    with unit_of_work(committing_engine) as db:
        world = build_world(db)
        world_ids = {"municipality": world.municipality.id, "round": world.round.id}
    monkeypatch.setenv("SWARM_DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli_rounds, "clock", CLOCK)

    def invoke(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    invoke.world = world_ids
    return invoke


OPEN = (
    "round", "open", "--region", "achterhoek", "--name", "Zwermronde februari", "--deadline", "2027-01-25T17:00",
    "--slot", "2027-02-01T09:00/12:00", "--slot", "2027-02-01T13:30/16:30", "--venue", "gemeentehuis-ulft",
    "--time-limit", "45",
)  # fmt: skip


def test_a_round_is_opened_listed_and_a_waiting_question_joins_it(run, committing_engine, monkeypatch):
    monkeypatch.setattr(cli_rounds, "clock", AFTER_THE_FIRST_DEADLINE)
    with unit_of_work(committing_engine) as db:
        waiting = create_swarm_request(
            db, RequestInput(run.world["municipality"], "Jeugdzorg"), actor=SYSTEM, clock=CLOCK
        )
        waiting_id = waiting.id
    with unit_of_work(committing_engine) as db:  # submitted after the first round's poll closed: it waits
        submit_swarm_request(db, waiting_id, actor=SYSTEM, clock=AFTER_THE_FIRST_DEADLINE)

    opened = run(*OPEN)
    assert opened.exit_code == 0, opened.output
    assert (
        "opened round 2 of achterhoek: Zwermronde februari, 2 slot(s), deadline 2027-01-25 17:00"
        in opened.output
    )
    assert "1 question(s) joined it" in opened.output
    with unit_of_work(committing_engine) as db:
        created = db.exec(select(PlanningRound).where(PlanningRound.sequence == 2)).one()
        codes = db.exec(
            select(Slot.code).where(Slot.planning_round_id == created.id).order_by(Slot.code)
        ).all()
    assert created.time_limit_seconds == 45 and codes == ["2027-02-01-am", "2027-02-01-pm"]

    listed = run("round", "list", "--region", "achterhoek").output.splitlines()
    assert listed[0].split("\t")[:4] == ["achterhoek", "2", "Zwermronde februari", "taking requests"]
    assert listed[1].split("\t")[:4] == ["achterhoek", "1", "2027 Q1", "poll closed, being planned"]
    assert "1 question(s)" in listed[0]


def test_bad_input_is_one_line_naming_the_option_and_writes_nothing(run, committing_engine):
    def refused(*changes: str) -> str:
        args = list(OPEN)
        for old, new in zip(changes[::2], changes[1::2], strict=True):
            args[args.index(old)] = new
        result = run(*args)
        assert result.exit_code != 0 and "Traceback" not in result.output
        return result.output.strip()

    assert "--slot: expected DAYTHH:MM/HH:MM" in refused("2027-02-01T09:00/12:00", "1 februari 9 uur")
    assert "--slot 2026-11-30T09:00/12:00: A time slot must start in the future." in refused(
        "2027-02-01T09:00/12:00", "2026-11-30T09:00/12:00"
    )
    assert "--deadline: The deadline must be before the first time slot." in refused(
        "2027-01-25T17:00", "2027-02-02T17:00"
    )
    assert "--deadline: expected a day and time" in refused("2027-01-25T17:00", "next week")
    assert "--venue: achterhoek has no venue 'aula'" in refused("gemeentehuis-ulft", "aula")
    assert "--region: no region 'atlantis'" in refused("achterhoek", "atlantis")
    with unit_of_work(committing_engine) as db:
        assert len(db.exec(select(PlanningRound)).all()) == 1


def test_a_round_is_closed_only_when_it_can_be(run, monkeypatch):
    refused = run("round", "close", "--region", "achterhoek", "--round", "7")
    assert refused.exit_code == 1 and "--round: The region has no such planning round." in refused.output
    closed = run("round", "close", "--region", "achterhoek", "--round", "1")
    assert closed.exit_code == 0 and "closed round 1 of achterhoek: 2027 Q1" in closed.output
    again = run("round", "close", "--region", "achterhoek", "--round", "1")
    assert again.exit_code == 1 and "--round: This round is already closed." in again.output
    assert "\tclosed\t" in run("round", "list").output
