"""Read-only queries the pages need and the services do not offer yet (requested in coord/REQUESTS.md).

Nothing here writes; each function is scoped by the caller's ids, which the views take from the logged-in user.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from swarm.domain.enums import AvailabilityAnswer, DocumentKind, RequestStatus
from swarm.domain.rules import Document, qualification_on
from swarm.persistence.models import (
    Assignment,
    Availability,
    Municipality,
    Place,
    Professional,
    ProfessionalSkill,
    Project,
    ProjectRole,
    QualificationDocument,
    RequestExclusion,
    RequestNeed,
    RequestSlot,
    RequestVenue,
    Role,
    RoleSkill,
    Skill,
    Slot,
    SwarmRequest,
    Venue,
)


def list_skills(session: Session) -> list[Skill]:
    return list(session.exec(select(Skill).order_by(Skill.name_nl)))


def list_places(session: Session) -> list[Place]:
    return list(session.exec(select(Place).order_by(Place.name)))


def region_slots(session: Session, region_id: int) -> list[Slot]:
    return list(session.exec(select(Slot).where(Slot.region_id == region_id).order_by(Slot.starts_at)))


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


def professional(session: Session, professional_id: int) -> Professional | None:
    return session.get(Professional, professional_id)


# --- the coordinator's municipality ---------------------------------------------------------------------


def municipality(session: Session, municipality_id: int) -> Municipality:
    return session.get(Municipality, municipality_id)


def roles_of(session: Session, municipality_id: int) -> list[tuple[Role, list[tuple[Skill, int]]]]:
    roles = session.exec(
        select(Role).where(Role.municipality_id == municipality_id).order_by(Role.name)
    ).all()
    return [(role, role_skill_levels(session, role.id)) for role in roles]


def role_skill_levels(session: Session, role_id: int) -> list[tuple[Skill, int]]:
    rows = session.exec(
        select(Skill, RoleSkill.min_level)
        .join(RoleSkill, RoleSkill.skill_id == Skill.id)
        .where(RoleSkill.role_id == role_id)
    )
    return list(rows.all())


def requests_of(session: Session, municipality_id: int) -> list[SwarmRequest]:
    return list(
        session.exec(
            select(SwarmRequest)
            .where(SwarmRequest.municipality_id == municipality_id)
            .order_by(SwarmRequest.created_at.desc())
        )
    )


def request_details(session: Session, request_id: int) -> dict:
    """Everything the request's page shows besides the schedule: needs, candidate slots, venues, exclusions."""
    needs = session.exec(
        select(RequestNeed, Skill)
        .join(Skill, Skill.id == RequestNeed.skill_id)
        .where(RequestNeed.request_id == request_id)
    ).all()
    slots = session.exec(
        select(Slot)
        .join(RequestSlot, RequestSlot.slot_id == Slot.id)
        .where(RequestSlot.request_id == request_id)
        .order_by(Slot.starts_at)
    ).all()
    venues = session.exec(
        select(Venue)
        .join(RequestVenue, RequestVenue.venue_id == Venue.id)
        .where(RequestVenue.request_id == request_id)
    ).all()
    exclusions = session.exec(
        select(RequestExclusion, Professional)
        .join(Professional, Professional.id == RequestExclusion.professional_id)
        .where(RequestExclusion.request_id == request_id)
    ).all()
    return {
        "needs": list(needs),
        "slots": list(slots),
        "venues": list(venues),
        "exclusions": list(exclusions),
    }


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


def slot_fill(
    session: Session, request_id: int, day: date, qualified: set[int] | None = None
) -> list[tuple[Slot, int, int]]:
    """Per candidate slot: how many qualified professionals answered yes, and how many 'if need be'.

    Excluded professionals (conflict of interest) are not counted.
    """
    request = session.get(SwarmRequest, request_id)
    excluded = set(
        session.exec(
            select(RequestExclusion.professional_id).where(RequestExclusion.request_id == request_id)
        ).all()
    )
    if qualified is None:
        qualified = qualified_ids(session, session.get(Municipality, request.municipality_id).region_id, day)
    qualified = qualified - excluded
    result = []
    for slot in request_details(session, request_id)["slots"]:
        answers = session.exec(
            select(Availability.professional_id, Availability.answer).where(Availability.slot_id == slot.id)
        ).all()
        yes = sum(1 for pid, answer in answers if pid in qualified and answer == AvailabilityAnswer.YES)
        maybe = sum(1 for pid, answer in answers if pid in qualified and answer == AvailabilityAnswer.MAYBE)
        result.append((slot, yes, maybe))
    return result


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


def projects_of(session: Session, municipality_id: int) -> list[Project]:
    return list(
        session.exec(
            select(Project)
            .where(Project.municipality_id == municipality_id)
            .order_by(Project.created_at.desc())
        )
    )


def project_roles(
    session: Session, project_id: int
) -> list[tuple[ProjectRole, Skill, Assignment | None, Professional | None]]:
    rows = session.exec(
        select(ProjectRole, Skill, Assignment, Professional)
        .join(Skill, Skill.id == ProjectRole.skill_id)
        .join(Assignment, Assignment.project_role_id == ProjectRole.id, isouter=True)
        .join(Professional, Professional.id == Assignment.professional_id, isouter=True)
        .where(ProjectRole.project_id == project_id)
        .order_by(ProjectRole.id)
    )
    return list(rows.all())


def open_questions_per_slot(session: Session, region_id: int) -> dict[int, list[str]]:
    """The titles of the region's open questions that may be discussed in each slot (for the availability grid)."""
    rows = session.exec(
        select(RequestSlot.slot_id, SwarmRequest.title)
        .join(SwarmRequest, SwarmRequest.id == RequestSlot.request_id)
        .join(Slot, Slot.id == RequestSlot.slot_id)
        .where(Slot.region_id == region_id, SwarmRequest.status == RequestStatus.OPEN)
        .order_by(SwarmRequest.title)
    )
    questions: dict[int, list[str]] = {}
    for slot_id, title in rows:
        questions.setdefault(slot_id, []).append(title)
    return questions
