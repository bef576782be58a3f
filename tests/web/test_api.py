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


def test_lists_come_in_pages_with_link_headers(client, api_tokens, engine, the_world):
    from tests.web.test_api_authorization import new_round

    headers = bearer(api_tokens["organizer_home"])
    for n in range(3):
        created = client.post(
            "/api/v1/rounds", json=new_round(the_world, "home", f"Ronde {n}", day=n + 1), headers=headers
        )
        assert created.status_code == 201, created.get_json()
    first = client.get("/api/v1/rounds?per_page=2", headers=headers)
    page = first.get_json()
    assert page["total"] == 4 and len(page["items"]) == 2 and page["previous"] is None
    assert page["next"] == "/api/v1/rounds?page=2&per_page=2"
    assert first.headers["Link"] == '</api/v1/rounds?page=2&per_page=2>; rel="next"'
    second = client.get(page["next"], headers=headers).get_json()
    assert [r["name"] for r in second["items"]] == ["Ronde 0", "2027 Q1"] and second["next"] is None
    too_many = client.get("/api/v1/rounds?per_page=1000", headers=headers)
    assert too_many.status_code == 422
    assert too_many.get_json()["errors"] == [
        {"field": "per_page", "message": "Geef 1 tot 100 items per pagina."}
    ]


def _profile(world):
    person = world.professionals["home"]
    return {
        "name": "Pro Achterhoek",
        "email": person.email,
        "kvk_number": person.kvk_number,
        "home_place_id": world.places["home"].id,
        "travel_radius_km": 25,
        "skills": {"participatie": 3},
    }


def test_an_update_needs_the_etag_it_read_so_that_nobody_overwrites_another(client, api_tokens, the_world):
    headers = bearer(api_tokens["professional_home"])
    url = f"/api/v1/professionals/{the_world.professionals['home'].id}"
    read = client.get(url, headers=headers)
    etag = read.headers["ETag"]
    assert read.get_json()["skills"]["participatie"] == 2
    without = client.put(url, json=_profile(the_world), headers=headers)
    assert without.status_code == 428 and without.mimetype == "application/problem+json"
    first = client.put(url, json=_profile(the_world), headers={**headers, "If-Match": etag})
    assert first.status_code == 200 and first.get_json()["travel_radius_km"] == 25
    assert first.headers["ETag"] != etag
    second = client.put(
        url, json={**_profile(the_world), "bio": "Later"}, headers={**headers, "If-Match": etag}
    )
    assert second.status_code == 412
    assert client.get(url, headers=headers).get_json()["bio"] == ""


def test_bad_input_names_every_field_in_dutch_and_stores_nothing(client, api_tokens, the_world):
    headers = bearer(api_tokens["coordinator_home"])
    response = client.post(
        "/api/v1/requests",
        json={
            "title": "Nul\x00byte",
            "table_size_min": "vier",
            "max_travel_km": "ver",
            "needs": [{"skill": "participatie", "count": 10**30}],
            "slot_ids": [2**40],
            "onbekend": 1,
        },
        headers=headers,
    )
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.get_json()["errors"]}
    assert errors == {
        "title": "Gebruik geen stuurtekens en alleen geldige Unicode.",
        "table_size_min": "Geen geldig geheel getal.",
        "max_travel_km": "Geen geldig getal.",
        "needs[0].count": "Moet tussen 0 en 100 liggen.",
        "slot_ids[0]": "Geef een geheel getal van 1 tot 2147483647.",
        "onbekend": "Onbekend veld.",
    }
    assert client.get("/api/v1/requests", headers=headers).get_json()["total"] == 1


def test_a_service_s_refusal_names_its_field(client, api_tokens, the_world):
    response = client.post(
        "/api/v1/rounds",
        json={
            "name": "Te laat",
            "availability_deadline": "2026-11-01T12:00:00+01:00",
            "slots": [
                {
                    "starts_at": "2027-03-10T09:00:00+01:00",
                    "ends_at": "2027-03-10T12:00:00+01:00",
                    "venue_ids": [the_world.venues["home"].id],
                },
            ],
        },  # fmt: skip
        headers=bearer(api_tokens["organizer_home"], **{"Accept-Language": "en"}),
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"field": "availability_deadline", "message": "The deadline must lie in the future."}
    ]


def test_a_huge_or_malformed_id_is_a_404_problem(client, api_tokens):
    headers = bearer(api_tokens["organizer_home"])
    for url in (
        "/api/v1/rounds/99999999999999999999",
        "/api/v1/rounds/-1",
        "/api/v1/rounds/abc",
        "/api/v1/nope",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 404 and response.mimetype == "application/problem+json", url


def test_a_body_that_is_no_json_is_a_problem(client, api_tokens):
    response = client.post(
        "/api/v1/rounds",
        data="{not json",
        headers=bearer(api_tokens["organizer_home"], **{"Content-Type": "application/json"}),
    )
    assert response.status_code in (400, 422) and response.mimetype == "application/problem+json"


def _api_refusals(engine) -> list[tuple[str, str]]:
    from sqlmodel import select

    from swarm.persistence.db import unit_of_work
    from swarm.persistence.models import AuditRecord

    with unit_of_work(engine) as session:
        return [
            (row.kind, repr(row.facts))
            for row in session.exec(select(AuditRecord))
            if (row.facts or {}).get("scope") == "api"
        ]


def test_wrong_tokens_from_one_address_meet_a_429_with_retry_after(client, api_tokens, engine):
    recorded_before = _api_refusals(engine)
    answers = [
        client.get("/api/v1/me", headers=bearer(f"swarm_wrong{n}"), environ_base={"REMOTE_ADDR": "192.0.2.9"})
        for n in range(25)
    ]
    codes = [a.status_code for a in answers]
    assert codes[:20] == [401] * 20 and set(codes[20:]) == {429}, codes
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 900
    valid = client.get(
        "/api/v1/me", headers=bearer(api_tokens["organizer_home"]), environ_base={"REMOTE_ADDR": "192.0.2.9"}
    )
    assert valid.status_code == 200  # a valid token is never refused by the throttle
    # The audit log has each refused token and the one lock, never the token itself.
    recorded = _api_refusals(engine)[len(recorded_before) :]
    assert [kind for kind, _facts in recorded] == ["login_failed"] * 20 + ["login_locked"]
    assert not any("swarm_wrong" in facts for _kind, facts in recorded)


def test_a_revoked_token_is_refused(client, api_tokens, engine, the_world):
    from sqlmodel import select

    from swarm.persistence.db import unit_of_work
    from swarm.persistence.models import ApiToken
    from swarm.services.people.api_tokens import digest

    with unit_of_work(engine) as session:
        token = session.exec(
            select(ApiToken).where(ApiToken.token_hash == digest(api_tokens["organizer_home"]))
        ).one()
        token.revoked_at = token.created_at
        session.add(token)
    assert client.get("/api/v1/me", headers=bearer(api_tokens["organizer_home"])).status_code == 401


def test_availability_is_read_and_written_by_the_professional(client, api_tokens, the_world):
    headers = bearer(api_tokens["professional_home"])
    url = f"/api/v1/professionals/{the_world.professionals['home'].id}/availability"
    read = client.get(url, headers=headers)
    slot = the_world.slots["home"][2]
    answers = {s["slot_id"]: s["answer"] for s in read.get_json()["slots"]}
    assert answers[slot.id] == "yes"
    written = client.put(
        url,
        json={"answers": [{"slot_id": slot.id, "answer": "no"}]},
        headers={**headers, "If-Match": read.headers["ETag"]},
    )
    assert {s["slot_id"]: s["answer"] for s in written.get_json()["slots"]}[slot.id] == "no"
    foreign = client.put(
        url,
        json={"answers": [{"slot_id": the_world.slots["foreign"][0].id, "answer": "yes"}]},
        headers={**headers, "If-Match": written.headers["ETag"]},
    )
    assert foreign.status_code == 422
    organizer = client.get(url, headers=bearer(api_tokens["organizer_home"]))
    assert organizer.status_code == 200


def test_a_coordinator_creates_updates_and_submits_a_request(client, api_tokens, the_world):
    headers = bearer(api_tokens["coordinator_home"])
    body = {
        "title": "Energie in de wijk",
        "slot_ids": [the_world.slots["home"][1].id],
        "needs": [{"skill": "participatie", "count": 2, "min_level": 2}],
    }
    created = client.post("/api/v1/requests", json=body, headers=headers)
    assert created.status_code == 201
    request = created.get_json()
    assert request["status"] == "draft" and request["municipality_id"] == the_world.municipalities["home"].id
    url = f"/api/v1/requests/{request['id']}"
    etag = client.get(url, headers=headers).headers["ETag"]
    updated = client.put(url, json={**body, "priority": 3}, headers={**headers, "If-Match": etag})
    assert updated.status_code == 200 and updated.get_json()["priority"] == 3
    submitted = client.post(f"{url}/submit", headers=headers)
    assert submitted.status_code == 200 and submitted.get_json()["status"] == "open"
    assert client.post(f"{url}/submit", headers=headers).status_code == 409


def test_an_organizer_solves_follows_and_stops_and_reads_the_schedule_with_reasons(
    client, api_tokens, the_world
):
    headers = bearer(api_tokens["organizer_home"], **{"Accept-Language": "en"})
    round_id = the_world.rounds["home"].id
    started = client.post(f"/api/v1/rounds/{round_id}/solves", json={"time_limit": 5}, headers=headers)
    assert started.status_code == 202
    solve = started.get_json()
    assert solve["status"] == "queued" and solve["planning_round_id"] == round_id
    stopped = client.post(f"/api/v1/solves/{solve['id']}/stop", headers=headers).get_json()
    assert stopped["status"] == "cancelled"
    published = client.get(f"/api/v1/rounds/{round_id}/schedule?status=published", headers=headers).get_json()
    [session] = published["sessions"]
    [invitation] = session["invitations"]
    assert invitation["professional_id"] == the_world.professionals["home"].id
    [reason] = invitation["reasons"]
    assert reason["code"] == "skill" and "Participation" in reason["text"]
    assert session["tables"][0]["rounds"] == [[the_world.professionals["home"].id]]
    nothing = client.post(f"/api/v1/rounds/{round_id}/publish", headers=headers)
    assert nothing.status_code == 422
    assert nothing.get_json()["errors"][0]["field"] == "planning_round_id"


def test_a_coordinator_imports_a_role_book_all_or_nothing_with_every_bad_row_named(client, api_tokens):
    headers = bearer(api_tokens["coordinator_home"])
    good = "Rol;Doel\r\nWijkregisseur;Wijken verbinden\r\nDataspecialist;Cijfers duiden\r\n".encode("cp1252")
    dry = client.post(
        "/api/v1/imports/roles?dry_run=true", data=good, content_type="text/csv", headers=headers
    )
    assert dry.status_code == 200 and dry.get_json()["stored"] is False
    assert dry.get_json()["counts"]["new"] == 2
    stored = client.post("/api/v1/imports/roles", data=good, content_type="text/csv", headers=headers)
    assert stored.get_json()["stored"] is True and len(stored.get_json()["stored_ids"]) == 2
    again = client.post(
        "/api/v1/imports/roles", data=good, content_type="text/csv", headers=headers
    ).get_json()
    assert again["counts"]["unchanged"] == 2 and again["stored"] is False
    bad = b"Rol;Doel;Competenties\r\nA;B;onbekend:2\r\nC;D;participatie:9\r\n"
    refused = client.post("/api/v1/imports/roles", data=bad, content_type="text/csv", headers=headers)
    assert refused.status_code == 422 and refused.mimetype == "application/problem+json"
    fields = [e["field"] for e in refused.get_json()["errors"]]
    assert fields[0].startswith("rows[2].") and fields[-1].startswith("rows[3].")


def test_an_organizer_may_not_import_a_role_book_nor_a_professional_anything(client, api_tokens):
    csv = b"Rol;Doel\r\nA;B\r\n"
    for key in ("organizer_home", "professional_home"):
        response = client.post(
            "/api/v1/imports/roles", data=csv, content_type="text/csv", headers=bearer(api_tokens[key])
        )
        assert response.status_code == 403, key
