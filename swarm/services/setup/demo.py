"""Insert the seeded demo data of ``swarm.seed.demo.generate`` for one region (``swarm seed``, ``swarm demo``).

Bulk inserts straight through the driver (:mod:`swarm.persistence.bulk`), so tens of thousands of professionals
take seconds. Idempotent per region: a region that already has planning rounds is left as it is.
Past rounds get their invitation history as published sessions of that round (without table plans: the demo
only knows how often someone was invited), which is what the fairness window counts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from swarm.domain.enums import (
    InvitationResponse,
    PlanningRoundStatus,
    RequestStatus,
    SessionStatus,
    UserRole,
)
from swarm.persistence.bulk import bulk_insert
from swarm.persistence.models import (
    Availability,
    Invitation,
    Municipality,
    Place,
    PlanningRound,
    Professional,
    ProfessionalSkill,
    Project,
    ProjectRole,
    QualificationDocument,
    Region,
    RequestExclusion,
    RequestNeed,
    RequestSlot,
    RequestVenue,
    Role,
    RoleSkill,
    Skill,
    Slot,
    SlotVenue,
    SwarmRequest,
    Venue,
)
from swarm.persistence.models import Session as SwarmSession
from swarm.seed.demo import generate
from swarm.seed.model import DEMO_PASSWORD, TIMEZONE, DemoData
from swarm.services.people.accounts import Scope, create_user, hash_password
from swarm.services.setup.reference import seed_reference


@dataclass(frozen=True)
class SeedReport:
    region: str
    created: bool  # False: the region had been seeded before and was left alone
    counts: dict[str, int]
    accounts: tuple[tuple[str, str, str], ...]  # (role, email, password)


def seed_demo(
    session: Session,
    region_slug: str,
    *,
    professionals: int = 300,
    seed: int = 1,
    today: date,
    requests: int | None = None,
) -> SeedReport:
    region = seed_reference(session, region_slug)
    if session.exec(select(PlanningRound.id).where(PlanningRound.region_id == region.id)).first() is not None:
        return SeedReport(region_slug, False, {}, ())
    data = generate(region_slug, professionals=professionals, seed=seed, today=today, requests=requests)
    return _Seeder(session, region, data).run()


class _Seeder:
    def __init__(self, session: Session, region: Region, data: DemoData):
        self.session, self.region, self.data = session, region, data
        self.zone = ZoneInfo(TIMEZONE)
        self.now = datetime.combine(data.today, time(9), tzinfo=self.zone).astimezone(UTC)
        self.skills = {s.code: s.id for s in session.exec(select(Skill))}
        self.municipalities = {m.cbs_code: m.id for m in session.exec(select(Municipality))}
        self.places = {
            p.geonameid: p.id for p in session.exec(select(Place).where(Place.geonameid.is_not(None)))
        }
        self.counts: dict[str, int] = {}

    def run(self) -> SeedReport:
        rounds = self._rounds()
        slots = self._slots(rounds)
        venues = self._venues()
        self._slot_venues(slots, venues)
        people = self._professionals()
        self._requests(rounds, slots, venues, people)
        self._availability(slots, people)
        self._history(rounds, venues, people)
        self._roles()
        self._projects()
        accounts = self._accounts(people)
        self.session.flush()
        return SeedReport(self.region.slug, True, self.counts, accounts)

    def _count(self, name: str, ids: list[int]) -> list[int]:
        self.counts[name] = self.counts.get(name, 0) + len(ids)
        return ids

    def _rounds(self) -> dict[str, PlanningRound]:
        result = {}
        deadlines: dict[str, datetime] = {}
        for request in self.data.requests:  # a round's deadline: the latest of its requests'
            deadline = request.availability_deadline.astimezone(UTC)
            deadlines[request.planning_round] = max(deadlines.get(request.planning_round, deadline), deadline)
        for item in self.data.planning_rounds:
            a_week_before = datetime.combine(item.starts_on - timedelta(days=7), time(17), tzinfo=self.zone)
            row = PlanningRound(
                region_id=self.region.id,
                sequence=item.sequence,
                name=item.name,
                status=PlanningRoundStatus(item.status),
                starts_on=item.starts_on,
                ends_on=item.ends_on,
                availability_deadline=deadlines.get(item.key, a_week_before.astimezone(UTC)),
                created_at=self.now,
            )
            self.session.add(row)
            result[item.key] = row
        self.session.flush()
        self.counts["planning_rounds"] = len(result)
        return result

    def _slots(self, rounds: dict[str, PlanningRound]) -> dict[str, int]:
        open_round = rounds[self.data.open_round.key]
        items = self.data.slots
        ids = bulk_insert(
            self.session,
            Slot,
            [
                {
                    "region_id": self.region.id,
                    "planning_round_id": open_round.id,
                    "code": s.key,
                    "starts_at": s.start.astimezone(UTC),
                    "ends_at": s.end.astimezone(UTC),
                }
                for s in items
            ],
        )
        return dict(zip([s.key for s in items], self._count("slots", ids), strict=True))

    def _slot_venues(self, slots: dict[str, int], venues: dict[str, int]) -> None:
        """Every venue is free for every slot of the demo."""
        rows = [{"slot_id": s, "venue_id": v} for s in slots.values() for v in venues.values()]
        self._count("slot_venues", bulk_insert(self.session, SlotVenue, rows))

    def _venues(self) -> dict[str, int]:
        # A region imported as a sample (services.setup.regions) already has the town halls, under these codes.
        existing = dict(
            self.session.exec(select(Venue.code, Venue.id).where(Venue.region_id == self.region.id)).all()
        )
        items = [v for v in self.data.venues if v.key not in existing]
        rows = [
            {
                "region_id": self.region.id,
                "code": v.key,
                "name": v.name,
                "address": v.address,
                "municipality_id": self.municipalities.get(v.municipality_code),
                "lat": v.lat,
                "lon": v.lon,
                "capacity": v.capacity,
                "tables": v.tables,
                "online": v.online,
                "online_url": v.online_url,
                "active": True,
            }
            for v in items
        ]
        ids = self._count("venues", bulk_insert(self.session, Venue, rows))
        return {**existing, **dict(zip([v.key for v in items], ids, strict=True))}

    def _professionals(self) -> dict[str, int]:
        items = self.data.professionals
        rows = [
            {
                "name": p.name,
                "email": p.email,
                "kvk_number": p.kvk_number,
                "region_id": self.region.id,
                "home_place_id": self.places.get(p.home.geonameid),
                "lat": p.home.lat,
                "lon": p.home.lon,
                "travel_radius_km": p.travel_radius_km,
                "hourly_rate": p.hourly_rate,
                "hours_per_week": p.hours_per_week,
                "max_sessions_per_round": p.max_sessions_per_round,
                "bio": "",
                "agreement_signed_on": p.agreement_signed_on,
                "created_at": self.now,
                "last_active_at": self.now,
            }
            for p in items
        ]
        ids = self._count("professionals", bulk_insert(self.session, Professional, rows))
        people = dict(zip([p.key for p in items], ids, strict=True))
        skills = [
            {"professional_id": people[p.key], "skill_id": self.skills[s.skill], "level": s.level}
            for p in items
            for s in p.skills
        ]
        self._count("professional_skills", bulk_insert(self.session, ProfessionalSkill, skills))
        documents = [
            {
                "professional_id": people[p.key],
                "kind": d.kind,
                "issued_on": d.issued_on,
                "expires_on": d.expires_on,
                "reference": d.reference,
                "uploaded_at": self.now,
            }
            for p in items
            for d in p.documents
        ]
        self._count("qualification_documents", bulk_insert(self.session, QualificationDocument, documents))
        return people

    def _requests(self, rounds, slots, venues, people) -> None:
        items = self.data.requests
        rows = [
            {
                "municipality_id": self.municipalities[r.municipality_code],
                "planning_round_id": rounds[r.planning_round].id,
                "title": r.title,
                "question": r.question,
                "table_size_min": r.table_size[0],
                "table_size_max": r.table_size[1],
                "priority": r.priority,
                "max_travel_km": r.max_travel_km,
                "availability_deadline": rounds[r.planning_round].availability_deadline,
                "status": RequestStatus(r.status).value,
                "created_at": self.now,
                "opened_at": self.now if r.status != "draft" else None,
            }
            for r in items
        ]
        ids = self._count("requests", bulk_insert(self.session, SwarmRequest, rows))
        needs, slot_rows, venue_rows, exclusions = [], [], [], []
        for request, request_id in zip(items, ids, strict=True):
            needs += [
                {
                    "request_id": request_id,
                    "skill_id": self.skills[n.skill],
                    "count": n.min,
                    "min_level": n.min_level,
                }
                for n in request.needs
            ]
            slot_rows += [{"request_id": request_id, "slot_id": slots[s]} for s in request.slots]
            venue_rows += [{"request_id": request_id, "venue_id": venues[v]} for v in request.venues]
            exclusions += [
                {
                    "request_id": request_id,
                    "professional_id": people[e.professional],
                    "reason": e.reason,
                    "created_at": self.now,
                }
                for e in request.exclusions
            ]
        for model, rows_ in ((RequestNeed, needs), (RequestSlot, slot_rows), (RequestVenue, venue_rows)):
            bulk_insert(self.session, model, rows_)
        self._count("request_exclusions", bulk_insert(self.session, RequestExclusion, exclusions))

    def _availability(self, slots, people) -> None:
        rows = [
            {
                "professional_id": people[a.professional],
                "slot_id": slots[a.slot],
                "answer": a.answer,
                "updated_at": self.now,
            }
            for a in self.data.availability
        ]
        self._count("availability", bulk_insert(self.session, Availability, rows))

    def _history(self, rounds, venues, people) -> None:
        """Published sessions of the closed rounds, one per invitation a professional had in that round."""
        per_round: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for entry in self.data.invitation_history:
            per_round[entry.planning_round].append((entry.professional, entry.invitations))
        venue_id = next(venues[v.key] for v in self.data.venues if not v.online)
        invitations = []
        for key, entries in per_round.items():
            planning_round = rounds[key]
            sessions = []
            for n in range(max(count for _, count in entries)):
                day = planning_round.starts_on + timedelta(days=n)
                start = datetime.combine(day, time(9), tzinfo=self.zone).astimezone(UTC)
                (slot_id,) = bulk_insert(
                    self.session,
                    Slot,
                    [
                        {
                            "region_id": self.region.id,
                            "planning_round_id": planning_round.id,
                            "code": f"{day}-am",
                            "starts_at": start,
                            "ends_at": start + timedelta(hours=3),
                        }
                    ],
                )
                bulk_insert(self.session, SlotVenue, [{"slot_id": slot_id, "venue_id": venue_id}])
                row = SwarmSession(
                    region_id=self.region.id,
                    planning_round_id=planning_round.id,
                    slot_id=slot_id,
                    venue_id=venue_id,
                    status=SessionStatus.PUBLISHED,
                    version=1,
                    rounds=self.region.rounds_per_session,
                    created_at=start - timedelta(days=30),
                    published_at=start - timedelta(days=30),
                )
                self.session.add(row)
                sessions.append(row)
            self.session.flush()
            for professional, count in entries:
                invitations += [
                    {
                        "session_id": sessions[n].id,
                        "professional_id": people[professional],
                        "response": InvitationResponse.ACCEPTED.value,
                        "sequence": 0,
                        "reasons": [],
                        "created_at": sessions[n].published_at,
                        "sent_at": sessions[n].published_at,
                    }
                    for n in range(count)
                ]
        self._count("past_invitations", bulk_insert(self.session, Invitation, invitations))

    def _roles(self) -> None:
        for item in self.data.roles:
            role = Role(
                municipality_id=self.municipalities[item.municipality_code],
                name=item.name,
                purpose=item.purpose,
                created_at=self.now,
            )
            self.session.add(role)
            self.session.flush()
            self.session.add_all(
                RoleSkill(role_id=role.id, skill_id=self.skills[s.skill], min_level=s.level)
                for s in item.skills
            )
        self.counts["roles"] = len(self.data.roles)

    def _projects(self) -> None:
        for item in self.data.projects:
            project = Project(
                municipality_id=self.municipalities[item.municipality_code],
                title=item.title,
                description=item.description,
                budget=item.budget,
                location_name=item.location_name,
                lat=item.lat,
                lon=item.lon,
                created_at=self.now,
            )
            self.session.add(project)
            self.session.flush()
            self.session.add_all(
                ProjectRole(
                    project_id=project.id,
                    name=r.name,
                    skill_id=self.skills[r.skill],
                    min_level=r.min_level,
                    hours_per_week=r.hours_per_week,
                    first_week=r.first_week,
                    last_week=r.last_week,
                )
                for r in item.roles
            )
        self.counts["projects"] = len(self.data.projects)

    def _accounts(self, people) -> tuple[tuple[str, str, str], ...]:
        accounts = []
        # Every demo account has the same published password: hash it once (argon2 is slow on purpose).
        password_hash = hash_password(DEMO_PASSWORD)
        for user in self.data.users:
            role = UserRole(user.role)
            scope = {
                UserRole.ORGANIZER: Scope(role, region_id=self.region.id),
                UserRole.COORDINATOR: Scope(
                    role, municipality_id=self.municipalities.get(user.municipality_code)
                ),
                UserRole.PROFESSIONAL: Scope(role, professional_id=people.get(user.professional)),
            }[role]
            create_user(
                self.session,
                user.email,
                user.password,
                scope,
                name=user.name,
                password_hash=password_hash if user.password == DEMO_PASSWORD else None,
                clock=lambda: self.now,
            )
            accounts.append((role.value, user.email, user.password))
        self.counts["users"] = len(accounts)
        return tuple(accounts)
