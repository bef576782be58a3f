"""Bad input: exit status 2, one line naming the JSON path, no traceback, no output file."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from solver import cli
from tests.solver.swarm.builders import crowd, instance, request


def base() -> dict:
    return instance(
        [request("r1", needs=[{"skill": "law", "min": 1}], excluded=["p1"])],
        crowd(3, skills={"law": 2}),
    )


def _set(path: list, value):
    def change(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _delete(path: list):
    def change(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


CASES = {
    "missing format": (_delete(["format"]), "format: is required"),
    "wrong format": (_set(["format"], "shell-instance/2"), "format: unknown format"),
    "missing id": (_delete(["id"]), "id: is required"),
    "bad time zone": (_set(["timezone"], "Mars/Olympus"), "timezone: unknown time zone"),
    "rounds zero": (_set(["rounds"], 0), "rounds: must be at least 1"),
    "rounds decimal": (_set(["rounds"], 2.5), "rounds: expected an integer"),
    "negative parallel": (_set(["max_parallel_sessions"], -1), "max_parallel_sessions: must be at least 0"),
    "unknown weight": (_set(["weights"], {"skil": 3}), "weights.skil: unknown weight"),
    "negative weight": (_set(["weights"], {"skill": -1}), "weights.skill: must be at least 0"),
    "duplicate slot": (
        _set(["slots", 1, "id"], "am"),
        'slots[1].id: duplicate id "am"',
    ),
    "slot end before start": (
        _set(["slots", 0, "end"], "2027-01-12T08:00"),
        "slots[0].end: must be after start",
    ),
    "slot bad time": (_set(["slots", 0, "start"], "12-01-2027 09:00"), "slots[0].start:"),
    "negative capacity": (_set(["venues", 0, "capacity"], -4), "venues[0].capacity: must be at least 0"),
    "negative tables": (_set(["venues", 0, "tables"], -1), "venues[0].tables: must be at least 0"),
    "venue without place": (_delete(["venues", 0, "lat"]), "venues[0].lat: is required"),
    "venue unknown unavailable slot": (
        _set(["venues", 0, "unavailable_slots"], ["nope"]),
        'venues[0].unavailable_slots[0]: unknown slot "nope"',
    ),
    "request unknown slot": (
        _set(["requests", 0, "slots"], ["am", "2027-02-30-am"]),
        "requests[0].slots[1]: unknown slot",
    ),
    "request unknown venue": (
        _set(["requests", 0, "venues"], ["moon"]),
        'requests[0].venues[0]: unknown venue "moon"',
    ),
    "table size missing": (_delete(["requests", 0, "table_size"]), "requests[0].table_size: is required"),
    "table size min over max": (
        _set(["requests", 0, "table_size"], [5, 3]),
        "requests[0].table_size: min 5 is more than max 3",
    ),
    "table size negative": (
        _set(["requests", 0, "table_size"], [-1, 3]),
        "requests[0].table_size[0]: must be at least 0",
    ),
    "table size one number": (
        _set(["requests", 0, "table_size"], [3]),
        "requests[0].table_size: expected [min, max]",
    ),
    "need level 4": (
        _set(["requests", 0, "needs", 0, "min_level"], 4),
        "requests[0].needs[0].min_level: must be at most 3",
    ),
    "need negative min": (
        _set(["requests", 0, "needs", 0, "min"], -2),
        "requests[0].needs[0].min: must be at least 0",
    ),
    "duplicate need skill": (
        _set(["requests", 0, "needs"], [{"skill": "law", "min": 1}, {"skill": "law", "min": 2}]),
        'requests[0].needs[1].skill: skill "law" is already a need',
    ),
    "excluded unknown person": (
        _set(["requests", 0, "excluded"], ["ghost"]),
        'requests[0].excluded[0]: unknown professional "ghost"',
    ),
    "negative travel limit": (
        _set(["requests", 0, "max_travel_km"], -5),
        "requests[0].max_travel_km: must be at least 0",
    ),
    "duplicate request": (
        lambda d: d["requests"].append(dict(d["requests"][0])),
        'requests[1].id: duplicate id "r1"',
    ),
    "duplicate professional": (
        _set(["professionals", 2, "id"], "p1"),
        'professionals[2].id: duplicate id "p1"',
    ),
    "skill level 0": (
        _set(["professionals", 0, "skills"], {"law": 0}),
        "professionals[0].skills.law: must be at least 1",
    ),
    "unknown availability": (
        _set(["professionals", 1, "availability"], {"am": "perhaps"}),
        'professionals[1].availability.am: unknown availability "perhaps"',
    ),
    "availability unknown slot": (
        _set(["professionals", 1, "availability"], {"xx": "yes"}),
        'professionals[1].availability.xx: unknown slot "xx"',
    ),
    "latitude out of range": (
        _set(["professionals", 0, "lat"], 123.0),
        "professionals[0].lat: must be at most 90",
    ),
    "negative max sessions": (
        _set(["professionals", 0, "max_sessions"], -1),
        "professionals[0].max_sessions: must be at least 0",
    ),
    "qualified not boolean": (
        _set(["professionals", 0, "qualified"], "yes"),
        "professionals[0].qualified: expected true or false",
    ),
    "previous not a schedule": (_set(["previous"], {"format": "shell-plan/1"}), "previous.format:"),
    "previous bad rounds": (
        _set(
            ["previous"],
            {"sessions": [{"slot": "am", "venue": "hall", "tables": [{"request": "r1", "rounds": "p1"}]}]},
        ),
        "previous.sessions[0].tables[0].rounds: expected a list",
    ),
    "pin unknown request": (
        _set(["pins"], [{"request": "zz", "professional": "p1"}]),
        'pins[0].request: unknown request "zz"',
    ),
    "pin excluded person": (
        _set(["pins"], [{"request": "r1", "professional": "p1"}]),
        "pins[0].professional:",
    ),
    "fixed session foreign slot": (
        _set(["fixed_sessions"], [{"request": "r1", "slot": "pm", "venue": "hall"}]),
        "fixed_sessions[0].slot:",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_invalid_instance_exits_2_with_one_line_naming_the_path(name, tmp_path, capsys):
    change, expected = CASES[name]
    doc = base()
    change(doc)
    source = tmp_path / "in.json"
    source.write_text(json.dumps(doc))
    target = tmp_path / "out.json"
    status = cli.main([str(source), "-o", str(target), "--time-limit", "1"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and expected in err, err
    assert not target.exists()


def test_the_valid_base_instance_solves(tmp_path):
    source = tmp_path / "in.json"
    source.write_text(json.dumps(base()))
    target = tmp_path / "out.json"
    assert cli.main([str(source), "-o", str(target), "--time-limit", "2"]) == 0
    assert json.loads(target.read_text())["format"] == "swarm-schedule/1"


def test_broken_json_through_the_real_command(tmp_path):
    source = tmp_path / "in.json"
    source.write_text('{"format": "swarm-instance/1", "slots": [')
    target = tmp_path / "out.json"
    done = subprocess.run(
        [sys.executable, "-m", "solver.cli", str(source), "-o", str(target)], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "not valid JSON" in done.stderr
    assert "Traceback" not in done.stderr
    assert not target.exists()
