"""Retention of profiles (AVG storage limitation): professionals inactive for SWARM_RETENTION_DAYS are warned,
and anonymised 30 days later if they stayed away (their document files go with them); the scheduler's
``retention`` job also removes document files no longer needed (rejected, or expired, SWARM_DOCUMENT_RETENTION_DAYS
ago; files no row names) and reduces old solve snapshots (:mod:`swarm.services.ops.snapshot_retention`).
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from swarm.config import Config
from swarm.domain.actors import SYSTEM
from swarm.domain.timeutil import Clock, to_local
from swarm.persistence.db import unit_of_work
from swarm.persistence.files import DocumentStore
from swarm.persistence.models import Professional
from swarm.services.ops.housekeeping import NOTICES, notice
from swarm.services.ops.outbox import enqueue_mail
from swarm.services.ops.session_calendar import language_of
from swarm.services.ops.snapshot_retention import reduce_old_snapshots
from swarm.services.people.privacy import anonymise_professional
from swarm.services.people.qualifications import remove_expired_files, stored_file_ids

log = logging.getLogger(__name__)

ANONYMISE_AFTER_WARNING = timedelta(days=30)
ORPHAN_AGE = timedelta(days=1)


@dataclasses.dataclass(frozen=True)
class RetentionReport:
    """What one run of the retention job did."""

    warned: int
    anonymised: int
    snapshots_reduced: int
    document_files_removed: int = 0

    def __bool__(self) -> bool:  # the job log stays quiet on a day with nothing to do
        return bool(self.warned or self.anonymised or self.snapshots_reduced or self.document_files_removed)


def run_retention(engine: sa.Engine, config: Config, clock: Clock) -> RetentionReport:
    """The retention job: inactive profiles (warned, then anonymised), document files no longer needed, then
    the snapshots of old solves."""
    warned, anonymised = apply_retention(engine, config, clock)
    files = remove_old_document_files(engine, config, clock)
    reduced = reduce_old_snapshots(engine, config, clock)
    return RetentionReport(warned, anonymised, len(reduced), files)


def remove_old_document_files(engine: sa.Engine, config: Config, clock: Clock) -> int:
    """Files of rejected and of long-expired documents (the rows keep the outcome), and files no row names: an
    upload whose transaction never committed (the process was killed between writing and committing)."""
    store = DocumentStore(config.resolved_document_dir)
    with unit_of_work(engine, immediate=True) as session:
        removed = remove_expired_files(session, store, keep_days=config.document_retention_days, clock=clock)
        known = stored_file_ids(session)
    # An upload in progress has written its file but not committed its row yet: leave files younger than a day.
    orphans = store.orphans(known, older_than=(clock() - ORPHAN_AGE).timestamp())
    for name in orphans:
        store.remove_now(name)
    if orphans:
        log.warning("removed %d document file(s) that no document names", len(orphans))
    return removed + len(orphans)


def apply_retention(engine: sa.Engine, config: Config, clock: Clock) -> tuple[int, int]:
    """Warn who has been inactive for the retention period, anonymise who stayed inactive 30 days after the
    warning, and forget the warning of who came back. Returns (warned, anonymised)."""
    now = clock()
    inactive_since = now - timedelta(days=config.retention_days)
    last_seen = sa.func.coalesce(Professional.last_active_at, Professional.created_at)
    warned = anonymised = 0
    store = DocumentStore(config.resolved_document_dir)
    with unit_of_work(engine, immediate=True) as session:
        session.execute(
            sa.update(Professional)
            .where(
                Professional.retention_warned_at.is_not(None),
                Professional.last_active_at > Professional.retention_warned_at,
            )
            .values(retention_warned_at=None)
        )
        to_warn = session.exec(
            select(Professional).where(
                Professional.anonymised_at.is_(None),
                Professional.retention_warned_at.is_(None),
                last_seen < inactive_since,
            )
        )
        for person in to_warn:
            language = language_of(session, person.id)
            words = NOTICES[language]
            seen = to_local(person.last_active_at or person.created_at).strftime("%d-%m-%Y")
            message = notice(
                person,
                language,
                "retention_warning",
                f"retention:{person.id}:{seen}",
                words["retention_subject"],
                words["retention_body"].format(date=seen),
            )
            warned += enqueue_mail(session, message, region_id=person.region_id, clock=clock)
            person.retention_warned_at = now
            session.add(person)
        to_anonymise = session.exec(
            select(Professional.id).where(
                Professional.anonymised_at.is_(None),
                Professional.retention_warned_at <= now - ANONYMISE_AFTER_WARNING,
                last_seen <= Professional.retention_warned_at,
            )
        ).all()
        for person_id in to_anonymise:
            anonymise_professional(session, person_id, store=store, actor=SYSTEM, clock=clock)
            log.info("professional %s anonymised after the retention period", person_id)
            anonymised += 1
    return warned, anonymised
