"""Errors of the API as ``application/problem+json`` (RFC 9457), worded in the caller's language.

Every problem has ``type``, ``title``, ``status`` and ``detail``; bad input adds ``errors``, one entry per field
with its path (``needs[0].count``, ``availability_deadline``) and a message. The texts are the web app's
translations (the services' messages, the messages of :mod:`swarm.api.messages`); the language is the request's
``Accept-Language`` (Dutch unless English is preferred).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from swarm.domain.errors import ValidationError

PROBLEM_JSON = "application/problem+json"
API_PREFIX = "/api/"
ABOUT_BLANK = "about:blank"

TITLES = {
    400: _l("Bad request"),
    401: _l("Authentication required"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    406: _l("Not acceptable"),
    409: _l("Conflict"),
    412: _l("Precondition failed"),
    413: _l("Too large"),
    415: _l("Unsupported media type"),
    422: _l("Invalid input"),
    428: _l("Precondition required"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
}
DETAILS = {
    400: _l("The request could not be understood."),
    401: _l("Send a valid API token: Authorization: Bearer <token>."),
    403: _l("Your token's role may not do this."),
    404: _l("This resource does not exist, or is not visible to you."),
    405: _l("This resource cannot be used with this method."),
    406: _l("This resource answers in JSON only."),
    409: _l("The request conflicts with the resource's current state."),
    412: _l("The resource has changed since you read it (If-Match). Read it again and retry."),
    413: _l("What you sent is larger than allowed."),
    415: _l("Send JSON (Content-Type: application/json)."),
    422: _l("Some fields are not valid; see errors."),
    428: _l("Send If-Match with the ETag you read, so that changes by others are not overwritten."),
    429: _l("Too many failed attempts. Wait and try again (see Retry-After)."),
    500: _l("An unexpected error occurred. Nothing was saved. Please try again later."),
}


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def problem(
    status: int,
    detail: str | None = None,
    *,
    errors: list[dict] | None = None,
    headers: Mapping[str, str] | None = None,
):
    """A problem response with this status, its title and detail in the request's language."""
    title = TITLES.get(status) or TITLES[400 if status < 500 else 500]
    body: dict = {
        "type": ABOUT_BLANK,
        "title": str(title),
        "status": status,
        "detail": detail or str(DETAILS.get(status) or title),
    }
    if errors is not None:
        body["errors"] = errors
    response = current_app.json.response(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def field_error(field: str, message: str, params: Mapping[str, str] | None = None) -> dict:
    return {"field": field, "message": gettext(message, **dict(params or {}))}


def validation_problem(error: ValidationError, field_names: Mapping[str, str] | None = None):
    """A service's refusal of one field: 422 naming the field as the API calls it."""
    field = (field_names or {}).get(error.field, error.field)
    return problem(422, errors=[field_error(field, error.message, error.params)])


def _paths(messages, prefix: str = "") -> list[tuple[str, str]]:
    """Flatten marshmallow's nested messages into (path, message): ``{"needs": {0: {"count": [...]}}}`` ->
    ``needs[0].count``."""
    found: list[tuple[str, str]] = []
    if isinstance(messages, str):
        return [(prefix, messages)]
    if isinstance(messages, list):
        for item in messages:
            found.extend(_paths(item, prefix))
        return found
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
                path = f"{prefix}[{key}]"
            elif key == "_schema":
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            found.extend(_paths(value, path))
    return found


def input_problem(error: HTTPException):
    """webargs' refusal (422, or 400 for a body that is no JSON): each message at its field's path.

    The location (``json``, ``query``, ``headers``) is not part of the path, except for a header or a query
    parameter, which keep their own names."""
    messages = (getattr(error, "data", None) or {}).get("messages") or {}
    errors = []
    for location, by_field in messages.items():
        for path, message in _paths(by_field):
            errors.append(field_error(path or location, message))
    status = error.code or 422
    if status == 400 and not errors:
        return problem(400)
    return problem(status if status in (400, 422) else 422, errors=errors)


def http_problem(error: HTTPException):
    """Any HTTP error raised inside the API (or for a path under /api/ that matches nothing)."""
    status = error.code or 500
    if (getattr(error, "data", None) or {}).get("messages"):
        return input_problem(error)
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="swarm"'
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    return problem(status, headers=headers)
