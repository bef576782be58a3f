"""Stored sessions -> the plain calendar dataclasses of ``swarm.calendars`` (which then make the .ics bytes).

Who sits where comes from the seats, PARTSTAT from the invitation, the reasons from what the schedule stored, in
the attendee's language. Only invitations not cancelled make attendees.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, select

from swarm import calendars as cal
from swarm.config import Config
from swarm.domain.enums import InvitationResponse, SessionStatus, UserRole
from swarm.domain.reasons import AVAILABILITY, SKILL, TRAVEL, TURNS
from swarm.persistence.models import (
    Invitation,
    Municipality,
    Professional,
    Region,
    Seat,
    SessionTable,
    Skill,
    Slot,
    SwarmRequest,
    User,
    Venue,
)
from swarm.persistence.models import Session as SwarmSession
from swarm.services.ops.outbox import mail_host

_REASONS = {
    "nl": {
        "skill": "u heeft {skill} op niveau {level} (gevraagd: minstens {min_level})",
        "yes": "u gaf aan dat u op dit moment kunt",
        "maybe": "u gaf aan dat u op dit moment zo nodig kunt",
        "travel": "{km} km van de locatie",
        "turns": "{count} uitnodiging(en) in de laatste {window} rondes",
        "waited": "beschikbaar in {waited} ronde(s) sinds de laatste uitnodiging",
    },
    "en": {
        "skill": "you have {skill} at level {level} (asked: at least {min_level})",
        "yes": "you said you are available at this time",
        "maybe": "you said you are available at this time if need be",
        "travel": "{km} km from the venue",
        "turns": "{count} invitation(s) in the last {window} rounds",
        "waited": "available in {waited} round(s) since the last invitation",
    },
}


def reason_sentences(reasons: list, skill_names: dict[str, str], language: str) -> tuple[str, ...]:
    words = _REASONS[language]
    sentences = []
    for reason in reasons or []:
        code, facts = reason.get("code"), reason.get("facts") or {}
        if code == SKILL:
            name = skill_names.get(facts.get("skill"), facts.get("skill"))
            sentences.append(
                words["skill"].format(skill=name, level=facts.get("level"), min_level=facts.get("min_level"))
            )
        elif code == AVAILABILITY and facts.get("answer") in ("yes", "maybe"):
            sentences.append(words[facts["answer"]])
        elif code == TRAVEL:
            sentences.append(words["travel"].format(km=facts.get("km")))
        elif code == TURNS:
            sentences.append(
                words["turns"].format(
                    count=facts.get("recent_invitations"), window=facts.get("window_rounds")
                )
            )
            if facts.get("rounds_waited"):
                sentences.append(words["waited"].format(waited=facts["rounds_waited"]))
    return tuple(dict.fromkeys(sentences))  # one skill can meet the needs of several tables


def language_of(session: Session, professional_id: int) -> str:
    locale = session.exec(select(User.locale).where(User.professional_id == professional_id)).first()
    return locale if locale in cal.text.LANGUAGES else "nl"


def organizer_of(session: Session, region: Region, config: Config) -> cal.Person:
    """The region's (first) organizer; without one, the sender address in the region's name. With a reply mailbox
    that is read (SWARM_IMAP_HOST), the organizer's name at that mailbox's address: calendar answers go there."""
    person = _organizer_person(session, region, config)
    if config.reads_replies:
        return cal.Person(person.name, config.reply_address)
    return person


def _organizer_person(session: Session, region: Region, config: Config) -> cal.Person:
    user = session.exec(
        select(User)
        .where(User.role == UserRole.ORGANIZER, User.region_id == region.id, User.active)
        .order_by(User.id)
    ).first()
    if user is not None:
        return cal.Person(user.name or region.name, user.email)
    sender = (
        config.smtp_from if "." in config.smtp_from.partition("@")[2] else f"planning@{mail_host(config)}"
    )
    return cal.Person(region.name, sender)


@dataclass
class SessionView:
    """One stored session as calendars see it, plus who its attendees are in the database."""

    row: SwarmSession
    calendar: cal.CalendarSession
    professional_of: dict[str, int] = field(default_factory=dict)  # attendee key -> professional id
    language_of: dict[str, str] = field(default_factory=dict)


def attendee_key(professional_id: int) -> str:
    return f"p-{professional_id}"


def session_view(
    session: Session,
    row: SwarmSession,
    config: Config,
    *,
    language: str = "nl",
) -> SessionView:
    """The session with its attendees (invitations not cancelled).

    The reasons are written in each attendee's own language; ``language`` only chooses the title's words.
    """
    region = session.get(Region, row.region_id)
    slot = session.get(Slot, row.slot_id)
    venue = session.get(Venue, row.venue_id)
    tables = list(
        session.exec(
            select(SessionTable).where(SessionTable.session_id == row.id).order_by(SessionTable.position)
        )
    )
    requests = {
        r.id: r
        for r in session.exec(select(SwarmRequest).where(SwarmRequest.id.in_([t.request_id for t in tables])))
    }
    towns = {
        m.id: m.name for m in session.exec(select(Municipality).where(Municipality.region_id == region.id))
    }
    theme = {
        t.id: cal.ThemeTable(
            question=requests[t.request_id].title,
            municipality=towns.get(requests[t.request_id].municipality_id, ""),
        )
        for t in tables
    }
    seats: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for seat in session.exec(select(Seat).where(Seat.session_id == row.id)):
        seats[seat.professional_id].append((seat.round, seat.table_id))
    invitations = list(
        session.exec(
            select(Invitation).where(Invitation.session_id == row.id).order_by(Invitation.professional_id)
        )
    )
    wanted = [i for i in invitations if i.cancelled_at is None]
    people = {
        p.id: p
        for p in session.exec(
            select(Professional).where(Professional.id.in_([i.professional_id for i in wanted]))
        )
    }
    skill_names = {s.code: s for s in session.exec(select(Skill))}
    attendees, professional_of, languages = [], {}, {}
    for invitation in wanted:
        person = people[invitation.professional_id]
        key = attendee_key(person.id)
        own_language = language_of(session, person.id)
        names = {code: getattr(s, f"name_{own_language}") for code, s in skill_names.items()}
        plan = tuple(theme[table_id] for _, table_id in sorted(seats.get(person.id, [])) if table_id in theme)
        attendees.append(
            cal.Attendee(
                key=key,
                name=person.name,
                email=person.email,
                partstat=InvitationResponse(invitation.response),
                plan=plan,
                reasons=reason_sentences(invitation.reasons, names, own_language),
                # Ask for a calendar answer (iMIP REPLY) only when the reply mailbox is read; otherwise a client's
                # Accept/Decline would go to the organizer's mailbox and be lost (the mail's links take answers).
                rsvp=config.reads_replies,
            )
        )
        professional_of[key], languages[key] = person.id, own_language
    status = cal.Status.CANCELLED if row.status == SessionStatus.CANCELLED else cal.Status.CONFIRMED
    calendar = cal.CalendarSession(
        key=row.uid,
        title=f"{region.name}, {venue.name}",
        start=slot.starts_at,
        end=slot.ends_at,
        venue=cal.Venue(
            name=venue.name, address=venue.address, online_url=venue.online_url if venue.online else ""
        ),
        organizer=organizer_of(session, region, config),
        tables=tuple(theme[t.id] for t in tables),
        attendees=tuple(attendees),
        sequence=row.version,
        status=status,
    )
    return SessionView(row, calendar, professional_of, languages)


def removed_attendee(session: Session, professional_id: int) -> tuple[cal.Attendee, str]:
    """Someone taken off a session, for their CANCEL (no table plan any more), and their language."""
    person = session.get(Professional, professional_id)
    attendee = cal.Attendee(key=attendee_key(person.id), name=person.name, email=person.email)
    return attendee, language_of(session, person.id)
