"""Domain rules without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from swarm.domain.actors import SYSTEM, Actor
from swarm.domain.enums import DocumentKind, DocumentStatus, RequestStatus, UserRole
from swarm.domain.errors import InvalidTransition, NotAllowed, ValidationError
from swarm.domain.lifecycle import check_request_transition
from swarm.domain.rules import Document, normalise_email, normalise_kvk_number, qualification_on
from swarm.domain.timeutil import (
    AMSTERDAM,
    iso_week,
    iso_weeks_between,
    local_iso,
    parse_iso_week,
    slot_code,
    to_local,
    to_utc,
)

APPROVED = DocumentStatus.APPROVED
DOCS = [
    Document(kind, expires_on=date(2027, 6, 30), issued_on=date(2026, 7, 1), status=APPROVED)
    for kind in DocumentKind
]


@pytest.mark.parametrize("raw", ["12345678", " 1234 5678 ", "12.34.56.78"])
def test_kvk_numbers_of_eight_digits_are_accepted(raw):
    assert normalise_kvk_number(raw) == "12345678"


@pytest.mark.parametrize("raw", ["", "1234567", "123456789", "1234567X", "１２３４５６７８"])
def test_other_kvk_numbers_are_refused_at_the_field(raw):
    with pytest.raises(ValidationError) as refused:
        normalise_kvk_number(raw)
    assert refused.value.field == "kvk_number" and "8 digits" in refused.value.message


def test_email_is_normalised_or_refused():
    assert normalise_email("  Anouk@Example.NL ") == "anouk@example.nl"
    with pytest.raises(ValidationError):
        normalise_email("anouk@")


def test_qualified_while_every_document_is_valid_and_the_agreement_signed():
    signed = date(2026, 1, 1)
    assert qualification_on(date(2027, 6, 30), DOCS, agreement_signed_on=signed).qualified
    assert qualification_on(date(2027, 7, 1), DOCS, agreement_signed_on=signed).missing == (
        "kvk_extract",
        "vog",
        "liability_insurance",
    )
    assert qualification_on(date(2026, 6, 30), DOCS, agreement_signed_on=signed).missing  # not issued yet
    assert qualification_on(date(2027, 1, 1), DOCS[:2], agreement_signed_on=None).missing == (
        "liability_insurance",
        "model_agreement",
    )


def test_a_renewed_document_counts_even_when_the_old_one_expired():
    renewed = [*DOCS, Document(DocumentKind.VOG, expires_on=date(2028, 6, 30), status=APPROVED)]
    missing = qualification_on(date(2027, 8, 1), renewed, agreement_signed_on=date(2026, 1, 1)).missing
    assert "vog" not in missing


def test_qualified_until_the_earliest_expiry_of_the_approved_documents():
    insurance = Document(DocumentKind.LIABILITY_INSURANCE, expires_on=date(2027, 3, 1), status=APPROVED)
    documents = [*DOCS[:2], insurance]
    qualification = qualification_on(date(2027, 1, 1), documents, agreement_signed_on=date(2026, 1, 1))
    assert qualification.qualified and qualification.until == date(2027, 3, 1)
    assert qualification_on(date(2027, 1, 1), DOCS[:2], agreement_signed_on=date(2026, 1, 1)).until is None


@pytest.mark.parametrize("status", [DocumentStatus.PENDING, DocumentStatus.REJECTED])
def test_a_document_not_approved_counts_for_nothing_whatever_its_dates(status):
    unchecked = [Document(d.kind, expires_on=date(9999, 12, 31), issued_on=None, status=status) for d in DOCS]
    qualification = qualification_on(date(2027, 1, 1), unchecked, agreement_signed_on=date(2026, 1, 1))
    assert qualification.missing == ("kvk_extract", "vog", "liability_insurance")
    one_unchecked = [*DOCS[:2], unchecked[2]]
    assert qualification_on(
        date(2027, 1, 1), one_unchecked, agreement_signed_on=date(2026, 1, 1)
    ).missing == ("liability_insurance",)


def test_an_approved_document_without_an_expiry_date_counts_for_nothing():
    undated = [Document(d.kind, expires_on=None, status=APPROVED) for d in DOCS]
    assert not qualification_on(date(2027, 1, 1), undated, agreement_signed_on=date(2026, 1, 1)).qualified


def test_amsterdam_conversions_across_both_dst_switches():
    # 2027-03-28: clocks go from 02:00 CET to 03:00 CEST; 2027-10-31 back.
    assert to_utc(datetime(2027, 3, 27, 9)) == datetime(2027, 3, 27, 8, tzinfo=UTC)
    assert to_utc(datetime(2027, 3, 29, 9)) == datetime(2027, 3, 29, 7, tzinfo=UTC)
    assert to_utc(datetime(2027, 11, 1, 9)) == datetime(2027, 11, 1, 8, tzinfo=UTC)
    assert local_iso(datetime(2027, 3, 29, 7, tzinfo=UTC)) == "2027-03-29T09:00"
    assert to_local(datetime(2027, 1, 12, 8, 0)).tzinfo == AMSTERDAM  # naive values from SQLite are UTC


def test_iso_weeks():
    assert iso_week(date(2027, 1, 4)) == "2027-W01"
    assert iso_week(date(2027, 1, 1)) == "2026-W53"
    assert parse_iso_week("2027-W03") == date(2027, 1, 18)
    assert iso_weeks_between("2026-W52", "2027-W02") == ["2026-W52", "2026-W53", "2027-W01", "2027-W02"]
    with pytest.raises(ValueError, match="ISO week"):
        parse_iso_week("2027-03")


def test_slot_codes_name_the_part_of_day():
    assert slot_code(datetime(2027, 1, 12, 9, tzinfo=AMSTERDAM)) == "2027-01-12-am"
    assert slot_code(datetime(2027, 1, 12, 13, tzinfo=AMSTERDAM)) == "2027-01-12-pm"
    assert slot_code(datetime(2027, 1, 12, 19, tzinfo=AMSTERDAM)) == "2027-01-12-ev"


def test_request_life_cycle_transitions():
    check_request_transition(RequestStatus.DRAFT, RequestStatus.OPEN)
    check_request_transition("planned", RequestStatus.HELD)
    with pytest.raises(InvalidTransition):
        check_request_transition(RequestStatus.DRAFT, RequestStatus.PLANNED)
    with pytest.raises(InvalidTransition):
        check_request_transition(RequestStatus.HELD, RequestStatus.OPEN)


def test_actors_act_only_in_their_scope():
    coordinator = Actor(UserRole.COORDINATOR, municipality_id=1)
    organizer = Actor(UserRole.ORGANIZER, region_id=7)
    coordinator.require_municipality(1)
    organizer.require_municipality(1, region_id=7)
    SYSTEM.require_region(99)
    for check in (
        lambda: coordinator.require_municipality(2),
        lambda: coordinator.require_region(7),
        lambda: organizer.require_region(8),
        lambda: organizer.require_professional(1),
    ):
        with pytest.raises(NotAllowed):
            check()
