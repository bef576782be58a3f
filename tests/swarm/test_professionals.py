"""Registering and keeping a professional's data; every bad input names its field and stores nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from swarm.domain.actors import SYSTEM, Actor
from swarm.domain.enums import AvailabilityAnswer, DocumentKind, UserRole
from swarm.domain.errors import NotAllowed, ValidationError
from swarm.persistence.models import (
    Availability,
    Professional,
    ProfessionalSkill,
    QualificationDocument,
    User,
)
from swarm.services.people.accounts import EmailNotConfirmed, authenticate
from swarm.services.people.professionals import (
    DocumentInput,
    add_qualification_document,
    availability_of,
    qualification_of,
    register_professional,
    set_availability,
    update_profile,
)
from tests.swarm.factories import CLOCK, add_professional, all_documents, count, profile


def refuse(db, world, field, **changes):
    with pytest.raises(ValidationError) as refused:
        register_professional(
            db, profile(world, **changes), password="a good password", documents=all_documents(), clock=CLOCK
        )
    assert refused.value.field == field
    assert count(db, Professional) == count(db, User) == count(db, QualificationDocument) == 0
    return refused.value


def test_registration_stores_profile_skills_documents_and_login(db, world):
    professional = register_professional(
        db,
        profile(world, skills={"participatie": 3, "omgevingsrecht": 1}),
        password="a good password",
        documents=all_documents(),
        clock=CLOCK,
    )
    assert professional.region_id == world.region.id
    assert (professional.lat, professional.lon) == (world.place.lat, world.place.lon)
    assert count(db, ProfessionalSkill) == 2
    assert count(db, QualificationDocument) == 3
    account = db.exec(select(User).where(User.professional_id == professional.id)).one()
    account.email_confirmed_at = None
    with pytest.raises(EmailNotConfirmed):  # the login waits for the link in the confirmation mail
        authenticate(db, "PRO1@example.nl", "a good password", clock=CLOCK)
    account.email_confirmed_at = CLOCK()
    assert (
        authenticate(db, "PRO1@example.nl", "a good password", clock=CLOCK).professional_id == professional.id
    )


def test_kvk_number_with_spaces_is_accepted_and_stored_as_eight_digits(db, world):
    professional = add_professional(db, world, kvk_number="1234 5678")
    assert professional.kvk_number == "12345678"


@pytest.mark.parametrize("kvk", ["1234567", "123456789", "1234567a", ""])
def test_invalid_kvk_number_is_refused(db, world, kvk):
    assert "8 digits" in refuse(db, world, "kvk_number", kvk_number=kvk).message


def test_email_already_taken_is_refused(db, world):
    add_professional(db, world, 1, email="anouk@example.nl")
    before = count(db, Professional)
    with pytest.raises(ValidationError) as refused:
        add_professional(db, world, 2, email="Anouk@Example.nl ")
    assert refused.value.field == "email"
    assert count(db, Professional) == before


def test_unknown_place_is_refused(db, world):
    refuse(db, world, "home_place_id", home_place_id=987654321)


def test_invalid_email_and_skill_level_and_radius_are_refused(db, world):
    refuse(db, world, "email", email="not-an-email")
    refuse(db, world, "skills.participatie", skills={"participatie": 4})
    refuse(db, world, "travel_radius_km", travel_radius_km=-1)
    refuse(db, world, "skills", skills={"astrology": 2})


def test_qualification_is_derived_from_documents_on_the_date(db, world):
    professional = add_professional(db, world)
    assert qualification_of(db, professional.id, date(2027, 6, 1)).qualified
    later = qualification_of(db, professional.id, date(2028, 1, 1))
    assert set(later.missing) == {"kvk_extract", "vog", "liability_insurance"}


def test_missing_document_or_agreement_means_not_qualified(db, world):
    professional = register_professional(
        db, profile(world, agreement_signed=False), documents=all_documents()[:2], clock=CLOCK
    )
    missing = qualification_of(db, professional.id, date(2027, 1, 12)).missing
    assert missing == ("liability_insurance", "model_agreement")


def test_document_expiring_before_issue_is_refused(db, world):
    professional = add_professional(db, world)
    with pytest.raises(ValidationError) as refused:
        add_qualification_document(
            db,
            professional.id,
            DocumentInput(DocumentKind.VOG, expires_on=date(2026, 1, 1), issued_on=date(2026, 6, 1)),
            actor=SYSTEM,
        )
    assert refused.value.field == "document.expires_on"


def test_update_profile_changes_data_and_refuses_someone_elses(db, world):
    professional = add_professional(db, world)
    other = add_professional(db, world, 2)
    me = Actor(UserRole.PROFESSIONAL, professional_id=professional.id)
    update_profile(
        db, professional.id, profile(world, hourly_rate=110, skills={"jeugdzorg": 2}), actor=me, clock=CLOCK
    )
    assert professional.hourly_rate == 110
    with pytest.raises(NotAllowed):
        update_profile(db, other.id, profile(world, 2), actor=me, clock=CLOCK)
    with pytest.raises(ValidationError) as refused:
        update_profile(db, professional.id, profile(world, email="pro2@example.nl"), actor=me, clock=CLOCK)
    assert refused.value.field == "email"


def test_availability_is_one_answer_per_slot_and_can_change(db, world):
    professional = add_professional(db, world)
    me = Actor(UserRole.PROFESSIONAL, professional_id=professional.id)
    set_availability(
        db, professional.id, {world.morning.id: "yes", world.afternoon.id: "maybe"}, actor=me, clock=CLOCK
    )
    set_availability(db, professional.id, {world.morning.id: AvailabilityAnswer.NO}, actor=me, clock=CLOCK)
    assert availability_of(db, professional.id) == {world.morning.id: "no", world.afternoon.id: "maybe"}
    assert count(db, Availability) == 2


def test_availability_refuses_bad_answers_and_foreign_slots(db, world):
    professional = add_professional(db, world)
    me = Actor(UserRole.PROFESSIONAL, professional_id=professional.id)
    with pytest.raises(ValidationError) as refused:
        set_availability(db, professional.id, {world.morning.id: "perhaps"}, actor=me, clock=CLOCK)
    assert refused.value.field == f"availability.{world.morning.id}"
    with pytest.raises(ValidationError):
        set_availability(db, professional.id, {999999: "yes"}, actor=me, clock=CLOCK)
    assert count(db, Availability) == 0


def test_a_self_registered_professional_is_left_out_of_the_solver_export_until_confirmed(db, world):
    from swarm.services.plan.instance import build_swarm_instance
    from swarm.services.plan.requests import (
        NeedInput,
        RequestInput,
        create_swarm_request,
        submit_swarm_request,
    )

    registered = register_professional(
        db, profile(world, 7), password="a good password", documents=all_documents(), clock=CLOCK
    )
    account = db.exec(select(User).where(User.professional_id == registered.id)).one()
    account.email_confirmed_at = None
    set_availability(db, registered.id, {world.morning.id: "yes"}, actor=SYSTEM, clock=CLOCK)
    request = create_swarm_request(
        db,
        RequestInput(
            municipality_id=world.municipality.id,
            title="Omgevingsplan",
            needs=[NeedInput("participatie", 1, 1)],
            table_size_min=1,
            slot_ids=[world.morning.id],
        ),
        actor=world.coordinator,
        clock=CLOCK,
    )
    submit_swarm_request(db, request.id, actor=world.coordinator, clock=CLOCK)

    def exported() -> set[str]:
        return {p["id"] for p in build_swarm_instance(db, world.region.id)["professionals"]}

    assert f"p-{registered.id}" not in exported()
    account.email_confirmed_at = CLOCK()
    db.flush()
    assert f"p-{registered.id}" in exported()
