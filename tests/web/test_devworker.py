"""The development worker thread (for `swarm demo`) runs queued solves outside the requests, and only when asked."""

import time
from datetime import UTC, datetime

from swarm.config import Config
from swarm.domain.enums import SolveKind, SolveStatus
from swarm.domain.timeutil import fixed_clock
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import SolveRun
from swarm.webapp import create_app
from tests.web.conftest import login
from tests.web.world import csrf_token_from

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _app(engine, database_url, **flags):
    return create_app(
        {
            "SWARM": Config.for_tests(database_url=database_url).with_overrides(testing=False),
            "SWARM_ENGINE": engine,
            "SWARM_CLOCK": fixed_clock(NOW),
            **flags,
        }
    )


def test_no_worker_thread_unless_asked(engine, database_url, the_world):
    assert "swarm_dev_worker" not in _app(engine, database_url).extensions


def test_the_development_worker_runs_a_queued_solve(engine, database_url, the_world):
    app = _app(engine, database_url, DEV_WORKER=True)
    try:
        client = app.test_client()
        login(client, the_world.users["organizer_home"].email)
        token = csrf_token_from(client.get("/organizer/review").get_data(as_text=True))
        client.post("/organizer/plan/solve", data={"csrf_token": token, "time_limit": "5"})
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            with unit_of_work(engine) as session:
                run = (
                    session.query(SolveRun)
                    .filter_by(kind=SolveKind.SWARM)
                    .order_by(SolveRun.id.desc())
                    .first()
                )
                status = run.status
            if status not in (SolveStatus.QUEUED, SolveStatus.RUNNING):
                break
            time.sleep(0.5)
        assert status == SolveStatus.SUCCEEDED
    finally:
        app.extensions["swarm_dev_worker"].set()
