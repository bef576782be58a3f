"""Bad input: a clear message naming the JSON path; through the CLI exit 2, one line, nothing written."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from solver.formats import InvalidInstance
from solver.shell import parse_instance
from tests.solver.shell.builders import instance, professional, project, role


def good() -> dict:
    return instance(
        [project("A", [role("A/lead")], preferred=["p1"]), project("B", [role("B/lead", last=1)])],
        [professional("p1"), professional("p2", capacity={"2027-W02": 8})],
    )


def broken(change) -> dict:
    doc = good()
    change(doc)
    return doc


CASES = [
    (lambda d: d["projects"][0]["roles"][0].update(first_week="2027-W09"), "projects[0].roles[0].first_week", "unknown week"),
    (lambda d: d["projects"][0]["roles"][0].update(last_week="2027-W77"), "projects[0].roles[0].last_week", "unknown week"),
    (lambda d: d["projects"][1]["roles"][0].update(first_week="2027-W04"), "projects[1].roles[0].last_week", "comes before"),
    (lambda d: d["projects"][1]["roles"][0].update(id="A/lead"), "projects[1].roles[0].id", "duplicate id"),
    (lambda d: d["professionals"][1].update(hourly_rate=-5), "professionals[1].hourly_rate", "at least 0"),
    (lambda d: d["professionals"][1].update(hourly_rate=99.5), "professionals[1].hourly_rate", "integer"),
    (lambda d: d["projects"][0]["roles"][0].update(hours_per_week=16.0), "projects[0].roles[0].hours_per_week", "integer"),
    (lambda d: d["professionals"][0]["skills"].update(projectleiding=4), "professionals[0].skills.projectleiding", "at most 3"),
    (lambda d: d["projects"][0]["roles"][0].update(min_level=0), "projects[0].roles[0].min_level", "at least 1"),
    (lambda d: d["projects"][0].update(preferred=["p9"]), "projects[0].preferred[0]", 'unknown professional "p9"'),
    (lambda d: d["projects"][0].update(excluded=["p1", "nobody"]), "projects[0].excluded[1]", "unknown professional"),
    (lambda d: d["projects"][0].update(budget=-1), "projects[0].budget", "at least 0"),
    (lambda d: d["professionals"][1]["capacity"].update({"2027-W03": -8}), 'professionals[1].capacity.2027-W03', "at least 0"),
    (lambda d: d["professionals"][0].pop("lat"), "professionals[0].lat", "required"),
    (lambda d: d["professionals"][0].update(max_travel_km=-1), "professionals[0].max_travel_km", "at least 0"),
    (lambda d: d["weights"].update(euro=-1), "weights.euro", "at least 0"),
    (lambda d: d.update(weeks=["2027-W01", "2027-W01"]), "weeks[1]", "duplicate week"),
    (lambda d: d.update(pins=[{"role": "A/lead", "professional": "p3"}]), "pins[0].professional", "unknown professional"),
    (lambda d: d.update(pins=[{"role": "A/lead", "professional": "p1"}, {"role": "B/lead", "professional": "p1"},
                             {"role": "A/lead", "professional": "p2"}]), "pins[2].role", "pinned twice"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "path", "words"), CASES)
def test_invalid_input_names_the_path(change, path, words):
    with pytest.raises(InvalidInstance) as caught:
        parse_instance(broken(change))
    assert caught.value.path == path
    assert words in str(caught.value)


def test_good_input_parses_with_defaults():
    parsed = parse_instance(good())
    assert [r.hours for r in parsed.roles] == [64, 32]
    assert parsed.professionals[1].capacity == (40, 8, 40, 40)
    assert parsed.projects[0].budget is None and parsed.professionals[0].qualified


def test_a_pin_that_breaks_a_rule_is_refused():
    doc = good()
    doc["professionals"][0]["qualified"] = False
    doc["pins"] = [{"role": "A/lead", "professional": "p1"}]
    with pytest.raises(InvalidInstance, match=r"^pins\[0\]: cannot pin: .*not qualified"):
        parse_instance(doc)


def test_pins_that_break_capacity_together_are_refused():
    doc = good()
    doc["professionals"][0]["hours_per_week"] = 20  # A/lead and B/lead both 16 h in weeks 1-2
    doc["pins"] = [{"role": "A/lead", "professional": "p1"}, {"role": "B/lead", "professional": "p1"}]
    with pytest.raises(InvalidInstance, match=r"^pins\[1\]: cannot pin together.*capacity 20"):
        parse_instance(doc)


def run_cli(tmp_path, document) -> tuple[subprocess.CompletedProcess, object]:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(document))
    target = tmp_path / "out.json"
    done = subprocess.run(
        [sys.executable, "-m", "solver.cli", str(source), "-o", str(target), "--time-limit", "5"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done, target


def test_cli_refuses_bad_input_with_exit_2_one_line_and_no_file(tmp_path):
    doc = broken(lambda d: d["projects"][0]["roles"][0].update(first_week="2027-W09"))
    done, target = run_cli(tmp_path, doc)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert 'projects[0].roles[0].first_week: unknown week "2027-W09"' in done.stderr
    assert not target.exists()


def test_cli_writes_a_plan_for_good_input(tmp_path):
    done, target = run_cli(tmp_path, good())
    assert done.returncode == 0, done.stderr
    result = json.loads(target.read_text())
    assert result["format"] == "shell-plan/1" and result["status"] == "optimal"
    roles = [a["role"] for a in result["assignments"]] + [u["role"] for u in result["unfilled"]]
    assert sorted(roles) == ["A/lead", "B/lead"]
