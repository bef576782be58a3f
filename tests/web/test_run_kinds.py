"""The organizer's pages show swarm runs only; a coordinator's project page shows team proposals only."""

from datetime import timedelta

from swarm.domain.enums import SolveKind, SolveStatus
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import SolveRun
from tests.web.world import NOW


def _team_run_after_the_swarm_run(engine, world) -> None:
    """A coordinator's team proposal, newer than the round's swarm run, with a score and shell terms."""
    with unit_of_work(engine) as session:
        session.add(
            SolveRun(
                kind=SolveKind.SHELL,
                region_id=world.regions["home"].id,
                requested_by_id=world.users["coordinator_home"].id,
                status=SolveStatus.SUCCEEDED,
                queued_at=NOW - timedelta(hours=1),
                finished_at=NOW - timedelta(hours=1),
                score=777_777,
                input={},
                parameters={"project_ids": [world.projects["home"].id]},
                result={
                    "format": "shell-plan/1",
                    "assignments": [],
                    "unfilled": [],
                    "breakdown": {"filled_hour": 777_000, "euro": -3},
                },
            )
        )


def _swarm_run_after_the_team_run(engine, world) -> None:
    with unit_of_work(engine) as session:
        session.add(
            SolveRun(
                kind=SolveKind.SWARM,
                region_id=world.regions["home"].id,
                planning_round_id=world.rounds["home"].id,
                status=SolveStatus.FAILED,
                queued_at=NOW - timedelta(minutes=5),
                error="swarm run 424242 failed",
                input={},
                parameters={},
            )
        )


def test_a_newer_team_proposal_is_not_on_the_review_nor_the_dashboard(login_as, the_world, engine):
    _team_run_after_the_swarm_run(engine, the_world)
    client = login_as("organizer_home")
    review = client.get("/organizer/review").get_data(as_text=True)
    assert "Opbouw van de score" in review  # the swarm run's breakdown
    assert "777" not in review and "filled_hour" not in review and "euro" not in review
    dashboard = client.get("/organizer/").get_data(as_text=True)
    assert "Recente planningen" in dashboard and "1020" in dashboard and "777" not in dashboard


def test_a_newer_swarm_run_is_not_on_the_project_page(login_as, the_world, engine):
    _swarm_run_after_the_team_run(engine, the_world)
    page = login_as("coordinator_home").get(f"/coordinator/projects/{the_world.projects['home'].id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="solve-progress"' in text and "424242" not in text
