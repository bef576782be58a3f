"""A professional's own data: registration, profile, skills, availability (documents: ``qualifications``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, delete, select

from swarm.domain.actors import SYSTEM, Actor
from swarm.domain.enums import AvailabilityAnswer, PlanningRoundStatus, UserRole
from swarm.domain.errors import N_, NotFound, ValidationError
from swarm.domain.rules import (
    normalise_email,
    normalise_kvk_number,
    require_level,
    require_range,
    require_text,
)
from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.models import (
    Availability,
    Municipality,
    Place,
    PlanningRound,
    Professional,
    ProfessionalSkill,
    Skill,
    Slot,
    User,
)
from swarm.services.lookup import get, place_for_field, region_professionals, skills_by_code
from swarm.services.people.accounts import Scope, check_password, create_user, email_taken
from swarm.services.people.qualifications import withdraw_kvk_extracts


@dataclass(frozen=True)
class ProfileInput:
    """What a professional fills in. ``skills`` maps skill codes to levels 1-3."""

    name: str
    email: str
    kvk_number: str
    home_place_id: int | None
    travel_radius_km: int = 30
    hourly_rate: int = 0
    hours_per_week: int = 0
    max_sessions_per_round: int = 1
    skills: Mapping[str, int] = field(default_factory=dict)
    bio: str = ""
    agreement_signed: bool = False
    region_id: int | None = None  # default: the region of the home place's municipality


@dataclass(frozen=True)
class ProfileLookups:
    """Where the profile checks look things up: the database, a query each (one form), or tables read once
    (an import of thousands of rows, :mod:`swarm.services.exchange`). Either way the checks are the same."""

    email_owner: Callable[[str], int | None]  # the professional registered with this address, if any
    kvk_owner: Callable[[str], int | None]  # the professional holding this KvK number, if any
    place: Callable[[int | None], Place]  # raises ValidationError for an unknown place
    region_of_municipality: Callable[[int], int]
    skills: Callable[[list[str]], Mapping[str, Skill]]  # raises ValidationError for an unknown code


def database_lookups(session: Session) -> ProfileLookups:
    return ProfileLookups(
        email_owner=lambda email: session.exec(
            select(Professional.id).where(Professional.email == email)
        ).first(),
        kvk_owner=lambda kvk_number: _kvk_owner(session, kvk_number),
        place=lambda place_id: place_for_field(session, place_id),
        region_of_municipality=lambda municipality_id: get(session, Municipality, municipality_id).region_id,
        skills=lambda codes: skills_by_code(session, codes),
    )


def profile_values(profile: ProfileInput, *, own_id: int | None, lookups: ProfileLookups) -> dict:
    """Every check of a profile before anything is written, so a refusal stores nothing; the row's values.

    The one set of rules for the registration form, the profile page and the import."""
    values = {
        "name": require_text(profile.name, "name"),
        "email": normalise_email(profile.email),
        "kvk_number": normalise_kvk_number(profile.kvk_number),
        "travel_radius_km": profile.travel_radius_km,
        "hourly_rate": profile.hourly_rate,
        "hours_per_week": profile.hours_per_week,
        "max_sessions_per_round": profile.max_sessions_per_round,
        "bio": (profile.bio or "").strip(),
    }
    require_range(profile.travel_radius_km, "travel_radius_km", minimum=0, maximum=500)
    require_range(profile.hourly_rate, "hourly_rate", minimum=0, maximum=1000)
    require_range(profile.hours_per_week, "hours_per_week", minimum=0, maximum=80)
    require_range(profile.max_sessions_per_round, "max_sessions_per_round", minimum=0, maximum=20)
    taken = lookups.email_owner(values["email"])
    if taken is not None and taken != own_id:
        raise ValidationError("email", N_("A professional with this email address is already registered."))
    if lookups.kvk_owner(values["kvk_number"]) not in (None, own_id):
        raise ValidationError("kvk_number", KVK_TAKEN)  # whose it is stays unsaid
    place = lookups.place(profile.home_place_id)
    region_id = profile.region_id
    if region_id is None and place.municipality_id is not None:
        region_id = lookups.region_of_municipality(place.municipality_id)
    if region_id is None:
        raise ValidationError("region_id", N_("Choose the region you work in."))
    for code, level in profile.skills.items():
        require_level(level, f"skills.{code}")
    lookups.skills(list(profile.skills))
    values.update(home_place_id=place.id, lat=place.lat, lon=place.lon, region_id=region_id)
    return values


def _validated(session: Session, profile: ProfileInput, *, own_id: int | None) -> dict:
    return profile_values(profile, own_id=own_id, lookups=database_lookups(session))


KVK_TAKEN = N_("This KvK number is already registered.")


def _kvk_owner(session: Session, kvk_number: str) -> int | None:
    """The professional holding ``kvk_number`` (erased profiles hold none)."""
    return session.exec(
        select(Professional.id).where(
            Professional.kvk_number == kvk_number, Professional.anonymised_at.is_(None)
        )
    ).first()


def _flush_profile(session: Session, professional: Professional) -> None:
    """Write the profile; two registrations of one KvK number at the same moment meet the unique index, and the
    later one gets the field's message instead of an error page."""
    try:
        with session.begin_nested():
            session.add(professional)
            session.flush()
    except IntegrityError:
        if _kvk_owner(session, professional.kvk_number) not in (None, professional.id):
            raise ValidationError("kvk_number", KVK_TAKEN) from None
        raise


def register_professional(
    session: Session,
    profile: ProfileInput,
    *,
    password: str | None = None,
    actor: Actor = SYSTEM,
    clock: Clock = system_clock,
) -> Professional:
    """Register once, qualified everywhere. With a password, the professional's login account is created too,
    unconfirmed: it logs in, and is invited, only after the link of :func:`tokens.send_confirmation` was used.
    Qualified only once the documents are uploaded and checked (:mod:`people.qualifications`)."""
    values = _validated(session, profile, own_id=None)
    skills = skills_by_code(session, list(profile.skills))
    if password is not None:
        check_password(password, email=values["email"])
        if email_taken(session, values["email"]):
            raise ValidationError("email", N_("An account with this email address already exists."))
    now = clock()
    professional = Professional(
        **values,
        agreement_signed_on=now.date() if profile.agreement_signed else None,
        created_at=now,
        last_active_at=now,
    )
    _flush_profile(session, professional)
    _replace_skills(
        session, professional.id, {skills[code].id: level for code, level in profile.skills.items()}
    )
    if password is not None:
        create_user(
            session,
            values["email"],
            password,
            Scope(UserRole.PROFESSIONAL, professional_id=professional.id),
            name=values["name"],
            confirmed=False,
            clock=clock,
        )
    session.flush()
    return professional


def update_profile(
    session: Session,
    professional_id: int,
    profile: ProfileInput,
    *,
    actor: Actor,
    clock: Clock = system_clock,
) -> Professional:
    actor.require_professional(professional_id)
    professional = get(session, Professional, professional_id)
    values = _validated(session, profile, own_id=professional.id)
    skills = skills_by_code(session, list(profile.skills))
    now = clock()
    write_profile(
        session, professional, values, {skills[c].id: level for c, level in profile.skills.items()}, now
    )
    if profile.agreement_signed and professional.agreement_signed_on is None:
        professional.agreement_signed_on = now.date()
    if not profile.agreement_signed:
        professional.agreement_signed_on = None
    professional.last_active_at = now
    session.add(professional)
    session.flush()
    return professional


def write_profile(
    session: Session, professional: Professional, values: Mapping, skill_levels: Mapping[int, int], now
) -> None:
    """Store checked profile values (:func:`profile_values`) and skills (skill id -> level) on ``professional``,
    and its login's e-mail address with it. Authorization is the caller's."""
    user = session.exec(select(User).where(User.professional_id == professional.id)).first()
    if user is not None and user.email != values["email"] and email_taken(session, values["email"]):
        raise ValidationError("email", N_("An account with this email address already exists."))
    kvk_changed = values["kvk_number"] != professional.kvk_number
    for name, value in values.items():
        setattr(professional, name, value)
    professional.updated_at = now
    if kvk_changed:
        withdraw_kvk_extracts(session, professional.id, clock=lambda: now)
    _flush_profile(session, professional)
    _replace_skills(session, professional.id, skill_levels)
    if user is not None and user.email != values["email"]:
        user.email = values["email"]
        session.add(user)
    session.flush()


def _replace_skills(session: Session, professional_id: int, levels: Mapping[int, int]) -> None:
    session.exec(delete(ProfessionalSkill).where(ProfessionalSkill.professional_id == professional_id))
    session.add_all(
        ProfessionalSkill(professional_id=professional_id, skill_id=skill_id, level=level)
        for skill_id, level in levels.items()
    )
    session.flush()


def set_availability(
    session: Session,
    professional_id: int,
    answers: Mapping[int, AvailabilityAnswer | str],
    *,
    actor: Actor,
    clock: Clock = system_clock,
) -> list[Availability]:
    """Record yes / if need be / no per slot (slot id -> answer); slots not named keep their answer.

    Only slots that have not begun, of a round whose availability poll is open."""
    actor.require_professional(professional_id)
    professional = get(session, Professional, professional_id)
    parsed: dict[int, AvailabilityAnswer] = {}
    for slot_id, answer in answers.items():
        try:
            parsed[slot_id] = AvailabilityAnswer(answer)
        except ValueError:
            raise ValidationError(f"availability.{slot_id}", N_("Answer yes, if need be, or no.")) from None
    slots = {s.id: s for s in session.exec(select(Slot).where(Slot.id.in_(list(parsed))))}
    rounds = {
        r.id: r
        for r in session.exec(
            select(PlanningRound).where(PlanningRound.id.in_([s.planning_round_id for s in slots.values()]))
        )
    }
    now = clock()
    for slot_id in parsed:
        slot = slots.get(slot_id)
        if slot is None or slot.region_id != professional.region_id:
            raise ValidationError(f"availability.{slot_id}", N_("This is not a slot of your region."))
        if slot.starts_at <= now:
            raise ValidationError(f"availability.{slot_id}", N_("This time slot has already begun."))
        planning_round = rounds.get(slot.planning_round_id)
        if planning_round is None or not (
            planning_round.status == PlanningRoundStatus.OPEN and planning_round.availability_deadline > now
        ):
            raise ValidationError(
                f"availability.{slot_id}", N_("The availability poll for this time slot has closed.")
            )
    existing = {
        row.slot_id: row
        for row in session.exec(
            select(Availability).where(
                Availability.professional_id == professional_id, Availability.slot_id.in_(list(parsed))
            )
        )
    }
    rows = []
    for slot_id, answer in parsed.items():
        row = existing.get(slot_id) or Availability(
            professional_id=professional_id, slot_id=slot_id, answer=answer
        )
        row.answer, row.updated_at = answer, now
        session.add(row)
        rows.append(row)
    professional.last_active_at = now
    session.add(professional)
    session.flush()
    return rows


def availability_of(session: Session, professional_id: int) -> dict[int, AvailabilityAnswer]:
    rows = session.exec(
        select(Availability.slot_id, Availability.answer).where(
            Availability.professional_id == professional_id
        )
    )
    return {slot_id: AvailabilityAnswer(answer) for slot_id, answer in rows}


# -- reads for the pages --------------------------------------------------------------------------------------


def professional(session: Session, professional_id: int) -> Professional | None:
    return session.get(Professional, professional_id)


def region_of(session: Session, professional_id: int) -> int | None:
    """The professional's region (None: no such professional), without loading the whole profile."""
    return session.exec(select(Professional.region_id).where(Professional.id == professional_id)).first()


def professional_skills(session: Session, professional_id: int) -> dict[str, int]:
    rows = session.exec(
        select(Skill.code, ProfessionalSkill.level)
        .join(Skill, Skill.id == ProfessionalSkill.skill_id)
        .where(ProfessionalSkill.professional_id == professional_id)
    )
    return dict(rows.all())


# -- reads for the API, authorized like the pages ----------------------------------------------------------


def professional_for(session: Session, professional_id: int, *, actor: Actor) -> Professional:
    """A professional as ``actor`` may see them: the professional themselves, or an organizer of their region.
    An erased (anonymised) profile is gone."""
    found = get(session, Professional, professional_id)
    if actor.role is UserRole.ORGANIZER:
        actor.require_region(found.region_id)
    else:
        actor.require_professional(found.id)
    if found.anonymised_at is not None:
        raise NotFound("Professional", professional_id)
    return found


def professionals_of_region(session: Session, region_id: int, *, actor: Actor) -> list[Professional]:
    """The region's professionals, for its organizers."""
    actor.require_region(region_id)
    return region_professionals(session, region_id)


def availability_grid(session: Session, professional_id: int, *, actor: Actor) -> list[tuple[Slot, str]]:
    """Every slot of the professional's region with their answer (no answer: no)."""
    found = professional_for(session, professional_id, actor=actor)
    answers = availability_of(session, found.id)
    slots = session.exec(select(Slot).where(Slot.region_id == found.region_id).order_by(Slot.starts_at))
    return [(slot, answers.get(slot.id, AvailabilityAnswer.NO).value) for slot in slots]
