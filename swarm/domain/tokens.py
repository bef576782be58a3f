"""One-time links: how long each kind stays valid. The tokens themselves live in ``services.people.tokens``."""

from __future__ import annotations

from datetime import timedelta

from swarm.domain.enums import TokenPurpose

LIFETIME = {
    TokenPurpose.INVITE: timedelta(days=7),
    TokenPurpose.RESET: timedelta(hours=2),
    TokenPurpose.CONFIRM: timedelta(days=7),
}
