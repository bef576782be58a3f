"""Exports as ``.csv`` or ``.xlsx``: a region's professionals (the columns the import reads, so that an export
imports again as the same records), a round's published schedule, a project's team."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, select

from swarm.domain.actors import Actor
from swarm.domain.errors import ValidationError
from swarm.persistence.models import Municipality, Place, Professional, ProfessionalSkill, Region, Skill
from swarm.services.exchange.columns import PROFESSIONALS
from swarm.services.exchange.tables import Sheet, write_csv, write_xlsx
from swarm.services.lookup import get

FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Export:
    filename: str
    content: bytes

    @property
    def mimetype(self) -> str:
        if self.filename.endswith(".xlsx"):
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return "text/csv; charset=utf-8"


def file_format(name: str) -> str:
    """``csv`` or ``xlsx`` from a file name or a format word; anything else is refused."""
    suffix = name.lower().rsplit(".", 1)[-1]
    if suffix not in FORMATS:
        raise ValidationError("format", "Choose .csv or .xlsx.")
    return suffix


def render(sheets: Sequence[Sheet], fmt: str) -> bytes:
    """An ``.xlsx`` with a sheet per part; a CSV of the first sheet (the flat one)."""
    if file_format(fmt) == "xlsx":
        return write_xlsx(sheets)
    return write_csv(sheets[0].header, sheets[0].rows)


def skills_text(levels: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{code}:{level}" for code, level in sorted(levels))


def professional_rows(session: Session, region_id: int) -> list[list[object]]:
    """The region's professionals (not anonymised) in the import's columns, by name."""
    municipalities = {m.id: m.name for m in session.exec(select(Municipality))}
    places = {p.id: p for p in session.exec(select(Place))}
    skills: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for professional_id, code, level in session.exec(
        select(ProfessionalSkill.professional_id, Skill.code, ProfessionalSkill.level)
        .join(Skill, Skill.id == ProfessionalSkill.skill_id)
        .join(Professional, Professional.id == ProfessionalSkill.professional_id)
        .where(Professional.region_id == region_id)
    ):
        skills[professional_id].append((code, level))
    rows = []
    for person in session.exec(
        select(Professional)
        .where(Professional.region_id == region_id, Professional.anonymised_at.is_(None))
        .order_by(Professional.name, Professional.id)
    ):
        place = places.get(person.home_place_id)
        values = {
            "name": person.name,
            "email": person.email,
            "kvk_number": person.kvk_number,
            "place": place.name if place else "",
            "municipality": municipalities.get(place.municipality_id, "") if place else "",
            "travel_radius_km": person.travel_radius_km,
            "hourly_rate": person.hourly_rate,
            "hours_per_week": person.hours_per_week,
            "max_sessions_per_round": person.max_sessions_per_round,
            "skills": skills_text(skills.get(person.id, ())),
            "bio": person.bio,
        }
        rows.append([values[column.key] for column in PROFESSIONALS])
    return rows


def export_professionals(session: Session, region_id: int, fmt: str, *, actor: Actor) -> Export:
    region = get(session, Region, region_id)
    actor.require_region(region.id)
    sheet = Sheet("Professionals", PROFESSIONALS.header, professional_rows(session, region.id))
    fmt = file_format(fmt)
    return Export(f"professionals-{region.slug}.{fmt}", render([sheet], fmt))
