"""The swarm command on a real database: seed, export, import, and clear one-line errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from swarm.cli import main
from swarm.persistence import migrate
from swarm.persistence.db import create_engine
from swarm.persistence.models import Skill
from tests.swarm.spec_checks import check_shell_instance, check_swarm_instance


@pytest.fixture
def run(committing_engine, database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("SWARM_DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_seed_export_and_import(run, tmp_path):
    seeded = run(
        "seed", "--region", "achterhoek", "--professionals", "40", "--seed", "2", "--today", "2026-11-27"
    )
    assert seeded.exit_code == 0, seeded.output
    assert "professionals 40" in seeded.output
    assert "nothing changed" in run("seed", "--region", "achterhoek", "--professionals", "40").output

    assert run("export-instance", "--region", "achterhoek", "-o", "swarm.json").exit_code == 0
    swarm_document = json.loads((tmp_path / "swarm.json").read_text())
    check_swarm_instance(swarm_document)
    assert (
        run("export-instance", "--region", "achterhoek", "--kind", "shell", "-o", "shell.json").exit_code == 0
    )
    check_shell_instance(json.loads((tmp_path / "shell.json").read_text()))

    nothing_planned = {
        "format": "swarm-schedule/1",
        "instance": swarm_document["id"],
        "status": "feasible",
        "score": 0,
        "bound": None,
        "sessions": [],
        "unscheduled": [{"request": r["id"], "reason": "test"} for r in swarm_document["requests"]],
    }
    (tmp_path / "result.json").write_text(json.dumps(nothing_planned))
    imported = run("import-result", "--region", "achterhoek", "result.json")
    assert imported.exit_code == 0 and "stored 0 draft sessions" in imported.output


def test_errors_are_one_line_without_traceback(run, tmp_path):
    unknown = run("seed", "--region", "atlantis")
    assert unknown.exit_code == 1 and "--region: Unknown region 'atlantis'" in unknown.output
    missing = run("export-instance", "--region", "atlantis", "-o", "x.json")
    assert missing.exit_code == 1 and "Region 'atlantis' not found" in missing.output
    (tmp_path / "bad.json").write_text("{not json")
    bad = run("import-result", "--region", "achterhoek", "bad.json")
    assert bad.exit_code == 1 and "not valid JSON" in bad.output
    assert "Traceback" not in unknown.output + missing.output + bad.output


def test_config_list_names_every_setting(run):
    listed = run("config", "--list").output
    for variable in ("SWARM_DATABASE_URL", "SWARM_SECRET_KEY", "SWARM_SMTP_HOST", "SWARM_RETENTION_DAYS"):
        assert variable in listed


def test_demo_prepares_a_fresh_sqlite_database_and_plans_its_round(tmp_path, monkeypatch):
    monkeypatch.delenv("SWARM_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main, ["demo", "--no-serve", "--professionals", "60", "--plan-seconds", "3"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "instance" / "swarm.db").exists()
    assert "organisator@achterhoek.demo" in result.output and "zzp1@achterhoek.demo" in result.output
    if "plan" in main.commands:
        assert "Published:" in result.output


def test_db_upgrade_downgrade_and_current(tmp_path, monkeypatch):
    monkeypatch.setenv("SWARM_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()
    upgraded = runner.invoke(main, ["db", "upgrade"])
    assert upgraded.exit_code == 0
    # an empty database gets the skill catalogue that questions, roles and profiles name (and only once)
    assert "skill catalogue: " in upgraded.output
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    engine = create_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with Session(engine) as session:
        codes = session.exec(select(Skill.code)).all()
    engine.dispose()
    assert "participatie" in codes and len(codes) == len(set(codes))
    head = migrate.head_revision()
    assert f"current: {head}," in runner.invoke(main, ["db", "current"]).output
    assert runner.invoke(main, ["db", "downgrade"]).exit_code == 0  # one step
    assert f"current: {head}," not in runner.invoke(main, ["db", "current"]).output
    assert runner.invoke(main, ["db", "downgrade", "base"]).exit_code == 0
    assert "current: (empty)" in runner.invoke(main, ["db", "current"]).output
    refused = runner.invoke(
        main, ["export-instance", "--region", "achterhoek", "-o", str(tmp_path / "x.json")]
    )
    assert refused.exit_code == 1 and "run `swarm db upgrade` first" in refused.output
