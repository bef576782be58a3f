"""`swarm plan` and `swarm export-ics`, invoked as click commands with the settings in the environment."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlmodel import select

from swarm.cli_ops import COMMANDS, export_ics, plan
from swarm.domain.enums import SessionStatus
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import OutboxMessage, Session


@pytest.fixture
def environment(config) -> dict[str, str]:
    return {
        "SWARM_DATABASE_URL": config.database_url,
        "SWARM_BASE_URL": "http://swarm.test",
        "SWARM_SOLVE_TIME_LIMIT": "2",
        "SWARM_SOLVE_WORKERS": "1",
    }


def test_the_commands_are_exported_for_the_swarm_group():
    assert [c.name for c in COMMANDS] == ["scheduler", "worker", "plan", "export-ics", "audit"]


def test_plan_solves_and_publishes_the_regions_open_requests(ops_engine, plannable, environment, tmp_path):
    result = CliRunner().invoke(plan, ["--region", "achterhoek", "--publish"], env=environment)
    assert result.exit_code == 0, result.output
    assert "1 sessions, 0 unscheduled" in result.output and "Published: 1 new" in result.output
    with unit_of_work(ops_engine) as db:
        assert db.exec(select(Session.status)).all() == [SessionStatus.PUBLISHED]
        kinds = db.exec(select(OutboxMessage.kind)).all()
    assert sorted(kinds) == ["invitation"] * 4 + ["solve_succeeded"]

    exported = CliRunner().invoke(export_ics, ["--out", str(tmp_path / "ics")], env=environment)
    assert exported.exit_code == 0, exported.output
    assert "4 invitation(s) written" in exported.output and len(list((tmp_path / "ics").glob("*.ics"))) == 4


def test_plan_without_publish_leaves_a_draft(ops_engine, plannable, environment):
    result = CliRunner().invoke(plan, ["--region", "achterhoek"], env=environment)
    assert result.exit_code == 0, result.output
    assert "Published" not in result.output
    with unit_of_work(ops_engine) as db:
        assert db.exec(select(Session.status)).all() == [SessionStatus.DRAFT]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--region", "atlantis"], "--region: no region 'atlantis'"),
        (["--region", "achterhoek", "--time-limit", "0"], "--time-limit"),
    ],
)
def test_plan_names_what_is_wrong(ops_engine, plannable, environment, arguments, message):
    result = CliRunner().invoke(plan, arguments, env=environment)
    assert result.exit_code != 0 and message in result.output and "Traceback" not in result.output


def test_a_bad_setting_is_named(ops_engine, environment, tmp_path):
    result = CliRunner().invoke(
        export_ics, ["--out", str(tmp_path)], env={**environment, "SWARM_SOLVE_WORKERS": "x"}
    )
    assert result.exit_code == 1 and "SWARM_SOLVE_WORKERS" in result.output
