"""The app's clock: the system clock, or the one a test or the demo injects as config SWARM_CLOCK."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app

from swarm.domain.timeutil import Clock, system_clock, to_local


def clock() -> Clock:
    return current_app.config.get("SWARM_CLOCK") or system_clock


def now() -> datetime:
    return clock()()


def today() -> date:
    """Today in Europe/Amsterdam."""
    return to_local(now()).date()
