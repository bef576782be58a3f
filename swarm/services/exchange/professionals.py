"""Importing professionals into a region: matched by KvK number, else e-mail address; checked with the same
rules as the registration form (``people.professionals.profile_values``); new ones stored in bulk.

An imported professional has no login and no documents: not qualified until the documents are checked, and
invited by mail to confirm the profile and set a password once the import is confirmed.
"""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import select

from swarm.domain.errors import N_, ValidationError
from swarm.domain.rules import normalise_email, normalise_kvk_number
from swarm.persistence.bulk import bulk_insert
from swarm.persistence.models import Professional, ProfessionalSkill, Skill
from swarm.services.exchange.columns import CellProblem
from swarm.services.exchange.places import PlaceIndex
from swarm.services.exchange.report import (
    ImportContext,
    Outcome,
    ParsedRow,
    RowResult,
    changed_headers,
)
from swarm.services.exchange.skills import SkillIndex
from swarm.services.lookup import require_skills
from swarm.services.people.professionals import ProfileInput, ProfileLookups, profile_values, write_profile

# service field -> column key, to put a refusal at its column
FIELDS = {
    "name": "name",
    "email": "email",
    "kvk_number": "kvk_number",
    "home_place_id": "place",
    "region_id": "place",
    "travel_radius_km": "travel_radius_km",
    "hourly_rate": "hourly_rate",
    "hours_per_week": "hours_per_week",
    "max_sessions_per_round": "max_sessions_per_round",
    "skills": "skills",
    "bio": "bio",
}
# the columns a profile's values come from, in the order the values are compared
COMPARED = {
    "name": "name",
    "email": "email",
    "kvk_number": "kvk_number",
    "home_place_id": "place",
    "travel_radius_km": "travel_radius_km",
    "hourly_rate": "hourly_rate",
    "hours_per_week": "hours_per_week",
    "max_sessions_per_round": "max_sessions_per_round",
    "bio": "bio",
}
DEFAULTS = ProfileInput(name="", email="", kvk_number="", home_place_id=None)


def _quietly(normalise, value):
    try:
        return normalise(value or "")
    except ValidationError:
        return None  # the row's check reports it at its column


class _Region:
    """The region's professionals, and everyone's e-mail addresses and KvK numbers, read once."""

    def __init__(self, context: ImportContext):
        session, region_id = context.session, context.scope.region_id
        self.emails = dict(session.exec(select(Professional.email, Professional.id)).all())
        self.kvk_owners = (
            dict(  # one KvK number belongs to one professional, in every region (erased hold none)
                session.exec(
                    select(Professional.kvk_number, Professional.id).where(
                        Professional.anonymised_at.is_(None), Professional.kvk_number != ""
                    )
                ).all()
            )
        )
        self.people = {
            p.id: p
            for p in session.exec(
                select(Professional).where(
                    Professional.region_id == region_id, Professional.anonymised_at.is_(None)
                )
            )
        }
        self.by_kvk: dict[str, list[int]] = defaultdict(list)
        for person in self.people.values():
            self.by_kvk[person.kvk_number].append(person.id)
        self.skills: dict[int, dict[str, int]] = defaultdict(dict)
        for professional_id, code, level in session.exec(
            select(ProfessionalSkill.professional_id, Skill.code, ProfessionalSkill.level)
            .join(Skill, Skill.id == ProfessionalSkill.skill_id)
            .join(Professional, Professional.id == ProfessionalSkill.professional_id)
            .where(Professional.region_id == region_id)
        ):
            self.skills[professional_id][code] = level

    def match(self, kvk: str | None, email: str | None) -> int | None:
        """By KvK number (when one professional of the region has it), else by e-mail address."""
        candidates = self.by_kvk.get(kvk, []) if kvk else []
        if len(candidates) == 1:
            return candidates[0]
        owner = self.emails.get(email) if email else None
        return owner if owner in self.people else None


def check(context: ImportContext, rows: list[ParsedRow]) -> list[RowResult]:
    places = PlaceIndex(context.session, context.scope.region_id)
    catalogue = SkillIndex(context.session)
    region = _Region(context)
    lookups = ProfileLookups(
        email_owner=region.emails.get,
        kvk_owner=region.kvk_owners.get,
        place=places.by_id.__getitem__,  # the row's place is one of the list: matched by name before
        region_of_municipality=lambda municipality_id: places.municipalities[municipality_id].region_id,
        skills=lambda codes: require_skills(codes, catalogue.by_code),
    )
    seen: dict[object, int] = {}
    results = []
    for row in rows:
        results.append(_check_row(context, row, places, catalogue, region, lookups, seen))
    return results


def _check_row(context, row: ParsedRow, places, catalogue, region, lookups, seen) -> RowResult:
    label = " ".join(filter(None, (row.get("name", ""), f"<{row.get('email')}>" if row.get("email") else "")))
    place = skills = None
    if row.get("place"):
        try:
            place = places.place(row.get("place"), row.get("municipality"))
        except CellProblem as problem:
            context.error(row, "place", problem.message, **problem.params)
    if "skills" in row.values:
        try:
            skills = catalogue.levels(row.values["skills"])
        except CellProblem as problem:
            context.error(row, "skills", problem.message, **problem.params)
    if row.errors:
        return RowResult(row.line, label, Outcome.ERROR, row.errors)
    own_id = region.match(
        _quietly(normalise_kvk_number, row.get("kvk_number")), _quietly(normalise_email, row.get("email"))
    )
    existing = region.people.get(own_id) if own_id else None

    def value(key: str):
        # a column the file lacks keeps what the record has; a new record gets the form's default
        if key not in context.headers:
            return getattr(existing or DEFAULTS, key)
        return row.get(key, getattr(DEFAULTS, key))

    profile = ProfileInput(
        name=row.get("name", ""),
        email=row.get("email", ""),
        kvk_number=row.get("kvk_number", ""),
        home_place_id=place.id if place else None,
        travel_radius_km=value("travel_radius_km"),
        hourly_rate=value("hourly_rate"),
        hours_per_week=value("hours_per_week"),
        max_sessions_per_round=value("max_sessions_per_round"),
        bio=value("bio"),
        skills=skills if skills is not None else dict(region.skills.get(own_id, {})),
        region_id=context.scope.region_id,
    )
    try:
        values = profile_values(profile, own_id=own_id, lookups=lookups)
    except ValidationError as error:
        context.service_error(row, error, FIELDS)
        return RowResult(row.line, label, Outcome.ERROR, row.errors)
    for key in (("id", own_id) if own_id else None, ("email", values["email"])):
        if key is None:
            continue
        if key in seen:
            context.error(
                row, "", N_("This row is about the same professional as line %(line)s."), line=seen[key]
            )
            return RowResult(row.line, label, Outcome.ERROR, row.errors)
        seen[key] = row.line
    levels = dict(profile.skills)
    if existing is None:
        return RowResult(row.line, label, Outcome.NEW, payload=(None, values, levels))
    old = {column: getattr(existing, field) for field, column in COMPARED.items()}
    new = {column: values[field] for field, column in COMPARED.items()}
    changed = changed_headers(context, old, new)
    if region.skills.get(own_id, {}) != levels:
        changed += (context.header("skills"),)
    if not changed:
        return RowResult(row.line, label, Outcome.UNCHANGED, payload=(own_id, None, None))
    return RowResult(row.line, label, Outcome.UPDATE, changed=changed, payload=(own_id, values, levels))


def store(context: ImportContext, results: list[RowResult]) -> list[int]:
    """New professionals in bulk (thousands of rows), changed ones one by one through the profile's writer."""
    session, now = context.session, context.clock()
    catalogue = {skill.code: skill.id for skill in session.exec(select(Skill))}
    new = [result.payload for result in results if result.outcome is Outcome.NEW]
    ids = bulk_insert(
        session,
        Professional,
        [
            {
                **values,
                "agreement_signed_on": None,
                "created_at": now,
                "updated_at": None,
                "last_active_at": now,
                "retention_warned_at": None,
                "anonymised_at": None,
            }
            for _id, values, _levels in new
        ],
    )
    bulk_insert(
        session,
        ProfessionalSkill,
        [
            {"professional_id": ident, "skill_id": catalogue[code], "level": level}
            for ident, (_id, _values, levels) in zip(ids, new, strict=True)
            for code, level in levels.items()
        ],
    )
    updated = []
    for result in results:
        if result.outcome is Outcome.UPDATE:
            own_id, values, levels = result.payload
            professional = session.get(Professional, own_id)
            write_profile(
                session, professional, values, {catalogue[c]: level for c, level in levels.items()}, now
            )
            updated.append(own_id)
    session.flush()
    return [*ids, *updated]
