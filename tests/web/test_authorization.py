"""The authorization matrix: every route × every role × own and foreign object ids.

A route of an actor's blueprint is refused to anonymous visitors (to the login page) and to the other roles (403);
its own role reaches it with its own ids and gets 404 (or 403 from the service) with another region's ids.
State-changing routes are posted with a valid CSRF token, so what is tested is the authorization, not the token.
"""

import re

import pytest

from tests.web.world import csrf_token_from

ACTOR_PREFIXES = {
    "coordinator": "/coordinator",
    "professional": "/professional",
    "organizer": "/organizer",
    "administrator": "/admin",
}
ROLES = ("coordinator", "professional", "organizer", "administrator")
SCOPED_ROLES = ("coordinator", "professional", "organizer")  # the administrator's scope is the installation


def _id_params(world, key):
    return {
        "role_id": world.roles[key].id,
        "request_id": world.requests[key].id,
        "project_id": world.projects[key].id,
        "document_id": world.documents[key].id,
        "professional_id": world.professionals[key].id,
        "invitation_id": world.invitations[key].id,
        "run_id": world.runs[key].id,
        "message_id": world.failed_mail[key].id,
        "session_id": world.invitations[key].session_id,
        "region_id": world.regions[key].id,
        "municipality_id": world.municipalities[key].id,
        "venue_id": world.venues[key].id,
        "place_id": world.places[key].id,
        "user_id": world.users[f"organizer_{key}"].id,
        "round_id": world.rounds[key].id,
        "webhook_id": world.webhooks[key].id,
        "delivery_id": world.failed_deliveries[key].id,
    }


def _actor_routes(app):
    routes = []
    for rule in app.url_map.iter_rules():
        owner = next(
            (role for role, prefix in ACTOR_PREFIXES.items() if rule.rule.startswith(prefix + "/")), None
        )
        if owner:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                routes.append((owner, method, rule))
    return routes


def _url(rule, params, world, key):
    values = dict(params)
    if rule.endpoint == "coordinator.assign":
        values["role_id"] = world.project_roles[key].id
    if rule.endpoint.startswith("coordinator."):
        values["run_id"] = world.team_runs[key].id
    role = rule.endpoint.split(".")[0]
    if role in ("organizer", "coordinator"):  # the imports and exports
        values["kind"] = "professionals" if role == "organizer" else "roles"
        values["key"] = world.pending_imports[f"{role}_{key}"].key
        values["fmt"] = "csv"
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)


def _call(client, method, url):
    if method == "GET":
        return client.get(url)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token})


def test_every_actor_route_is_in_the_matrix(app):
    owners = {owner for owner, _method, _rule in _actor_routes(app)}
    assert owners == set(ROLES)
    assert len(_actor_routes(app)) >= 25


def test_anonymous_visitors_are_sent_to_the_login_page(app, the_world):
    client = app.test_client()
    for _owner, method, rule in _actor_routes(app):
        url = _url(rule, _id_params(the_world, "home"), the_world, "home")
        response = _call(client, method, url)
        assert response.status_code == 302, (method, url, response.status_code)
        assert response.headers["Location"].startswith("/login"), (method, url)


@pytest.mark.parametrize("role", ROLES)
def test_other_roles_are_refused(app, the_world, login_as, role):
    client = login_as(f"{role}_home")
    for owner, method, rule in _actor_routes(app):
        if owner == role:
            continue
        url = _url(rule, _id_params(the_world, "home"), the_world, "home")
        assert _call(client, method, url).status_code == 403, (role, method, url)


@pytest.mark.parametrize("role", SCOPED_ROLES)
def test_another_regions_objects_are_out_of_reach(app, the_world, login_as, role):
    client = login_as(f"{role}_home")
    for owner, method, rule in _actor_routes(app):
        if owner != role or not set(re.findall(r"<(?:\w+:)?(\w+)>", rule.rule)) - {"kind", "fmt"}:
            continue  # no object of a region in its address (a kind of import, a file format)
        url = _url(rule, _id_params(the_world, "foreign"), the_world, "foreign")
        assert _call(client, method, url).status_code in (403, 404), (role, method, url)


@pytest.mark.parametrize("role", ROLES)
def test_the_owner_reaches_every_page_of_their_role(app, the_world, login_as, role):
    client = login_as(f"{role}_home")
    for owner, method, rule in _actor_routes(app):
        if owner != role or method != "GET":
            continue
        url = _url(rule, _id_params(the_world, "home"), the_world, "home")
        response = client.get(url)
        assert response.status_code == 200, (role, url, response.status_code)
