"""AVG: a professional downloads everything stored about them, and erasure leaves nothing that points to them."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from swarm.domain.actors import Actor
from swarm.domain.enums import UserRole
from swarm.domain.errors import NotAllowed
from swarm.persistence.models import (
    Availability,
    Professional,
    ProfessionalSkill,
    QualificationDocument,
    User,
)
from swarm.services.privacy import ANONYMOUS_NAME, anonymise_professional, export_personal_data
from swarm.services.professionals import register_professional, set_availability
from tests.swarm.factories import CLOCK, NOW, all_documents, count, profile


@pytest.fixture
def person(db, world):
    professional = register_professional(
        db,
        profile(world, bio="Ervaren in participatie"),
        password="a good password",
        documents=all_documents(),
        clock=CLOCK,
    )
    me = Actor(UserRole.PROFESSIONAL, professional_id=professional.id)
    set_availability(db, professional.id, {world.morning.id: "yes"}, actor=me, clock=CLOCK)
    return professional, me


def test_the_export_holds_profile_account_skills_documents_and_answers(db, person):
    professional, me = person
    data = export_personal_data(db, professional.id, actor=me)
    json.dumps(data)
    assert data["profile"]["email"] == "pro1@example.nl" and data["profile"]["home_place"] == "Ulft"
    assert data["account"]["email"] == "pro1@example.nl"
    assert data["skills"] == {"participatie": 2}
    assert len(data["documents"]) == 3
    assert data["availability"] == {"2027-01-12-am": "yes"}


def test_only_the_professional_may_export_or_erase(db, person, world):
    professional, _ = person
    with pytest.raises(NotAllowed):
        export_personal_data(db, professional.id, actor=world.organizer)
    with pytest.raises(NotAllowed):
        anonymise_professional(db, professional.id, actor=world.coordinator, clock=CLOCK)


def test_erasure_leaves_no_personal_data(db, person):
    professional, me = person
    anonymise_professional(db, professional.id, actor=me, clock=CLOCK)
    row = db.get(Professional, professional.id)
    assert row.name == ANONYMOUS_NAME and "pro1" not in row.email and row.bio == ""
    assert row.lat is None and row.home_place_id is None and row.anonymised_at == NOW
    assert (
        count(db, User)
        == count(db, ProfessionalSkill)
        == count(db, QualificationDocument)
        == count(db, Availability)
        == 0
    )
    assert db.exec(select(Professional).where(Professional.email == "pro1@example.nl")).first() is None
