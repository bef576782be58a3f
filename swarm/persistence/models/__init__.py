"""All tables, imported in one place so that ``SQLModel.metadata`` knows every one of them (Alembic reads it)."""

from swarm.persistence.models.accounts import User
from swarm.persistence.models.operations import CalendarFeed, OutboxMessage, SolveRun
from swarm.persistence.models.planning import PlanningRound, Slot, Venue, VenueUnavailability
from swarm.persistence.models.professionals import (
    Availability,
    Professional,
    ProfessionalSkill,
    QualificationDocument,
    WeekCapacity,
)
from swarm.persistence.models.projects import Assignment, Project, ProjectPreference, ProjectRole
from swarm.persistence.models.regions import Municipality, Place, Region, Skill
from swarm.persistence.models.requests import (
    RequestExclusion,
    RequestNeed,
    RequestSlot,
    RequestVenue,
    SwarmRequest,
)
from swarm.persistence.models.rolebook import Role, RoleSkill
from swarm.persistence.models.schedule import Invitation, Pin, Seat, Session, SessionTable

__all__ = [
    "Assignment",
    "Availability",
    "CalendarFeed",
    "Invitation",
    "Municipality",
    "OutboxMessage",
    "Pin",
    "Place",
    "PlanningRound",
    "Professional",
    "ProfessionalSkill",
    "Project",
    "ProjectPreference",
    "ProjectRole",
    "QualificationDocument",
    "Region",
    "RequestExclusion",
    "RequestNeed",
    "RequestSlot",
    "RequestVenue",
    "Role",
    "RoleSkill",
    "Seat",
    "Session",
    "SessionTable",
    "Skill",
    "Slot",
    "SolveRun",
    "SwarmRequest",
    "User",
    "Venue",
    "VenueUnavailability",
    "WeekCapacity",
]
