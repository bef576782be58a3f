"""Projects -> shell-instance/1 -> (a plan) -> proposed assignments."""

from __future__ import annotations

import pytest
from sqlmodel import select

from swarm.domain.actors import SYSTEM
from swarm.domain.enums import AssignmentStatus, ProjectStance
from swarm.domain.errors import ValidationError
from swarm.persistence.models import Assignment, ProjectRole, WeekCapacity
from swarm.services.team.instance import build_shell_instance, store_shell_plan
from swarm.services.team.projects import (
    ProjectInput,
    ProjectRoleInput,
    accept_team,
    assign_professional,
    create_project,
    set_project_preference,
)
from tests.swarm.factories import CLOCK, add_professional, count
from tests.swarm.spec_checks import check_shell_instance


@pytest.fixture
def project_world(db, world):
    lead = add_professional(db, world, 1, skills={"projectleiding": 3}, hours_per_week=32)
    helper = add_professional(db, world, 2, skills={"participatie": 2}, hours_per_week=16)
    add_professional(db, world, 3, skills={"jeugdzorg": 3})  # fits no role: left out
    project = create_project(
        db,
        ProjectInput(world.municipality.id, "Omgevingsplan", world.place.id, budget=60_000),
        [
            ProjectRoleInput("Projectleider", "projectleiding", 16, "2027-W03", "2027-W05", min_level=2),
            ProjectRoleInput("Participatie", "participatie", 8, "2027-W04", "2027-W06"),
        ],
        actor=SYSTEM,
        clock=CLOCK,
    )
    return world, project, lead, helper


def test_the_shell_instance_is_valid(db, project_world):
    world, project, lead, helper = project_world
    db.add(WeekCapacity(professional_id=lead.id, week="2027-W04", hours=0))
    set_project_preference(db, project.id, helper.id, ProjectStance.PREFERRED, actor=SYSTEM)
    document = build_shell_instance(db, [project.id])
    check_shell_instance(document)
    assert document["weeks"] == ["2027-W03", "2027-W04", "2027-W05", "2027-W06"]
    assert [p["id"] for p in document["professionals"]] == [f"p-{lead.id}", f"p-{helper.id}"]
    assert document["professionals"][0]["capacity"] == {"2027-W04": 0}
    (item,) = document["projects"]
    assert item["budget"] == 60_000 and item["preferred"] == [f"p-{helper.id}"]
    assert [r["skill"] for r in item["roles"]] == ["projectleiding", "participatie"]


def test_the_solver_reader_accepts_the_shell_instance(db, project_world):
    shell = pytest.importorskip("solver.shell")
    instance = shell.parse_instance(build_shell_instance(db, [project_world[1].id]))
    assert len(instance.roles) == 2


def plan(project, lead, helper, roles) -> dict:
    return {
        "format": "shell-plan/1",
        "instance": "x",
        "status": "optimal",
        "score": 1,
        "bound": 1,
        "assignments": [
            {
                "role": f"role-{roles[0]}",
                "professional": f"p-{lead.id}",
                "reasons": ["level 3 projectleiding"],
            },
            {"role": f"role-{roles[1]}", "professional": f"p-{helper.id}"},
        ],
        "unfilled": [],
    }


def role_ids(db, project):
    return list(
        db.exec(select(ProjectRole.id).where(ProjectRole.project_id == project.id).order_by(ProjectRole.id))
    )


def test_a_plan_becomes_proposals_and_pins_survive_a_new_plan(db, project_world):
    world, project, lead, helper = project_world
    roles = role_ids(db, project)
    stored = store_shell_plan(db, [project.id], plan(project, lead, helper, roles), clock=CLOCK)
    assert [a.status for a in stored] == [AssignmentStatus.PROPOSED] * 2
    assert stored[0].reasons == [{"code": "", "facts": {}, "text": "level 3 projectleiding"}]

    other = add_professional(db, world, 7, skills={"participatie": 3})
    assign_professional(db, roles[1], other.id, actor=SYSTEM)  # the coordinator's swap, pinned
    document = build_shell_instance(db, [project.id])
    assert document["pins"] == [{"role": f"role-{roles[1]}", "professional": f"p-{other.id}"}]
    assert document["previous"]["assignments"] == [
        {"role": f"role-{roles[0]}", "professional": f"p-{lead.id}"}
    ]

    store_shell_plan(db, [project.id], plan(project, lead, helper, roles), clock=CLOCK)
    team = {a.project_role_id: a for a in db.exec(select(Assignment))}
    assert team[roles[1]].professional_id == other.id and team[roles[1]].pinned
    assert team[roles[0]].professional_id == lead.id and not team[roles[0]].pinned
    accept_team(db, project.id, actor=SYSTEM, clock=CLOCK)
    assert {a.status for a in team.values()} == {AssignmentStatus.ACCEPTED}


def test_a_plan_with_an_unknown_role_is_refused(db, project_world):
    world, project, lead, helper = project_world
    document = plan(project, lead, helper, [999998, 999999])
    with pytest.raises(ValidationError) as refused:
        store_shell_plan(db, [project.id], document, clock=CLOCK)
    assert refused.value.params["problem"].startswith("assignments[0].role: unknown role")
    assert count(db, Assignment) == 0


def test_project_roles_with_bad_weeks_are_refused(db, world):
    for role, field in [
        (ProjectRoleInput("X", "participatie", 8, "2027-W10", "2027-W03"), "roles[0].last_week"),
        (ProjectRoleInput("X", "participatie", 8, "2027-W99", "2027-W03"), "roles[0].first_week"),
        (ProjectRoleInput("X", "participatie", 0, "2027-W03", "2027-W04"), "roles[0].hours_per_week"),
    ]:
        with pytest.raises(ValidationError) as refused:
            create_project(db, ProjectInput(world.municipality.id, "P", world.place.id), [role], actor=SYSTEM)
        assert refused.value.field == field


def test_a_role_spans_at_most_156_weeks(db, world):
    def create(first_week: str, last_week: str):
        role = ProjectRoleInput("Projectleider", "participatie", 8, first_week, last_week)
        return create_project(
            db, ProjectInput(world.municipality.id, "P", world.place.id), [role], actor=SYSTEM
        )

    assert create("2027-W01", "2029-W52").id  # 2027 has 52 ISO weeks, 2028 52, 2029 52: 156 in all
    for first_week, last_week in [("2027-W01", "2030-W01"), ("1000-W01", "9998-W01")]:
        with pytest.raises(ValidationError) as refused:
            create(first_week, last_week)
        assert refused.value.field == "roles[0].last_week"
        assert refused.value.message == "A role spans at most 156 weeks (three years)."
    assert count(db, ProjectRole) == 1


def test_a_project_of_a_thousand_roles_builds_its_instance(db, world):
    helper = add_professional(db, world, 1, skills={"participatie": 2})
    roles = [
        ProjectRoleInput(f"Rol {n}", "participatie", 8, "2027-W03", "2027-W05", min_level=1 + n % 3)
        for n in range(1000)
    ]
    project = create_project(
        db, ProjectInput(world.municipality.id, "Groot", world.place.id), roles, actor=SYSTEM
    )
    document = build_shell_instance(db, [project.id])  # SQLite once refused it: an OR term per role
    assert len(document["projects"][0]["roles"]) == 1000
    assert [p["id"] for p in document["professionals"]] == [f"p-{helper.id}"]
