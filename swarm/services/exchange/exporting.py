"""Exports as ``.csv`` or ``.xlsx``: a region's professionals (the columns the import reads, so that an export
imports again as the same records), a round's published schedule, a project's team."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, select

from swarm.domain.actors import Actor
from swarm.domain.enums import SessionStatus
from swarm.domain.errors import N_, ValidationError
from swarm.domain.timeutil import iso_weeks_between, to_local
from swarm.persistence.models import (
    Municipality,
    Place,
    PlanningRound,
    Professional,
    ProfessionalSkill,
    Project,
    Region,
    Skill,
)
from swarm.services.exchange.columns import PROFESSIONALS
from swarm.services.exchange.tables import Sheet, write_csv, write_xlsx
from swarm.services.lookup import get
from swarm.services.plan.review import sessions_of_round
from swarm.services.team.projects import project_roles, team_chart

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
        raise ValidationError("format", N_("Choose .csv or .xlsx."))
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


# -- a round's published schedule -----------------------------------------------------------------------------------


def _reason_code(reason) -> str:
    """A reason without the web's words: its code and facts (the command line's and the API's reading)."""
    if not isinstance(reason, dict):
        return str(reason)
    facts = ", ".join(f"{key}={value}" for key, value in sorted((reason.get("facts") or {}).items()))
    return (
        f"{reason.get('code', '')}({facts})" if facts else str(reason.get("code") or reason.get("text", ""))
    )


def export_schedule(
    session: Session,
    planning_round_id: int,
    fmt: str,
    *,
    actor: Actor,
    municipality_id: int | None = None,
    word: Callable[[dict], str] = _reason_code,
    response_word: Callable[[str], str] = str,
) -> Export:
    """A round's published sessions: an ``.xlsx`` with sheets for the sessions, the tables per round, the
    participants and the reasons, or one flat CSV (a row per seat). An organizer sees the region's round; a
    coordinator (``municipality_id``) the sessions with the municipality's questions, and only those tables.
    ``word`` words a reason, ``response_word`` an answer, in the reader's language."""
    planning_round = get(session, PlanningRound, planning_round_id)
    if municipality_id is None:
        actor.require_region(planning_round.region_id)
    else:
        actor.require_municipality(municipality_id, planning_round.region_id)
    names = {m.id: m.name for m in session.exec(select(Municipality))}
    sessions, tables, participants, reasons, flat = [], [], [], [], []
    for view in sessions_of_round(session, planning_round.id, (SessionStatus.PUBLISHED,)):
        own = [
            t for t in view.tables if municipality_id is None or t.request.municipality_id == municipality_id
        ]
        if not own:
            continue
        start, end = to_local(view.slot.starts_at), to_local(view.slot.ends_at)
        when = [start.date().isoformat(), start.strftime("%H:%M")]
        seated = {person.id for t in own for people in t.rounds for person in people}
        sessions.append(
            [
                *when,
                end.strftime("%H:%M"),
                view.venue.name,
                view.venue.address,
                view.session.rounds,
                len(own),
                len(seated),
            ]
        )
        where: dict[int, list[str]] = defaultdict(list)
        for t in own:
            for number, people in enumerate(t.rounds, start=1):
                tables.append(
                    [*when, view.venue.name, t.table.position, t.request.title, names.get(t.request.municipality_id, ""),
                     number, ", ".join(p.name for p in people)]
                )  # fmt: skip
                for person in people:
                    where[person.id].append(f"{number}: {t.table.position}")
        for invitation, person in view.invitations:
            if person.id not in seated:
                continue
            words = "; ".join(word(reason) for reason in invitation.reasons or [])
            answer = response_word(str(invitation.response))
            participants.append(
                [*when, view.venue.name, person.name, person.email, answer, ", ".join(where[person.id])]
            )
            reasons.append([*when, view.venue.name, person.name, words])
            for t in own:
                for number, people in enumerate(t.rounds, start=1):
                    if person.id in {p.id for p in people}:
                        flat.append(
                            [*when, end.strftime("%H:%M"), view.venue.name, number, t.table.position, t.request.title,
                             names.get(t.request.municipality_id, ""), person.name, answer, words]
                        )  # fmt: skip
    sheets = [
        Sheet(
            "Indeling",
            ["Datum", "Begin", "Einde", "Locatie", "Ronde", "Tafel", "Vraagstuk", "Gemeente", "Deelnemer", "Antwoord", "Redenen"],
            flat,
        ),
        Sheet("Sessies", ["Datum", "Begin", "Einde", "Locatie", "Adres", "Rondes", "Tafels", "Deelnemers"], sessions),
        Sheet("Tafels per ronde", ["Datum", "Begin", "Locatie", "Tafel", "Vraagstuk", "Gemeente", "Ronde", "Deelnemers"], tables),
        Sheet("Deelnemers", ["Datum", "Begin", "Locatie", "Naam", "E-mail", "Antwoord", "Ronde: tafel"], participants),
        Sheet("Redenen", ["Datum", "Begin", "Locatie", "Naam", "Waarom uitgenodigd"], reasons),
    ]  # fmt: skip
    fmt = file_format(fmt)
    if fmt == "xlsx":
        sheets = [*sheets[1:], sheets[0]]  # the workbook opens on the sessions; the flat list comes last
    return Export(f"zwermsessies-ronde-{planning_round.sequence}.{fmt}", render(sheets, fmt))


# -- a project's team -------------------------------------------------------------------------------------------------


def export_team(session: Session, project_id: int, fmt: str, *, actor: Actor) -> Export:
    """A project's team: each role with its professional, weeks, hours and cost, and the cost per week against
    the budget (the coordinator's page shows the same numbers: ``team.projects.team_chart``)."""
    project = get(session, Project, project_id)
    municipality = get(session, Municipality, project.municipality_id)
    actor.require_municipality(municipality.id, municipality.region_id)
    rows = project_roles(session, project.id)
    chart = team_chart(rows, project.budget)
    team = []
    for line, (role, skill, assignment, person) in zip(chart["lines"], rows, strict=True):
        team.append(
            [role.name, skill.code, role.min_level, person.name if person else "", person.hourly_rate if person else "",
             role.hours_per_week, role.first_week, role.last_week, len(line["active"]), line["cost"],
             assignment.status.value if assignment else "open"]
        )  # fmt: skip
    total, budget = chart["total"], project.budget
    summary = [["Totaal", "", "", "", "", "", "", "", "", total, ""]]
    if budget is not None:
        summary.append(["Budget", "", "", "", "", "", "", "", "", budget, ""])
        summary.append(["Ruimte in het budget", "", "", "", "", "", "", "", "", budget - total, ""])
    hours = defaultdict(int)
    for role, *_rest in rows:
        for week in iso_weeks_between(role.first_week, role.last_week):
            hours[week] += role.hours_per_week
    weeks = [[week, hours[week], chart["cost_per_week"][week]] for week in chart["weeks"]]
    header = ["Rol", "Competentie", "Min. niveau", "Professional", "Uurtarief (€)", "Uren per week", "Eerste week",
              "Laatste week", "Weken", "Kosten (€)", "Status"]  # fmt: skip
    sheets = [
        Sheet("Team", header, [*team, *summary]),
        Sheet("Per week", ["Week", "Uren", "Kosten (€)"], weeks),
    ]
    fmt = file_format(fmt)
    return Export(f"team-{project.id}.{fmt}", render(sheets, fmt))
