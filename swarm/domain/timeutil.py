"""Time: Europe/Amsterdam conversions, ISO weeks and an injectable clock.

The database stores aware UTC instants; people and the solver formats see local wall-clock times.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def fixed_clock(moment: datetime) -> Clock:
    """A clock for tests: always ``moment`` (which must be aware)."""
    if moment.tzinfo is None:
        raise ValueError("a clock needs an aware datetime")
    return lambda: moment


def to_utc(moment: datetime, zone: ZoneInfo = AMSTERDAM) -> datetime:
    """An aware UTC instant; a naive ``moment`` is read as wall-clock time in ``zone``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def to_local(moment: datetime, zone: ZoneInfo = AMSTERDAM) -> datetime:
    """The aware wall-clock time in ``zone``; a naive ``moment`` is read as UTC (how SQLite returns it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone)


def local_iso(moment: datetime, zone: ZoneInfo = AMSTERDAM) -> str:
    """``2027-01-12T09:00``: the local date-time without offset that the solver formats use."""
    return to_local(moment, zone).replace(tzinfo=None).isoformat(timespec="minutes")


def iso_week(day: date) -> str:
    """``2027-W03``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def parse_iso_week(text: str) -> date:
    """The Monday of an ISO week written ``2027-W03``; ``ValueError`` when it is no such week."""
    try:
        year_text, week_text = text.split("-W")
        return date.fromisocalendar(int(year_text), int(week_text), 1)
    except ValueError:
        raise ValueError(f'"{text}" is not an ISO week like 2027-W03') from None


def iso_weeks_between(first: str, last: str) -> list[str]:
    """Every ISO week from ``first`` to ``last`` inclusive (empty when last comes first)."""
    monday, end = parse_iso_week(first), parse_iso_week(last)
    weeks = []
    while monday <= end:
        weeks.append(iso_week(monday))
        monday += timedelta(weeks=1)
    return weeks


def slot_code(start_local: datetime) -> str:
    """A readable slot id such as ``2027-01-12-am`` (morning) or ``2027-01-12-pm``/``-ev``."""
    part = "am" if start_local.hour < 12 else "pm" if start_local.hour < 17 else "ev"
    return f"{start_local.date().isoformat()}-{part}"
