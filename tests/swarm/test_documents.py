"""The rules for qualification documents, without a database: what an upload may be, what an organizer may
approve, and how each required kind stands for a professional."""

from __future__ import annotations

from datetime import date

import pytest

from swarm.domain.documents import (
    MAX_DOCUMENT_BYTES,
    Standing,
    check_approval,
    check_upload,
    display_name,
    sniff_content_type,
    standings_on,
    years_ahead,
)
from swarm.domain.enums import DocumentKind, DocumentStatus
from swarm.domain.errors import ValidationError
from swarm.domain.rules import Document
from tests.documents import JPEG, PDF, PNG, TEXT_NAMED_PDF

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")],
)
def test_pdf_png_and_jpeg_are_recognised_by_their_first_bytes(content, content_type):
    assert sniff_content_type(content[:16]) == content_type
    assert check_upload(content) == content_type


@pytest.mark.parametrize(
    "content",
    [
        TEXT_NAMED_PDF,
        b"GIF89a\x01\x00\x01\x00",
        b"<html><script>alert(1)</script>",
        b" %PDF-1.4",
        b"\xff\xd8",
    ],
)
def test_anything_else_is_refused_at_the_file_field_whatever_its_name(content):
    with pytest.raises(ValidationError) as refused:
        check_upload(content)
    assert refused.value.field == "file" and "PDF, PNG or JPEG" in refused.value.message


def test_an_empty_file_and_one_byte_past_10_mb_are_refused_and_10_mb_is_not():
    for content in (b"", PDF + b"0" * (MAX_DOCUMENT_BYTES + 1 - len(PDF))):
        with pytest.raises(ValidationError) as refused:
            check_upload(content)
        assert refused.value.field == "file"
    assert check_upload(PDF + b"0" * (MAX_DOCUMENT_BYTES - len(PDF))) == "application/pdf"


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("polis 2027.pdf", "polis 2027.pdf"),
        ("C:\\Users\\fatima\\VOG.PDF", "VOG.pdf"),
        ("../../etc/passwd", "passwd.pdf"),
        ("uittreksel\r\nX-Evil: 1.pdf", "uittreksel X-Evil: 1.pdf"),
        ("\u202eexe.pdf", "exe.pdf"),
        ("", "document.pdf"),
        ("a" * 300 + ".pdf", "a" * 116 + ".pdf"),
    ],
)
def test_the_senders_file_name_is_cleaned_for_display_and_takes_the_real_types_extension(sent, shown):
    assert display_name(sent, "application/pdf") == shown


def test_a_renamed_image_keeps_its_real_extension():
    assert display_name("scan.pdf", "image/png") == "scan.png"


def test_an_approval_needs_an_expiry_from_today_up_to_ten_years_ahead():
    check_approval(DocumentKind.LIABILITY_INSURANCE, issued_on=None, expires_on=TODAY, today=TODAY)
    check_approval(
        DocumentKind.LIABILITY_INSURANCE, issued_on=None, expires_on=date(2036, 12, 1), today=TODAY
    )
    for expires_on, words in (
        (None, "Enter the date"),
        (date(2026, 11, 30), "expired"),
        (date(2036, 12, 2), "10 years"),
    ):
        with pytest.raises(ValidationError) as refused:
            check_approval(
                DocumentKind.LIABILITY_INSURANCE, issued_on=None, expires_on=expires_on, today=TODAY
            )
        assert refused.value.field == "expires_on" and words in refused.value.message


@pytest.mark.parametrize("kind", [DocumentKind.VOG, DocumentKind.KVK_EXTRACT])
def test_a_vog_or_kvk_extract_must_be_issued_within_six_months_and_not_in_the_future(kind):
    expires_on = date(2029, 12, 1)
    check_approval(kind, issued_on=date(2026, 6, 1), expires_on=expires_on, today=TODAY)
    for issued_on, words in (
        (None, "issue date"),
        (date(2026, 5, 31), "six months"),
        (date(2026, 12, 2), "future"),
    ):
        with pytest.raises(ValidationError) as refused:
            check_approval(kind, issued_on=issued_on, expires_on=expires_on, today=TODAY)
        assert refused.value.field == "issued_on" and words in refused.value.message


def test_ten_years_from_a_leap_day_ends_on_the_28th():
    assert years_ahead(date(2028, 2, 29), 10) == date(2038, 2, 28)


def _doc(kind, status, expires_on=None, reason=""):
    return Document(kind, expires_on, status=status, reason=reason)


def test_each_kind_tells_where_it_stands():
    documents = [
        _doc(DocumentKind.KVK_EXTRACT, DocumentStatus.APPROVED, date(2027, 12, 1)),
        _doc(DocumentKind.VOG, DocumentStatus.PENDING),
    ]
    standings = {s.kind: s for s in standings_on(TODAY, documents)}
    assert standings[DocumentKind.KVK_EXTRACT].standing is Standing.APPROVED
    assert standings[DocumentKind.KVK_EXTRACT].until == date(2027, 12, 1)
    assert standings[DocumentKind.VOG].standing is Standing.PENDING
    assert standings[DocumentKind.LIABILITY_INSURANCE].standing is Standing.MISSING


def test_expiring_within_30_days_expired_and_rejected_are_told_apart():
    documents = [
        _doc(DocumentKind.KVK_EXTRACT, DocumentStatus.APPROVED, date(2026, 12, 31)),
        _doc(DocumentKind.VOG, DocumentStatus.APPROVED, date(2026, 11, 30)),
        _doc(
            DocumentKind.LIABILITY_INSURANCE, DocumentStatus.REJECTED, reason="Geen beroepsaansprakelijkheid"
        ),
    ]
    standings = {s.kind: s for s in standings_on(TODAY, documents)}
    assert standings[DocumentKind.KVK_EXTRACT].standing is Standing.EXPIRES_SOON
    assert standings[DocumentKind.VOG].standing is Standing.EXPIRED
    assert standings[DocumentKind.VOG].until == date(2026, 11, 30)
    rejected = standings[DocumentKind.LIABILITY_INSURANCE]
    assert rejected.standing is Standing.REJECTED and rejected.reason == "Geen beroepsaansprakelijkheid"


def test_an_approved_document_keeps_counting_while_its_successor_waits_or_was_rejected():
    approved = _doc(DocumentKind.VOG, DocumentStatus.APPROVED, date(2027, 6, 1))
    waiting = standings_on(TODAY, [approved, _doc(DocumentKind.VOG, DocumentStatus.PENDING)])[1]
    assert (waiting.standing, waiting.newer) == (Standing.APPROVED, DocumentStatus.PENDING)
    refused = standings_on(
        TODAY, [approved, _doc(DocumentKind.VOG, DocumentStatus.REJECTED, reason="Onleesbaar")]
    )[1]
    assert (refused.standing, refused.newer, refused.reason) == (
        Standing.APPROVED,
        DocumentStatus.REJECTED,
        "Onleesbaar",
    )
