"""All tables, imported in one place so that ``SQLModel.metadata`` knows every one of them (Alembic reads it).

Where each concept lives:

- ``regions``: Region (planning policy: rounds, parallel sessions, score weights, fairness window), Municipality
  (CBS code), Place (GeoNames; the home places people pick), Skill (the catalogue).
- ``rolebook``: Role + RoleSkill, a municipality's role book.
- ``professionals``: Professional, ProfessionalSkill (level 1-3), QualificationDocument (expiry dates; being qualified
  on a date is derived in ``swarm.domain.rules``, never stored), WeekCapacity, Availability (per slot: yes/maybe/no).
- ``planning``: PlanningRound (a region's cycle with its availability deadline; the fairness history counts
  rounds), Slot (UTC), Venue, SlotVenue (the venues free for a slot), RoundCadence + CadenceVenue (the rule
  that opens the next round).
- ``requests``: SwarmRequest (draft -> waiting -> open -> planned -> held) with RequestNeed, RequestSlot,
  RequestVenue, RequestExclusion (conflicts of interest), RequestRound (rounds it left unplanned).
- ``schedule``: Session (slot x venue, stable ``uid``, ``version`` for iCalendar SEQUENCE), SessionTable (one per
  request), Seat (participant x round x table), Invitation (response = PARTSTAT, reasons, a decline's reason), InvitationLink (one-time answer links in
  the mail: hash only), Pin (organizer's decisions).
- ``projects``: Project, ProjectRole (ISO weeks), ProjectPreference (preferred/excluded), Assignment (the team).
- ``accounts``: User (one role, exactly one scope or none for an administrator; ``session_version`` revokes
  logins), AccountToken (one-time links: hash only), LoginThrottle (attempts per account and client address).
- ``exchange``: PendingImport (an uploaded file kept for its preview until the import is confirmed).
- ``operations``: SolveRun (a solve as a job with progress), OutboxMessage (mail written with the change that causes
  it), CalendarFeed (token hash only), FormSubmission (one-time form tokens: a form sent twice creates one thing).
- ``integrations``: ApiToken (personal JSON API tokens: hash only), Webhook (a region's receiver, its secret and
  events) and WebhookDelivery (an event on its way, retried like the outbox).
- ``audit``: AuditRecord (who did what and when; append-only, no foreign keys, purged after its retention).

Every datetime column is an aware UTC instant (``columns.UTCDateTime``); enums are checked strings.
"""

from swarm.persistence.models.accounts import AccountToken, LoginThrottle, User
from swarm.persistence.models.audit import AuditRecord
from swarm.persistence.models.exchange import PendingImport
from swarm.persistence.models.integrations import ApiToken, Webhook, WebhookDelivery
from swarm.persistence.models.operations import CalendarFeed, FormSubmission, OutboxMessage, SolveRun
from swarm.persistence.models.planning import (
    CadenceVenue,
    PlanningRound,
    RoundCadence,
    Slot,
    SlotVenue,
    Venue,
)
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
    RequestRound,
    RequestSlot,
    RequestVenue,
    SwarmRequest,
)
from swarm.persistence.models.rolebook import Role, RoleSkill
from swarm.persistence.models.schedule import Invitation, InvitationLink, Pin, Seat, Session, SessionTable

__all__ = [
    "AccountToken",
    "ApiToken",
    "AuditRecord",
    "Assignment",
    "Availability",
    "CadenceVenue",
    "CalendarFeed",
    "FormSubmission",
    "Invitation",
    "InvitationLink",
    "LoginThrottle",
    "Municipality",
    "OutboxMessage",
    "PendingImport",
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
    "RequestRound",
    "RequestSlot",
    "RequestVenue",
    "Role",
    "RoleSkill",
    "RoundCadence",
    "Seat",
    "Session",
    "SessionTable",
    "Skill",
    "Slot",
    "SlotVenue",
    "SolveRun",
    "SwarmRequest",
    "User",
    "Venue",
    "WeekCapacity",
    "Webhook",
    "WebhookDelivery",
]
