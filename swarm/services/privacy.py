"""AVG/GDPR: a professional sees and downloads everything stored about them, and can have it erased.

Erasure anonymises rather than deletes the professional row: past invitations stay countable for equal
treatment, but nothing in them points to a person any more. The retention job uses the same function.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from swarm.domain.actors import Actor
from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.models import (
    Assignment,
    Availability,
    Invitation,
    Pin,
    Place,
    Professional,
    ProfessionalSkill,
    ProjectPreference,
    QualificationDocument,
    RequestExclusion,
    Skill,
    Slot,
    User,
    WeekCapacity,
)
from swarm.persistence.models import Session as SwarmSession
from swarm.services.lookup import get

ANONYMOUS_NAME = "Geanonimiseerd"


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()


def export_personal_data(session: Session, professional_id: int, *, actor: Actor) -> dict:
    """Everything stored about the professional, as plain JSON-ready data (the download)."""
    actor.require_professional(professional_id)
    person = get(session, Professional, professional_id)
    place = session.get(Place, person.home_place_id) if person.home_place_id else None
    codes = {s.id: s.code for s in session.exec(select(Skill))}
    user = session.exec(select(User).where(User.professional_id == person.id)).first()
    slots = {s.id: s.code for s in session.exec(select(Slot).where(Slot.region_id == person.region_id))}
    invitations = session.exec(
        select(Invitation, SwarmSession)
        .join(SwarmSession, SwarmSession.id == Invitation.session_id)
        .where(Invitation.professional_id == person.id)
        .order_by(Invitation.id)
    )
    return {
        "profile": {
            "name": person.name,
            "email": person.email,
            "kvk_number": person.kvk_number,
            "home_place": place.name if place else None,
            "travel_radius_km": person.travel_radius_km,
            "hourly_rate": person.hourly_rate,
            "hours_per_week": person.hours_per_week,
            "max_sessions_per_round": person.max_sessions_per_round,
            "bio": person.bio,
            "agreement_signed_on": _iso(person.agreement_signed_on),
            "created_at": _iso(person.created_at),
            "last_active_at": _iso(person.last_active_at),
        },
        "account": None
        if user is None
        else {
            "email": user.email,
            "locale": user.locale,
            "created_at": _iso(user.created_at),
            "last_login_at": _iso(user.last_login_at),
        },
        "skills": {
            codes[s.skill_id]: s.level
            for s in session.exec(
                select(ProfessionalSkill).where(ProfessionalSkill.professional_id == person.id)
            )
        },
        "documents": [
            {
                "kind": str(d.kind),
                "issued_on": _iso(d.issued_on),
                "expires_on": _iso(d.expires_on),
                "reference": d.reference,
            }
            for d in session.exec(
                select(QualificationDocument).where(QualificationDocument.professional_id == person.id)
            )
        ],
        "availability": {
            slots.get(a.slot_id, str(a.slot_id)): str(a.answer)
            for a in session.exec(select(Availability).where(Availability.professional_id == person.id))
        },
        "week_capacity": {
            w.week: w.hours
            for w in session.exec(select(WeekCapacity).where(WeekCapacity.professional_id == person.id))
        },
        "invitations": [
            {
                "session": s.uid,
                "status": str(s.status),
                "response": str(i.response),
                "reasons": i.reasons,
                "responded_at": _iso(i.responded_at),
                "cancelled_at": _iso(i.cancelled_at),
            }
            for i, s in invitations
        ],
        "assignments": [
            {"project_role": a.project_role_id, "status": str(a.status), "reasons": a.reasons}
            for a in session.exec(select(Assignment).where(Assignment.professional_id == person.id))
        ],
    }


def anonymise_professional(
    session: Session, professional_id: int, *, actor: Actor, clock: Clock = system_clock
) -> Professional:
    """Erase the person: their login, skills, documents, availability and marks go; the row keeps only its id.

    Invitations to sessions that have not started yet are cancelled (the publishing flow sends the CANCEL).
    """
    actor.require_professional(professional_id)
    person = get(session, Professional, professional_id)
    now: datetime = clock()
    for model in (
        ProfessionalSkill,
        QualificationDocument,
        Availability,
        WeekCapacity,
        ProjectPreference,
        Pin,
        RequestExclusion,
    ):
        session.exec(sa.delete(model).where(model.professional_id == person.id))
    session.exec(sa.delete(User).where(User.professional_id == person.id))
    upcoming = select(SwarmSession.id).join(Slot, Slot.id == SwarmSession.slot_id).where(Slot.starts_at > now)
    for invitation in session.exec(
        select(Invitation).where(
            Invitation.professional_id == person.id,
            Invitation.cancelled_at.is_(None),
            Invitation.session_id.in_(upcoming),
        )
    ):
        invitation.cancelled_at = now
        session.add(invitation)
    for assignment in session.exec(select(Assignment).where(Assignment.professional_id == person.id)):
        session.delete(assignment)
    person.name = ANONYMOUS_NAME
    person.email = f"anonymised-{person.id}@invalid"
    person.kvk_number = "00000000"
    person.home_place_id = person.lat = person.lon = None
    person.bio = ""
    person.hourly_rate = person.hours_per_week = person.max_sessions_per_round = 0
    person.agreement_signed_on = None
    person.anonymised_at = person.updated_at = now
    session.add(person)
    session.flush()
    return person
