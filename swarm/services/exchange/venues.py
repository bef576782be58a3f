"""Importing venues: matched by name within the region (the venue code made of it), checked and stored by the
planning frame's own service (``plan.frame``)."""

from __future__ import annotations

from sqlmodel import select

from swarm.domain.errors import N_, ValidationError
from swarm.persistence.models import Region, Venue
from swarm.services.exchange.columns import CellProblem
from swarm.services.exchange.places import PlaceIndex
from swarm.services.exchange.report import ImportContext, Outcome, ParsedRow, RowResult, changed_headers
from swarm.services.lookup import get
from swarm.services.plan.frame import VenueInput, create_venue, slugify, update_venue, venue_values

FIELDS = {
    "name": "name",
    "code": "name",
    "capacity": "capacity",
    "tables": "tables",
    "online_url": "online_url",
    "place_id": "place",
    "address": "address",
}
COMPARED = ("name", "address", "capacity", "tables", "online", "online_url", "lat", "lon")


def check(context: ImportContext, rows: list[ParsedRow]) -> list[RowResult]:
    session = context.session
    region = get(session, Region, context.scope.region_id)
    places = PlaceIndex(session, region.id)
    existing_venues = {v.code: v for v in session.exec(select(Venue).where(Venue.region_id == region.id))}
    seen: dict[str, int] = {}
    results = []
    for row in rows:
        label = row.get("name", "")
        online = bool(row.get("online", False))
        place = None
        if row.get("place") and not online:
            try:
                place = places.place(row.get("place"), row.get("municipality"))
            except CellProblem as problem:
                context.error(row, "place", problem.message, **problem.params)
        elif not online:
            context.error(row, "place", N_("Name the place of the venue, or mark it online."))
        if row.errors:
            results.append(RowResult(row.line, label, Outcome.ERROR, row.errors))
            continue
        existing = existing_venues.get(slugify(label))
        data = VenueInput(
            name=label,
            capacity=row.get("capacity", 0),
            tables=row.get("tables", 0),
            address=row.get(
                "address", existing.address if existing and "address" not in context.headers else ""
            ),
            place_id=place.id if place else None,
            online=online,
            online_url=row.get("online_url", ""),
            code=existing.code if existing else "",
        )
        try:
            values = venue_values(session, region, data, existing.id if existing else None)
        except ValidationError as error:
            context.service_error(row, error, FIELDS)
            results.append(RowResult(row.line, label, Outcome.ERROR, row.errors))
            continue
        if values["code"] in seen:
            context.error(row, "name", N_("This venue is also on line %(line)s."), line=seen[values["code"]])
            results.append(RowResult(row.line, label, Outcome.ERROR, row.errors))
            continue
        seen[values["code"]] = row.line
        if existing is None:
            results.append(RowResult(row.line, label, Outcome.NEW, payload=(None, data)))
            continue
        old = {_column(key): getattr(existing, key) for key in COMPARED}
        new = {_column(key): values[key] for key in COMPARED}
        changed = tuple(dict.fromkeys(changed_headers(context, old, new)))
        outcome = Outcome.UPDATE if changed else Outcome.UNCHANGED
        results.append(RowResult(row.line, label, outcome, changed=changed, payload=(existing.id, data)))
    return results


def _column(key: str) -> str:
    return "place" if key in ("lat", "lon") else key


def store(context: ImportContext, results: list[RowResult]) -> list[int]:
    stored = []
    for result in results:
        venue_id, data = result.payload or (None, None)
        if result.outcome is Outcome.NEW:
            stored.append(
                create_venue(context.session, context.scope.region_id, data, actor=context.actor).id
            )
        elif result.outcome is Outcome.UPDATE:
            stored.append(update_venue(context.session, venue_id, data, actor=context.actor).id)
    return stored
