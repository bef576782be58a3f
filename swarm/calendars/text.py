"""The words in calendars and mail: Dutch by default, English on request.

Plain strings in a small dict: the sentences are few and the web app's translation catalogue is not needed here.
"""

from __future__ import annotations

from swarm.calendars.model import Attendee, CalendarDataError, CalendarSession
from swarm.calendars.timezone import local

LANGUAGES = ("nl", "en")

_WORDS = {
    "nl": {
        "session": "Zwermsessie",
        "where": "Locatie",
        "online": "Online",
        "plan": "Uw tafelindeling",
        "round": "Ronde {number}: {question} ({municipality})",
        "why": "Waarom u bent uitgenodigd",
        "tables": "Thematafels",
        "table": "{question} ({municipality})",
        "organizer": "Organisator",
        "cancelled": "Deze zwermsessie gaat niet door.",
        "removed": "U staat niet meer op de deelnemerslijst van deze zwermsessie.",
        "when": "{weekday} {day} {month} {year}, {start}–{end}",
    },
    "en": {
        "session": "Swarm session",
        "where": "Location",
        "online": "Online",
        "plan": "Your table plan",
        "round": "Round {number}: {question} ({municipality})",
        "why": "Why you were invited",
        "tables": "Theme tables",
        "table": "{question} ({municipality})",
        "organizer": "Organizer",
        "cancelled": "This swarm session has been cancelled.",
        "removed": "You are no longer on the list of participants of this swarm session.",
        "when": "{weekday} {day} {month} {year}, {start}–{end}",
    },
}

_WEEKDAYS = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}  # fmt: skip


def words(language: str) -> dict[str, str]:
    if language not in _WORDS:
        raise CalendarDataError("language", f"{language!r} is not one of {', '.join(LANGUAGES)}")
    return _WORDS[language]


def summary(session: CalendarSession, language: str = "nl") -> str:
    return f"{words(language)['session']}: {session.title}"


def when(session: CalendarSession, language: str = "nl") -> str:
    """The session's date and times in Amsterdam, e.g. `zondag 28 maart 2027, 09:00–12:00`."""
    start, end = local("start", session.start), local("end", session.end)
    return words(language)["when"].format(
        weekday=_WEEKDAYS[language][start.weekday()],
        day=start.day,
        month=_MONTHS[language][start.month - 1],
        year=start.year,
        start=f"{start:%H:%M}",
        end=f"{end:%H:%M}",
    )


def where(session: CalendarSession, language: str = "nl") -> str:
    venue = session.venue
    label = words(language)["online" if venue.online_url else "where"]
    return f"{label}: {venue.location}"


def personal_description(
    session: CalendarSession, attendee: Attendee, language: str = "nl", *, private: bool = True
) -> str:
    """One person's view: the session and their table round by round; when `private`, also why they were
    invited and the organizer's address (left out of feeds, whose URLs may leak)."""
    w = words(language)
    lines = [f"{w['session']}: {session.title}", when(session, language), where(session, language)]
    if attendee.plan:
        lines += ["", f"{w['plan']}:"]
        lines += [
            w["round"].format(number=number, question=table.question, municipality=table.municipality)
            for number, table in enumerate(attendee.plan, start=1)
        ]
    if private and attendee.reasons:
        lines += ["", f"{w['why']}:"]
        lines += [f"- {reason}" for reason in attendee.reasons]
    if private:
        lines += ["", f"{w['organizer']}: {session.organizer.name} <{session.organizer.email}>"]
    return "\n".join(lines)


def public_description(session: CalendarSession, language: str = "nl") -> str:
    """What anyone with the session may read: the questions at its tables, nobody's personal data."""
    w = words(language)
    lines = [f"{w['session']}: {session.title}", when(session, language), where(session, language)]
    if session.tables:
        lines += ["", f"{w['tables']}:"]
        lines += [
            "- " + w["table"].format(question=table.question, municipality=table.municipality)
            for table in session.tables
        ]
    return "\n".join(lines)


def cancel_description(session: CalendarSession, language: str = "nl", *, whole_session: bool) -> str:
    w = words(language)
    notice = w["cancelled"] if whole_session else w["removed"]
    return "\n".join([notice, "", f"{w['session']}: {session.title}", when(session, language)])
