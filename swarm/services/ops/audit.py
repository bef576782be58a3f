"""The audit log: append-only records of who did what and when.

A service records with :func:`record` in the same session (and so the same transaction) as the change it
records: a change that is rolled back leaves no record. What happens without a change of its own (a failed login,
which answers with an error and so rolls the request back) is recorded by :func:`record_apart`, committed at once.
Nothing here updates a record; the database refuses it too (a trigger of migration 0011). Records go only by age,
through :func:`purge_expired` (the scheduler's ``audit-retention`` job, ``swarm audit purge``).

Organizers read their own region's records, administrators every one (:func:`search`). A record holds ids, codes
and the names of staff members, never other personal data: professionals act under their id only, so that erasing
a person leaves no name behind in the log.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from swarm.config import Config
from swarm.domain.actors import Actor
from swarm.domain.enums import STAFF_ROLES, AuditKind, UserRole
from swarm.domain.errors import N_, NotAllowed, ValidationError
from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import AuditRecord, User

PER_PAGE = 50
ANONYMOUS = "anonymous"  # the actor_role of what someone not logged in did
SYSTEM_ROLE = "system"  # the command line, the scheduler, a worker


def record(
    session: Session,
    kind: AuditKind,
    *,
    actor: Actor | None,
    clock: Clock = system_clock,
    region_id: int | None = None,
    subject: tuple[str, int | None] = ("", None),
    facts: Mapping[str, Any] | None = None,
) -> AuditRecord:
    """Add one record to the session's transaction (it commits or rolls back with the change it records).

    ``actor`` None: someone not logged in (a failed login). ``region_id`` defaults to the actor's region.
    """
    if actor is None:
        actor, role = Actor(role=None), ANONYMOUS
    else:
        role = actor.role.value if actor.role is not None else SYSTEM_ROLE
    name = ""
    if actor.role in STAFF_ROLES and actor.user_id is not None:
        user = session.get(User, actor.user_id)
        name = user.name if user is not None else ""
    subject_type, subject_id = subject
    row = AuditRecord(
        at=clock(),
        actor_id=actor.user_id,
        actor_role=role,
        actor_name=name[:200],
        region_id=region_id if region_id is not None else actor.region_id,
        kind=AuditKind(kind),
        subject_type=subject_type,
        subject_id=subject_id,
        facts=dict(facts or {}),
    )
    session.add(row)
    session.flush()
    return row


def record_apart(
    engine: sa.Engine,
    kind: AuditKind,
    *,
    actor: Actor | None,
    clock: Clock = system_clock,
    region_id: int | None = None,
    subject: tuple[str, int | None] = ("", None),
    facts: Mapping[str, Any] | None = None,
) -> None:
    """Record in a transaction of its own, committed at once (for what is recorded although the request fails)."""
    with unit_of_work(engine) as session:
        record(session, kind, actor=actor, clock=clock, region_id=region_id, subject=subject, facts=facts)


# -- reading ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the reader narrows the log to; every part optional. ``since`` inclusive, ``until`` exclusive."""

    person_id: int | None = None
    kind: AuditKind | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Page:
    records: list[AuditRecord]
    number: int
    pages: int
    total: int


def _visible_to(actor: Actor) -> sa.ColumnElement[bool]:
    """Administrators see every record, an organizer those of their own region; nobody else reads the log."""
    if actor.is_system or actor.is_administrator:
        return sa.true()
    if actor.role is UserRole.ORGANIZER and actor.region_id is not None:
        return col(AuditRecord.region_id) == actor.region_id
    raise NotAllowed("Only organizers and administrators read the audit log.")


def search(
    session: Session, filters: Filters, *, actor: Actor, page: int = 1, per_page: int = PER_PAGE
) -> Page:
    """The records the actor may read that match ``filters``, newest first, one page of them."""
    if filters.since is not None and filters.until is not None and filters.until <= filters.since:
        raise ValidationError("until", N_("The end date must come after the start date."))
    where = [_visible_to(actor)]
    if filters.person_id is not None:
        where.append(col(AuditRecord.actor_id) == filters.person_id)
    if filters.kind is not None:
        where.append(col(AuditRecord.kind) == AuditKind(filters.kind))
    if filters.since is not None:
        where.append(col(AuditRecord.at) >= filters.since)
    if filters.until is not None:
        where.append(col(AuditRecord.at) < filters.until)
    total = session.exec(select(sa.func.count()).select_from(AuditRecord).where(*where)).one()
    pages = max(1, math.ceil(total / per_page))
    number = min(max(1, page), pages)
    rows = session.exec(
        select(AuditRecord)
        .where(*where)
        .order_by(col(AuditRecord.at).desc(), col(AuditRecord.id).desc())
        .offset((number - 1) * per_page)
        .limit(per_page)
    ).all()
    return Page(list(rows), number, pages, total)


def people(session: Session, *, actor: Actor) -> list[tuple[int, str]]:
    """Who acts in the records the actor may read: (user id, name as last recorded), by name; for the filter."""
    rows = session.exec(
        select(AuditRecord.actor_id, sa.func.max(AuditRecord.actor_name))
        .where(_visible_to(actor), col(AuditRecord.actor_id).is_not(None), AuditRecord.actor_name != "")
        .group_by(AuditRecord.actor_id)
    ).all()
    return sorted(
        ((int(ident), name) for ident, name in rows if ident is not None), key=lambda p: p[1].lower()
    )


# -- retention -------------------------------------------------------------------------------------------------


def purge_older_than(session: Session, cutoff: datetime) -> int:
    """Delete the records from before ``cutoff`` (the only way a record ever goes); how many went."""
    result = session.execute(sa.delete(AuditRecord).where(col(AuditRecord.at) < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


def purge_expired(engine: sa.Engine, config: Config, clock: Clock) -> int:
    """The scheduler's ``audit-retention`` job: records older than SWARM_AUDIT_RETENTION_DAYS go."""
    cutoff = clock() - timedelta(days=config.audit_retention_days)
    with unit_of_work(engine) as session:
        return purge_older_than(session, cutoff)
