"""The coordinator's journey without a browser: role book, requests with field errors, projects and the team chart."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from swarm.domain.timeutil import fixed_clock
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import Assignment, Project, Role, SwarmRequest
from tests.web.world import NOW, csrf_token_from


@pytest.fixture
def coordinator(app, login_as):
    app.config["SWARM_CLOCK"] = fixed_clock(NOW)
    return login_as("coordinator_home")


def _post(client, path, data):
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def _request_data(world, **changes):
    data = {
        "title": "Samen het omgevingsplan maken",
        "question": "Hoe betrekken we inwoners?",
        "needs-0-skill": "participatie",
        "needs-0-count": "1",
        "needs-0-min_level": "2",
        "table_size_min": "3",
        "table_size_max": "6",
        "slot_ids": [str(world.slots["home"][2].id)],
        "priority": "2",
        "exclusions-0-professional_id": str(world.professionals["home"].id),
        "exclusions-0-reason": "Werkt bij de gemeente",
    }
    data.update(changes)
    return data


def test_a_coordinator_adds_a_role_to_the_role_book(coordinator, engine, the_world):
    response = _post(
        coordinator,
        "/coordinator/roles/new",
        {
            "name": "Omgevingsjurist",
            "purpose": "Toetst plannen",
            "needs-0-skill": "omgevingsrecht",
            "needs-0-min_level": "3",
        },
    )
    assert response.status_code == 302
    with unit_of_work(engine) as session:
        assert (
            session.exec(select(Role).filter_by(name="Omgevingsjurist")).one().municipality_id
            == the_world.municipalities["home"].id
        )
    assert "Omgevingsjurist" in coordinator.get("/coordinator/roles").get_data(as_text=True)


def test_a_coordinator_requests_a_swarm_and_opens_it(coordinator, engine, the_world):
    response = _post(coordinator, "/coordinator/requests/new", {**_request_data(the_world), "open": "1"})
    assert response.status_code == 302
    with unit_of_work(engine) as session:
        saved = session.exec(select(SwarmRequest).filter_by(title="Samen het omgevingsplan maken")).one()
        assert saved.status == "open" and saved.table_size_min == 3
    page = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert "Werkt bij de gemeente" in page and "open voor beschikbaarheid" in page


def test_a_largest_table_too_large_is_shown_at_its_field_and_the_input_is_kept(
    coordinator, engine, the_world
):
    response = _post(coordinator, "/coordinator/requests/new", _request_data(the_world, table_size_max="400"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="table_size_max-error"' in page
    assert 'value="Samen het omgevingsplan maken"' in page and 'value="400"' in page
    with unit_of_work(engine) as session:
        assert (
            len(session.exec(select(SwarmRequest).filter_by(title="Samen het omgevingsplan maken")).all())
            == 0
        )


def test_a_largest_table_below_the_smallest_is_refused_at_the_field(coordinator, the_world):
    page = _post(
        coordinator, "/coordinator/requests/new", _request_data(the_world, table_size_max="2")
    ).get_data(as_text=True)
    assert 'id="table_size_max-error"' in page


def test_a_request_without_slots_is_saved_as_a_draft_but_not_submitted(coordinator, engine, the_world):
    data = _request_data(the_world)
    del data["slot_ids"]
    response = _post(coordinator, "/coordinator/requests/new", {**data, "open": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="slot_ids-error"' in page and "Kies minstens één mogelijk tijdvak." in page
    assert _post(coordinator, "/coordinator/requests/new", data).status_code == 302
    with unit_of_work(engine) as session:
        [saved] = session.exec(select(SwarmRequest).filter_by(title="Samen het omgevingsplan maken")).all()
        assert saved.status == "draft"


def test_the_error_summary_names_and_links_the_fields_it_means(coordinator, the_world):
    page = _post(
        coordinator, "/coordinator/requests/new", _request_data(the_world, title="", table_size_max="400")
    ).get_data(as_text=True)
    summary = page[page.index("error-summary") : page.index("</div>", page.index("error-summary"))]
    assert "Verbeter deze velden:" in summary
    assert (
        '<a href="#title">Titel van het vraagstuk</a>' in summary and '<a href="#table_size_max">' in summary
    )
    assert "gemarkeerde" not in page


def test_with_no_round_taking_requests_a_draft_is_saved_and_submitted_to_wait_for_the_next(
    app, coordinator, engine, the_world
):
    app.config["SWARM_CLOCK"] = fixed_clock(
        datetime(2027, 1, 6, 9, tzinfo=UTC)
    )  # the round's poll has closed
    form = coordinator.get("/coordinator/requests/new").get_data(as_text=True)
    assert "Geen planningsronde neemt nu vraagstukken aan" in form and 'name="slot_ids"' not in form
    assert "Opslaan en indienen voor de volgende ronde" in form
    data = _request_data(the_world)
    del data["slot_ids"]
    response = _post(coordinator, "/coordinator/requests/new", {**data, "open": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = coordinator.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "ingediend, wacht op de volgende ronde" in page
        and "The region has no open planning round" not in page
    )
    with unit_of_work(engine) as session:
        saved = session.exec(select(SwarmRequest).filter_by(title="Samen het omgevingsplan maken")).one()
        assert (saved.status, saved.planning_round_id) == ("waiting", None)


def test_a_project_shows_its_team_week_by_week_and_can_be_adjusted_and_accepted(
    coordinator, engine, the_world
):
    project = the_world.projects["home"]
    page = coordinator.get(f"/coordinator/projects/{project.id}").get_data(as_text=True)
    assert "W10" in page and "W13" in page and "niet ingevuld" in page
    role = the_world.project_roles["home"]
    professional = the_world.professionals["home"]
    response = _post(
        coordinator,
        f"/coordinator/projects/{project.id}",
        {},
    )
    assert response.status_code == 405
    token = csrf_token_from(page)
    response = coordinator.post(
        f"/coordinator/projects/{project.id}/roles/{role.id}/assign",
        data={
            f"role{role.id}-professional_id": str(professional.id),
            f"role{role.id}-csrf_token": token,
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    page = coordinator.get(f"/coordinator/projects/{project.id}").get_data(as_text=True)
    assert professional.name in page and "5.760" in page  # 16 h × 4 weeks × € 90
    coordinator.post(f"/coordinator/projects/{project.id}/accept", data={"csrf_token": token})
    with unit_of_work(engine) as session:
        assert session.exec(select(Assignment)).one().status == "accepted"


def test_a_coordinator_starts_a_project_with_a_bad_week_and_sees_it_at_the_field(coordinator, the_world):
    data = {
        "title": "Energietransitie",
        "place_id": str(the_world.places["home"].id),
        "roles-0-name": "Projectleider",
        "roles-0-skill": "projectleiding",
        "roles-0-hours_per_week": "8",
        "roles-0-first_week": "2027-W99",
        "roles-0-last_week": "2027-W12",
    }
    response = _post(coordinator, "/coordinator/projects/new", data)
    page = response.get_data(as_text=True)
    assert (
        response.status_code == 400 and 'id="roles-0-first_week-error"' in page and 'value="2027-W99"' in page
    )


def test_a_role_over_more_than_three_years_is_refused_in_dutch_at_its_last_week(
    coordinator, the_world, engine
):
    data = {
        "title": "Energietransitie",
        "place_id": str(the_world.places["home"].id),
        "roles-0-name": "Projectleider",
        "roles-0-skill": "projectleiding",
        "roles-0-hours_per_week": "8",
        "roles-0-first_week": "1000-W01",
        "roles-0-last_week": "9998-W01",
    }
    response = _post(coordinator, "/coordinator/projects/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="roles-0-last_week-error"' in page
    assert "Een rol duurt hoogstens 156 weken (drie jaar)." in page
    with unit_of_work(engine) as session:
        assert session.exec(select(Project).filter_by(title="Energietransitie")).first() is None


def test_the_coordinator_sees_the_published_session_with_who_and_why(coordinator, the_world):
    page = coordinator.get(f"/coordinator/requests/{the_world.requests['home'].id}").get_data(as_text=True)
    assert "De zwermsessie" in page and the_world.professionals["home"].name in page
    assert "Antwoorden: 1 nog geen antwoord" in page
    assert "heeft Participatie op niveau 2 (minstens 1 gevraagd)" in page


def test_an_open_request_can_be_withdrawn_to_draft(coordinator, the_world, engine):
    request = the_world.requests["home"]
    page = coordinator.get(f"/coordinator/requests/{request.id}").get_data(as_text=True)
    response = coordinator.post(
        f"/coordinator/requests/{request.id}/withdraw", data={"csrf_token": csrf_token_from(page)}
    )
    assert response.status_code == 302
    with unit_of_work(engine) as session:
        assert session.get(SwarmRequest, request.id).status == "draft"
