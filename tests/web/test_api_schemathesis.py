"""schemathesis against /api/v1/openapi.json, in-process (WSGI), with the token of each role: whatever it sends
(valid documents and invalid ones: wrong types, missing fields, odd strings, huge numbers), the API never answers
with a server error and every answer conforms to the document.

One test per operation; each generated request goes out once with every role's token. A few examples per
operation and generation mode (valid and invalid input) keep the whole run within a minute or two on CI.
(schemathesis' own pytest loader does not run on this pytest; its Python API with Hypothesis does the same.)
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from swarm.config import Config
from swarm.webapp import create_app
from tests.web.api import bearer

EXAMPLES = 15
ROLES = ("coordinator", "professional", "organizer", "administrator")


def _operations() -> list[tuple[str, str]]:
    """The document's operations, read from an app that needs no database to describe itself."""
    document = create_app({"SWARM": Config.for_tests()}).test_client().get("/api/v1/openapi.json").get_json()
    return [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "put", "post", "patch", "delete")
    ]


@pytest.mark.slow
@pytest.mark.parametrize(("method", "path"), _operations())
def test_no_server_error_and_every_answer_as_documented(app, api_tokens, method, path):
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def every_role_sends(case):
            for role in ROLES:
                case.call_and_validate(
                    headers=bearer(api_tokens[f"{role}_home"]),
                    checks=[not_a_server_error, response_schema_conformance],
                )

        every_role_sends()
