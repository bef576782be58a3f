"""Default score weights: the one place their values live.

The region stores its own values (the organizer tunes the equal-treatment policy); new regions start from these,
which are the defaults of ../shared/spec/solver-formats.md.
"""

from __future__ import annotations

from types import MappingProxyType

SWARM_WEIGHTS = MappingProxyType(
    {
        "scheduled": 1000,
        "skill": 10,
        "maybe": 15,
        "travel_km": 1,
        "fairness": 5,
        "repeat_table": 20,
        "change": 100,
    }
)

SHELL_WEIGHTS = MappingProxyType(
    {"filled_hour": 1000, "euro": 1, "level": 300, "preferred": 2000, "travel_km": 5, "fairness": 50}
)

DEFAULT_ROUNDS_PER_SESSION = 3
DEFAULT_HISTORY_WINDOW_ROUNDS = 4
DEFAULT_SHELL_HISTORY_WEEKS = 52
