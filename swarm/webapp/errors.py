"""Error pages in the user's language; never a traceback. Under /api/ the same errors are problem documents
(``swarm.api.problems``)."""

from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from swarm.api.auth import TooManyFailures
from swarm.api.problems import http_problem, is_api_request, problem, validation_problem
from swarm.domain.errors import InvalidTransition, NotAllowed, NotFound, ValidationError

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please go back and try again.")),
    403: (_l("Not allowed"), _l("You do not have access to this page.")),
    404: (_l("Page not found"), _l("This page does not exist (any more).")),
    405: (_l("Method not allowed"), _l("This page cannot be used this way.")),
    413: (
        _l("Too large"),
        _l(
            "What you sent is larger than allowed: a document may be at most 10 MB, other forms far less. "
            "Nothing was saved. Go back and choose a smaller file (a scan at a lower resolution, or a PDF)."
        ),
    ),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error occurred. Nothing was saved. Please try again later."),
    ),
}


def render_error(code: int, detail: str | None = None):
    if is_api_request():
        return problem(code)
    title, message = MESSAGES.get(code) or MESSAGES[400 if code < 500 else 500]
    return render_template("errors/error.html", code=code, title=title, message=detail or message), code


def register_error_handlers(app) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if is_api_request():
            return http_problem(error)
        return render_error(error.code)

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        return render_error(
            400,
            str(_l("The form has expired or was sent from elsewhere. Please reload the page and try again.")),
        )

    @app.errorhandler(NotFound)
    def _not_found(error: NotFound):
        return render_error(404)

    @app.errorhandler(NotAllowed)
    def _not_allowed(error: NotAllowed):
        return render_error(403)

    @app.errorhandler(ValidationError)
    def _refused(error: ValidationError):
        # The pages catch their services' refusals at the form; the API answers them here, naming the field.
        if is_api_request():
            return validation_problem(error)
        return _unexpected(error)

    @app.errorhandler(InvalidTransition)
    def _conflict(error: InvalidTransition):
        if is_api_request():
            return problem(409)
        return _unexpected(error)

    @app.errorhandler(TooManyFailures)
    def _throttled(error: TooManyFailures):
        return problem(429, headers={"Retry-After": str(error.seconds)})

    @app.errorhandler(InternalServerError)
    def _internal_error(error):
        return render_error(500)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        app.logger.exception("Unhandled error")
        return render_error(500)
