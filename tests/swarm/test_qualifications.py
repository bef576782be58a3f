"""Checked qualifications as services: a professional uploads, an organizer of the region approves or rejects,
the files follow their rows, and one KvK number belongs to one professional."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from sqlmodel import select

from swarm.domain.actors import SYSTEM, Actor
from swarm.domain.documents import Standing
from swarm.domain.enums import DocumentKind, DocumentStatus, UserRole
from swarm.domain.errors import NotAllowed, NotFound, ValidationError
from swarm.persistence.models import QualificationDocument
from swarm.services.lookup import qualified_ids
from swarm.services.people.privacy import anonymise_professional
from swarm.services.people.professionals import register_professional, update_profile
from swarm.services.people.qualifications import (
    KVK_NUMBER_CHANGED,
    Approval,
    Upload,
    approve_document,
    document_file,
    documents_to_check,
    qualification_of,
    reject_document,
    remove_document,
    remove_expired_files,
    standings_of,
    upload_document,
)
from tests.documents import JPEG, PDF, PNG, TEXT_NAMED_PDF
from tests.swarm.factories import CLOCK, add_professional, count, profile

TODAY = date(2026, 12, 1)  # CLOCK's day
RECENT = date(2026, 10, 1)


def me(professional) -> Actor:
    return Actor(UserRole.PROFESSIONAL, professional_id=professional.id)


@pytest.fixture
def newcomer(db, world):
    """A registered professional with the agreement accepted and no documents yet."""
    return register_professional(db, profile(world, 5), clock=CLOCK)


def upload(db, store, person, kind, content=PDF, name="scan.pdf"):
    return upload_document(
        db, person.id, Upload(kind, name, content), store=store, actor=me(person), clock=CLOCK
    )


def approve(db, store, document, world, expires_on=date(2028, 6, 30), issued_on=RECENT):
    return approve_document(
        db,
        document.id,
        Approval(expires_on=expires_on, issued_on=issued_on),
        store=store,
        actor=world.organizer,
        clock=CLOCK,
    )


def test_an_upload_is_stored_under_a_random_name_and_waits_for_a_check(db, world, store, newcomer):
    document = upload(db, store, newcomer, DocumentKind.VOG, JPEG, name="../mijn VOG.pdf")
    assert document.status == DocumentStatus.PENDING and document.expires_on is None
    assert document.content_type == "image/jpeg" and document.file_name == "mijn VOG.jpg"
    assert document.size_bytes == len(JPEG) and document.sha256 == hashlib.sha256(JPEG).hexdigest()
    assert store.file_ids() == {document.file_id} and "VOG" not in document.file_id
    assert store.read(document.file_id) == JPEG
    assert [item.document.id for item in documents_to_check(db, world.region.id, actor=world.organizer)] == [
        document.id
    ]
    assert not qualification_of(db, newcomer.id, TODAY).qualified


def test_a_text_file_named_pdf_is_refused_and_nothing_is_stored(db, world, store, newcomer):
    with pytest.raises(ValidationError) as refused:
        upload(db, store, newcomer, DocumentKind.VOG, TEXT_NAMED_PDF, name="vog.pdf")
    assert refused.value.field == "file"
    assert count(db, QualificationDocument) == 0 and store.file_ids() == set()


def test_only_the_professional_uploads_their_own_documents(db, world, store, newcomer):
    other = add_professional(db, world, 6)
    for actor in (me(other), world.organizer, world.coordinator):
        with pytest.raises(NotAllowed):
            upload_document(
                db, newcomer.id, Upload("vog", "x.pdf", PDF), store=store, actor=actor, clock=CLOCK
            )


def test_a_new_upload_replaces_the_one_waiting_and_its_file_goes_on_commit(db, world, store, newcomer):
    first = upload(db, store, newcomer, DocumentKind.VOG, PDF)
    db.commit()
    second = upload(db, store, newcomer, DocumentKind.VOG, PNG, name="vog.png")
    assert store.file_ids() == {first.file_id, second.file_id}  # until the replacement is committed
    db.commit()
    assert store.file_ids() == {second.file_id}
    assert [d.id for d in db.exec(select(QualificationDocument))] == [second.id]


def test_an_upload_whose_transaction_is_rolled_back_leaves_no_file(db, world, store, newcomer):
    upload(db, store, newcomer, DocumentKind.VOG)
    db.rollback()
    assert store.file_ids() == set()


def test_three_approved_documents_qualify_until_the_earliest_expiry(db, world, store, newcomer):
    documents = [upload(db, store, newcomer, kind) for kind in DocumentKind]
    approve(db, store, documents[0], world, expires_on=date(2027, 3, 1))
    approve(db, store, documents[1], world)
    assert not qualification_of(db, newcomer.id, TODAY).qualified
    assert newcomer.id not in qualified_ids(db, world.region.id, TODAY)
    approve(db, store, documents[2], world, issued_on=None)
    qualification = qualification_of(db, newcomer.id, TODAY)
    assert qualification.qualified and qualification.until == date(2027, 3, 1)
    assert newcomer.id in qualified_ids(db, world.region.id, TODAY)
    assert newcomer.id not in qualified_ids(db, world.region.id, date(2027, 3, 2))
    assert documents[0].checked_by_id is None and documents[0].checked_at == CLOCK()


def test_an_approved_document_counts_until_its_successor_is_approved_which_replaces_it(
    db, world, store, newcomer
):
    old = approve(db, store, upload(db, store, newcomer, DocumentKind.LIABILITY_INSURANCE), world)
    db.commit()
    new = upload(db, store, newcomer, DocumentKind.LIABILITY_INSURANCE, PNG)
    [standing] = [
        s for s in standings_of(db, newcomer.id, TODAY) if s.kind == DocumentKind.LIABILITY_INSURANCE
    ]
    assert (standing.standing, standing.newer) == (Standing.APPROVED, DocumentStatus.PENDING)
    approve(db, store, new, world, expires_on=date(2029, 6, 30))
    db.commit()
    assert store.file_ids() == {new.file_id}
    assert db.get(QualificationDocument, old.id) is None


def test_a_rejection_keeps_the_reason_for_the_professional_and_qualifies_nobody(db, world, store, newcomer):
    document = upload(db, store, newcomer, DocumentKind.LIABILITY_INSURANCE)
    reject_document(
        db, document.id, "De polis dekt geen beroepsaansprakelijkheid.", actor=world.organizer, clock=CLOCK
    )
    [standing] = [
        s for s in standings_of(db, newcomer.id, TODAY) if s.kind == DocumentKind.LIABILITY_INSURANCE
    ]
    assert standing.standing is Standing.REJECTED and "beroepsaansprakelijkheid" in standing.reason
    with pytest.raises(ValidationError) as refused:
        approve(db, store, document, world)
    assert refused.value.field == "document"  # checked already
    with pytest.raises(ValidationError) as empty:
        reject_document(
            db, upload(db, store, newcomer, DocumentKind.VOG).id, "  ", actor=world.organizer, clock=CLOCK
        )
    assert empty.value.field == "reason"


def test_an_approval_with_impossible_dates_is_refused_at_its_field(db, world, store, newcomer):
    document = upload(db, store, newcomer, DocumentKind.VOG)
    for expires_on, issued_on, field in (
        (date(2026, 11, 30), RECENT, "expires_on"),
        (date(2037, 1, 1), RECENT, "expires_on"),
        (date(2028, 1, 1), date(2026, 1, 1), "issued_on"),
        (date(2028, 1, 1), None, "issued_on"),
    ):
        with pytest.raises(ValidationError) as refused:
            approve(db, store, document, world, expires_on=expires_on, issued_on=issued_on)
        assert refused.value.field == field
    assert document.status == DocumentStatus.PENDING


def test_only_organizers_of_the_region_check_and_others_find_nothing(db, world, store, newcomer):
    document = upload(db, store, newcomer, DocumentKind.VOG)
    stranger = Actor(UserRole.ORGANIZER, region_id=world.region.id + 1000)
    with pytest.raises(NotFound):
        approve_document(
            db, document.id, Approval(date(2028, 1, 1), RECENT), store=store, actor=stranger, clock=CLOCK
        )
    with pytest.raises(NotFound):
        reject_document(db, document.id, "nee", actor=world.coordinator, clock=CLOCK)
    with pytest.raises(NotAllowed):
        documents_to_check(db, world.region.id, actor=stranger)


def test_the_file_is_served_to_its_owner_and_the_regions_organizers_only(db, world, store, newcomer):
    document = upload(db, store, newcomer, DocumentKind.VOG, PNG)
    for actor in (me(newcomer), world.organizer):
        assert document_file(db, document.id, store=store, actor=actor) == (document, PNG)
    other = add_professional(db, world, 6)
    for actor in (
        me(other),
        world.coordinator,
        Actor(UserRole.ORGANIZER, region_id=world.region.id + 1000),
        Actor(UserRole.ADMINISTRATOR, user_id=1),
    ):
        with pytest.raises(NotFound):
            document_file(db, document.id, store=store, actor=actor)


def test_the_professional_removes_a_document_and_its_file_goes_on_commit(db, world, store, newcomer):
    document = upload(db, store, newcomer, DocumentKind.VOG)
    db.commit()
    remove_document(db, document.id, store=store, actor=me(newcomer))
    db.commit()
    assert store.file_ids() == set() and count(db, QualificationDocument) == 0


def test_erasure_removes_every_file_once_it_is_committed_and_none_if_rolled_back(db, world, store, newcomer):
    for kind in DocumentKind:
        upload(db, store, newcomer, kind)
    db.commit()
    anonymise_professional(db, newcomer.id, store=store, actor=me(newcomer), clock=CLOCK)
    db.rollback()
    assert len(store.file_ids()) == 3  # the erasure did not happen: nothing lost
    anonymise_professional(db, newcomer.id, store=store, actor=me(newcomer), clock=CLOCK)
    db.commit()
    assert store.file_ids() == set() and count(db, QualificationDocument) == 0


def test_retention_drops_the_files_of_rejected_and_long_expired_documents_and_keeps_the_outcome(
    db, world, store, newcomer
):
    from datetime import timedelta

    from swarm.domain.timeutil import fixed_clock

    rejected = upload(db, store, newcomer, DocumentKind.LIABILITY_INSURANCE)
    reject_document(db, rejected.id, "Onleesbaar", actor=world.organizer, clock=CLOCK)
    approved = approve(
        db, store, upload(db, store, newcomer, DocumentKind.VOG), world, expires_on=date(2027, 1, 31)
    )
    kept = approve(db, store, upload(db, store, newcomer, DocumentKind.KVK_EXTRACT), world)
    db.commit()
    assert remove_expired_files(db, store, keep_days=90, clock=CLOCK) == 0
    later = fixed_clock(CLOCK() + timedelta(days=91))  # the rejection is 91 days old, the VOG not yet expired
    assert remove_expired_files(db, store, keep_days=90, clock=later) == 1
    much_later = fixed_clock(CLOCK() + timedelta(days=61 + 91))  # the VOG expired 91 days ago
    assert remove_expired_files(db, store, keep_days=90, clock=much_later) == 1
    db.commit()
    assert store.file_ids() == {kept.file_id}
    assert rejected.rejection_reason == "Onleesbaar" and approved.expires_on == date(2027, 1, 31)
    assert rejected.file_id is None and approved.file_id is None


def test_one_kvk_number_belongs_to_one_professional(db, world, newcomer):
    with pytest.raises(ValidationError) as refused:
        register_professional(db, profile(world, 6, kvk_number=newcomer.kvk_number), clock=CLOCK)
    assert (
        refused.value.field == "kvk_number"
        and refused.value.message == "This KvK number is already registered."
    )
    other = add_professional(db, world, 7)
    with pytest.raises(ValidationError) as changed:
        update_profile(
            db, other.id, profile(world, 7, kvk_number=newcomer.kvk_number), actor=me(other), clock=CLOCK
        )
    assert changed.value.field == "kvk_number"


def test_the_kvk_number_of_an_erased_profile_is_free_again(db, world, store, newcomer):
    number = newcomer.kvk_number
    anonymise_professional(db, newcomer.id, store=store, actor=SYSTEM, clock=CLOCK)
    assert register_professional(db, profile(world, 6, kvk_number=number), clock=CLOCK).kvk_number == number


def test_a_changed_kvk_number_withdraws_the_checked_extract(db, world, store, newcomer):
    extract = approve(db, store, upload(db, store, newcomer, DocumentKind.KVK_EXTRACT), world)
    update_profile(db, newcomer.id, profile(world, 5, kvk_number="99887766"), actor=me(newcomer), clock=CLOCK)
    assert extract.status == DocumentStatus.REJECTED and extract.rejection_reason == KVK_NUMBER_CHANGED
    update_profile(
        db,
        newcomer.id,
        profile(world, 5, kvk_number="99887766", hourly_rate=95),
        actor=me(newcomer),
        clock=CLOCK,
    )
    assert extract.status == DocumentStatus.REJECTED  # the same number again changes nothing more
