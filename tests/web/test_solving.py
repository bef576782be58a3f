"""Solves are queued by the web app and run by a worker, never inside the request; their progress is polled."""

from sqlmodel import select

from swarm.config import Config
from swarm.domain.enums import SolveKind, SolveStatus
from swarm.domain.timeutil import fixed_clock
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import Assignment, SolveRun
from swarm.services.plan.worker import run_queued_solves
from tests.web.world import NOW, csrf_token_from


def _runs(engine, kind):
    with unit_of_work(engine) as session:
        return session.exec(select(SolveRun).filter_by(kind=kind).order_by(SolveRun.id)).all()


def test_starting_a_solve_only_queues_it_and_progress_polls_until_done(
    app, login_as, the_world, engine, database_url
):
    app.config["SWARM_CLOCK"] = fixed_clock(NOW)
    client = login_as("organizer_home")
    page = client.get("/organizer/review").get_data(as_text=True)
    before = len(_runs(engine, SolveKind.SWARM))
    response = client.post(
        "/organizer/plan/solve", data={"csrf_token": csrf_token_from(page), "time_limit": "5"}
    )
    assert response.status_code == 302
    queued = _runs(engine, SolveKind.SWARM)[-1]
    assert len(_runs(engine, SolveKind.SWARM)) == before + 1 and queued.status == SolveStatus.QUEUED

    polling = f"/organizer/plan/runs/{queued.id}/progress?polling=1"
    fragment = client.get(polling, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in fragment.get_data(as_text=True) and "HX-Refresh" not in fragment.headers

    run_queued_solves(engine, Config.for_tests(database_url=database_url), clock=fixed_clock(NOW))
    done = client.get(polling, headers={"HX-Request": "true"})
    assert done.headers.get("HX-Refresh") == "true" and "hx-trigger" not in done.get_data(as_text=True)


def test_the_stop_button_asks_the_worker_to_stop(app, login_as, the_world, engine):
    app.config["SWARM_CLOCK"] = fixed_clock(NOW)
    client = login_as("organizer_home")
    token = csrf_token_from(client.get("/organizer/review").get_data(as_text=True))
    client.post("/organizer/plan/solve", data={"csrf_token": token, "time_limit": "5"})
    run = _runs(engine, SolveKind.SWARM)[-1]
    response = client.post(
        f"/organizer/plan/runs/{run.id}/stop", data={"csrf_token": token}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and 'id="solve-progress"' in response.get_data(as_text=True)
    assert (
        _runs(engine, SolveKind.SWARM)[-1].status == SolveStatus.CANCELLED
    )  # still queued: cancelled outright


def test_a_coordinator_gets_a_team_proposal_from_the_flexible_shell(
    app, login_as, the_world, engine, database_url
):
    app.config["SWARM_CLOCK"] = fixed_clock(NOW)
    client = login_as("coordinator_home")
    project = the_world.projects["home"]
    path = f"/coordinator/projects/{project.id}"
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    before = len(_runs(engine, SolveKind.SHELL))
    for _press in range(2):  # pressed twice: one proposal is queued
        response = client.post(f"{path}/propose", data={"csrf_token": token})
        assert response.status_code == 302
    runs = _runs(engine, SolveKind.SHELL)
    queued = runs[-1]
    assert len(runs) == before + 1 and queued.status == SolveStatus.QUEUED
    # The request stored what to solve; the instance is the worker's to build, and nothing was solved.
    assert queued.input == {} and queued.parameters["project_ids"] == [project.id] and queued.result is None

    page = client.get(path).get_data(as_text=True)
    assert 'id="solve-progress"' in page and 'hx-trigger="every 1s"' in page
    polling = f"{path}/runs/{queued.id}/progress?polling=1"
    assert "HX-Refresh" not in client.get(polling, headers={"HX-Request": "true"}).headers

    run_queued_solves(engine, Config.for_tests(database_url=database_url), clock=fixed_clock(NOW))
    assert client.get(polling, headers={"HX-Request": "true"}).headers.get("HX-Refresh") == "true"
    solved = _runs(engine, SolveKind.SHELL)[-1]
    assert solved.status == SolveStatus.SUCCEEDED and solved.input["format"] == "shell-instance/1"
    page = client.get(path).get_data(as_text=True)
    with unit_of_work(engine) as session:
        assignments = session.exec(select(Assignment)).all()
    professional = the_world.professionals["home"]
    assert [(a.professional_id, a.status) for a in assignments] == [(professional.id, "proposed")]
    assert professional.name in page and "5.760" in page  # 16 h x 4 weeks x EUR 90 in the week-by-week chart
    assert 'hx-trigger="every 1s"' not in page
