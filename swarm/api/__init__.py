"""The JSON API under ``/api/v1``: the same services and the same authorization as the web pages.

flask-smorest generates the OpenAPI 3.1 document (``/api/v1/openapi.json``) from the blueprints' marshmallow
schemas; ``/api/v1/docs`` shows it as a page. Every operation needs a personal token (:mod:`swarm.api.auth`);
errors are ``application/problem+json`` (:mod:`swarm.api.problems`), lists are paginated
(:mod:`swarm.api.paging`) and updates need ``If-Match`` with the resource's ETag (428 without, 412 when it no
longer matches).
"""

from __future__ import annotations

import http

from flask_smorest import Api
from flask_smorest.utils import prepare_response

from swarm.api import docs, imports, me, planning, professionals, projects, requests
from swarm.api.problems import PROBLEM_JSON
from swarm.api.schemas import MAX_ID, Problem

BLUEPRINTS = (me.blp, professionals.blp, requests.blp, planning.blp, projects.blp, imports.blp)

SETTINGS = {
    "API_TITLE": "swarm",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": (
                "Swarm sessions and flexible-shell teams for Dutch municipalities. Authenticate with a personal "
                "API token (`Authorization: Bearer swarm_...`), made on your account page or with "
                "`swarm api-token create`. A token acts with its owner's role and scope. Errors are "
                "`application/problem+json` (RFC 9457), in the language of `Accept-Language` (nl, en). Updates "
                "need `If-Match` with the ETag you read."
            )
        },
        "security": [{"bearerAuth": []}],
        "servers": [{"url": "/"}],
    },
}


class SwarmApi(Api):
    """flask-smorest with the house's errors: problem+json, registered by the web app's error handlers."""

    ERROR_SCHEMA = Problem

    def _register_error_handlers(self):
        """None of flask-smorest's: ``swarm.webapp.errors`` answers API paths with problems."""

    def _register_responses(self):
        for status in http.HTTPStatus:
            response: dict = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error (problem details, RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


def init_api(app, csrf) -> SwarmApi:
    """Register the API's blueprints (CSRF-exempt: a token, never a cookie, authenticates) and its docs page."""
    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    api = SwarmApi()
    api.init_app(app)
    api.register_converter(
        app.url_map.converters["id"], lambda _converter: {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    )
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "a personal API token"}
    )
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)
    app.register_blueprint(docs.bp)
    return api
