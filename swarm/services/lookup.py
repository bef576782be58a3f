"""Small shared helpers for the services: fetch-or-fail lookups."""

from __future__ import annotations

from typing import TypeVar

from sqlmodel import Session, SQLModel, select

from swarm.domain.errors import NotFound, ValidationError
from swarm.persistence.models import Place, Region, Skill

Row = TypeVar("Row", bound=SQLModel)


def get(session: Session, model: type[Row], ident: int | None) -> Row:
    """The row with primary key ``ident``; :class:`NotFound` when there is none."""
    row = session.get(model, ident) if ident is not None else None
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
        raise ValidationError(field, "Pick a place from the list.")
    return place


def skills_by_code(session: Session, codes: list[str], field: str = "skills") -> dict[str, Skill]:
    """The skills named by ``codes``; an unknown code is a field error."""
    found = {skill.code: skill for skill in session.exec(select(Skill).where(Skill.code.in_(codes)))}
    for code in codes:
        if code not in found:
            raise ValidationError(field, f'Unknown skill "{code}".')
    return found
