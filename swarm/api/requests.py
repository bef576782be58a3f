"""Swarm requests: coordinators create, read, update and submit their municipality's; organizers read their
region's (and may act for its municipalities, as on the pages)."""

from __future__ import annotations

from swarm.api import auth
from swarm.api.common import api_blueprint
from swarm.api.paging import LINK_HEADER, paginate
from swarm.api.schemas import PageQuery, RequestIn, SwarmRequest, page_of
from swarm.domain.enums import UserRole
from swarm.domain.errors import ValidationError
from swarm.persistence.models import SwarmRequest as RequestRow
from swarm.services.plan import requests as service
from swarm.webapp.clock import clock
from swarm.webapp.db import db

blp = api_blueprint("requests", "Swarm requests (questions) of a municipality")

RequestPage = page_of(SwarmRequest, "RequestPage")
STAFF = (UserRole.COORDINATOR, UserRole.ORGANIZER)


def request_document(row: RequestRow) -> dict:
    details = service.request_details(db(), row.id)
    return {
        "id": row.id,
        "municipality_id": row.municipality_id,
        "planning_round_id": row.planning_round_id,
        "status": row.status.value if hasattr(row.status, "value") else row.status,
        "title": row.title,
        "question": row.question,
        "availability_deadline": row.availability_deadline,
        "table_size_min": row.table_size_min,
        "table_size_max": row.table_size_max,
        "priority": row.priority,
        "max_travel_km": row.max_travel_km,
        "needs": [
            {"skill": skill.code, "count": need.count, "min_level": need.min_level}
            for need, skill in details["needs"]
        ],
        "slot_ids": [slot.id for slot in details["slots"]],
        "venue_ids": [venue.id for venue in details["venues"]],
        "exclusions": [
            {"professional_id": exclusion.professional_id, "reason": exclusion.reason}
            for exclusion, _person in details["exclusions"]
        ],
    }


def _input(data: dict, actor) -> service.RequestInput:
    municipality_id = data["municipality_id"] or actor.municipality_id
    if municipality_id is None:
        raise ValidationError("municipality_id", "Name the municipality: an organizer acts for several.")
    return service.RequestInput(
        municipality_id=municipality_id,
        planning_round_id=data["planning_round_id"],
        title=data["title"],
        question=data["question"],
        table_size_min=data["table_size_min"],
        table_size_max=data["table_size_max"],
        priority=data["priority"],
        max_travel_km=data["max_travel_km"],
        needs=[service.NeedInput(**need) for need in data["needs"]],
        slot_ids=data["slot_ids"],
        venue_ids=data["venue_ids"],
        exclusions=[service.ExclusionInput(**exclusion) for exclusion in data["exclusions"]],
    )


@blp.get("/requests")
@blp.arguments(PageQuery, location="query")
@blp.response(200, RequestPage, headers=LINK_HEADER)
def list_requests(paging):
    """A coordinator's municipality's requests, newest first; an organizer's region's, by deadline."""
    actor = auth.require_role(*STAFF)
    if actor.role is UserRole.COORDINATOR:
        rows = service.requests_of(db(), actor.municipality_id)
    else:
        rows = [row for row, _municipality in service.requests_of_region(db(), actor.region_id)]
    body, headers = paginate(rows, paging)
    body["items"] = [request_document(row) for row in body["items"]]
    return body, headers


@blp.post("/requests")
@blp.arguments(RequestIn)
@blp.response(201, SwarmRequest)
def create_request(data):
    """A new request, in status draft (submit it to open it to the region)."""
    actor = auth.require_role(*STAFF)
    return request_document(
        service.create_swarm_request(db(), _input(data, actor), actor=actor, clock=clock())
    )


@blp.get("/requests/<id:request_id>")
@blp.etag
@blp.response(200, SwarmRequest)
def get_request(request_id: int):
    actor = auth.require_role(*STAFF)
    return request_document(service.request_for(db(), request_id, actor=actor))


@blp.put("/requests/<id:request_id>")
@blp.etag
@blp.arguments(RequestIn)
@blp.response(200, SwarmRequest)
def update_request(data, request_id: int):
    """Change a draft or open request (If-Match: the ETag of the request as read)."""
    actor = auth.require_role(*STAFF)
    current = service.request_for(db(), request_id, actor=actor)
    db().refresh(current, with_for_update=True)
    blp.check_etag(request_document(current), SwarmRequest)
    data = {**data, "municipality_id": data["municipality_id"] or current.municipality_id}
    saved = service.update_swarm_request(db(), current.id, _input(data, actor), actor=actor, clock=clock())
    return request_document(saved)


@blp.post("/requests/<id:request_id>/submit")
@blp.response(200, SwarmRequest)
def submit_request(request_id: int):
    """Submit a draft: it opens in the round that takes requests (professionals mark their availability for its
    slots until the round's deadline), or waits for the next round while none does. 409 unless a draft."""
    actor = auth.require_role(*STAFF)
    current = service.request_for(db(), request_id, actor=actor)
    return request_document(service.submit_swarm_request(db(), current.id, actor=actor, clock=clock()))


@blp.post("/requests/<id:request_id>/withdraw")
@blp.response(200, SwarmRequest)
def withdraw_request(request_id: int):
    """Back to draft, as long as it is not planned."""
    actor = auth.require_role(*STAFF)
    current = service.request_for(db(), request_id, actor=actor)
    return request_document(service.withdraw_swarm_request(db(), current.id, actor=actor))
