"""Importing swarm requests: matched by title among the municipality's requests that are not planned yet, checked
and stored by the requests' own service (``plan.requests``) as drafts; time slots by code (of the round that takes
requests: the deadline is the round's, not a column), venues by name or code."""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import select

from swarm.domain.enums import RequestStatus
from swarm.domain.errors import N_, ValidationError
from swarm.persistence.models import (
    Municipality,
    RequestExclusion,
    RequestNeed,
    RequestSlot,
    RequestVenue,
    Skill,
    Slot,
    SwarmRequest,
    Venue,
)
from swarm.services.exchange.columns import CellProblem
from swarm.services.exchange.places import PlaceIndex, row_municipality
from swarm.services.exchange.report import ImportContext, Outcome, ParsedRow, RowResult, changed_headers
from swarm.services.exchange.skills import SkillIndex
from swarm.services.plan.frame import slugify
from swarm.services.plan.requests import (
    ExclusionInput,
    NeedInput,
    RequestInput,
    check_request,
    check_request_changeable,
    create_swarm_request,
    update_swarm_request,
)

FIELDS = {
    "title": "title",
    "table_size_min": "table_size_min",
    "table_size_max": "table_size_max",
    "priority": "priority",
    "max_travel_km": "max_travel_km",
    "planning_round_id": "slots",
    "slot_ids": "slots",
    "venue_ids": "venues",
    "needs": "needs",
    "status": "title",
}


UNPLANNED = (RequestStatus.DRAFT, RequestStatus.WAITING, RequestStatus.OPEN)  # what a re-import may update


class _Region:
    def __init__(self, context: ImportContext):
        session, region_id = context.session, context.scope.region_id
        self.slots = {
            slot.code: slot.id for slot in session.exec(select(Slot).where(Slot.region_id == region_id))
        }
        self.venues: dict[str, int] = {}
        for venue in session.exec(select(Venue).where(Venue.region_id == region_id)):
            self.venues[venue.code] = self.venues[slugify(venue.name)] = venue.id
        self.requests = {
            (r.municipality_id, r.title): r
            for r in session.exec(
                select(SwarmRequest)
                .join(Municipality, Municipality.id == SwarmRequest.municipality_id)
                .where(Municipality.region_id == region_id, SwarmRequest.status.in_(UNPLANNED))
            )
        }
        ids = [r.id for r in self.requests.values()]
        self.needs: dict[int, set] = defaultdict(set)
        for request_id, code, count, level in session.exec(
            select(RequestNeed.request_id, Skill.code, RequestNeed.count, RequestNeed.min_level)
            .join(Skill, Skill.id == RequestNeed.skill_id)
            .where(RequestNeed.request_id.in_(ids))
        ):
            self.needs[request_id].add((code, count, level))
        self.request_slots = _links(session, RequestSlot, RequestSlot.slot_id, ids)
        self.request_venues = _links(session, RequestVenue, RequestVenue.venue_id, ids)
        self.exclusions: dict[int, list[ExclusionInput]] = defaultdict(list)
        for exclusion in session.exec(select(RequestExclusion).where(RequestExclusion.request_id.in_(ids))):
            self.exclusions[exclusion.request_id].append(
                ExclusionInput(exclusion.professional_id, exclusion.reason)
            )


def _links(session, model, column, ids) -> dict[int, set[int]]:
    links: dict[int, set[int]] = defaultdict(set)
    for request_id, other in session.exec(select(model.request_id, column).where(model.request_id.in_(ids))):
        links[request_id].add(other)
    return links


def _ids(context, row, key: str, known: dict[str, int], message: str) -> list[int]:
    found = []
    for text in row.get(key, ()):
        ident = known.get(text) or known.get(slugify(text))
        if ident is None:
            context.error(row, key, message, value=text, choices=", ".join(sorted(known)[:12]))
        else:
            found.append(ident)
    return found


def check(context: ImportContext, rows: list[ParsedRow]) -> list[RowResult]:
    session = context.session
    places = PlaceIndex(session, context.scope.region_id)
    catalogue = SkillIndex(session)
    region = _Region(context)
    seen: dict[tuple, int] = {}
    results = []
    for row in rows:
        label = row.get("title", "")
        municipality_id = row_municipality(context, row, places)
        needs = []
        for skill, count, level in row.get("needs", ()):
            try:
                needs.append(NeedInput(catalogue.code(skill), count, level))
            except CellProblem as problem:
                context.error(row, "needs", problem.message, **problem.params)
        slot_ids = _ids(
            context,
            row,
            "slots",
            region.slots,
            N_('Unknown time slot "%(value)s"; the region has: %(choices)s.'),
        )
        venue_ids = _ids(
            context,
            row,
            "venues",
            region.venues,
            N_('Unknown venue "%(value)s"; the region has: %(choices)s.'),
        )
        if row.errors:
            results.append(RowResult(row.line, label, Outcome.ERROR, row.errors))
            continue
        existing = region.requests.get((municipality_id, label.strip()))
        data = RequestInput(
            municipality_id=municipality_id,
            title=label,
            question=row.get(
                "question", existing.question if existing and "question" not in context.headers else ""
            ),
            table_size_min=row.get("table_size_min", 4),
            table_size_max=row.get("table_size_max", 8),
            needs=needs,
            slot_ids=slot_ids,
            venue_ids=venue_ids,
            priority=row.get("priority", 1),
            max_travel_km=row.get("max_travel_km"),
            exclusions=region.exclusions.get(existing.id, []) if existing else [],
        )
        key = (municipality_id, label.strip())
        if key in seen:
            context.error(row, "title", N_("This question is also on line %(line)s."), line=seen[key])
            results.append(RowResult(row.line, label, Outcome.ERROR, row.errors))
            continue
        seen[key] = row.line
        changed = _changes(context, region, existing, data) if existing else ()
        if existing is not None and not changed:
            results.append(RowResult(row.line, label, Outcome.UNCHANGED))
            continue
        try:  # only what changes is checked: a stored question whose poll has closed stays as it is
            if existing is not None:
                check_request_changeable(existing)
            check_request(session, data, existing, context.clock)
        except ValidationError as error:
            context.service_error(row, error, FIELDS)
            results.append(RowResult(row.line, label, Outcome.ERROR, row.errors))
            continue
        outcome = Outcome.UPDATE if existing else Outcome.NEW
        results.append(
            RowResult(
                row.line, label, outcome, changed=changed, payload=(existing.id if existing else None, data)
            )
        )
    return results


def _changes(context, region: _Region, existing: SwarmRequest, data: RequestInput) -> tuple[str, ...]:
    old = {
        "question": existing.question,
        "table_size_min": existing.table_size_min,
        "table_size_max": existing.table_size_max,
        "priority": existing.priority,
        "max_travel_km": existing.max_travel_km,
        "needs": region.needs.get(existing.id, set()),
        "slots": region.request_slots.get(existing.id, set()),
        "venues": region.request_venues.get(existing.id, set()),
    }
    new = {
        "question": data.question.strip(),
        "table_size_min": data.table_size_min,
        "table_size_max": data.table_size_max,
        "priority": data.priority,
        "max_travel_km": data.max_travel_km,
        "needs": {(n.skill, n.count, n.min_level) for n in data.needs},
        "slots": set(data.slot_ids),
        "venues": set(data.venue_ids),
    }
    return changed_headers(context, old, new)


def store(context: ImportContext, results: list[RowResult]) -> list[int]:
    stored = []
    for result in results:
        if result.outcome is Outcome.NEW:
            _none, data = result.payload
            saved = create_swarm_request(context.session, data, actor=context.actor, clock=context.clock)
            stored.append(saved.id)
        elif result.outcome is Outcome.UPDATE:
            request_id, data = result.payload
            saved = update_swarm_request(
                context.session, request_id, data, actor=context.actor, clock=context.clock
            )
            stored.append(saved.id)
    return stored
