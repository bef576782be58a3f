"""The JSON API: tokens, problems in the caller's language, pagination, ETag/If-Match, and each resource seen
through the same services and authorization as the pages."""

from __future__ import annotations

from tests.web.api import bearer


def test_the_openapi_document_is_3_1_and_public(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "/api/v1/requests/{request_id}" in document["paths"]


def test_the_docs_page_lists_the_operations(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "GET /api/v1/requests" in page and "openapi.json" in page


def test_without_a_token_the_answer_is_a_401_problem_in_dutch(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    problem = response.get_json()
    assert problem["status"] == 401 and problem["type"] == "about:blank"
    assert problem["title"] == "Aanmelden nodig"


def test_in_english_on_request(client):
    problem = client.get("/api/v1/me", headers={"Accept-Language": "en"}).get_json()
    assert problem["title"] == "Authentication required"


def test_a_token_acts_for_its_owner(client, api_tokens, the_world):
    me = client.get("/api/v1/me", headers=bearer(api_tokens["coordinator_home"])).get_json()
    assert me["role"] == "coordinator"
    assert me["municipality_id"] == the_world.municipalities["home"].id
    assert me["user_id"] == the_world.users["coordinator_home"].id


def test_a_session_cookie_opens_nothing_in_the_api(login_as):
    client = login_as("organizer_home")
    assert client.get("/organizer/").status_code == 200
    assert client.get("/api/v1/me").status_code == 401
