"""Qualification documents as files and as checks: what an upload may be, what an organizer may approve, and
where each required kind stands for a professional. Plain rules: no Flask, no database, no disk."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from swarm.domain.enums import DocumentKind, DocumentStatus
from swarm.domain.errors import N_, ValidationError
from swarm.domain.rules import REQUIRED_DOCUMENTS, Document

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # "at most 10 MB" (issue 14): a scanned page or a PDF of a few pages
MAX_VALIDITY_YEARS = 10
# A VOG has no end date of its own and a KvK extract shows the register on one day: both must be recent when an
# organizer checks them (six months is what municipalities usually ask).
RECENT_KINDS = (DocumentKind.VOG, DocumentKind.KVK_EXTRACT)
RECENT_DAYS = 183
EXPIRES_SOON_DAYS = 30
DISPLAY_NAME_LENGTH = 120

# The first bytes of each accepted type: the browser's Content-Type and the file name are the sender's word only.
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


def sniff_content_type(head: bytes) -> str | None:
    """The content type that the first bytes of a file show (PDF, PNG or JPEG); None for anything else."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def check_upload(content: bytes, field: str = "file") -> str:
    """The content type of an uploaded document; a field error for an empty, too large or other kind of file."""
    if not content:
        raise ValidationError(field, N_("Choose a file (the file you chose is empty)."))
    if len(content) > MAX_DOCUMENT_BYTES:
        raise ValidationError(field, N_("A document may be at most 10 MB."))
    content_type = sniff_content_type(content[:16])
    if content_type is None:
        raise ValidationError(field, N_("Upload a PDF, PNG or JPEG file."))
    return content_type


def display_name(filename: str | None, content_type: str) -> str:
    """The name the sender gave, fit to show and to offer as a download name: the last path part only, no control
    or format characters, at most 120 characters, with the extension of the real type. Never used on disk."""
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    extension = EXTENSIONS[content_type]
    stem = stem[: DISPLAY_NAME_LENGTH - len(extension)].strip(" .") or "document"
    return stem + extension


def years_ahead(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes 28 February in a year without it)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def check_approval(
    kind: DocumentKind, *, issued_on: date | None, expires_on: date | None, today: date
) -> None:
    """What an organizer records when approving a document must make sense: valid until a date from today up to
    10 years ahead; a VOG or KvK extract issued at most six months before the check, never in the future."""
    if expires_on is None:
        raise ValidationError("expires_on", N_("Enter the date until which the document is valid."))
    if expires_on < today:
        raise ValidationError("expires_on", N_("This date has passed: the document has expired."))
    if expires_on > years_ahead(today, MAX_VALIDITY_YEARS):
        raise ValidationError("expires_on", N_("A document counts for at most 10 years ahead."))
    if issued_on is not None:
        if issued_on > today:
            raise ValidationError("issued_on", N_("The issue date cannot be in the future."))
        if expires_on < issued_on:
            raise ValidationError("expires_on", N_("A document cannot expire before it was issued."))
    if kind in RECENT_KINDS:
        if issued_on is None:
            raise ValidationError("issued_on", N_("Enter the issue date shown on the document."))
        if issued_on < today - timedelta(days=RECENT_DAYS):
            raise ValidationError(
                "issued_on", N_("A VOG or KvK extract may be at most six months old when checked.")
            )


class Standing(StrEnum):
    """Where one required kind of document stands for a professional, as the profile page tells it."""

    MISSING = "missing"
    PENDING = "pending"  # uploaded, waiting for a check
    REJECTED = "rejected"
    APPROVED = "approved"
    EXPIRES_SOON = "expires_soon"  # approved, expires within EXPIRES_SOON_DAYS
    EXPIRED = "expired"


@dataclass(frozen=True)
class KindStanding:
    """``until``: the approved document's expiry; ``reason``: why the newest upload was rejected; ``waiting``:
    a newer upload waits for a check (or was rejected) while an approved one still counts."""

    kind: DocumentKind
    standing: Standing
    until: date | None = None
    reason: str = ""
    newer: DocumentStatus | None = None


def standings_on(day: date, documents: Sequence[Document]) -> list[KindStanding]:
    """For each required kind, in order: where it stands on ``day``. ``documents`` oldest upload first."""
    result = []
    for kind in REQUIRED_DOCUMENTS:
        own = [d for d in documents if d.kind == kind]
        approved = [d for d in own if d.status == DocumentStatus.APPROVED and d.expires_on is not None]
        current = max(approved, key=lambda d: d.expires_on or day, default=None)
        opened = [d for d in own if d.status != DocumentStatus.APPROVED]
        newest = opened[-1] if opened else None
        if current is not None and current.valid_on(day):
            assert current.expires_on is not None
            soon = current.expires_on <= day + timedelta(days=EXPIRES_SOON_DAYS)
            result.append(
                KindStanding(
                    kind,
                    Standing.EXPIRES_SOON if soon else Standing.APPROVED,
                    until=current.expires_on,
                    reason=newest.reason if newest else "",
                    newer=DocumentStatus(newest.status) if newest else None,
                )
            )
        elif newest is not None and newest.status == DocumentStatus.PENDING:
            result.append(KindStanding(kind, Standing.PENDING))
        elif newest is not None:
            result.append(KindStanding(kind, Standing.REJECTED, reason=newest.reason))
        elif current is not None:
            result.append(KindStanding(kind, Standing.EXPIRED, until=current.expires_on))
        else:
            result.append(KindStanding(kind, Standing.MISSING))
    return result
