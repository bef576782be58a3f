"""The demo seed: what swarm.seed.demo generates ends up in the database, once, and exports as valid instances."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from swarm.persistence.models import Invitation, PlanningRound, Professional, Project, SwarmRequest, User
from swarm.services.people.accounts import authenticate
from swarm.services.plan.instance import build_swarm_instance
from swarm.services.setup.demo import seed_demo
from swarm.services.team.instance import build_shell_instance
from tests.swarm.factories import count
from tests.swarm.spec_checks import check_shell_instance, check_swarm_instance

TODAY = date(2026, 11, 27)


@pytest.fixture
def seeded(db):
    return seed_demo(db, "achterhoek", professionals=60, seed=3, today=TODAY)


def test_the_demo_lands_in_the_database(db, seeded):
    assert seeded.created
    assert count(db, Professional) == 60 == seeded.counts["professionals"]
    assert count(db, PlanningRound) == seeded.counts["planning_rounds"] >= 2
    assert count(db, SwarmRequest) == seeded.counts["requests"] > 0
    assert count(db, Invitation) == seeded.counts["past_invitations"] > 0
    assert count(db, User) == len(seeded.accounts)
    roles = {role for role, _, _ in seeded.accounts}
    assert roles == {"organizer", "coordinator", "professional"}
    role, email, password = seeded.accounts[0]
    assert authenticate(db, email, password) is not None


def test_seeding_again_changes_nothing(db, seeded):
    again = seed_demo(db, "achterhoek", professionals=60, seed=3, today=TODAY)
    assert not again.created
    assert count(db, Professional) == 60


def test_bulk_inserted_rows_read_back_like_orm_rows(db, seeded):
    person = db.exec(select(Professional).order_by(Professional.id)).first()
    assert person.created_at.tzinfo is not None and person.kvk_number.isdigit()
    request = db.exec(select(SwarmRequest)).first()
    assert request.availability_deadline.tzinfo is not None and request.status == "open"
    # New rows after the bulk insert get fresh ids (the sequence or rowid moved on).
    db.add(
        Professional(
            name="Nieuw", email="nieuw@example.nl", kvk_number="12345678", region_id=person.region_id
        )
    )
    db.flush()


def test_the_seeded_region_exports_valid_instances(db, seeded):
    region_id = db.exec(select(PlanningRound.region_id)).first()
    swarm_document = build_swarm_instance(db, region_id)
    check_swarm_instance(swarm_document)
    assert swarm_document["requests"] and swarm_document["professionals"]
    assert any(p["recent_invitations"] > 0 for p in swarm_document["professionals"])
    project_ids = list(db.exec(select(Project.id)))
    shell_document = build_shell_instance(db, project_ids)
    check_shell_instance(shell_document)

    swarm_reader = pytest.importorskip("solver.swarm")
    shell_reader = pytest.importorskip("solver.shell")
    assert len(swarm_reader.parse_instance(swarm_document).requests) == len(swarm_document["requests"])
    assert len(shell_reader.parse_instance(shell_document).roles) > 0
