"""Words for the domain's status values, in the page's language."""

from __future__ import annotations

from flask_babel import format_date, gettext
from flask_babel import lazy_gettext as _l

from swarm.domain.documents import Standing
from swarm.domain.enums import (
    AuditKind,
    DocumentStatus,
    InvitationResponse,
    RequestStatus,
    RoundOutcome,
    RoundPhase,
    SessionStatus,
    SolveStatus,
    UserRole,
)
from swarm.services.people.qualifications import SYSTEM_REASONS
from swarm.webapp.forms.errors import error_summary, has_errors

LABELS = {
    RequestStatus.DRAFT: _l("draft"),
    RequestStatus.WAITING: _l("submitted, waits for the next round"),
    RequestStatus.OPEN: _l("open for availability"),
    RequestStatus.PLANNED: _l("planned"),
    RequestStatus.HELD: _l("held"),
    SessionStatus.DRAFT: _l("draft"),
    SessionStatus.PUBLISHED: _l("published"),
    SessionStatus.CANCELLED: _l("cancelled"),
    SolveStatus.QUEUED: _l("waiting to start"),
    SolveStatus.RUNNING: _l("running"),
    SolveStatus.SUCCEEDED: _l("finished"),
    SolveStatus.FAILED: _l("failed"),
    SolveStatus.CANCELLED: _l("stopped"),
}
PHASES = {
    RoundPhase.TAKING_REQUESTS: _l("taking questions and availability"),
    RoundPhase.PLANNING: _l("availability closed, being planned"),
    RoundPhase.PUBLISHED: _l("published"),
    RoundPhase.CLOSED: _l("closed"),
}
OUTCOMES = {  # when the engine's own reason is not known
    RoundOutcome.UNSCHEDULED: _l("The planner left it out."),
    RoundOutcome.SESSION_CANCELLED: _l("Its session was cancelled."),
    RoundOutcome.NOT_SOLVED: _l("The round ended without a plan for it."),
}
RESPONSES = {
    InvitationResponse.NEEDS_ACTION: _l("no answer yet"),
    InvitationResponse.ACCEPTED: _l("accepted"),
    InvitationResponse.TENTATIVE: _l("tentative"),
    InvitationResponse.DECLINED: _l("declined"),
}


ROLES = {
    UserRole.COORDINATOR: _l("HR coordinator"),
    UserRole.PROFESSIONAL: _l("Professional"),
    UserRole.ORGANIZER: _l("Organizer"),
    UserRole.ADMINISTRATOR: _l("Administrator"),
}


TERMS = {  # the score terms of both engines (solver/swarm/evaluate.py, solver/shell/score.py)
    "scheduled": _l("questions planned (by priority)"),
    "skill": _l("skills at the tables"),
    "maybe": _l("people who said 'if need be'"),
    "travel_km": _l("travel distance"),
    "fairness": _l("equal treatment (recent invitations)"),
    "repeat_table": _l("same table in several rounds"),
    "change": _l("changes to the published plan"),
    "filled_hour": _l("hours filled"),
    "euro": _l("costs (hourly rates)"),
    "level": _l("skill level above the minimum asked"),
    "preferred": _l("preferred by the project"),
}


STAGES = {  # every stage the engines report (solver/swarm/engine.py, solver/shell/solve.py) and the worker's own
    "snapshot": _l("gathering the roles and the professionals"),
    "eligibility": _l("who may sit where"),
    "candidates": _l("candidate sessions"),
    "bound": _l("proving a bound"),
    "sessions": _l("choosing sessions"),
    "people": _l("seating people"),
    "rotation": _l("rotating between tables"),
    "improvement": _l("improving"),
    "greedy": _l("first plan"),
    "exact": _l("exact"),
    "cp-sat": _l("searching"),
    "first schedule": _l("first schedule"),
    "repack": _l("repacking the sessions"),
    "ties": _l("settling ties"),
    "rounding": _l("rounding the bound's plan"),
    "local": _l("local improvements"),
    "linked": _l("improving linked roles"),
}


STANDINGS = {
    Standing.MISSING: _l("Not uploaded yet"),
    Standing.PENDING: _l("Waiting for a check"),
    Standing.REJECTED: _l("Rejected"),
    Standing.APPROVED: _l("Approved"),
    Standing.EXPIRES_SOON: _l("Expires soon"),
    Standing.EXPIRED: _l("Expired"),
}


AUDIT_KINDS = {
    AuditKind.LOGIN_FAILED: _l("Login failed"),
    AuditKind.LOGIN_LOCKED: _l("Login locked after too many attempts"),
    AuditKind.ACCOUNT_CREATED: _l("Account created"),
    AuditKind.ACCOUNT_SWITCHED_OFF: _l("Account switched off"),
    AuditKind.ACCOUNT_SWITCHED_ON: _l("Account switched on"),
    AuditKind.PASSWORD_CHANGED: _l("Password changed"),
    AuditKind.STAFF_INVITED: _l("Staff member invited"),
    AuditKind.STAFF_INVITATION_RESENT: _l("Staff invitation sent again"),
    AuditKind.DOCUMENT_APPROVED: _l("Document approved"),
    AuditKind.DOCUMENT_REJECTED: _l("Document rejected"),
    AuditKind.DOCUMENT_RECORDED: _l("Checked document recorded"),
    AuditKind.POLICY_CHANGED: _l("Policy changed"),
    AuditKind.PIN_SET: _l("Pin set"),
    AuditKind.PIN_REMOVED: _l("Pin removed"),
    AuditKind.SOLVE_STARTED: _l("Solve started"),
    AuditKind.SOLVE_STOPPED: _l("Solve stopped"),
    AuditKind.ROUND_PUBLISHED: _l("Round published"),
    AuditKind.INVITATION_DECLINED: _l("Invitation declined"),
    AuditKind.REPAIR_PUBLISHED: _l("Repair published"),
    AuditKind.DATA_EXPORTED: _l("Personal data downloaded"),
    AuditKind.DATA_ERASED: _l("Personal data erased"),
}
AUDIT_ACTORS = {"system": _l("the system"), "anonymous": _l("not logged in")}
AUDIT_SUBJECTS = {
    "user": _l("account"),
    "professional": _l("professional"),
    "document": _l("document"),
    "region": _l("region"),
    "request": _l("question"),
    "solve_run": _l("solve"),
    "planning_round": _l("round"),
    "invitation": _l("invitation"),
}


def audit_subject_label(record) -> str:
    """What a record concerns: a kind of row and its number."""
    if not record.subject_type:
        return ""
    return f"{AUDIT_SUBJECTS.get(record.subject_type, record.subject_type)} #{record.subject_id}"


def audit_facts_text(record) -> str:
    """A record's facts in one line: ``kind: vog · professional_id: 7``; a change as ``before → after``."""

    def shown(value) -> str:
        if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], (list, dict)):
            return f"{value[0]} → {value[1]}"
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        if isinstance(value, dict):
            return "; ".join(f"{k}: {shown(v)}" for k, v in sorted(value.items()))
        return str(value)

    return " · ".join(f"{key}: {shown(value)}" for key, value in sorted((record.facts or {}).items()))


def audit_kind_label(value) -> str:
    """What an audit record says happened, in the page's language."""
    try:
        return str(AUDIT_KINDS[AuditKind(value)])
    except (ValueError, KeyError):
        return str(value)


def audit_actor_label(record) -> str:
    """Who acted: a staff member's name, a role with the account's number, the system or someone not logged in."""
    if record.actor_role in AUDIT_ACTORS:
        return str(AUDIT_ACTORS[record.actor_role])
    who = record.actor_name or role_label(record.actor_role)
    return f"{who} (#{record.actor_id})" if record.actor_id is not None else who


def standing_text(value) -> str:
    return str(STANDINGS.get(Standing(value), value))


def document_reason(reason: str) -> str:
    """A rejection reason: the system's own in the reader's language, an organizer's as written."""
    return gettext(reason) if reason in SYSTEM_REASONS else reason


def document_status_text(document) -> str:
    """One document's outcome in a few words: waiting, approved until a date, rejected."""
    status = DocumentStatus(document.status)
    if status is DocumentStatus.PENDING:
        return gettext("waiting for a check")
    if status is DocumentStatus.REJECTED:
        return gettext("rejected")
    if document.expires_on is None:
        return gettext("approved")
    return gettext("approved until %(date)s", date=format_date(document.expires_on))


def run_error_text(error: str) -> str:
    """A failed solve's stored error in the reader's language when it is a service's refusal (the worker stores
    ``field: message``, e.g. ``roles: The projects have no roles to fill yet.``); anything else as stored."""
    _field, separator, message = (error or "").partition(": ")
    if separator and message and gettext(message) != message:
        return gettext(message)
    return error


def stage_label(name: str) -> str:
    """The solver's current stage in plain words (unknown stages as they are)."""
    return str(STAGES.get(name, name))


def term_label(name: str) -> str:
    return str(TERMS.get(name, name))


def role_label(value) -> str:
    try:
        return str(ROLES[UserRole(value)])
    except ValueError:
        return str(value)


def status_label(value) -> str:
    for enum in (RequestStatus, SessionStatus, SolveStatus):
        try:
            return str(LABELS[enum(value)])
        except (ValueError, KeyError):
            continue
    return str(value)


def phase_label(value) -> str:
    """Where a planning round stands (``RoundPhase``), in the page's language."""
    return str(PHASES.get(RoundPhase(value), value))


def outcome_label(value) -> str:
    """Why a request left a round unplanned (``RoundOutcome``), as a sentence."""
    return str(OUTCOMES.get(RoundOutcome(value), value))


def response_label(value) -> str:
    return str(RESPONSES.get(InvitationResponse(value), value))


def response_summary(invitations) -> str:
    """ "2 accepted, 1 no answer yet" for a session's (invitation, person) pairs; withdrawn ones are left out."""
    counts = {}
    for invitation, _person in invitations:
        if invitation.cancelled_at is None:
            counts[InvitationResponse(invitation.response)] = (
                counts.get(InvitationResponse(invitation.response), 0) + 1
            )
    return ", ".join(f"{counts[r]} {RESPONSES[r]}" for r in RESPONSES if counts.get(r))


def register(app) -> None:
    app.add_template_global(status_label)
    app.add_template_global(phase_label)
    app.add_template_global(outcome_label)
    app.add_template_global(response_label)
    app.add_template_global(role_label)
    app.add_template_global(term_label)
    app.add_template_global(stage_label)
    app.add_template_global(run_error_text)
    app.add_template_global(response_summary)
    app.add_template_global(has_errors)
    app.add_template_global(error_summary)
    app.add_template_global(standing_text)
    app.add_template_global(document_reason)
    app.add_template_global(document_status_text)
    app.add_template_global(audit_kind_label)
    app.add_template_global(audit_actor_label)
    app.add_template_global(audit_subject_label)
    app.add_template_global(audit_facts_text)
