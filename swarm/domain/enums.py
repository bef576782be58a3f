"""The closed vocabularies of the domain. Values are what the database and the solver formats store."""

from __future__ import annotations

from enum import StrEnum


class AvailabilityAnswer(StrEnum):
    YES = "yes"
    MAYBE = "maybe"  # "if need be" (misschien)
    NO = "no"


class RequestStatus(StrEnum):
    DRAFT = "draft"
    WAITING = "waiting"  # submitted while no round takes requests: joins the next round when it opens
    OPEN = "open"  # in a round: professionals mark their availability for its candidate slots
    PLANNED = "planned"
    HELD = "held"


class DocumentKind(StrEnum):
    KVK_EXTRACT = "kvk_extract"
    VOG = "vog"  # certificate of conduct
    LIABILITY_INSURANCE = "liability_insurance"


class DocumentStatus(StrEnum):
    """Where an uploaded qualification document stands: only an approved one counts (``rules.qualification_on``)."""

    PENDING = "pending"  # uploaded, waiting for an organizer's check
    APPROVED = "approved"  # checked; valid until its expiry date
    REJECTED = "rejected"  # checked and refused, with a reason the professional sees


class SessionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class InvitationResponse(StrEnum):
    """A professional's answer to an invitation. The values are iCalendar PARTSTAT in lower case: the calendars
    write them upper-case (``swarm.calendars.partstat``), the database stores them as they are."""

    NEEDS_ACTION = "needs-action"
    ACCEPTED = "accepted"
    TENTATIVE = "tentative"  # "if need be" (misschien)
    DECLINED = "declined"

    @classmethod
    def from_reply(cls, reply: str) -> InvitationResponse | None:
        """The answer a reply word of the web app stands for (accept, maybe, decline); None for any other."""
        return _REPLIES.get(str(reply).lower())


_REPLIES = {
    "accept": InvitationResponse.ACCEPTED,
    "maybe": InvitationResponse.TENTATIVE,
    "decline": InvitationResponse.DECLINED,
}


class PinKind(StrEnum):
    """An organizer's decision the next solve must respect."""

    INCLUDE = "include"  # seat this professional in the request's session
    EXCLUDE = "exclude"  # keep this professional out of it


class SolveKind(StrEnum):
    SWARM = "swarm"
    SHELL = "shell"


class SolveStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class AssignmentStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"


class ProjectStance(StrEnum):
    """How a coordinator marks a professional for a project's team proposal."""

    PREFERRED = "preferred"
    EXCLUDED = "excluded"


class UserRole(StrEnum):
    COORDINATOR = "coordinator"
    PROFESSIONAL = "professional"
    ORGANIZER = "organizer"
    ADMINISTRATOR = (
        "administrator"  # sets the installation up: regions, municipalities, venues, staff accounts
    )


# Municipal and regional staff, as opposed to professionals (freelancers). Staff may log in through the
# municipality's single sign-on, and an installation can switch their passwords off.
STAFF_ROLES = frozenset({UserRole.COORDINATOR, UserRole.ORGANIZER, UserRole.ADMINISTRATOR})


class TokenPurpose(StrEnum):
    """What a one-time link in a mail is for; each has its own lifetime (``swarm.domain.tokens``)."""

    INVITE = "invite"  # a new staff account sets its first password
    RESET = "reset"  # a forgotten password
    CONFIRM = "confirm"  # a self-registered professional confirms the e-mail address


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class IcsMethod(StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"
    PUBLISH = "PUBLISH"


class FeedOwner(StrEnum):
    PROFESSIONAL = "professional"
    ORGANIZER = "organizer"
    MUNICIPALITY = "municipality"


class PlanningRoundStatus(StrEnum):
    OPEN = "open"  # collecting requests and availability until its deadline, then being planned
    PLANNED = "planned"  # a schedule has been published
    CLOSED = "closed"  # finished by its organizer: no more planning, repairs or requests


class RoundOutcome(StrEnum):
    """Why a request left a round unplanned (``RequestRound``)."""

    UNSCHEDULED = "unscheduled"  # the engine left it out; its result says why
    SESSION_CANCELLED = "session_cancelled"  # it was planned, and its session was called off
    NOT_SOLVED = "not_solved"  # the round ended without a plan for it


class RoundPhase(StrEnum):
    """Where a round stands, derived from its status and deadline (``lifecycle.round_phase``)."""

    TAKING_REQUESTS = "taking_requests"  # open, before its availability deadline
    PLANNING = "planning"  # open, the availability poll has closed: solve, review, publish
    PUBLISHED = "published"
    CLOSED = "closed"


class AuditKind(StrEnum):
    """What an audit record says happened (``swarm.services.ops.audit``); the web words each in Dutch or English."""

    LOGIN_FAILED = "login_failed"  # a wrong password, or an unknown or switched-off account
    LOGIN_LOCKED = "login_locked"  # too many attempts: the throttle locked the account or the client address
    ACCOUNT_CREATED = "account_created"
    ACCOUNT_SWITCHED_OFF = "account_switched_off"
    ACCOUNT_SWITCHED_ON = "account_switched_on"
    PASSWORD_CHANGED = "password_changed"
    STAFF_INVITED = "staff_invited"
    STAFF_INVITATION_RESENT = "staff_invitation_resent"
    DOCUMENT_APPROVED = "document_approved"
    DOCUMENT_REJECTED = "document_rejected"
    DOCUMENT_RECORDED = "document_recorded"  # checked outside the app: approved without a file
    POLICY_CHANGED = "policy_changed"
    PIN_SET = "pin_set"
    PIN_REMOVED = "pin_removed"
    SOLVE_STARTED = "solve_started"
    SOLVE_STOPPED = "solve_stopped"
    ROUND_PUBLISHED = "round_published"
    INVITATION_DECLINED = "invitation_declined"
    REPAIR_PUBLISHED = "repair_published"
    DATA_EXPORTED = "data_exported"
    DATA_ERASED = "data_erased"
