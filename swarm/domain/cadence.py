"""A region's cadence of planning rounds: on which days the next rounds open, with which slots and deadline.

For example "every first Monday of the month; slots four weeks later, 09:00-12:00 and 13:00-16:00; availability
until a week before the first slot". The opening days come from an RFC 5545 recurrence rule (``dateutil.rrule``).
Everything here is wall-clock time in the region's zone, without a zone: the services convert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dateutil.rrule import MONTHLY, rrule, weekday

from swarm.domain.errors import N_, ValidationError

WEEKS_OF_MONTH = (1, 2, 3, 4, -1)  # the first .. fourth, or the last such weekday of the month
MAX_SLOT_TIMES = 6


@dataclass(frozen=True)
class SlotTime:
    """A candidate slot's hours on the day of the sessions."""

    starts: time
    ends: time


@dataclass(frozen=True)
class CadenceRule:
    weekday: int  # 0 Monday .. 6 Sunday
    week_of_month: int  # 1..4, or -1 for the last one
    every_months: int  # 1: every month, 3: every quarter
    slots_after_weeks: int  # the sessions are this many weeks after the opening day (the same weekday)
    slot_times: tuple[SlotTime, ...]
    deadline_days_before: int  # the availability deadline: this many days before the first slot starts
    active_from: date  # no opening before this day (the day after the rule was saved)

    def check(self) -> None:
        """Refuse a rule that cannot make a round: the field it is about and why."""
        if not 0 <= self.weekday <= 6:
            raise ValidationError("weekday", N_("Choose a day of the week."))
        if self.week_of_month not in WEEKS_OF_MONTH:
            raise ValidationError(
                "week_of_month", N_("Choose the first, second, third, fourth or last week.")
            )
        if not 1 <= self.every_months <= 12:
            raise ValidationError("every_months", N_("Give a number of months between 1 and 12."))
        if not 1 <= self.slots_after_weeks <= 26:
            raise ValidationError("slots_after_weeks", N_("Give a number of weeks between 1 and 26."))
        if not self.slot_times:
            raise ValidationError("slot_times", N_("Give at least one time slot."))
        if len(self.slot_times) > MAX_SLOT_TIMES:
            raise ValidationError("slot_times", N_("Give at most six time slots."))
        for i, slot in enumerate(self.slot_times):
            if slot.ends <= slot.starts:
                raise ValidationError(f"slot_times[{i}].ends", N_("A slot must end after it starts."))
        if not 0 <= self.deadline_days_before < 7 * self.slots_after_weeks:
            raise ValidationError(
                "deadline_days_before",
                N_("The deadline must fall between the opening day and the first slot."),
            )

    def recurrence(self) -> rrule:
        return rrule(
            MONTHLY,
            interval=self.every_months,
            byweekday=weekday(self.weekday, self.week_of_month),
            dtstart=datetime.combine(self.active_from, time()),
        )

    def opening_on(self, day: date) -> Opening:
        """The round that opens on ``day``: its slots and availability deadline."""
        sessions_on = day + timedelta(weeks=self.slots_after_weeks)
        slots = tuple(
            (datetime.combine(sessions_on, s.starts), datetime.combine(sessions_on, s.ends))
            for s in sorted(self.slot_times, key=lambda s: s.starts)
        )
        deadline = slots[0][0] - timedelta(days=self.deadline_days_before)
        return Opening(opens_on=day, sessions_on=sessions_on, slots=slots, deadline=deadline)

    def openings_after(self, day: date, count: int = 3) -> list[Opening]:
        """The next ``count`` openings after ``day`` (not on it)."""
        found: list[Opening] = []
        moment = datetime.combine(day, time())
        for _ in range(count):
            following = self.recurrence().after(moment)
            if following is None:
                break
            found.append(self.opening_on(following.date()))
            moment = following
        return found

    def latest_opening(self, day: date) -> Opening | None:
        """The newest opening on or before ``day`` (None before the rule starts)."""
        latest = self.recurrence().before(datetime.combine(day, time()), inc=True)
        return self.opening_on(latest.date()) if latest is not None else None


@dataclass(frozen=True)
class Opening:
    """One round of a cadence: the day it opens, the day of its sessions, its slots and deadline (local)."""

    opens_on: date
    sessions_on: date
    slots: tuple[tuple[datetime, datetime], ...]
    deadline: datetime

    def round_name(self, prefix: str) -> str:
        """``Zwermronde 01-02-2027``: the cadence's name and the day of the sessions."""
        return f"{prefix} {self.sessions_on:%d-%m-%Y}".strip()
