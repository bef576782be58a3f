"""Checked qualifications: a professional uploads the documents, an organizer of their region checks them.

Only an approved document counts (``rules.qualification_on``), until the expiry date the organizer read from it.
Per kind a professional has at most one approved document and at most one open one (waiting for a check, or
rejected): a new upload replaces the open one, and an approved one keeps counting until its successor is
approved, which then replaces it. The files live in the document store; a row's removal removes its file once
the transaction commits (``swarm.persistence.files``).

Who sees a file: the professional, and the organizers of the professional's region; nobody else (not the
coordinators, not the administrator), and to anyone else the document does not exist.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from swarm.domain.actors import Actor
from swarm.domain.documents import (
    MAX_VALIDITY_YEARS,
    KindStanding,
    check_approval,
    check_upload,
    display_name,
    standings_on,
    years_ahead,
)
from swarm.domain.enums import AuditKind, DocumentKind, DocumentStatus, UserRole
from swarm.domain.errors import N_, NotFound, ValidationError
from swarm.domain.rules import Document, Qualification, qualification_on, require_text
from swarm.domain.timeutil import Clock, system_clock, to_local
from swarm.persistence.files import DocumentStore
from swarm.persistence.models import Professional, QualificationDocument, User
from swarm.services.lookup import get
from swarm.services.ops import audit

# Reasons the system gives when it withdraws a document itself (worded in the reader's language at the edge).
KVK_NUMBER_CHANGED = N_("Your KvK number changed: upload an extract for the new number.")
KVK_NUMBER_SHARED = N_(
    "Another profile registered this KvK number first. Enter your own KvK number in your profile and upload "
    "your KvK extract again."
)
SYSTEM_REASONS = (KVK_NUMBER_CHANGED, KVK_NUMBER_SHARED)


@dataclass(frozen=True)
class Upload:
    """A file a professional sends: ``file_name`` is theirs to choose and is only shown, never used on disk."""

    kind: DocumentKind | str
    file_name: str
    content: bytes


@dataclass(frozen=True)
class Approval:
    """What the organizer read from the document."""

    expires_on: date | None
    issued_on: date | None = None
    reference: str = ""


@dataclass(frozen=True)
class CheckedDocument:
    """A document checked outside this app (on paper, or brought in by the demo or an import): approved, no file."""

    kind: DocumentKind | str
    expires_on: date
    issued_on: date | None = None
    reference: str = ""


@dataclass(frozen=True)
class QueueItem:
    document: QualificationDocument
    professional: Professional


def _kind(value: DocumentKind | str, field: str = "kind") -> DocumentKind:
    try:
        return DocumentKind(value)
    except ValueError:
        raise ValidationError(field, N_("Unknown kind of document.")) from None


def _today(now: datetime) -> date:
    return to_local(now).date()


def _documents_of(session: Session, professional_id: int, *, kind: DocumentKind | None = None):
    query = select(QualificationDocument).where(QualificationDocument.professional_id == professional_id)
    if kind is not None:
        query = query.where(QualificationDocument.kind == kind)
    return list(session.exec(query.order_by(QualificationDocument.uploaded_at, QualificationDocument.id)))


def _remove(session: Session, store: DocumentStore, document: QualificationDocument) -> None:
    store.discard(session, document.file_id)
    session.delete(document)


# -- the professional ------------------------------------------------------------------------------------------


def upload_document(
    session: Session,
    professional_id: int,
    upload: Upload,
    *,
    store: DocumentStore,
    actor: Actor,
    clock: Clock = system_clock,
) -> QualificationDocument:
    """Store an uploaded document, waiting for a check. It replaces the open document of the same kind (one
    waiting or rejected); an approved one keeps counting until this one is approved."""
    actor.require_professional(professional_id)
    professional = get(session, Professional, professional_id)
    if professional.anonymised_at is not None:
        raise NotFound("Professional", professional_id)
    kind = _kind(upload.kind)
    content_type = check_upload(upload.content, "file")
    now = clock()
    for old in _documents_of(session, professional_id, kind=kind):
        if old.status != DocumentStatus.APPROVED:
            _remove(session, store, old)
    document = QualificationDocument(
        professional_id=professional_id,
        kind=kind,
        status=DocumentStatus.PENDING,
        file_id=store.save(session, upload.content),
        file_name=display_name(upload.file_name, content_type),
        content_type=content_type,
        size_bytes=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        uploaded_at=now,
    )
    session.add(document)
    professional.last_active_at = now
    session.add(professional)
    session.flush()
    return document


def remove_document(session: Session, document_id: int, *, store: DocumentStore, actor: Actor) -> None:
    """The professional withdraws a document (and its file); an approved one then no longer counts."""
    document = get(session, QualificationDocument, document_id)
    actor.require_professional(document.professional_id)
    _remove(session, store, document)
    session.flush()


def withdraw_kvk_extracts(session: Session, professional_id: int, *, clock: Clock = system_clock) -> None:
    """A changed KvK number: the extracts of the old one no longer count (they stay visible, rejected)."""
    for document in _documents_of(session, professional_id, kind=DocumentKind.KVK_EXTRACT):
        if document.status != DocumentStatus.REJECTED:
            document.status = DocumentStatus.REJECTED
            document.rejection_reason = KVK_NUMBER_CHANGED
            document.checked_at, document.checked_by_id = clock(), None
            session.add(document)


# -- who may see a file ----------------------------------------------------------------------------------------


def _may_see(actor: Actor, professional: Professional) -> bool:
    if actor.is_system:
        return True
    if actor.role is UserRole.PROFESSIONAL:
        return actor.professional_id == professional.id
    return actor.role is UserRole.ORGANIZER and actor.region_id == professional.region_id


def document_file(
    session: Session, document_id: int, *, store: DocumentStore, actor: Actor
) -> tuple[QualificationDocument, bytes]:
    """The document and its file, for its owner and the organizers of the owner's region. Anyone else, and a
    document whose file is gone, gets NotFound: a stranger learns nothing, not even that it exists."""
    document = session.get(QualificationDocument, document_id)
    professional = session.get(Professional, document.professional_id) if document is not None else None
    if document is None or professional is None or not _may_see(actor, professional) or not document.file_id:
        raise NotFound("QualificationDocument", document_id)
    try:
        return document, store.read(document.file_id)
    except FileNotFoundError:
        raise NotFound("QualificationDocument", document_id) from None


# -- the organizer's check -------------------------------------------------------------------------------------


def _checked_professional(session: Session, professional_id: int, actor: Actor) -> Professional:
    """A professional of the organizer's own region; any other is not found (as for a file)."""
    professional = session.get(Professional, professional_id)
    if professional is None or professional.anonymised_at is not None:
        raise NotFound("Professional", professional_id)
    if not actor.is_system and not (
        actor.role is UserRole.ORGANIZER and actor.region_id == professional.region_id
    ):
        raise NotFound("Professional", professional_id)
    return professional


def documents_to_check(session: Session, region_id: int, *, actor: Actor) -> list[QueueItem]:
    """The region's documents waiting for a check, the oldest upload first."""
    actor.require_region(region_id)
    rows = session.exec(
        select(QualificationDocument, Professional)
        .join(Professional, Professional.id == QualificationDocument.professional_id)
        .where(
            Professional.region_id == region_id,
            Professional.anonymised_at.is_(None),
            QualificationDocument.status == DocumentStatus.PENDING,
        )
        .order_by(QualificationDocument.uploaded_at, QualificationDocument.id)
    )
    return [QueueItem(document, professional) for document, professional in rows]


def documents_for_check(
    session: Session, professional_id: int, *, actor: Actor
) -> tuple[Professional, list[QualificationDocument]]:
    """A professional of the organizer's region with every document, for the check page."""
    professional = _checked_professional(session, professional_id, actor)
    return professional, _documents_of(session, professional.id)


def professional_of_document(session: Session, document_id: int, *, actor: Actor) -> int:
    """Whose document this is, for an organizer of their region (NotFound for anyone else)."""
    document = session.get(QualificationDocument, document_id)
    if document is None:
        raise NotFound("QualificationDocument", document_id)
    return _checked_professional(session, document.professional_id, actor).id


def checker_names(session: Session, documents: Sequence[QualificationDocument]) -> dict[int, str]:
    """Who checked each document (user id -> name)."""
    ids = {d.checked_by_id for d in documents if d.checked_by_id is not None}
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.name).where(User.id.in_(sorted(ids)))).all())


def _open_document(session: Session, document_id: int, actor: Actor) -> QualificationDocument:
    document = session.get(QualificationDocument, document_id)
    if document is None:
        raise NotFound("QualificationDocument", document_id)
    _checked_professional(session, document.professional_id, actor)
    if document.status != DocumentStatus.PENDING:
        raise ValidationError("document", N_("This document has already been checked."))
    return document


def approve_document(
    session: Session,
    document_id: int,
    approval: Approval,
    *,
    store: DocumentStore,
    actor: Actor,
    clock: Clock = system_clock,
) -> QualificationDocument:
    """The organizer approves: the document counts until ``approval.expires_on``; the approved document of the
    same kind it succeeds goes, with its file."""
    document = _open_document(session, document_id, actor)
    professional = get(session, Professional, document.professional_id)
    now = clock()
    kind = DocumentKind(document.kind)
    check_approval(kind, issued_on=approval.issued_on, expires_on=approval.expires_on, today=_today(now))
    if kind is DocumentKind.KVK_EXTRACT and not professional.kvk_number:
        raise ValidationError(
            "document", N_("This professional has no KvK number yet to check the extract against.")
        )
    for old in _documents_of(session, professional.id, kind=kind):
        if old.id != document.id and old.status == DocumentStatus.APPROVED:
            _remove(session, store, old)
    document.status = DocumentStatus.APPROVED
    document.issued_on, document.expires_on = approval.issued_on, approval.expires_on
    document.reference = require_text(approval.reference, "reference") if approval.reference.strip() else ""
    document.checked_at, document.checked_by_id = now, actor.user_id
    document.rejection_reason, document.expiry_warned_at = "", None
    session.add(document)
    session.flush()
    _record_check(session, AuditKind.DOCUMENT_APPROVED, document, professional, actor, clock)
    return document


def _record_check(
    session: Session,
    kind: AuditKind,
    document: QualificationDocument,
    professional: Professional,
    actor: Actor,
    clock: Clock,
) -> None:
    facts: dict = {"kind": DocumentKind(document.kind).value, "professional_id": professional.id}
    if document.expires_on is not None and kind is not AuditKind.DOCUMENT_REJECTED:
        facts["expires_on"] = document.expires_on.isoformat()
    audit.record(
        session,
        kind,
        actor=actor,
        clock=clock,
        region_id=professional.region_id,
        subject=("document", document.id),
        facts=facts,
    )


def reject_document(
    session: Session, document_id: int, reason: str, *, actor: Actor, clock: Clock = system_clock
) -> QualificationDocument:
    """The organizer rejects, with a reason the professional reads; an approved one of the kind keeps counting."""
    document = _open_document(session, document_id, actor)
    document.rejection_reason = require_text(reason, "reason", max_length=500)
    document.status = DocumentStatus.REJECTED
    document.checked_at, document.checked_by_id = clock(), actor.user_id
    session.add(document)
    session.flush()
    professional = get(session, Professional, document.professional_id)
    _record_check(session, AuditKind.DOCUMENT_REJECTED, document, professional, actor, clock)
    return document


def record_checked_document(
    session: Session,
    professional_id: int,
    checked: CheckedDocument,
    *,
    actor: Actor,
    clock: Clock = system_clock,
) -> QualificationDocument:
    """A document checked outside this app (on paper, the demo, an import): approved, without a file. An
    organizer of the region, or the system, records it; it replaces the approved one of its kind (rows without
    a file need no store)."""
    professional = _checked_professional(session, professional_id, actor)
    kind = _kind(checked.kind)
    now = clock()
    if checked.issued_on is not None and checked.expires_on < checked.issued_on:
        raise ValidationError("expires_on", N_("A document cannot expire before it was issued."))
    if checked.expires_on > years_ahead(_today(now), MAX_VALIDITY_YEARS):
        raise ValidationError("expires_on", N_("A document counts for at most 10 years ahead."))
    for old in _documents_of(session, professional.id, kind=kind):
        if old.status == DocumentStatus.APPROVED and not old.file_id:
            session.delete(old)
    document = QualificationDocument(
        professional_id=professional.id,
        kind=kind,
        status=DocumentStatus.APPROVED,
        issued_on=checked.issued_on,
        expires_on=checked.expires_on,
        reference=checked.reference.strip()[:200],
        uploaded_at=now,
        checked_at=now,
        checked_by_id=actor.user_id,
    )
    session.add(document)
    session.flush()
    _record_check(session, AuditKind.DOCUMENT_RECORDED, document, professional, actor, clock)
    return document


# -- where a professional stands -------------------------------------------------------------------------------


def domain_document(row: QualificationDocument) -> Document:
    return Document(
        DocumentKind(row.kind),
        row.expires_on,
        row.issued_on,
        status=DocumentStatus(row.status),
        reason=row.rejection_reason,
    )


def qualification_of(session: Session, professional_id: int, day: date) -> Qualification:
    """Whether the professional is qualified on ``day``, until when, and, if not, what is missing."""
    professional = get(session, Professional, professional_id)
    documents = [domain_document(row) for row in _documents_of(session, professional_id)]
    return qualification_on(day, documents, agreement_signed_on=professional.agreement_signed_on)


def standings_of(session: Session, professional_id: int, day: date) -> list[KindStanding]:
    """Each required kind of document: missing, waiting for a check, approved until, rejected, expiring, expired."""
    return standings_on(day, [domain_document(row) for row in _documents_of(session, professional_id)])


def professional_documents(session: Session, professional_id: int) -> list[QualificationDocument]:
    """The professional's documents, oldest upload first."""
    return _documents_of(session, professional_id)


# -- retention -------------------------------------------------------------------------------------------------


def expired_files(
    session: Session, *, keep_days: int, clock: Clock = system_clock
) -> list[QualificationDocument]:
    """Documents whose file is no longer needed: rejected, or approved and expired, ``keep_days`` ago."""
    now = clock()
    rejected_before = now - timedelta(days=keep_days)
    expired_before = _today(now) - timedelta(days=keep_days)
    return list(
        session.exec(
            select(QualificationDocument).where(
                QualificationDocument.file_id.is_not(None),
                sa.or_(
                    sa.and_(
                        QualificationDocument.status == DocumentStatus.REJECTED,
                        QualificationDocument.checked_at < rejected_before,
                    ),
                    sa.and_(
                        QualificationDocument.status == DocumentStatus.APPROVED,
                        QualificationDocument.expires_on < expired_before,
                    ),
                ),
            )
        )
    )


def remove_expired_files(
    session: Session, store: DocumentStore, *, keep_days: int, clock: Clock = system_clock
) -> int:
    """Drop the files :func:`expired_files` names; the rows keep the outcome (kind, dates, reason)."""
    documents = expired_files(session, keep_days=keep_days, clock=clock)
    for document in documents:
        store.discard(session, document.file_id)
        document.file_id = None
        session.add(document)
    session.flush()
    return len(documents)


def stored_file_ids(session: Session) -> set[str]:
    return set(
        session.exec(select(QualificationDocument.file_id).where(QualificationDocument.file_id.is_not(None)))
    )
