"""Upload -> preview -> confirm in the web app: the uploaded file waits in ``pending_imports`` for its preview.

The file itself is kept (never what the browser says it parsed) and read again at each preview and at the
confirmation, which checks every row again against the database as it then is and stores all or nothing.
A pending import belongs to the user who uploaded it and expires after ``KEEP``; expired ones are cleaned up at
the next upload.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta

from sqlmodel import Session, delete, select

from swarm.config import Config
from swarm.domain.actors import Actor
from swarm.domain.errors import N_, NotFound
from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.models import PendingImport
from swarm.services.exchange.importing import authorize, import_file
from swarm.services.exchange.invitations import invite_imported
from swarm.services.exchange.report import ImportReport, ImportScope
from swarm.services.exchange.tables import FileProblem, read_table

KEEP = timedelta(hours=24)
MAX_BYTES = 10 * 1024 * 1024


def stage_import(
    session: Session,
    kind: str,
    filename: str,
    data: bytes,
    scope: ImportScope,
    *,
    actor: Actor,
    clock: Clock = system_clock,
) -> PendingImport:
    """Keep an uploaded file for its preview. A file that is no table (by its content) raises FileProblem."""
    authorize(session, kind, scope, actor)
    if len(data) > MAX_BYTES:
        raise FileProblem(N_("The file is larger than %(size)s MB."), size=MAX_BYTES // (1024 * 1024))
    read_table(data)  # CSV text or an .xlsx workbook, by its content
    now = clock()
    session.exec(delete(PendingImport).where(PendingImport.expires_at < now))
    pending = PendingImport(
        key=secrets.token_urlsafe(24),
        kind=kind,
        user_id=actor.user_id,
        region_id=scope.region_id,
        municipality_id=scope.municipality_id,
        filename=filename[:255],
        content=data,
        mapping={},
        created_at=now,
        expires_at=now + KEEP,
    )
    session.add(pending)
    session.flush()
    return pending


def pending_import(session: Session, key: str, *, actor: Actor, clock: Clock = system_clock) -> PendingImport:
    """The user's own pending import, while it has not expired; NotFound otherwise (also for another's)."""
    pending = session.exec(select(PendingImport).where(PendingImport.key == key)).first()
    if pending is None or pending.user_id != actor.user_id or pending.expires_at <= clock():
        raise NotFound("PendingImport", key)
    return pending


def _scope(pending: PendingImport) -> ImportScope:
    return ImportScope(pending.region_id, pending.municipality_id)


def preview_import(
    session: Session, key: str, *, actor: Actor, clock: Clock = system_clock
) -> tuple[PendingImport, ImportReport]:
    pending = pending_import(session, key, actor=actor, clock=clock)
    report = import_file(
        session,
        pending.kind,
        pending.content,
        _scope(pending),
        mapping=pending.mapping,
        store=False,
        actor=actor,
        clock=clock,
    )
    return pending, report


def map_headers(
    session: Session, key: str, mapping: Mapping[str, str], *, actor: Actor, clock: Clock = system_clock
) -> PendingImport:
    """The importer's choice for each header that names no field (header -> field key, "" to ignore)."""
    pending = pending_import(session, key, actor=actor, clock=clock)
    pending.mapping = {**pending.mapping, **{str(k): str(v) for k, v in mapping.items()}}
    session.add(pending)
    session.flush()
    return pending


def confirm_import(
    session: Session, key: str, *, actor: Actor, config: Config, clock: Clock = system_clock
) -> ImportReport:
    """Check every row again and store them all, or none; on success the file is forgotten and imported
    professionals without a login are invited to confirm their profile."""
    pending = pending_import(session, key, actor=actor, clock=clock)
    report = import_file(
        session,
        pending.kind,
        pending.content,
        _scope(pending),
        mapping=pending.mapping,
        actor=actor,
        clock=clock,
    )
    if report.ok:
        if pending.kind == "professionals" and report.stored_ids:
            invite_imported(session, report.stored_ids, config=config, clock=clock)
        session.delete(pending)
        session.flush()
    return report


def discard_import(session: Session, key: str, *, actor: Actor, clock: Clock = system_clock) -> None:
    session.delete(pending_import(session, key, actor=actor, clock=clock))
    session.flush()
