"""Migration 0005: stored reasons take the one shape, code and facts, and go back on a downgrade."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import select

from swarm.domain.actors import SYSTEM
from swarm.persistence import migrate
from swarm.persistence.db import create_engine, unit_of_work
from swarm.persistence.models import ProjectRole
from swarm.services.people.professionals import set_availability
from swarm.services.plan.queue import enqueue_solve
from swarm.services.team.projects import ProjectInput, ProjectRoleInput, assign_professional, create_project
from tests.swarm.factories import CLOCK, add_professional, build_world
from tests.swarm.test_privacy import open_request, solve
from tests.swarm.test_privacy_migration import old_url  # noqa: F401 (the fixture: a database per backend)

BEFORE = "0004_solve_snapshot_retention"


def _stored(engine, table: str) -> list:
    """The ``reasons`` column of ``table`` as stored, row by row (read past today's models)."""
    rows = sa.table(table, sa.column("id", sa.Integer), sa.column("reasons", sa.JSON))
    with engine.connect() as connection:
        return list(connection.execute(sa.select(rows.c.reasons).order_by(rows.c.id)).scalars())


def test_reasons_become_code_and_facts_and_go_back_on_a_downgrade(old_url):  # noqa: F811
    engine = create_engine(old_url)
    try:
        with unit_of_work(engine) as db:
            world = build_world(db)
            people = [add_professional(db, world, n, skills={"participatie": 2}) for n in range(1, 5)]
            for person in people:
                set_availability(db, person.id, {world.morning.id: "yes"}, actor=SYSTEM, clock=CLOCK)
            open_request(db, world, "Omgevingsplan")
            solve(db, enqueue_solve(db, world.round.id, actor=world.organizer, clock=CLOCK))
            project = create_project(
                db,
                ProjectInput(world.municipality.id, "Omgevingsplan", world.place.id),
                [ProjectRoleInput("Participatie", "participatie", 8, "2027-W04", "2027-W06")],
                actor=SYSTEM,
                clock=CLOCK,
            )
            role_id = db.exec(select(ProjectRole.id).where(ProjectRole.project_id == project.id)).one()
            assign_professional(db, role_id, people[0].id, actor=SYSTEM)
        new_invitations, new_assignments = _stored(engine, "invitations"), _stored(engine, "assignments")
        assert new_invitations and all(
            set(reason) == {"code", "facts"} for reasons in new_invitations for reason in reasons
        )
        assert new_assignments == [[{"code": "chosen_by_coordinator", "facts": {}}]]

        migrate.downgrade(old_url, BEFORE)
        old_invitations = _stored(engine, "invitations")
        turn = old_invitations[0][-1]
        assert turn["code"] == "turns" and "facts" not in turn and "rounds_waited" in turn
        assert _stored(engine, "assignments") == [["chosen by the coordinator"]]

        migrate.upgrade(old_url)
        assert _stored(engine, "invitations") == new_invitations
        assert _stored(engine, "assignments") == new_assignments
    finally:
        engine.dispose()
