"""The API's authorization matrix: every operation of the OpenAPI document × every role × own and foreign ids.

Each operation names the roles that may use it. Without a token every operation answers 401; a role that may
not use it gets 403; a role that may gets 403 or 404 with another region's ids, and with its own ids reaches the
operation's rules (2xx, or the rule's own refusal: 409 for a request that is already submitted, 422 when there
is no draft to publish or no team to accept). Bodies are valid and updates carry ``If-Match: *``, so what is
tested is the authorization, not the input checks.
"""

from __future__ import annotations

import re

import pytest

from tests.web.api import bearer

ROLES = ("coordinator", "professional", "organizer", "administrator")
C, P, O = "coordinator", "professional", "organizer"  # noqa: E741

# (method, path) -> the roles that may use it, and what their own ids answer
MATRIX = {
    ("GET", "/api/v1/me"): ((C, P, O, "administrator"), {200}),
    ("GET", "/api/v1/professionals"): ((O, P), {200}),
    ("GET", "/api/v1/professionals/{professional_id}"): ((O, P), {200}),
    ("PUT", "/api/v1/professionals/{professional_id}"): ((P,), {200}),
    ("GET", "/api/v1/professionals/{professional_id}/availability"): ((O, P), {200}),
    ("PUT", "/api/v1/professionals/{professional_id}/availability"): ((P,), {200}),
    ("GET", "/api/v1/requests"): ((C, O), {200}),
    ("POST", "/api/v1/requests"): ((C, O), {201}),
    ("GET", "/api/v1/requests/{request_id}"): ((C, O), {200}),
    ("PUT", "/api/v1/requests/{request_id}"): ((C, O), {200}),
    ("POST", "/api/v1/requests/{request_id}/submit"): ((C, O), {409}),  # the world's request is open already
    ("GET", "/api/v1/rounds"): ((O,), {200}),
    ("POST", "/api/v1/rounds"): ((O,), {201}),
    ("GET", "/api/v1/rounds/{round_id}"): ((O,), {200}),
    ("POST", "/api/v1/rounds/{round_id}/solves"): ((O,), {202}),
    ("GET", "/api/v1/solves/{solve_id}"): ((O, C), {200}),
    ("POST", "/api/v1/solves/{solve_id}/stop"): ((O, C), {200}),
    ("GET", "/api/v1/rounds/{round_id}/schedule"): ((O,), {200}),
    ("POST", "/api/v1/rounds/{round_id}/publish"): ((O,), {422}),  # the world has no draft to publish
    ("GET", "/api/v1/projects"): ((C,), {200}),
    ("POST", "/api/v1/projects"): ((C,), {201}),
    ("GET", "/api/v1/projects/{project_id}"): ((C,), {200}),
    ("POST", "/api/v1/projects/{project_id}/team/propose"): ((C,), {202}),
    ("POST", "/api/v1/projects/{project_id}/team/accept"): ((C,), {422}),  # no team proposed yet
    ("POST", "/api/v1/imports/{kind}"): ((C, O), {200}),  # a dry run of a good file
    ("POST", "/api/v1/requests/{request_id}/withdraw"): (
        (C, O),
        {200},
    ),  # last: the request is a draft after it
}


def _operations(client):
    document = client.get("/api/v1/openapi.json").get_json()
    return [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    ]


def _ids(world, key: str, role: str) -> dict[str, int]:
    return {
        "professional_id": world.professionals[key].id,
        "request_id": world.requests[key].id,
        "round_id": world.rounds[key].id,
        "solve_id": (world.team_runs if role == C else world.runs)[key].id,
        "project_id": world.projects[key].id,
        "kind": IMPORT_OF.get(role, "roles"),
    }


IMPORT_OF = {C: "roles", O: "venues"}  # what each role imports (a coordinator's role book, a region's venues)
IMPORT_FILES = {
    "roles": "Rol;Doel\r\nWijkregisseur;Wijken verbinden\r\n",
    "venues": "Naam;Plaats;Capaciteit;Tafels\r\nBibliotheek;{place};30;4\r\n",
}


def new_round(world, key: str, name: str, day: int = 1) -> dict:
    """A round's document: a deadline and one slot after the world's rounds."""
    return {
        "name": name,
        "availability_deadline": f"2027-03-{day:02d}T17:00:00+01:00",
        "slots": [
            {
                "starts_at": f"2027-03-{day + 10:02d}T09:00:00+01:00",
                "ends_at": f"2027-03-{day + 10:02d}T12:00:00+01:00",
                "venue_ids": [world.venues[key].id],
            }
        ],
    }


def _body(method: str, path: str, world, key: str):
    if method == "PUT" and path.endswith("/availability"):
        return {"answers": [{"slot_id": world.slots[key][1].id, "answer": "maybe"}]}
    if method == "PUT" and "/professionals/" in path:
        person = world.professionals[key]
        return {
            "name": person.name,
            "email": person.email,
            "kvk_number": person.kvk_number,
            "home_place_id": world.places[key].id,
            "skills": {"participatie": 3},
        }
    if path in ("/api/v1/requests", "/api/v1/requests/{request_id}") and method in ("POST", "PUT"):
        return {
            "municipality_id": world.municipalities[key].id,
            "title": "Samen het omgevingsplan maken",
            "table_size_min": 2,
            "slot_ids": [world.slots[key][0].id],
            "needs": [{"skill": "participatie", "count": 1}],
        }
    if path == "/api/v1/rounds":
        return new_round(world, key, "2027 Q2")
    if path == "/api/v1/projects" and method == "POST":
        return {
            "title": "Wijkaanpak",
            "place_id": world.places[key].id,
            "roles": [
                {"name": "Adviseur", "skill": "participatie", "hours_per_week": 8,
                 "first_week": "2027-W10", "last_week": "2027-W12"},
            ],
        }  # fmt: skip
    if method in ("POST", "PUT"):
        return {}
    return None


def call(client, method, path, world, key, role, secret, address="192.0.2.1"):
    url = re.sub(r"\{(\w+)\}", lambda m: str(_ids(world, key, role)[m.group(1)]), path)
    headers = bearer(secret, **({"If-Match": "*"} if method == "PUT" else {})) if secret else {}
    if path.startswith("/api/v1/imports/"):
        kind = IMPORT_OF.get(role, "roles")
        return client.post(
            f"{url}?dry_run=true",
            data=IMPORT_FILES[kind].format(place=world.places[key].name).encode(),
            content_type="text/csv",
            headers=headers,
            environ_base={"REMOTE_ADDR": address},
        )
    return client.open(
        url,
        method=method,
        json=_body(method, path, world, key),
        headers=headers,
        environ_base={"REMOTE_ADDR": address},
    )


def test_every_operation_of_the_document_is_in_the_matrix(client):
    assert sorted(_operations(client)) == sorted(MATRIX)


def test_without_a_token_every_operation_answers_401(client, the_world):
    for n, (method, path) in enumerate(MATRIX):
        # each from its own address: failed tokens are throttled per address (see test_api)
        response = call(client, method, path, the_world, "home", C, None, address=f"198.51.100.{n + 1}")
        assert response.status_code == 401, (method, path, response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_roles_that_may_not_use_an_operation_get_403(client, the_world, api_tokens, role):
    for (method, path), (allowed, _answers) in MATRIX.items():
        if role in allowed:
            continue
        response = call(client, method, path, the_world, "home", role, api_tokens[f"{role}_home"])
        assert response.status_code == 403, (role, method, path, response.status_code, response.get_json())


@pytest.mark.parametrize("role", (C, P, O))
def test_another_regions_ids_are_out_of_reach(client, the_world, api_tokens, role):
    for (method, path), (allowed, _answers) in MATRIX.items():
        if role not in allowed or "_id}" not in path:  # an import goes to the token's own scope: no ids
            continue
        response = call(client, method, path, the_world, "foreign", role, api_tokens[f"{role}_home"])
        assert response.status_code in (403, 404), (role, method, path, response.status_code)


@pytest.mark.parametrize("role", (C, P, O, "administrator"))
def test_own_ids_reach_the_operation_s_own_rules(client, the_world, api_tokens, role):
    for (method, path), (allowed, answers) in MATRIX.items():
        if role not in allowed:
            continue
        response = call(client, method, path, the_world, "home", role, api_tokens[f"{role}_home"])
        assert response.status_code in answers, (
            role,
            method,
            path,
            response.status_code,
            response.get_json(),
        )
