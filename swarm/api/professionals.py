"""Professionals: organizers read their region's; a professional reads and writes their own profile and
availability."""

from __future__ import annotations

from swarm.api import auth
from swarm.api.common import api_blueprint
from swarm.api.paging import LINK_HEADER, paginate
from swarm.api.schemas import Availability, AvailabilityIn, PageQuery, Professional, ProfileIn, page_of
from swarm.domain.enums import UserRole
from swarm.persistence.models import Professional as ProfessionalRow
from swarm.services.people import professionals as service
from swarm.services.people import qualifications
from swarm.webapp.clock import clock, today
from swarm.webapp.db import db

blp = api_blueprint(
    "professionals", "The region's professionals; a professional's own profile and availability"
)

ProfessionalPage = page_of(Professional, "ProfessionalPage")
EVERYONE_WHO_READS = (UserRole.ORGANIZER, UserRole.PROFESSIONAL)


def professional_document(row: ProfessionalRow) -> dict:
    qualification = qualifications.qualification_of(db(), row.id, today())
    return {
        "id": row.id,
        "name": row.name,
        "email": row.email,
        "kvk_number": row.kvk_number,
        "region_id": row.region_id,
        "home_place_id": row.home_place_id,
        "travel_radius_km": row.travel_radius_km,
        "hourly_rate": row.hourly_rate,
        "hours_per_week": row.hours_per_week,
        "max_sessions_per_round": row.max_sessions_per_round,
        "bio": row.bio,
        "agreement_signed_on": row.agreement_signed_on,
        "skills": service.professional_skills(db(), row.id),
        "qualified": qualification.qualified,
    }


def availability_document(professional_id: int, actor) -> dict:
    grid = service.availability_grid(db(), professional_id, actor=actor)
    return {
        "professional_id": professional_id,
        "slots": [
            {
                "slot_id": slot.id,
                "code": slot.code,
                "starts_at": slot.starts_at,
                "ends_at": slot.ends_at,
                "answer": answer,
            }
            for slot, answer in grid
        ],
    }


@blp.get("/professionals")
@blp.arguments(PageQuery, location="query")
@blp.response(200, ProfessionalPage, headers=LINK_HEADER)
def list_professionals(paging):
    """Organizers: the region's professionals. A professional: a list with themselves."""
    actor = auth.require_role(*EVERYONE_WHO_READS)
    if actor.role is UserRole.ORGANIZER:
        rows = service.professionals_of_region(db(), actor.region_id, actor=actor)
    else:
        rows = [service.professional_for(db(), actor.professional_id, actor=actor)]
    body, headers = paginate(rows, paging)
    body["items"] = [professional_document(row) for row in body["items"]]
    return body, headers


@blp.get("/professionals/<id:professional_id>")
@blp.etag
@blp.response(200, Professional)
def get_professional(professional_id: int):
    """One professional: an organizer of their region, or the professional themselves."""
    actor = auth.require_role(*EVERYONE_WHO_READS)
    return professional_document(service.professional_for(db(), professional_id, actor=actor))


@blp.put("/professionals/<id:professional_id>")
@blp.etag
@blp.arguments(ProfileIn)
@blp.response(200, Professional)
def update_professional(profile, professional_id: int):
    """The professional's own profile (If-Match: the ETag of the profile as read)."""
    actor = auth.require_role(UserRole.PROFESSIONAL)
    current = service.professional_for(db(), professional_id, actor=actor)
    db().refresh(current, with_for_update=True)
    blp.check_etag(professional_document(current), Professional)
    saved = service.update_profile(
        db(), current.id, service.ProfileInput(**profile), actor=actor, clock=clock()
    )
    return professional_document(saved)


@blp.get("/professionals/<id:professional_id>/availability")
@blp.etag
@blp.response(200, Availability)
def get_availability(professional_id: int):
    """Every slot of the region with the professional's answer (yes, maybe, no)."""
    actor = auth.require_role(*EVERYONE_WHO_READS)
    return availability_document(professional_id, actor)


@blp.put("/professionals/<id:professional_id>/availability")
@blp.etag
@blp.arguments(AvailabilityIn)
@blp.response(200, Availability)
def set_availability(answers, professional_id: int):
    """The professional's answers per slot; slots not named keep theirs (If-Match required)."""
    actor = auth.require_role(UserRole.PROFESSIONAL)
    current = service.professional_for(db(), professional_id, actor=actor)
    db().refresh(current, with_for_update=True)
    blp.check_etag(availability_document(current.id, actor), Availability)
    given = {answer["slot_id"]: answer["answer"] for answer in answers["answers"]}
    service.set_availability(db(), current.id, given, actor=actor, clock=clock())
    return availability_document(current.id, actor)
