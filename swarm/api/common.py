"""What every API blueprint shares: the URL prefix, the token check before each request, no caching."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from swarm.api.auth import authenticate

PREFIX = "/api/v1"


def _no_store(response):
    if g.get("api_user") is not None:
        response.headers["Cache-Control"] = "no-store"  # answers for one token's owner: never kept in a cache
    return response


def api_blueprint(name: str, description: str) -> Blueprint:
    blueprint = Blueprint(name, __name__, url_prefix=PREFIX, description=description)
    blueprint.before_request(authenticate)
    blueprint.after_request(_no_store)
    return blueprint
