"""A small world for the web tests: two regions, each with a municipality, a coordinator, an organizer,
professionals, slots and a venue. Everything has a foreign twin, so authorization tests can aim at it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from swarm.domain.enums import (
    AvailabilityAnswer,
    DocumentKind,
    DocumentStatus,
    OutboxStatus,
    RequestStatus,
    SessionStatus,
    SolveKind,
    SolveStatus,
    UserRole,
)
from swarm.persistence.models import (
    Availability,
    Invitation,
    Municipality,
    OutboxMessage,
    PendingImport,
    Place,
    PlanningRound,
    Professional,
    ProfessionalSkill,
    Project,
    ProjectRole,
    QualificationDocument,
    Region,
    RequestNeed,
    RequestSlot,
    Role,
    RoleSkill,
    Seat,
    SessionTable,
    Skill,
    Slot,
    SlotVenue,
    SolveRun,
    SwarmRequest,
    User,
    Venue,
    Webhook,
    WebhookDelivery,
)
from swarm.persistence.models import Session as ScheduledSession
from swarm.services.people.accounts import hash_password

PASSWORD = "correct horse battery"
FIRST_SLOT = datetime(2027, 1, 12, 8, 0, tzinfo=UTC)  # 09:00 in Amsterdam
# The web tests' present: the app's injected clock, before the world's slots. The world itself was set up a week
# earlier, and every row it makes is stamped with that time, never with the system clock.
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
BUILT_AT = NOW - timedelta(days=7)


@dataclass
class World:
    regions: dict[str, Region] = field(default_factory=dict)
    municipalities: dict[str, Municipality] = field(default_factory=dict)
    rounds: dict[str, PlanningRound] = field(default_factory=dict)
    slots: dict[str, list[Slot]] = field(default_factory=dict)
    venues: dict[str, Venue] = field(default_factory=dict)
    places: dict[str, Place] = field(default_factory=dict)
    skills: dict[str, Skill] = field(default_factory=dict)
    professionals: dict[str, Professional] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    requests: dict[str, SwarmRequest] = field(default_factory=dict)
    projects: dict[str, Project] = field(default_factory=dict)
    project_roles: dict[str, ProjectRole] = field(default_factory=dict)
    documents: dict[str, QualificationDocument] = field(default_factory=dict)
    invitations: dict[str, Invitation] = field(default_factory=dict)
    runs: dict[str, SolveRun] = field(default_factory=dict)
    team_runs: dict[str, SolveRun] = field(default_factory=dict)
    failed_mail: dict[str, OutboxMessage] = field(default_factory=dict)
    pending_imports: dict[str, PendingImport] = field(default_factory=dict)  # by user key
    webhooks: dict[str, Webhook] = field(default_factory=dict)
    failed_deliveries: dict[str, WebhookDelivery] = field(default_factory=dict)


def csrf_token_from(page: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert match, "page has no csrf-token meta tag"
    return match.group(1)


def _add(session, row):
    if hasattr(row, "created_at"):
        row.created_at = BUILT_AT
    session.add(row)
    session.flush()
    return row


def build(session, *, with_schedule: bool = True) -> World:
    world = World()
    for code, name_nl, name_en in (
        ("participatie", "Participatie", "Participation"),
        ("omgevingsrecht", "Omgevingsrecht", "Environmental law"),
        ("projectleiding", "Projectleiding", "Project management"),
    ):
        world.skills[code] = _add(session, Skill(code=code, name_nl=name_nl, name_en=name_en))

    for key, slug, name, cbs, town, lat, lon in (
        ("home", "achterhoek", "Achterhoek", "GM1509", "Oude IJsselstreek", 51.89, 6.38),
        ("foreign", "zuid-limburg", "Zuid-Limburg", "GM0935", "Maastricht", 50.85, 5.69),
    ):
        region = world.regions[key] = _add(session, Region(slug=slug, name=name))
        world.municipalities[key] = _add(
            session, Municipality(cbs_code=cbs, name=town, region_id=region.id, lat=lat, lon=lon)
        )
        world.places[key] = _add(
            session, Place(name=town, lat=lat, lon=lon, municipality_id=world.municipalities[key].id)
        )
        world.rounds[key] = _add(
            session,
            PlanningRound(
                region_id=region.id,
                sequence=1,
                name="2027 Q1",
                availability_deadline=FIRST_SLOT - timedelta(days=7),
                starts_on=date(2027, 1, 12),
                ends_on=date(2027, 1, 14),
            ),
        )
        world.venues[key] = _add(
            session,
            Venue(
                region_id=region.id,
                code=f"{slug}-hall",
                name=f"Gemeentehuis {town}",
                lat=lat,
                lon=lon,
                capacity=40,
                tables=4,
            ),
        )
        world.slots[key] = [
            _add(
                session,
                Slot(
                    region_id=region.id,
                    planning_round_id=world.rounds[key].id,
                    code=f"2027-01-{12 + day:02d}-am",
                    starts_at=FIRST_SLOT + timedelta(days=day),
                    ends_at=FIRST_SLOT + timedelta(days=day, hours=3),
                ),
            )
            for day in range(3)
        ]
        for slot in world.slots[key]:
            _add(session, SlotVenue(slot_id=slot.id, venue_id=world.venues[key].id))
        world.users[f"coordinator_{key}"] = _user(
            session,
            f"coordinator.{slug}@example.nl",
            UserRole.COORDINATOR,
            municipality_id=world.municipalities[key].id,
        )
        world.users[f"organizer_{key}"] = _user(
            session, f"organizer.{slug}@example.nl", UserRole.ORGANIZER, region_id=region.id
        )
        professional = world.professionals[key] = _professional(session, world, key, f"pro.{slug}@example.nl")
        world.users[f"professional_{key}"] = _user(
            session, professional.email, UserRole.PROFESSIONAL, professional_id=professional.id
        )
        _municipal_objects(session, world, key, with_schedule)
    world.users["administrator_home"] = _user(session, "beheer@example.nl", UserRole.ADMINISTRATOR)
    return world


_HASH: list[str] = []


def _password_hash() -> str:
    # argon2 is slow on purpose; one hash serves every user of every test world.
    if not _HASH:
        _HASH.append(hash_password(PASSWORD))
    return _HASH[0]


def _user(session, email: str, role: UserRole, **scope) -> User:
    name = email.split("@")[0].replace(".", " ").title()
    user = User(email=email, password_hash=_password_hash(), name=name, role=role, **scope)
    user.email_confirmed_at = BUILT_AT  # every account of the world has confirmed its e-mail address
    return _add(session, user)


def _professional(session, world: World, key: str, email: str) -> Professional:
    place = world.places[key]
    professional = _add(
        session,
        Professional(
            name=email.split("@")[0].replace(".", " ").title(),
            email=email,
            kvk_number={"home": "12345678", "foreign": "23456789"}[key],  # one number per professional
            region_id=world.regions[key].id,
            home_place_id=place.id,
            lat=place.lat,
            lon=place.lon,
            travel_radius_km=40,
            hourly_rate=90,
            hours_per_week=24,
            agreement_signed_on=date(2026, 1, 1),
        ),
    )
    for code, level in (("participatie", 2), ("omgevingsrecht", 1), ("projectleiding", 2)):
        _add(
            session,
            ProfessionalSkill(professional_id=professional.id, skill_id=world.skills[code].id, level=level),
        )
    for kind in DocumentKind:  # checked on paper: approved, no file
        _add(
            session,
            QualificationDocument(
                professional_id=professional.id,
                kind=kind,
                status=DocumentStatus.APPROVED,
                expires_on=date(2028, 1, 1),
                uploaded_at=BUILT_AT,
                checked_at=BUILT_AT,
            ),
        )
    for slot in world.slots[key]:
        _add(
            session,
            Availability(professional_id=professional.id, slot_id=slot.id, answer=AvailabilityAnswer.YES),
        )
    return professional


def _municipal_objects(session, world: World, key: str, with_schedule: bool) -> None:
    """A role, an open request and a project with one role, for the municipality `key`."""
    municipality = world.municipalities[key]
    world.roles[key] = _add(session, Role(municipality_id=municipality.id, name="Participatieadviseur"))
    _add(
        session, RoleSkill(role_id=world.roles[key].id, skill_id=world.skills["participatie"].id, min_level=2)
    )
    world.requests[key] = _add(
        session,
        SwarmRequest(
            municipality_id=municipality.id,
            planning_round_id=world.rounds[key].id,
            title=f"Inwoners betrekken in {municipality.name}",
            table_size_min=1,
            table_size_max=4,
            availability_deadline=FIRST_SLOT - timedelta(days=7),
            status=RequestStatus.OPEN,
        ),
    )
    _add(session, RequestSlot(request_id=world.requests[key].id, slot_id=world.slots[key][0].id))
    _add(
        session,
        RequestNeed(
            request_id=world.requests[key].id, skill_id=world.skills["participatie"].id, count=1, min_level=1
        ),
    )
    world.projects[key] = _add(
        session,
        Project(
            municipality_id=municipality.id,
            title="Omgevingsplan",
            budget=50000,
            lat=municipality.lat,
            lon=municipality.lon,
        ),
    )
    world.project_roles[key] = _add(
        session,
        ProjectRole(
            project_id=world.projects[key].id,
            name="Projectleider",
            skill_id=world.skills["projectleiding"].id,
            hours_per_week=16,
            first_week="2027-W10",
            last_week="2027-W13",
        ),
    )
    world.team_runs[key] = _add(
        session,
        SolveRun(
            kind=SolveKind.SHELL,
            region_id=world.regions[key].id,
            requested_by_id=world.users[f"coordinator_{key}"].id,
            status=SolveStatus.SUCCEEDED,
            **_finished_at(BUILT_AT),
            input={},
            parameters={"project_ids": [world.projects[key].id]},
            result={"format": "shell-plan/1", "assignments": [], "unfilled": []},
        ),
    )
    world.failed_mail[key] = _add(
        session,
        OutboxMessage(
            idempotency_key=f"test-failed-{key}",
            kind="invitation",
            region_id=world.regions[key].id,
            recipient="nobody@invalid.example",
            subject="Uitnodiging zwermsessie",
            body_text="...",
            status=OutboxStatus.FAILED,
            next_attempt_at=BUILT_AT,
            attempts=8,
            last_error="550 5.1.1 mailbox unknown",
        ),
    )
    for role, kind, content in (
        (
            "organizer",
            "professionals",
            "Naam;E-mail;KvK-nummer;Woonplaats\r\nAnna;anna@example.nl;23456789;Ulft\r\n",
        ),
        ("coordinator", "roles", "Rol;Doel\r\nProjectleider;Projecten leiden\r\n"),
    ):
        world.pending_imports[f"{role}_{key}"] = _add(
            session,
            PendingImport(
                key=f"upload-{role}-{key}",
                kind=kind,
                user_id=world.users[f"{role}_{key}"].id,
                region_id=world.regions[key].id,
                municipality_id=municipality.id if role == "coordinator" else None,
                filename=f"{kind}.csv",
                content=content.encode(),
                mapping={},
                expires_at=NOW + timedelta(days=1),
            ),
        )
    world.webhooks[key] = _add(
        session,
        Webhook(
            region_id=world.regions[key].id,
            url=f"https://hr.{key}.example.nl/swarm",
            secret="a-secret-of-sixteen-or-more",
            events=["schedule.published"],
        ),
    )
    world.failed_deliveries[key] = _add(
        session,
        WebhookDelivery(
            webhook_id=world.webhooks[key].id,
            event_id=f"event-{key}",
            event="schedule.published",
            body="{}",
            status=OutboxStatus.FAILED,
            attempts=8,
            next_attempt_at=BUILT_AT,
            last_error="HTTP 500",
        ),
    )
    if with_schedule:
        _published_session(session, world, key)
    world.documents[key] = session.exec(
        select(QualificationDocument).where(
            QualificationDocument.professional_id == world.professionals[key].id
        )
    ).first()


def _finished_at(moment: datetime) -> dict:
    """A solve run's time stamps for one that ran (briefly) at ``moment``."""
    return {"queued_at": moment, "started_at": moment, "finished_at": moment, "heartbeat_at": moment}


def _published_session(session, world: World, key: str) -> None:
    """A finished solve and a published session on the first slot with the region's professional at its table."""
    region, request, professional = world.regions[key], world.requests[key], world.professionals[key]
    world.runs[key] = _add(
        session,
        SolveRun(
            kind=SolveKind.SWARM,
            region_id=region.id,
            planning_round_id=world.rounds[key].id,
            status=SolveStatus.SUCCEEDED,
            **_finished_at(BUILT_AT),
            input={},
            parameters={},
            score=1020,
            bound=1020,
            elapsed_seconds=0.4,
            result={
                "format": "swarm-schedule/1",
                "unscheduled": [],
                "breakdown": {"scheduled": 1000, "skill": 20},
            },
        ),
    )
    scheduled = _add(
        session,
        ScheduledSession(
            region_id=region.id,
            planning_round_id=world.rounds[key].id,
            slot_id=world.slots[key][0].id,
            venue_id=world.venues[key].id,
            solve_run_id=world.runs[key].id,
            status=SessionStatus.PUBLISHED,
            published_at=BUILT_AT,
            rounds=1,
        ),
    )
    table = _add(session, SessionTable(session_id=scheduled.id, request_id=request.id, position=1))
    _add(session, Seat(session_id=scheduled.id, table_id=table.id, professional_id=professional.id, round=1))
    world.invitations[key] = _add(
        session,
        Invitation(
            session_id=scheduled.id,
            professional_id=professional.id,
            reasons=[
                {
                    "code": "skill",
                    "facts": {"request": request.id, "skill": "participatie", "level": 2, "min_level": 1},
                }
            ],
        ),
    )
