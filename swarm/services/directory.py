"""Look-ups the pages share: the skill catalogue and places, a region's slots, venues and professionals, a
municipality, a professional's own profile rows, and who is qualified on a day.

Read only; each function is scoped by the ids it is given, which the views take from the logged-in user.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from swarm.domain.enums import DocumentKind
from swarm.domain.rules import Document, qualification_on
from swarm.persistence.models import (
    Municipality,
    Place,
    Professional,
    ProfessionalSkill,
    QualificationDocument,
    Region,
    Skill,
    Slot,
    Venue,
)


def list_skills(session: Session) -> list[Skill]:
    return list(session.exec(select(Skill).order_by(Skill.name_nl)))


def list_places(session: Session) -> list[Place]:
    return list(session.exec(select(Place).order_by(Place.name)))


def region_slots(session: Session, region_id: int) -> list[Slot]:
    return list(session.exec(select(Slot).where(Slot.region_id == region_id).order_by(Slot.starts_at)))


def region_venues(session: Session, region_id: int) -> list[Venue]:
    return list(
        session.exec(select(Venue).where(Venue.region_id == region_id, Venue.active).order_by(Venue.name))
    )


def region_professionals(session: Session, region_id: int) -> list[Professional]:
    return list(
        session.exec(
            select(Professional)
            .where(Professional.region_id == region_id, Professional.anonymised_at.is_(None))
            .order_by(Professional.name)
        )
    )


def region(session: Session, region_id: int) -> Region:
    return session.get(Region, region_id)


def municipality(session: Session, municipality_id: int) -> Municipality:
    return session.get(Municipality, municipality_id)


def professional(session: Session, professional_id: int) -> Professional | None:
    return session.get(Professional, professional_id)


def professional_skills(session: Session, professional_id: int) -> dict[str, int]:
    rows = session.exec(
        select(Skill.code, ProfessionalSkill.level)
        .join(Skill, Skill.id == ProfessionalSkill.skill_id)
        .where(ProfessionalSkill.professional_id == professional_id)
    )
    return dict(rows.all())


def professional_documents(session: Session, professional_id: int) -> list[QualificationDocument]:
    return list(
        session.exec(
            select(QualificationDocument)
            .where(QualificationDocument.professional_id == professional_id)
            .order_by(QualificationDocument.kind, QualificationDocument.expires_on)
        )
    )


def qualified_ids(session: Session, region_id: int, day: date) -> set[int]:
    """The region's professionals qualified on `day` (documents valid, model agreement accepted)."""
    professionals = region_professionals(session, region_id)
    documents: dict[int, list[Document]] = {}
    for row in session.exec(
        select(QualificationDocument).where(
            QualificationDocument.professional_id.in_([p.id for p in professionals])
        )
    ):
        documents.setdefault(row.professional_id, []).append(
            Document(DocumentKind(row.kind), row.expires_on, row.issued_on)
        )
    return {
        p.id
        for p in professionals
        if qualification_on(day, documents.get(p.id, []), agreement_signed_on=p.agreement_signed_on).qualified
    }
