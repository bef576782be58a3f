"""Look-ups every journey shares: fetch-or-fail by id, the skill catalogue and places, a region, a municipality,
the region's professionals and who of them is qualified on a day.

The bottom of the services (every journey may use it; it uses none). Reads are scoped by the ids they are given,
which the views take from the logged-in user.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TypeVar

from sqlmodel import Session, SQLModel, select

from swarm.domain.enums import DocumentKind, DocumentStatus
from swarm.domain.errors import N_, NotFound, ValidationError
from swarm.domain.rules import MAX_ROW_ID, Document, qualification_on
from swarm.persistence.models import (
    Municipality,
    Place,
    Professional,
    QualificationDocument,
    Region,
    Skill,
    User,
)

Row = TypeVar("Row", bound=SQLModel)


def get(session: Session, model: type[Row], ident: int | None) -> Row:
    """The row with primary key ``ident``; :class:`NotFound` when there is none (also for an id no row can have)."""
    in_range = isinstance(ident, int) and 1 <= ident <= MAX_ROW_ID
    row = session.get(model, ident) if in_range else None
    if row is None:
        raise NotFound(model.__name__, ident)
    return row


def region_by_slug(session: Session, slug: str) -> Region:
    region = session.exec(select(Region).where(Region.slug == slug)).first()
    if region is None:
        raise NotFound("Region", slug)
    return region


def place_for_field(session: Session, place_id: int | None, field: str = "home_place_id") -> Place:
    """A place picked in a form; an unknown one is the field's error, not a crash."""
    place = session.get(Place, place_id) if place_id is not None else None
    if place is None:
        raise ValidationError(field, N_("Pick a place from the list."))
    return place


def skills_by_code(session: Session, codes: list[str], field: str = "skills") -> dict[str, Skill]:
    """The skills named by ``codes``; an unknown code is a field error."""
    found = {skill.code: skill for skill in session.exec(select(Skill).where(Skill.code.in_(codes)))}
    return require_skills(codes, found, field)


def require_skills(
    codes: list[str], catalogue: Mapping[str, Skill], field: str = "skills"
) -> dict[str, Skill]:
    """The skills named by ``codes`` out of ``catalogue`` (code -> skill); an unknown code is a field error."""
    for code in codes:
        if code not in catalogue:
            raise ValidationError(field, N_('Unknown skill "%(code)s".'), code=code)
    return {code: catalogue[code] for code in codes}


def list_skills(session: Session) -> list[Skill]:
    return list(session.exec(select(Skill).order_by(Skill.name_nl)))


def list_places(session: Session) -> list[Place]:
    return list(session.exec(select(Place).order_by(Place.name)))


def region(session: Session, region_id: int) -> Region | None:
    return session.get(Region, region_id)


def municipality(session: Session, municipality_id: int) -> Municipality | None:
    return session.get(Municipality, municipality_id)


def region_professionals(session: Session, region_id: int) -> list[Professional]:
    return list(
        session.exec(
            select(Professional)
            .where(Professional.region_id == region_id, Professional.anonymised_at.is_(None))
            .order_by(Professional.name)
        )
    )


def unconfirmed_professionals():
    """The ids (a subquery) of professionals whose login has not confirmed its e-mail address yet: they cannot be
    invited until it has. A professional without a login (seeded, imported) counts as confirmed."""
    return select(User.professional_id).where(
        User.professional_id.is_not(None), User.email_confirmed_at.is_(None)
    )


def approved_documents(session: Session, professional_ids) -> dict[int, list[Document]]:
    """The approved documents of the professionals ``professional_ids`` (a list or a subquery of ids): the only
    ones that count for a qualification."""
    documents: dict[int, list[Document]] = {}
    for professional_id, kind, expires_on, issued_on in session.exec(
        select(
            QualificationDocument.professional_id,
            QualificationDocument.kind,
            QualificationDocument.expires_on,
            QualificationDocument.issued_on,
        ).where(
            QualificationDocument.professional_id.in_(professional_ids),
            QualificationDocument.status == DocumentStatus.APPROVED,
        )
    ):
        documents.setdefault(professional_id, []).append(
            Document(DocumentKind(kind), expires_on, issued_on, status=DocumentStatus.APPROVED)
        )
    return documents


def qualified_ids(session: Session, region_id: int, day: date) -> set[int]:
    """The region's professionals qualified on `day` (documents checked and valid, model agreement accepted,
    e-mail address confirmed)."""
    unconfirmed = set(session.exec(unconfirmed_professionals()))
    professionals = [p for p in region_professionals(session, region_id) if p.id not in unconfirmed]
    documents = approved_documents(session, [p.id for p in professionals])
    return {
        p.id
        for p in professionals
        if qualification_on(day, documents.get(p.id, []), agreement_signed_on=p.agreement_signed_on).qualified
    }


def account_of_professional(session: Session, professional_id: int) -> User:
    user = session.exec(select(User).where(User.professional_id == professional_id)).first()
    if user is None:
        raise NotFound("User", professional_id)
    return user
