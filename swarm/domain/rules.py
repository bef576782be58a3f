"""Rules that need no database: KvK numbers, qualification on a date, field checks."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from swarm.domain.enums import DocumentKind, DocumentStatus
from swarm.domain.errors import N_, ValidationError
from swarm.domain.timeutil import parse_iso_week

_KVK = re.compile(r"[0-9]{8}")  # ASCII only: \d would accept full-width digits
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

REQUIRED_DOCUMENTS = (DocumentKind.KVK_EXTRACT, DocumentKind.VOG, DocumentKind.LIABILITY_INSURANCE)
SKILL_LEVELS = (1, 2, 3)
MAX_ROW_ID = 2**31 - 1  # the largest row id: an integer column of PostgreSQL
# Three years: longer work is a new project. It also bounds the team instance and the week-by-week page, which
# grow with the weeks a project spans (a role over 1000-W01..9998-W01 made a 37 MB page).
MAX_ROLE_WEEKS = 156

_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


def has_control_character(text: str) -> bool:
    """A C0 control character or DEL (a line break, a tab, a NUL): what no one-line text may hold."""
    return _CONTROL_CHARACTER.search(text) is not None


def normalise_kvk_number(value: str, field: str = "kvk_number") -> str:
    """A KvK (Chamber of Commerce) number is 8 digits; spaces and dots people type are dropped."""
    cleaned = re.sub(r"[\s.]", "", value or "")
    if not _KVK.fullmatch(cleaned):
        raise ValidationError(field, N_("A KvK number has exactly 8 digits."))
    return cleaned


def normalise_email(value: str, field: str = "email") -> str:
    cleaned = (value or "").strip().lower()
    if not _EMAIL.fullmatch(cleaned) or len(cleaned) > 254:
        raise ValidationError(field, N_("Enter a valid email address."))
    return cleaned


def require_text(value: str | None, field: str, *, max_length: int = 200) -> str:
    cleaned = (value or "").strip()
    if not cleaned:
        raise ValidationError(field, N_("This field is required."))
    if len(cleaned) > max_length:
        raise ValidationError(field, N_("At most %(count)s characters."), count=max_length)
    return cleaned


def require_range(value: int | float, field: str, *, minimum: float, maximum: float | None = None) -> None:
    if value < minimum or (maximum is not None and value > maximum):
        if maximum is None:
            raise ValidationError(field, N_("Must be at least %(minimum)s."), minimum=minimum)
        raise ValidationError(
            field, N_("Must be between %(minimum)s and %(maximum)s."), minimum=minimum, maximum=maximum
        )


def require_level(level: int, field: str = "level") -> int:
    if level not in SKILL_LEVELS:
        raise ValidationError(field, N_("A skill level is 1, 2 or 3."))
    return level


def require_role_weeks(first_week: str, last_week: str, field: str) -> int:
    """How many ISO weeks a role spans, first and last included; a field error (``field.first_week`` or
    ``field.last_week``) for a week that does not exist, a last week before the first, or more than
    MAX_ROLE_WEEKS weeks."""
    mondays = {}
    for key, text in (("first_week", first_week), ("last_week", last_week)):
        try:
            mondays[key] = parse_iso_week(text)
        except ValueError:
            raise ValidationError(
                f"{field}.{key}", N_('"%(value)s" is not an ISO week like 2027-W03'), value=text
            ) from None
    weeks = (mondays["last_week"] - mondays["first_week"]).days // 7 + 1
    if weeks < 1:
        raise ValidationError(f"{field}.last_week", N_("The last week cannot come before the first."))
    if weeks > MAX_ROLE_WEEKS:
        raise ValidationError(f"{field}.last_week", N_("A role spans at most 156 weeks (three years)."))
    return weeks


@dataclass(frozen=True)
class Document:
    """A qualification document as the domain sees it. Only an organizer's approval gives it an expiry date that
    counts; the professional's own word (an upload, a date typed in) never qualifies anyone."""

    kind: DocumentKind
    expires_on: date | None
    issued_on: date | None = None
    status: DocumentStatus = dataclasses.field(kw_only=True)
    reason: str = dataclasses.field(default="", kw_only=True)  # why it was rejected

    def valid_on(self, day: date) -> bool:
        return (
            self.status == DocumentStatus.APPROVED
            and self.expires_on is not None
            and (self.issued_on is None or self.issued_on <= day)
            and day <= self.expires_on
        )


@dataclass(frozen=True)
class Qualification:
    """Whether a professional may be invited on a date, what is missing if not, and until when (the earliest
    expiry of the approved documents) if so."""

    day: date
    missing: tuple[str, ...]
    until: date | None = None

    @property
    def qualified(self) -> bool:
        return not self.missing


def qualification_on(
    day: date, documents: Iterable[Document], *, agreement_signed_on: date | None
) -> Qualification:
    """Register once, qualified everywhere: every required document approved and valid on ``day``, and the model
    agreement signed.

    Never stored: it changes by itself when a document expires.
    """
    expiry: dict[DocumentKind, date] = {}
    for doc in documents:
        if doc.valid_on(day) and doc.expires_on is not None:
            expiry[doc.kind] = max(expiry.get(doc.kind, doc.expires_on), doc.expires_on)
    missing = [kind.value for kind in REQUIRED_DOCUMENTS if kind not in expiry]
    if agreement_signed_on is None or agreement_signed_on > day:
        missing.append("model_agreement")
    until = None if missing else min(expiry[kind] for kind in REQUIRED_DOCUMENTS)
    return Qualification(day, tuple(missing), until)
