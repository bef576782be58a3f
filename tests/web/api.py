"""Helpers for the API tests: a token per user of the world, and calls that carry it."""

from __future__ import annotations

from swarm.domain.actors import SYSTEM
from swarm.domain.timeutil import fixed_clock
from swarm.persistence.db import unit_of_work
from swarm.services.people.api_tokens import create_api_token
from tests.web.world import NOW, World


def tokens_for(engine, world: World) -> dict[str, str]:
    """One API token per user of the world: {"organizer_home": "swarm_...", ...}."""
    secrets = {}
    with unit_of_work(engine) as session:
        for key, user in world.users.items():
            _row, secrets[key] = create_api_token(
                session, user.id, f"test {key}", actor=SYSTEM, clock=fixed_clock(NOW)
            )
    return secrets


def bearer(secret: str, **headers) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", **headers}
