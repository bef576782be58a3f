"""A municipality's role book: roles with a purpose and the skills they need (with minimum levels)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlmodel import Session, delete, select

from swarm.domain.actors import Actor
from swarm.domain.errors import N_, ValidationError
from swarm.domain.rules import require_level, require_text
from swarm.persistence.models import Municipality, Role, RoleSkill, Skill
from swarm.services.lookup import get, skills_by_code


@dataclass(frozen=True)
class RoleInput:
    name: str
    purpose: str = ""
    responsibilities: str = ""
    skills: Mapping[str, int] = field(default_factory=dict)  # skill code -> minimum level


def check_role(
    session: Session, municipality_id: int, data: RoleInput, own_id: int | None
) -> tuple[str, dict]:
    """Every check of a role before anything is written: its name (once per role book) and skills."""
    name = require_text(data.name, "name", max_length=120)
    clash = session.exec(
        select(Role.id).where(Role.municipality_id == municipality_id, Role.name == name)
    ).first()
    if clash is not None and clash != own_id:
        raise ValidationError("name", N_("Your role book already has a role with this name."))
    for code, level in data.skills.items():
        require_level(level, f"skills.{code}")
    return name, skills_by_code(session, list(data.skills))


def create_role(session: Session, municipality_id: int, data: RoleInput, *, actor: Actor) -> Role:
    municipality = get(session, Municipality, municipality_id)
    actor.require_municipality(municipality.id)
    name, skills = check_role(session, municipality.id, data, None)
    role = Role(
        municipality_id=municipality.id,
        name=name,
        purpose=data.purpose.strip(),
        responsibilities=data.responsibilities.strip(),
    )
    session.add(role)
    session.flush()
    _set_skills(session, role.id, {skills[c].id: level for c, level in data.skills.items()})
    return role


def update_role(session: Session, role_id: int, data: RoleInput, *, actor: Actor) -> Role:
    role = get(session, Role, role_id)
    actor.require_municipality(role.municipality_id)
    name, skills = check_role(session, role.municipality_id, data, role.id)
    role.name, role.purpose, role.responsibilities = name, data.purpose.strip(), data.responsibilities.strip()
    session.add(role)
    _set_skills(session, role.id, {skills[c].id: level for c, level in data.skills.items()})
    return role


def delete_role(session: Session, role_id: int, *, actor: Actor) -> None:
    role = get(session, Role, role_id)
    actor.require_municipality(role.municipality_id)
    session.delete(role)
    session.flush()


def _set_skills(session: Session, role_id: int, levels: Mapping[int, int]) -> None:
    session.exec(delete(RoleSkill).where(RoleSkill.role_id == role_id))
    session.add_all(RoleSkill(role_id=role_id, skill_id=s, min_level=level) for s, level in levels.items())
    session.flush()


def role_skills(session: Session, role_id: int) -> list[RoleSkill]:
    return list(session.exec(select(RoleSkill).where(RoleSkill.role_id == role_id)))


# -- reads for the pages --------------------------------------------------------------------------------------


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
