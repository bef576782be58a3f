"""Publishing a round's draft schedule, the professionals' answers, repairs after a decline, and cancellations.

Everything here runs in the caller's one transaction: the sessions change, the invitations change and their mail
enters the outbox together, so readers never see half a schedule and no mail is lost or sent for nothing.

A draft is published by matching it against what is already published: a draft session takes over the published
session that shares most of its requests (or its slot and venue), keeping its calendar UID. When its time, place
or table plan changed, its version (the iCalendar SEQUENCE) goes up and everyone on it gets an update, newcomers
an invitation and people taken off a CANCEL. Published sessions left without a draft are cancelled.

A decline queues a repair of the published schedule alone (see :func:`swarm.services.plan.queue.enqueue_solve`). The organizer's draft
is never published by it: the draft stays a draft, and since it was made before the decline (it may still seat
the person who declined, whom publishing it would invite again) it is out of date. ``publish_round`` refuses an
out-of-date draft and says to solve again; the review page and the repair's notice to the organizer say so too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import defer
from sqlmodel import Session, select

from swarm import calendars as cal
from swarm.config import Config
from swarm.domain.actors import SYSTEM, Actor
from swarm.domain.enums import (
    AuditKind,
    IcsMethod,
    InvitationResponse,
    PlanningRoundStatus,
    RequestStatus,
    SessionStatus,
    UserRole,
)
from swarm.domain.errors import N_, InvalidTransition, ValidationError
from swarm.domain.refs import professional_ref
from swarm.domain.timeutil import Clock, system_clock
from swarm.mail import MailKind, session_mail
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import (
    Invitation,
    PlanningRound,
    Professional,
    Seat,
    SessionTable,
    Slot,
    SolveRun,
    SwarmRequest,
)
from swarm.persistence.models import Session as SwarmSession
from swarm.services.lookup import get
from swarm.services.ops import audit, webhooks
from swarm.services.ops.outbox import enqueue_mail, mail_host
from swarm.services.ops.session_calendar import attendee_key, removed_attendee, session_view
from swarm.services.plan.answer_links import issue_answer_links, use_answer_link
from swarm.services.plan.draft import (
    published_sessions,
    round_declines,
    schedule_basis,
    store_swarm_schedule,
)
from swarm.services.plan.queue import REPAIR, enqueue_solve
from swarm.services.plan.requests import move_request
from swarm.services.plan.rounds import roll_over_requests

REMOVED = "removed"  # a CANCEL to one person taken off a session that goes on
DECLINE_REASON_LIMIT = 500  # characters of a decline's reason the organizer reads

STALE_DRAFT = N_(
    "The published schedule changed after this draft was made (for instance a decline was repaired). "
    "Solve again; this draft cannot be published."
)


@dataclass
class PublishReport:
    published: list[int] = field(default_factory=list)  # session ids published for the first time
    updated: list[int] = field(default_factory=list)  # published sessions whose time, place or plan changed
    cancelled: list[int] = field(default_factory=list)
    mails: int = 0


def publish_round(
    session: Session, planning_round_id: int, *, actor: Actor, config: Config, clock: Clock = system_clock
) -> PublishReport:
    """Publish the round's draft schedule: sessions, invitations with reasons, and their mail, at once."""
    planning_round = get(session, PlanningRound, planning_round_id)
    actor.require_region(planning_round.region_id)
    drafts = _sessions(session, planning_round.id, SessionStatus.DRAFT)
    if not drafts:
        raise ValidationError(
            "planning_round_id", N_("There is no draft schedule to publish; solve the round first.")
        )
    if draft_is_stale(session, planning_round.id):
        raise ValidationError("planning_round_id", STALE_DRAFT)
    report = _apply(session, planning_round, drafts, config=config, clock=clock)
    _record(session, AuditKind.ROUND_PUBLISHED, planning_round, report, actor, clock)
    return report


def _record(
    session: Session,
    kind: AuditKind,
    planning_round: PlanningRound,
    report: PublishReport,
    actor: Actor,
    clock: Clock,
    **facts,
) -> None:
    audit.record(
        session,
        kind,
        actor=actor,
        clock=clock,
        region_id=planning_round.region_id,
        subject=("planning_round", planning_round.id),
        facts={
            "published": len(report.published),
            "updated": len(report.updated),
            "cancelled": len(report.cancelled),
            "mails": report.mails,
            **facts,
        },
    )


def preview_publish(
    session: Session, planning_round_id: int, *, actor: Actor, config: Config, clock: Clock = system_clock
) -> PublishReport:
    """What publishing the draft now would do (sessions and mails), without doing it: the organizer confirms it.

    The very publish runs inside a savepoint that is rolled back, so the count is the one publishing would give
    (the same matching, the same mails) and nothing of it stays; refusals are those of :func:`publish_round`.
    """
    savepoint = session.begin_nested()
    try:
        return publish_round(session, planning_round_id, actor=actor, config=config, clock=clock)
    finally:
        savepoint.rollback()


def draft_is_stale(
    session: Session,
    planning_round_id: int,
    *,
    drafts: list[SwarmSession] | None = None,
    runs: Sequence[SolveRun] = (),
) -> bool:
    """Whether the round's draft was made before the published schedule or a decline changed (False: no draft).

    A solved draft carries the ``basis`` of its instance snapshot; a draft imported from a file (no run) is
    compared by time: anything published, changed, cancelled or declined after it was stored. A caller that has
    read the round's draft sessions (all of them) or some of its solve runs already gives them, and they are not
    read again.
    """
    if drafts is None:
        drafts = _sessions(session, planning_round_id, SessionStatus.DRAFT)
    if not drafts:
        return False
    drafts = sorted(drafts, key=lambda draft: draft.id)
    run_id = drafts[0].solve_run_id
    run = next((known for known in runs if known.id == run_id), None) if run_id is not None else None
    if run is None and run_id is not None:
        run = session.exec(
            select(SolveRun)
            .options(defer(SolveRun.input), defer(SolveRun.result))  # type: ignore[arg-type]
            .where(SolveRun.id == run_id)
        ).first()
    basis = (run.parameters or {}).get("basis") if run is not None else None
    if basis is not None:
        return basis != schedule_basis(session, planning_round_id)
    made = min(d.created_at for d in drafts)
    changed = sa.or_(
        SwarmSession.published_at > made, SwarmSession.updated_at > made, SwarmSession.cancelled_at > made
    )
    later_session = session.exec(
        published_sessions(planning_round_id, SwarmSession.id).where(changed)
    ).first()
    later_decline = session.exec(
        round_declines(planning_round_id).where(Invitation.responded_at > made)
    ).first()
    return later_session is not None or later_decline is not None


def apply_repair(
    session: Session,
    planning_round: PlanningRound,
    result: dict,
    *,
    run: SolveRun,
    config: Config,
    clock: Clock,
) -> PublishReport | None:
    """Publish a repair run's result over the published schedule, leaving the organizer's draft alone.

    A repair solved against a published schedule that has changed since (the organizer published or cancelled,
    another repair landed) would undo that change: it is not applied, and a fresh repair is queued instead
    (None). The fresh one is refused, and nothing is queued, when nothing of the round is published any more.
    """
    basis = (run.parameters or {}).get("basis") or {}
    if basis.get("published") != schedule_basis(session, planning_round.id)["published"]:
        with contextlib.suppress(ValidationError):  # refused: nothing published is left to repair
            enqueue_solve(session, planning_round.id, actor=SYSTEM, purpose=REPAIR, clock=clock)
        return None
    rows = store_swarm_schedule(
        session,
        planning_round.region_id,
        result,
        planning_round_id=planning_round.id,
        solve_run_id=run.id,
        keep_draft=True,
        clock=clock,
    )
    report = _apply(session, planning_round, rows, config=config, clock=clock)
    _record(session, AuditKind.REPAIR_PUBLISHED, planning_round, report, SYSTEM, clock, solve_run_id=run.id)
    return report


def _apply(
    session: Session,
    planning_round: PlanningRound,
    drafts: list[SwarmSession],
    *,
    config: Config,
    clock: Clock,
) -> PublishReport:
    """Make these draft sessions the round's published schedule (the organizer's draft, or a repair's result)."""
    now = clock()
    published = _sessions(session, planning_round.id, SessionStatus.PUBLISHED)
    requests = {s.id: _requests_of(session, s.id) for s in drafts + published}
    report, sends = PublishReport(), []
    free = list(published)
    for draft in drafts:
        target = _best_match(draft, free, requests)
        if target is None:
            _publish_new(session, draft, now, sends)
            report.published.append(draft.id)
            continue
        free.remove(target)
        if _take_over(session, draft, target, now, sends):
            report.updated.append(target.id)
    for gone in free:
        _cancel(session, gone, now, sends)
        report.cancelled.append(gone.id)
    session.flush()
    _update_request_statuses(session, planning_round, clock)
    if planning_round.status == PlanningRoundStatus.OPEN:
        planning_round.status = PlanningRoundStatus.PLANNED
    planning_round.published_at = planning_round.published_at or now
    session.add(planning_round)
    session.flush()
    report.mails = _send(session, sends, config, clock)
    # What the plan left out moves on at once if a later round already takes requests (else when one opens).
    roll_over_requests(session, planning_round.region_id, clock=clock)
    live = _sessions(session, planning_round.id, SessionStatus.PUBLISHED)
    webhooks.emit(
        session,
        planning_round.region_id,
        webhooks.SCHEDULE_PUBLISHED,
        {
            "planning_round_id": planning_round.id,
            "round": planning_round.name,
            "sessions": len(live),
            "published": len(report.published),
            "updated": len(report.updated),
            "cancelled": len(report.cancelled),
            "link": f"{config.base_url.rstrip('/')}/organizer/review",
        },
        clock=clock,
    )
    return report


def _sessions(session: Session, planning_round_id: int, status: SessionStatus) -> list[SwarmSession]:
    return list(
        session.exec(
            select(SwarmSession)
            .where(SwarmSession.planning_round_id == planning_round_id, SwarmSession.status == status)
            .order_by(SwarmSession.id)
        )
    )


def _requests_of(session: Session, session_id: int) -> set[int]:
    return set(session.exec(select(SessionTable.request_id).where(SessionTable.session_id == session_id)))


def _best_match(draft: SwarmSession, free: list[SwarmSession], requests: dict) -> SwarmSession | None:
    def closeness(candidate: SwarmSession) -> tuple[int, bool]:
        same_place = (candidate.slot_id, candidate.venue_id) == (draft.slot_id, draft.venue_id)
        return len(requests[candidate.id] & requests[draft.id]), same_place

    best = max(free, key=closeness, default=None)
    return best if best is not None and any(closeness(best)) else None


def _invitations(session: Session, session_id: int) -> dict[int, Invitation]:
    rows = session.exec(select(Invitation).where(Invitation.session_id == session_id))
    return {row.professional_id: row for row in rows}


def _plan(session: Session, row: SwarmSession) -> tuple:
    """Time, place and who sits at which table in which round: what a calendar update is about."""
    tables = session.exec(
        select(SessionTable).where(SessionTable.session_id == row.id).order_by(SessionTable.position)
    ).all()
    seats = session.exec(select(Seat).where(Seat.session_id == row.id)).all()
    return (
        row.slot_id,
        row.venue_id,
        row.rounds,
        tuple(
            (t.request_id, tuple(sorted((s.round, s.professional_id) for s in seats if s.table_id == t.id)))
            for t in tables
        ),
    )


def _same_frame(one: tuple, other: tuple) -> bool:
    def frame(plan: tuple) -> tuple:
        slot, venue, rounds, tables = plan
        return slot, venue, rounds, {request for request, _ in tables}

    return frame(one) == frame(other)


def _changes(old_plan: tuple, new_plan: tuple, person: int) -> tuple[cal.Change, ...]:
    """What changed for this person: the time, the place, their own tables round by round."""

    def own(plan: tuple) -> list:
        return sorted((k, request) for request, seats in plan[3] for k, p in seats if p == person)

    found = []
    if old_plan[0] != new_plan[0]:
        found.append(cal.Change.TIME)
    if old_plan[1] != new_plan[1]:
        found.append(cal.Change.PLACE)
    if own(old_plan) != own(new_plan):
        found.append(cal.Change.TABLES)
    return tuple(found)


def _publish_new(session: Session, draft: SwarmSession, now: datetime, sends: list) -> None:
    draft.status, draft.published_at, draft.version = SessionStatus.PUBLISHED, now, 0
    session.add(draft)
    for invitation in _invitations(session, draft.id).values():
        invitation.sequence, invitation.sent_at = 0, now
        session.add(invitation)
        sends.append((draft.id, MailKind.INVITATION, invitation.professional_id, ()))


def _take_over(
    session: Session, draft: SwarmSession, target: SwarmSession, now: datetime, sends: list
) -> bool:
    """Move the draft's plan into the published session ``target``; False when nothing changed."""
    old, new = _invitations(session, target.id), _invitations(session, draft.id)
    active = {person for person, row in old.items() if row.cancelled_at is None}
    old_plan, new_plan = _plan(session, target), _plan(session, draft)
    if set(new) == active and _same_frame(new_plan, old_plan):
        # Same time, place, questions and people: the published table plan stays valid, and the engine's rotation
        # of the same people (it may differ from run to run) is not worth an update to everyone.
        _delete_session(session, draft.id)
        return False
    moved = (draft.slot_id, draft.venue_id) != (target.slot_id, target.venue_id)
    for model in (Seat, SessionTable):
        session.execute(sa.delete(model).where(model.session_id == target.id))
        session.execute(sa.update(model).where(model.session_id == draft.id).values(session_id=target.id))
    target.slot_id, target.venue_id, target.rounds = draft.slot_id, draft.venue_id, draft.rounds
    target.solve_run_id, target.updated_at = draft.solve_run_id, now
    target.version += 1
    session.add(target)
    for person, fresh in new.items():
        kept = old.get(person)
        if kept is None:
            fresh.session_id, fresh.sequence, fresh.sent_at = target.id, target.version, now
            session.add(fresh)
            sends.append((target.id, MailKind.INVITATION, person, ()))
            continue
        kind = MailKind.UPDATE if kept.cancelled_at is None else MailKind.INVITATION
        if kept.cancelled_at is not None or moved:  # a new time or place asks for a new answer
            kept.response, kept.responded_at = InvitationResponse.NEEDS_ACTION, None
        kept.reasons, kept.sequence, kept.sent_at, kept.cancelled_at = (
            fresh.reasons,
            target.version,
            now,
            None,
        )
        session.add(kept)
        session.delete(fresh)
        sends.append((target.id, kind, person, _changes(old_plan, new_plan, person)))
    for person in active - set(new):
        gone = old[person]
        gone.cancelled_at, gone.sequence = now, target.version
        session.add(gone)
        sends.append((target.id, REMOVED, person, ()))
    session.flush()
    _delete_session(session, draft.id)
    return True


def _delete_session(session: Session, session_id: int) -> None:
    session.flush()
    for model in (Seat, Invitation, SessionTable):
        session.execute(sa.delete(model).where(model.session_id == session_id))
    session.execute(sa.delete(SwarmSession).where(SwarmSession.id == session_id))
    session.expire_all()


def _cancel(session: Session, row: SwarmSession, now: datetime, sends: list) -> None:
    row.status, row.cancelled_at, row.updated_at = SessionStatus.CANCELLED, now, now
    row.version += 1
    session.add(row)
    for invitation in _invitations(session, row.id).values():
        if invitation.cancelled_at is None:
            invitation.sequence = row.version
            session.add(invitation)
            sends.append((row.id, MailKind.CANCELLATION, invitation.professional_id, ()))


def _update_request_statuses(session: Session, planning_round: PlanningRound, clock: Clock) -> None:
    """Requests at a published table are planned; planned ones that lost their table are open again."""
    seated = set(
        session.exec(
            select(SessionTable.request_id)
            .join(SwarmSession, SwarmSession.id == SessionTable.session_id)
            .where(
                SwarmSession.planning_round_id == planning_round.id,
                SwarmSession.status == SessionStatus.PUBLISHED,
            )
        )
    )
    rows = session.exec(select(SwarmRequest).where(SwarmRequest.planning_round_id == planning_round.id))
    for request in rows:
        if request.id in seated and request.status == RequestStatus.OPEN:
            move_request(request, RequestStatus.PLANNED, planned_at=clock())
        elif request.id not in seated and request.status == RequestStatus.PLANNED:
            move_request(request, RequestStatus.OPEN, planned_at=None)
        session.add(request)


def _send(session: Session, sends: list, config: Config, clock: Clock) -> int:
    """Write every mail of the change into the outbox, rendered from the rows as they now are."""
    host, stamp, views, count = mail_host(config), clock(), {}, 0
    base = config.base_url.rstrip("/")
    respond_url = f"{base}/professional/invitations"
    for session_id, kind, person, changed in sends:
        if session_id not in views:
            views[session_id] = session_view(session, session.get(SwarmSession, session_id), config)
        view = views[session_id]
        if kind == REMOVED:
            attendee, language = removed_attendee(session, person)
            kind = MailKind.CANCELLATION
        else:
            attendee, language = (
                view.calendar.attendee(attendee_key(person)),
                view.language_of[attendee_key(person)],
            )
        answer_urls = {}
        if kind in (MailKind.INVITATION, MailKind.UPDATE):
            invitation = session.exec(
                select(Invitation).where(
                    Invitation.session_id == session_id, Invitation.professional_id == person
                )
            ).one()
            secrets = issue_answer_links(session, invitation, expires_at=view.calendar.end, clock=clock)
            answer_urls = {answer: f"{base}/answer/{secret}" for answer, secret in secrets.items()}
        message = session_mail(
            kind,
            view.calendar,
            attendee,
            host=host,
            stamp=stamp,
            language=language,
            changed=changed,
            respond_url=respond_url,
            answer_urls=answer_urls,
        )
        count += enqueue_mail(session, message, region_id=view.row.region_id, clock=clock)
    return count


# -- answers and changes ----------------------------------------------------------------------------------------


def respond_to_invitation(
    session: Session,
    invitation_id: int,
    response: str,
    *,
    reason: str = "",
    actor: Actor,
    clock: Clock = system_clock,
) -> Invitation:
    """Accept, if need be (maybe) or decline; a decline queues a repair of the round (people and mail follow).

    A decline may say why (``reason``, at most 500 characters): the organizer reads it beside the session.
    """
    invitation = get(session, Invitation, invitation_id)
    actor.require_professional(invitation.professional_id)
    answer = InvitationResponse.from_reply(response)
    if answer is None:
        raise ValidationError("response", N_("Answer accept, maybe or decline."))
    reason = " ".join((reason or "").split()) if answer == InvitationResponse.DECLINED else ""
    if len(reason) > DECLINE_REASON_LIMIT:
        raise ValidationError("reason", N_("Keep it to at most 500 characters."))
    row = get(session, SwarmSession, invitation.session_id)
    if row.status != SessionStatus.PUBLISHED or invitation.cancelled_at is not None:
        raise ValidationError("response", N_("This invitation is no longer open."))
    if get(session, Slot, row.slot_id).starts_at <= clock():
        raise ValidationError("response", N_("This session has already started."))
    newly_declined = answer == InvitationResponse.DECLINED and invitation.response != answer
    invitation.response, invitation.responded_at = answer, clock()
    invitation.decline_reason = reason
    person = get(session, Professional, invitation.professional_id)
    person.last_active_at = clock()  # an answer counts as activity for the retention period
    session.add_all([invitation, person])
    session.flush()
    if newly_declined:
        audit.record(
            session,
            AuditKind.INVITATION_DECLINED,
            actor=actor,
            clock=clock,
            region_id=row.region_id,
            subject=("invitation", invitation.id),
            facts={"session_id": row.id, "planning_round_id": row.planning_round_id},
        )
        enqueue_solve(session, row.planning_round_id, actor=SYSTEM, purpose=REPAIR, clock=clock)
        slot = get(session, Slot, row.slot_id)
        webhooks.emit(  # who declined only as the region's own reference, no personal data
            session,
            row.region_id,
            webhooks.INVITATION_DECLINED,
            {
                "invitation_id": invitation.id,
                "session_id": row.id,
                "planning_round_id": row.planning_round_id,
                "professional": professional_ref(invitation.professional_id),
                "slot": slot.code,
                "starts_at": slot.starts_at.isoformat(),
            },
            clock=clock,
        )
    return invitation


def answer_by_link(
    session: Session, secret: str, *, reason: str = "", clock: Clock = system_clock
) -> Invitation:
    """Answer with a one-time link from the mail (no login: the link stands for its professional), using it up.

    Refused links raise ``AnswerLinkRefused``; an answer the invitation no longer takes raises ValidationError and
    the caller rolls back, so the link stays usable.
    """
    found = use_answer_link(session, secret, clock=clock)
    professional_id = found.invitation.professional_id
    owner = Actor(role=UserRole.PROFESSIONAL, professional_id=professional_id)
    return respond_to_invitation(
        session, found.invitation.id, found.link.answer, reason=reason, actor=owner, clock=clock
    )


def cancel_session(
    session: Session, session_id: int, *, actor: Actor, config: Config, clock: Clock = system_clock
) -> SwarmSession:
    """Call a published session off: everyone on it gets a CANCEL, its requests are open again."""
    row = get(session, SwarmSession, session_id)
    actor.require_region(row.region_id)
    if row.status != SessionStatus.PUBLISHED:
        raise InvalidTransition("session", str(row.status), SessionStatus.CANCELLED.value)
    sends: list = []
    _cancel(session, row, clock(), sends)
    session.flush()
    _update_request_statuses(session, get(session, PlanningRound, row.planning_round_id), clock)
    _send(session, sends, config, clock)
    return row


def invitations_of(session: Session, professional_id: int, *, actor: Actor) -> list[Invitation]:
    """A professional's invitations to published sessions, soonest first."""
    actor.require_professional(professional_id)
    return list(
        session.exec(
            select(Invitation)
            .join(SwarmSession, SwarmSession.id == Invitation.session_id)
            .join(Slot, Slot.id == SwarmSession.slot_id)
            .where(
                Invitation.professional_id == professional_id,
                SwarmSession.status == SessionStatus.PUBLISHED,
                Invitation.cancelled_at.is_(None),
            )
            .order_by(Slot.starts_at)
        )
    )


def invitation_calendar(
    session: Session, invitation_id: int, *, actor: Actor, config: Config, clock: Clock = system_clock
) -> tuple[str, bytes]:
    """One invitation's session as an .ics file to add to a calendar (no METHOD: an event, not an iTIP message):
    the professional's own table plan and reasons, the organizer and themselves only. Its file name and bytes."""
    invitation = get(session, Invitation, invitation_id)
    actor.require_professional(invitation.professional_id)
    row = get(session, SwarmSession, invitation.session_id)
    if row.status != SessionStatus.PUBLISHED or invitation.cancelled_at is not None:
        raise ValidationError("invitation_id", N_("This invitation is no longer open."))
    view = session_view(session, row, config)
    key = attendee_key(invitation.professional_id)
    data = cal.caldav_object(
        view.calendar,
        view.calendar.attendee(key),
        host=mail_host(config),
        stamp=clock(),
        language=view.language_of[key],
    )
    return f"zwermsessie-{get(session, Slot, row.slot_id).code}.ics", data


def export_ics(engine: sa.Engine, out_dir: Path, config: Config, clock: Clock = system_clock) -> list[Path]:
    """Write every published session's invitation, one ``<session uid>-<attendee>.ics`` per attendee."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written, host, stamp = [], mail_host(config), clock()
    with unit_of_work(engine) as session:
        for row in session.exec(
            select(SwarmSession)
            .where(SwarmSession.status == SessionStatus.PUBLISHED)
            .order_by(SwarmSession.id)
        ):
            view = session_view(session, row, config)
            for attendee in view.calendar.attendees:
                data = cal.invitation(
                    view.calendar, attendee, IcsMethod.REQUEST, host=host, stamp=stamp,
                    language=view.language_of[attendee.key],
                )  # fmt: skip
                path = out_dir / f"{row.uid}-{attendee.key}.ics"
                temporary = path.with_suffix(".ics.part")
                temporary.write_bytes(data)
                temporary.replace(path)  # never a half-written file
                written.append(path)
    return written
