"""AVG/GDPR: a professional sees and downloads everything stored about them, and can have it erased.

Erasure anonymises rather than deletes the professional row: past invitations stay countable for equal
treatment, but nothing in them points to a person any more. The retention job uses the same function.

Copies of a person outside their own rows are erased in the same transaction:

- solve runs (``input``, ``result``, ``parameters``, ``error``): their ``p-<id>`` becomes ``erased-<n>``, a name
  that is new in each run, and their entry in the instance keeps only that id. A run not finished yet is solved
  without them: it loses them from the instance (a running one goes back to the queue, its worker's result is
  dropped). The run and its schedule stay readable; nobody in them can be traced to the person.
- the outbox: mails to them not sent yet are dropped; sent ones keep their key (so nothing is sent twice) and
  subject, but no address, name, text or calendar.
- the organizer's draft sessions lose their seats; invitations to published sessions that have not started are
  cancelled (no mail: the address is gone) and their round is repaired as after a decline; the reasons of every
  invitation they keep are cleared. Their calendar feed goes.
"""

from __future__ import annotations

import contextlib
import json
import re
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from swarm.domain.actors import SYSTEM, Actor
from swarm.domain.enums import AuditKind, FeedOwner, OutboxStatus, SessionStatus, SolveStatus
from swarm.domain.errors import ValidationError
from swarm.domain.refs import professional_ref
from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.files import DocumentStore
from swarm.persistence.models import (
    Assignment,
    Availability,
    CalendarFeed,
    Invitation,
    InvitationLink,
    OutboxMessage,
    Pin,
    Place,
    Professional,
    ProfessionalSkill,
    Project,
    ProjectPreference,
    ProjectRole,
    QualificationDocument,
    RequestExclusion,
    Seat,
    SessionTable,
    Skill,
    Slot,
    SolveRun,
    SwarmRequest,
    User,
    WeekCapacity,
)
from swarm.persistence.models import Session as SwarmSession
from swarm.services.lookup import get
from swarm.services.ops import audit
from swarm.services.plan.queue import REPAIR, enqueue_solve

ANONYMOUS_NAME = "Geanonimiseerd"
ERASED_PREFIX = "erased-"  # how stored documents name an erased professional: erased-1, erased-2, ...


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()


def _mentioning(ref: str) -> sa.ColumnElement:
    """Solve runs whose documents may name ``ref`` (a text match; :func:`_ref_pattern` decides)."""
    like = f"%{ref}%"
    return sa.or_(
        sa.cast(SolveRun.input, sa.Text).like(like),
        sa.cast(SolveRun.result, sa.Text).like(like),
        sa.cast(SolveRun.parameters, sa.Text).like(like),
        SolveRun.error.like(like),
    )


def _ref_pattern(ref: str) -> re.Pattern:
    """``p-17`` as a whole id: not inside ``p-170`` or ``xp-17``."""
    return re.compile(rf"(?<![\w-]){re.escape(ref)}(?![\w-])")


# -- seeing and downloading ------------------------------------------------------------------------------------


def export_personal_data(
    session: Session, professional_id: int, *, actor: Actor, clock: Clock = system_clock
) -> dict:
    """Everything stored about the professional, as plain JSON-ready data (the download); the audit log notes it."""
    actor.require_professional(professional_id)
    person = get(session, Professional, professional_id)
    audit.record(
        session,
        AuditKind.DATA_EXPORTED,
        actor=actor,
        clock=clock,
        region_id=person.region_id,
        subject=("professional", person.id),
    )
    ref = professional_ref(person.id)
    place = session.get(Place, person.home_place_id) if person.home_place_id else None
    codes = {s.id: s.code for s in session.exec(select(Skill))}
    user = session.exec(select(User).where(User.professional_id == person.id)).first()
    slots = {s.id: s.code for s in session.exec(select(Slot).where(Slot.region_id == person.region_id))}
    titles = dict(session.exec(select(SwarmRequest.id, SwarmRequest.title)).all())
    invitations = session.exec(
        select(Invitation, SwarmSession)
        .join(SwarmSession, SwarmSession.id == Invitation.session_id)
        .where(Invitation.professional_id == person.id)
        .order_by(Invitation.id)
    )
    tables: dict[int, dict[int, str]] = {}
    for seat, request_id in session.exec(
        select(Seat, SessionTable.request_id)
        .join(SessionTable, SessionTable.id == Seat.table_id)
        .where(Seat.professional_id == person.id)
    ):
        tables.setdefault(seat.session_id, {})[seat.round] = titles.get(request_id, "")
    pattern = _ref_pattern(ref)
    runs = [
        run
        for run in session.exec(select(SolveRun).where(_mentioning(ref)).order_by(SolveRun.id))
        if any(p.get("id") == ref for p in (run.input or {}).get("professionals") or [])
    ]
    emails = {person.email} | ({user.email} if user else set())
    mails = session.exec(
        select(OutboxMessage)
        .where(
            sa.or_(
                OutboxMessage.recipient.in_(sorted(emails)),
                OutboxMessage.idempotency_key.like(f"%:{ref}"),
            )
        )
        .order_by(OutboxMessage.id)
    )
    return {
        "profile": {
            "name": person.name,
            "email": person.email,
            "kvk_number": person.kvk_number,
            "home_place": place.name if place else None,
            "home_coordinates": None if person.lat is None else [person.lat, person.lon],  # of the place
            "travel_radius_km": person.travel_radius_km,
            "hourly_rate": person.hourly_rate,
            "hours_per_week": person.hours_per_week,
            "max_sessions_per_round": person.max_sessions_per_round,
            "bio": person.bio,
            "agreement_signed_on": _iso(person.agreement_signed_on),
            "created_at": _iso(person.created_at),
            "last_active_at": _iso(person.last_active_at),
            "retention_warned_at": _iso(person.retention_warned_at),
        },
        "account": None
        if user is None
        else {
            "name": user.name,
            "email": user.email,
            "locale": user.locale,
            "created_at": _iso(user.created_at),
            "last_login_at": _iso(user.last_login_at),
        },
        "skills": {
            codes[s.skill_id]: s.level
            for s in session.exec(
                select(ProfessionalSkill).where(ProfessionalSkill.professional_id == person.id)
            )
        },
        "documents": [  # the files themselves: each one's download link on the overview page
            {
                "kind": str(d.kind),
                "status": str(d.status),
                "file_name": d.file_name,
                "content_type": d.content_type,
                "size_bytes": d.size_bytes,
                "sha256": d.sha256,
                "uploaded_at": _iso(d.uploaded_at),
                "checked_at": _iso(d.checked_at),
                "rejection_reason": d.rejection_reason,
                "issued_on": _iso(d.issued_on),
                "expires_on": _iso(d.expires_on),
                "reference": d.reference,
            }
            for d in session.exec(
                select(QualificationDocument).where(QualificationDocument.professional_id == person.id)
            )
        ],
        "availability": {
            slots.get(a.slot_id, str(a.slot_id)): str(a.answer)
            for a in session.exec(select(Availability).where(Availability.professional_id == person.id))
        },
        "week_capacity": {
            w.week: w.hours
            for w in session.exec(select(WeekCapacity).where(WeekCapacity.professional_id == person.id))
        },
        "invitations": [
            {
                "session": s.uid,
                "status": str(s.status),
                "tables": [tables[s.id][r] for r in sorted(tables.get(s.id, {}))],
                "response": str(i.response),
                "decline_reason": i.decline_reason,
                "reasons": i.reasons,
                "responded_at": _iso(i.responded_at),
                "cancelled_at": _iso(i.cancelled_at),
            }
            for i, s in invitations
        ],
        "assignments": [
            {
                "project": project.title,
                "role": role.name,
                "weeks": [role.first_week, role.last_week],
                "status": str(a.status),
                "reasons": a.reasons,
            }
            for a, role, project in session.exec(
                select(Assignment, ProjectRole, Project)
                .join(ProjectRole, ProjectRole.id == Assignment.project_role_id)
                .join(Project, Project.id == ProjectRole.project_id)
                .where(Assignment.professional_id == person.id)
                .order_by(Assignment.id)
            )
        ],
        # What organizers and coordinators decided about them.
        "pins": [
            {"request": titles.get(p.request_id, ""), "kind": str(p.kind), "created_at": _iso(p.created_at)}
            for p in session.exec(select(Pin).where(Pin.professional_id == person.id).order_by(Pin.id))
        ],
        "conflicts_of_interest": [
            {"request": titles.get(e.request_id, ""), "reason": e.reason}
            for e in session.exec(
                select(RequestExclusion)
                .where(RequestExclusion.professional_id == person.id)
                .order_by(RequestExclusion.id)
            )
        ],
        "project_marks": [
            {"project": project.title, "stance": str(mark.stance), "reason": mark.reason}
            for mark, project in session.exec(
                select(ProjectPreference, Project)
                .join(Project, Project.id == ProjectPreference.project_id)
                .where(ProjectPreference.professional_id == person.id)
                .order_by(ProjectPreference.id)
            )
        ],
        # The snapshots the planning engines were given: what each solve knew about them.
        "solve_runs": [
            {
                "run": run.id,
                "kind": str(run.kind),
                "queued_at": _iso(run.queued_at),
                "status": str(run.status),
                "you": next(p for p in run.input["professionals"] if p.get("id") == ref),
                "in_result": bool(pattern.search(_text(run.result))),
            }
            for run in runs
        ],
        "mails": [
            {
                "kind": m.kind,
                "subject": m.subject,
                "status": str(m.status),
                "created_at": _iso(m.created_at),
                "sent_at": _iso(m.sent_at),
                "text": m.body_text,
            }
            for m in mails
        ],
        "calendar_feeds": [
            {
                "created_at": _iso(f.created_at),
                "revoked_at": _iso(f.revoked_at),
                "last_fetched_at": _iso(f.last_fetched_at),
            }
            for f in session.exec(_own_feeds(person.id).order_by(CalendarFeed.id))
        ],
    }


def _own_feeds(professional_id: int):
    return select(CalendarFeed).where(
        CalendarFeed.owner_kind == FeedOwner.PROFESSIONAL, CalendarFeed.owner_id == professional_id
    )


def _whole_word_at(text: str, word: str, *, dash_is_word: bool, start: int = 0) -> int | None:
    """Where ``word`` next stands whole in JSON ``text``: not inside a longer word (``p-17`` in ``p-170``), but
    after a JSON escape such as ``\\n``. A plain search, then a look at each hit: a big snapshot holds few hits.
    """

    def inside(char: str) -> bool:
        return char.isalnum() or char == "_" or (dash_is_word and char == "-")

    at = text.find(word, start)
    while at != -1:
        end = at + len(word)
        before = text[at - 1] if at else ""
        after = text[end] if end < len(text) else ""
        escaped = at >= 2 and text[at - 2] == "\\" and before in "nrtbf"
        if (not inside(before) or escaped) and not inside(after):
            return at
        at = text.find(word, at + 1)
    return None


def _replace_whole(text: str, word: str, replacement: str, *, dash_is_word: bool) -> str:
    parts, start = [], 0
    while (at := _whole_word_at(text, word, dash_is_word=dash_is_word, start=start)) is not None:
        parts += [text[start:at], replacement]
        start = at + len(word)
    return "".join(parts) + text[start:]


def _escaped(text: str) -> str:
    """``text`` as it reads inside a JSON string."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _text(value: Any) -> str:
    """Every string of a JSON value (keys too), for searching."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(f"{_text(k)}\n{_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "\n".join(_text(v) for v in value)
    return ""


# -- erasure ---------------------------------------------------------------------------------------------------


def anonymise_professional(
    session: Session,
    professional_id: int,
    *,
    store: DocumentStore,
    actor: Actor,
    clock: Clock = system_clock,
) -> Professional:
    """Erase the person: their login, skills, documents (with their files in ``store``, once this commits),
    availability and marks go; the row keeps only its id, and every stored copy of their data (solve runs,
    mails, drafts, feeds) is erased with it.

    Invitations to sessions that have not started yet are cancelled; each published round they leave is
    repaired as after a decline.
    """
    actor.require_professional(professional_id)
    person = get(session, Professional, professional_id)
    now: datetime = clock()
    user = session.exec(select(User).where(User.professional_id == person.id)).first()
    names = {person.name} | ({user.name} if user is not None and user.name else set())
    emails = {person.email} | ({user.email} if user is not None else set())
    anonymous_email = f"anonymised-{person.id}@invalid"
    _erase_from_solve_runs(session, professional_ref(person.id), names, emails)
    _erase_from_outbox(session, person.id, emails, anonymous_email)
    drafts = select(SwarmSession.id).where(SwarmSession.status == SessionStatus.DRAFT)
    for model in (Seat, Invitation):
        session.exec(sa.delete(model).where(model.professional_id == person.id, model.session_id.in_(drafts)))
    session.exec(
        sa.delete(CalendarFeed).where(
            CalendarFeed.owner_kind == FeedOwner.PROFESSIONAL, CalendarFeed.owner_id == person.id
        )
    )
    for file_id in session.exec(
        select(QualificationDocument.file_id).where(QualificationDocument.professional_id == person.id)
    ).all():
        store.discard(session, file_id)
    for model in (
        ProfessionalSkill,
        QualificationDocument,
        Availability,
        WeekCapacity,
        ProjectPreference,
        Pin,
        RequestExclusion,
    ):
        session.exec(sa.delete(model).where(model.professional_id == person.id))
    session.exec(sa.delete(User).where(User.professional_id == person.id))
    upcoming = set(
        session.exec(
            select(SwarmSession.id).join(Slot, Slot.id == SwarmSession.slot_id).where(Slot.starts_at > now)
        )
    )
    to_repair: set[int] = set()
    for invitation, row in session.exec(
        select(Invitation, SwarmSession)
        .join(SwarmSession, SwarmSession.id == Invitation.session_id)
        .where(Invitation.professional_id == person.id)
    ):
        if invitation.cancelled_at is None and row.id in upcoming:
            invitation.cancelled_at = now
            if row.status == SessionStatus.PUBLISHED:
                to_repair.add(row.planning_round_id)
        invitation.reasons = []  # why they were invited describes them; the row only counts
        invitation.decline_reason = ""  # their own words
        session.add(invitation)
        session.exec(sa.delete(InvitationLink).where(InvitationLink.invitation_id == invitation.id))
    for assignment in session.exec(select(Assignment).where(Assignment.professional_id == person.id)):
        session.delete(assignment)
    person.name = ANONYMOUS_NAME
    person.email = anonymous_email
    person.kvk_number = "00000000"
    person.home_place_id = person.lat = person.lon = None
    person.bio = ""
    person.hourly_rate = person.hours_per_week = person.max_sessions_per_round = 0
    person.agreement_signed_on = None
    person.anonymised_at = person.updated_at = now
    session.add(person)
    session.flush()
    audit.record(
        session,
        AuditKind.DATA_ERASED,
        actor=actor,
        clock=clock,
        region_id=person.region_id,
        subject=("professional", person.id),
        facts={"rounds_repaired": len(to_repair)},
    )
    _repair(session, sorted(to_repair), clock)
    return person


def _repair(session: Session, planning_round_ids: list[int], clock: Clock) -> None:
    """Queue the repair of each round the person left, as a decline does (their seats are refilled)."""
    for planning_round_id in planning_round_ids:
        with contextlib.suppress(ValidationError):  # nothing of the round is left to repair
            enqueue_solve(session, planning_round_id, actor=SYSTEM, purpose=REPAIR, clock=clock)


def erase_from_run(
    documents: dict[str, Any], ref: str, names: set[str], emails: set[str], *, finished: bool
) -> dict[str, Any] | None:
    """The run's ``input``, ``result``, ``parameters`` and ``error`` with ``ref`` (``p-<id>``) as a new
    ``erased-<n>`` and the person's names and addresses gone; None when they do not name ``ref``.

    A finished run keeps an entry with only the new id; an unfinished one is to be solved without the person.
    Pure: the data migration for people erased before this existed uses it too.
    """
    # On the JSON text: one C-speed pass per pattern instead of a walk over every string of a big snapshot. Ids,
    # the new id and the replacement name need no JSON escaping; names and addresses are matched as JSON writes them.
    texts = {
        key: json.dumps(value, ensure_ascii=False) for key, value in documents.items() if value is not None
    }  # a missing document stays SQL NULL: writing None to a JSON column would store JSON null
    if not any(_whole_word_at(text, ref, dash_is_word=True) for text in texts.values()):
        return None
    taken = re.findall(rf"{ERASED_PREFIX}(\d+)", "\n".join(texts.values()))
    alias = f"{ERASED_PREFIX}{max(map(int, taken), default=0) + 1}"
    replacements = [(ref, alias, True)] + [
        (_escaped(n), ANONYMOUS_NAME, False) for n in sorted(names) if n.strip()
    ]
    cleaned = {}
    for key, text in texts.items():
        for word, replacement, dash_is_word in replacements:
            text = _replace_whole(text, word, replacement, dash_is_word=dash_is_word)
        for email in sorted(emails):
            if email.strip() and email.lower() in text.lower():
                text = re.sub(re.escape(_escaped(email)), ANONYMOUS_NAME, text, flags=re.IGNORECASE)
        cleaned[key] = json.loads(text)
    if "input" in cleaned:
        cleaned["input"] = (_id_only if finished else _without)(cleaned["input"], alias)
    return cleaned


def _erase_from_solve_runs(session: Session, ref: str, names: set[str], emails: set[str]) -> None:
    for run_id in session.exec(select(SolveRun.id).where(_mentioning(ref)).order_by(SolveRun.id)).all():
        for _attempt in range(10):  # a worker may change the run meanwhile: write only over what was read
            run = session.get(SolveRun, run_id, populate_existing=True)
            unfinished = run.status in (SolveStatus.QUEUED, SolveStatus.RUNNING)
            values = erase_from_run(
                {"input": run.input, "result": run.result, "parameters": run.parameters, "error": run.error},
                ref,
                names,
                emails,
                finished=not unfinished,
            )
            if values is None:
                break
            if run.status == SolveStatus.RUNNING:  # its worker sees the run is no longer its own and stops
                values |= {
                    "status": SolveStatus.CANCELLED if run.stop_requested else SolveStatus.QUEUED,
                    "worker_id": "",
                    "started_at": None,
                    "heartbeat_at": None,
                    "stage": "",
                    "best_score": None,
                    "best_bound": None,
                }
            # Retention may have reduced the snapshot meanwhile: never write the whole one back over it.
            reduced = SolveRun.snapshot_reduced_at.is_not(None)
            written = session.execute(
                sa.update(SolveRun)
                .where(
                    SolveRun.id == run.id,
                    SolveRun.status == run.status,
                    SolveRun.worker_id == run.worker_id,
                    reduced if run.snapshot_reduced_at is not None else ~reduced,
                )
                .values(**values)
            )
            if written.rowcount == 1:
                break
        else:
            raise RuntimeError(f"solve run {run_id} kept changing while its snapshot was being erased")
        session.expire(run)


def _id_only(document: Any, alias: str) -> Any:
    """A finished run's instance with the erased person's entry reduced to their new id."""
    if isinstance(document, dict) and isinstance(document.get("professionals"), list):
        document["professionals"] = [
            {"id": alias} if isinstance(p, dict) and p.get("id") == alias else p
            for p in document["professionals"]
        ]
    return document


def _without(document: Any, alias: str) -> Any:
    """An instance still to be solved, without the erased person: every id in it still resolves."""
    if not isinstance(document, dict):
        return document

    def others(refs: Any) -> Any:
        return [r for r in refs if r != alias] if isinstance(refs, list) else refs

    if isinstance(document.get("professionals"), list):
        document["professionals"] = [
            p for p in document["professionals"] if not (isinstance(p, dict) and p.get("id") == alias)
        ]
    for item in [*(document.get("requests") or []), *(document.get("projects") or [])]:
        for key in ("excluded", "preferred"):
            if isinstance(item, dict) and key in item:
                item[key] = others(item[key])
    if isinstance(document.get("pins"), list):
        document["pins"] = [
            p for p in document["pins"] if not (isinstance(p, dict) and p.get("professional") == alias)
        ]
    return document  # ``previous`` keeps them: an earlier seat of someone gone is what it describes


def _erase_from_outbox(
    session: Session, professional_id: int, emails: set[str], anonymous_email: str
) -> None:
    """Mails to them not sent yet go; sent ones keep their key and subject only."""
    addressed = sa.or_(
        sa.func.lower(OutboxMessage.recipient).in_(sorted(e.lower() for e in emails)),
        OutboxMessage.idempotency_key.like(f"%:{professional_ref(professional_id)}"),
        OutboxMessage.idempotency_key.like(f"retention:{professional_id}:%"),
    )
    session.exec(sa.delete(OutboxMessage).where(addressed, OutboxMessage.status != OutboxStatus.SENT))
    session.exec(
        sa.update(OutboxMessage)
        .where(addressed, OutboxMessage.status == OutboxStatus.SENT)
        .values(recipient=anonymous_email, recipient_name="", body_text="", ics_payload=None, last_error="")
    )
