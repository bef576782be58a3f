"""How many SQL queries the busiest pages send, so that a query per session, table, slot or person (N+1) is caught
without timing anything: a professional's availability grid and the organizer's review of a solved draft.

The region is the demo's (as `bench/load_bench.py` measures it, smaller): its slots, requests and professionals,
and a draft from a real solve with several sessions, tables and people. The counts are bounded by numbers that do
not depend on how many there are of those; a loop that asks per row would exceed them many times over.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlmodel import select

from swarm.config import Config
from swarm.domain.actors import SYSTEM
from swarm.domain.enums import SessionStatus
from swarm.domain.timeutil import fixed_clock
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import Invitation, Seat, SessionTable, Slot
from swarm.persistence.models import Session as SwarmSession
from swarm.seed.model import DEMO_PASSWORD
from swarm.services.lookup import region_by_slug
from swarm.services.plan.frame import current_planning_round
from swarm.services.plan.queue import enqueue_solve
from swarm.services.plan.worker import run_queued_solves
from swarm.services.setup.demo import seed_demo
from tests.web import world
from tests.web.conftest import login

REGION = "achterhoek"
# Each count includes the BEGIN the engine sends on SQLite. Raise a bound on purpose, for a query the page needs,
# never for one per row.
AVAILABILITY_QUERIES = 6  # the user, the professional, the open slots, the answers, the questions per slot
# The review: before, 3 more per session (tables, seats, invitations) and 1 more per table (needs); then 22, now
# 16 (the staleness check reuses the drafts and runs the page read, the list of rounds is one query, the titles
# of left-out requests are read only when there are some).
REVIEW_QUERIES = 16


@contextmanager
def counted(engine):
    """The SQL statements sent through ``engine`` inside the block (the list fills as they run)."""
    statements: list[str] = []

    def record(_connection, _cursor, statement, _parameters, _context, _executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def demo(app, engine, database_url):
    """The demo region with 60 professionals on the app's database, its round solved into a draft."""
    with unit_of_work(engine) as session:
        seed_demo(session, REGION, professionals=60, seed=1, today=world.NOW.date())
    with unit_of_work(engine) as session:
        planning_round = current_planning_round(session, region_by_slug(session, REGION).id)
        enqueue_solve(session, planning_round.id, actor=SYSTEM, time_limit=3)
    run_queued_solves(engine, Config.for_tests(database_url=database_url), clock=fixed_clock(world.NOW))
    return engine


def _client(app, email: str):
    client = app.test_client()
    assert login(client, email, DEMO_PASSWORD).status_code == 302
    return client


def test_the_availability_grid_asks_the_same_few_queries_for_any_number_of_slots(app, demo):
    client = _client(app, f"zzp1@{REGION}.demo")
    with unit_of_work(demo) as session:
        slots = len(session.exec(select(Slot)).all())
    with counted(demo) as statements:
        page = client.get("/professional/availability")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    rows = len(re.findall(r'<tr data-slot="\d+">', html))
    assert rows >= 8 and rows <= slots  # a grid of many slots, each row with its three answers
    assert html.count('type="radio"') == 3 * rows
    assert len(statements) <= AVAILABILITY_QUERIES, "\n".join(statements)


def test_the_review_asks_the_same_few_queries_for_any_number_of_sessions_tables_and_people(app, demo):
    client = _client(app, f"organisator@{REGION}.demo")
    with unit_of_work(demo) as session:
        drafts = session.exec(select(SwarmSession).where(SwarmSession.status == SessionStatus.DRAFT)).all()
        draft_ids = [d.id for d in drafts]
        tables = session.exec(select(SessionTable).where(SessionTable.session_id.in_(draft_ids))).all()
        seats = session.exec(select(Seat).where(Seat.session_id.in_(draft_ids))).all()
        invitations = session.exec(select(Invitation).where(Invitation.session_id.in_(draft_ids))).all()
    # enough of everything that a query per session, table or person would exceed the bound several times
    assert len(drafts) >= 3 and len(tables) >= 4 and len(invitations) >= 10 and len(seats) >= 20
    with counted(demo) as statements:
        page = client.get("/organizer/review")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count('<svg class="chart seat-chart"') == len(drafts)
    assert len(statements) <= REVIEW_QUERIES, "\n".join(statements)
    # and the solve's instance (the whole region as JSON) is not read to show the page
    assert not any(re.search(r"solve_runs\.input\b", s) for s in statements), "the solve's input was read"
