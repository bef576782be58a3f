"""``/api/v1/me``: who the token acts for."""

from __future__ import annotations

from swarm.api import auth
from swarm.api.common import api_blueprint
from swarm.api.schemas import Me

blp = api_blueprint("me", "The account a token acts for")


@blp.get("/me")
@blp.response(200, Me)
def whoami():
    """The token's owner: role and scope."""
    user = auth.current()
    return {
        "user_id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role.value,
        "municipality_id": user.municipality_id,
        "region_id": user.region_id,
        "professional_id": user.professional_id,
    }
