"""Projects and their teams from the flexible shell: coordinators create, read, have a team proposed and
accept it."""

from __future__ import annotations

from swarm.api import auth
from swarm.api.common import api_blueprint
from swarm.api.paging import LINK_HEADER, paginate
from swarm.api.planning import reasons_document, solve_document
from swarm.api.schemas import PageQuery, Project, ProjectIn, Solve, page_of
from swarm.domain.enums import UserRole
from swarm.persistence.models import Project as ProjectRow
from swarm.services.plan import queue
from swarm.services.team import projects as service
from swarm.webapp.clock import clock
from swarm.webapp.db import db

blp = api_blueprint("projects", "Projects and their teams (coordinators)")

ProjectPage = page_of(Project, "ProjectPage")
TEAM_TIME_LIMIT = 20  # seconds, as on the project page


def project_document(row: ProjectRow) -> dict:
    roles = []
    for role, skill, assignment, person in service.project_roles(db(), row.id):
        roles.append(
            {
                "id": role.id,
                "name": role.name,
                "skill": skill.code,
                "min_level": role.min_level,
                "hours_per_week": role.hours_per_week,
                "first_week": role.first_week,
                "last_week": role.last_week,
                "assignment": None
                if assignment is None
                else {
                    "professional_id": assignment.professional_id,
                    "name": person.name if person else "",
                    "status": str(assignment.status),
                    "pinned": assignment.pinned,
                    "reasons": reasons_document(assignment.reasons),
                },
            }
        )
    return {
        "id": row.id,
        "municipality_id": row.municipality_id,
        "title": row.title,
        "description": row.description,
        "budget": row.budget,
        "location_name": row.location_name,
        "origin_request_id": row.origin_request_id,
        "team_accepted_at": row.team_accepted_at,
        "roles": roles,
    }


@blp.get("/projects")
@blp.arguments(PageQuery, location="query")
@blp.response(200, ProjectPage, headers=LINK_HEADER)
def list_projects(paging):
    """The municipality's projects, newest first."""
    actor = auth.require_role(UserRole.COORDINATOR)
    body, headers = paginate(service.projects_of(db(), actor.municipality_id), paging)
    body["items"] = [project_document(row) for row in body["items"]]
    return body, headers


@blp.post("/projects")
@blp.arguments(ProjectIn)
@blp.response(201, Project)
def create_project(data):
    """A project with its roles (each: a skill, hours per week, ISO weeks from-to)."""
    actor = auth.require_role(UserRole.COORDINATOR)
    roles = [service.ProjectRoleInput(**role) for role in data["roles"]]
    project = service.ProjectInput(
        municipality_id=actor.municipality_id,
        title=data["title"],
        place_id=data["place_id"],
        description=data["description"],
        budget=data["budget"],
        origin_request_id=data["origin_request_id"],
    )
    return project_document(service.create_project(db(), project, roles, actor=actor, clock=clock()))


@blp.get("/projects/<id:project_id>")
@blp.etag
@blp.response(200, Project)
def get_project(project_id: int):
    """The project with its roles and the team: who is proposed or accepted, and why."""
    actor = auth.require_role(UserRole.COORDINATOR)
    return project_document(service.project_for(db(), project_id, actor=actor))


@blp.post("/projects/<id:project_id>/team/propose")
@blp.response(202, Solve)
def propose_team(project_id: int):
    """Queue a team proposal from the flexible shell; follow it at /solves/{id}."""
    actor = auth.require_role(UserRole.COORDINATOR)
    project = service.project_for(db(), project_id, actor=actor)
    run = queue.enqueue_team_solve(db(), [project.id], actor=actor, time_limit=TEAM_TIME_LIMIT, clock=clock())
    return solve_document(run)


@blp.post("/projects/<id:project_id>/team/accept")
@blp.response(200, Project)
def accept_team(project_id: int):
    """Accept the proposed team: every assignment of the project becomes accepted."""
    actor = auth.require_role(UserRole.COORDINATOR)
    project = service.project_for(db(), project_id, actor=actor)
    service.accept_team(db(), project.id, actor=actor, clock=clock())
    return project_document(project)
