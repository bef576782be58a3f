"""Every word a user sees is in their language: the services' refusals through the pages, the solver's stages
and score terms, and page titles without markup."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext

from solver.shell.score import CHANGE as SHELL_CHANGE
from solver.shell.score import TERMS as SHELL_TERMS
from solver.swarm.evaluate import TERMS as SWARM_TERMS
from swarm.domain.enums import SolveStatus
from swarm.domain.errors import ValidationError
from swarm.domain.rules import require_range, require_text
from swarm.domain.timeutil import fixed_clock
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import SolveRun
from swarm.services.plan.worker import SNAPSHOT_STAGE
from swarm.webapp.labels import STAGES, TERMS, run_error_text
from tests.web.api import bearer
from tests.web.world import NOW, csrf_token_from

ROOT = Path(__file__).resolve().parents[2]


def _post(client, path, data):
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def _title(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1)


@pytest.mark.parametrize(
    ("user", "path"),
    [
        ("organizer_home", "/organizer/"),
        ("coordinator_home", "/coordinator/"),
        ("professional_home", "/professional/"),
    ],
)
def test_a_dashboard_s_title_is_plain_text(login_as, user, path):
    client = login_as(user)
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200
    title = _title(response.get_data(as_text=True))
    assert "<" not in html.unescape(title) and "\n" not in title.strip(), title


def test_no_template_puts_markup_in_its_title():
    found = []
    for template in sorted((ROOT / "web" / "templates").rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for block in re.findall(r"{%-?\s*block title\s*-?%}(.*?){%-?\s*endblock", text, re.S):
            if re.search(r"<[a-zA-Z/]", block):
                found.append(f"{template.relative_to(ROOT)}: {block[:60]!r}")
    assert found == []


# --- the services' refusals, through the pages, in Dutch ------------------------------------------------------


@pytest.fixture
def organizer(app, login_as):
    app.config["SWARM_CLOCK"] = fixed_clock(NOW)
    return login_as("organizer_home")


@pytest.fixture
def coordinator(app, login_as):
    app.config["SWARM_CLOCK"] = fixed_clock(NOW)
    return login_as("coordinator_home")


def _dutch_not_english(page: str, english: str, dutch: str) -> None:
    text = html.unescape(page)
    assert dutch in text and english not in text


def test_a_round_whose_deadline_has_passed_is_refused_in_dutch(organizer, the_world):
    venue = str(the_world.venues["home"].id)
    response = _post(
        organizer,
        "/organizer/rounds/new",
        {
            "name": "Zwermronde februari",
            "availability_deadline": "2026-11-30T17:00",  # the day before the world's present
            "time_limit_seconds": "45",
            "slots-0-starts_at": "2027-02-01T09:00",
            "slots-0-ends_at": "12:00",
            "slots-0-venue_ids": [venue],
        },
    )
    assert response.status_code == 400
    _dutch_not_english(
        response.get_data(as_text=True),
        "The deadline must lie in the future.",
        "De uiterste datum moet in de toekomst liggen.",
    )


def _request(world, **changes):
    return {
        "title": "Samen het omgevingsplan maken",
        "question": "Hoe betrekken we inwoners?",
        "needs-0-skill": "participatie",
        "needs-0-count": "1",
        "needs-0-min_level": "2",
        "table_size_min": "5",
        "table_size_max": "6",
        "slot_ids": [str(world.slots["home"][2].id)],
        "priority": "2",
        **changes,
    }


def test_a_coordinator_s_refused_request_reads_in_dutch(coordinator, the_world):
    response = _post(coordinator, "/coordinator/requests/new", _request(the_world, table_size_max="4"))
    assert response.status_code == 400
    _dutch_not_english(
        response.get_data(as_text=True),
        "The largest table size cannot be below the smallest.",
        "De grootste tafel kan niet kleiner zijn dan de kleinste.",
    )


def test_the_same_refusal_reads_in_english_for_whom_asks_for_it(coordinator, the_world):
    coordinator.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_token_from(coordinator.get("/coordinator/requests/new").get_data(as_text=True))
    response = coordinator.post(
        "/coordinator/requests/new", data={**_request(the_world, table_size_max="4"), "csrf_token": token}
    )
    assert "The largest table size cannot be below the smallest." in html.unescape(
        response.get_data(as_text=True)
    )


def test_a_refusal_with_numbers_in_it_is_worded_with_them_in_dutch(app):
    """A message with placeholders (``Must be between %(minimum)s and %(maximum)s.``) is translated first, then
    filled in: the catalogue holds one sentence for every range."""
    refusals = []
    for check in (
        lambda: require_range(400, "table_size_max", minimum=1, maximum=100),
        lambda: require_range(-1, "max_travel_km", minimum=0),
        lambda: require_text("x" * 130, "name", max_length=120),
    ):
        with pytest.raises(ValidationError) as refused:
            check()
        refusals.append(refused.value)
    with app.test_request_context("/"), force_locale("nl"):
        dutch = [gettext(error.message, **error.params) for error in refusals]
    assert dutch == ["Moet tussen 1 en 100 liggen.", "Moet minstens 0 zijn.", "Ten hoogste 120 tekens."]
    assert [error.text for error in refusals] == [
        "Must be between 1 and 100.",
        "Must be at least 0.",
        "At most 120 characters.",
    ]


def test_a_refusal_through_the_api_is_worded_in_dutch_with_what_it_names(client, api_tokens, the_world):
    """The API answers in the caller's language too, the service's placeholder filled in."""
    response = client.post(
        "/api/v1/requests",
        json={
            "title": "Energie in de wijk",
            "slot_ids": [the_world.slots["home"][1].id],
            "needs": [{"skill": "koffiezetten", "count": 2, "min_level": 2}],
        },
        headers=bearer(api_tokens["coordinator_home"], **{"Accept-Language": "nl"}),
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["errors"] == [
        {"field": "needs", "message": 'Onbekende vaardigheid "koffiezetten".'}
    ]


# --- the solver's words -------------------------------------------------------------------------------------


def _reported_stages() -> set[str]:
    """Every stage name the engines pass to their progress reports: ``stage="..."``, ``offer(plan, "...")``,
    ``tighten(bound, "...")`` and ``report("...")``."""
    found = set()
    for module in (ROOT / "solver").rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            candidates = [k.value for k in node.keywords if k.arg == "stage"]
            name = getattr(node.func, "attr", None)
            if name in ("offer", "tighten") and len(node.args) >= 2:
                candidates.append(node.args[1])
            if name == "report" and len(node.args) == 1:
                candidates.append(node.args[0])
            found |= {c.value for c in candidates if isinstance(c, ast.Constant) and isinstance(c.value, str)}
    return found


def test_every_stage_the_engines_report_has_words(app):
    stages = _reported_stages() | {SNAPSHOT_STAGE}
    assert {"first schedule", "rotation", "greedy", "cp-sat", "repack"} <= stages  # the scan finds them
    assert sorted(stages - set(STAGES)) == []
    with app.test_request_context("/"), force_locale("nl"):
        assert str(STAGES["first schedule"]) == "eerste planning van de sessies"


def test_every_score_term_of_both_engines_has_words(app):
    assert sorted((set(SHELL_TERMS) | {SHELL_CHANGE} | set(SWARM_TERMS)) - set(TERMS)) == []
    with app.test_request_context("/"), force_locale("nl"):
        assert [str(TERMS[t]) for t in ("filled_hour", "euro", "level")] == [
            "ingevulde uren",
            "kosten (uurtarieven)",
            "vaardigheidsniveau boven het gevraagde minimum",
        ]


def test_a_team_run_refused_in_the_worker_says_why_in_dutch(app, coordinator, engine, the_world):
    """The worker stores a refusal met while it builds the snapshot as ``field: message``; the page words it."""
    with unit_of_work(engine) as session:
        run = session.get(SolveRun, the_world.team_runs["home"].id)
        run.status, run.result = SolveStatus.FAILED, None
        run.error = "roles: The projects have no roles to fill yet."
        session.add(run)
    project_id = the_world.projects["home"].id
    page = coordinator.get(f"/coordinator/projects/{project_id}/runs/{run.id}/progress").get_data(
        as_text=True
    )
    _dutch_not_english(
        page,
        "The projects have no roles to fill yet.",
        "De projecten hebben nog geen rollen om in te vullen.",
    )
    with app.test_request_context("/"), force_locale("nl"):  # an engine's crash stays as it was stored
        assert run_error_text("RuntimeError: boom") == "RuntimeError: boom"
