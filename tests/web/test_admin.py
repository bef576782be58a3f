"""The administrator's section without a browser: a region set up from nothing, its places found as you type
(and without JavaScript), venues, staff invited by mail; bad input named at its field, never a 500."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from swarm.persistence.models import Municipality, Place, Region, User, Venue
from swarm.seed.places import dutch_places
from tests.web.mailbox import follow, newest_link, outbox_to
from tests.web.world import csrf_token_from


@pytest.fixture
def admin(login_as):
    return login_as("administrator_home")


def post(client, path, data=None, page=None):
    token = csrf_token_from(client.get(page or path).get_data(as_text=True))
    return client.post(path, data={**(data or {}), "csrf_token": token})


def rows(engine, model, *where):
    with Session(engine) as session:
        return list(session.exec(select(model).where(*where)))


def test_the_administrator_sets_up_a_region_with_municipalities_places_and_a_venue(admin, engine):
    created = post(
        admin,
        "/admin/regions/new",
        {"name": "Noord-Veluwe", "timezone": "Europe/Amsterdam", "rounds_per_session": "3"},
    )
    assert created.status_code == 302
    [region] = rows(engine, Region, Region.slug == "noord-veluwe")
    made = post(
        admin,
        f"/admin/regions/{region.id}/municipalities/new",
        {"name": "Ermelo", "cbs_code": "GM0233", "seat": "Ermelo"},
    )
    assert made.status_code == 302
    [ermelo] = rows(engine, Municipality, Municipality.cbs_code == "GM0233")
    page = admin.get(made.headers["Location"] + "?q=putt").get_data(as_text=True)  # the search without script
    assert "Putten" in page and "Gelderland" in page and 'name="geonameid"' in page
    partial = admin.get(f"/admin/municipalities/{ermelo.id}?q=harderw", headers={"HX-Request": "true"})
    body = partial.get_data(as_text=True)
    assert "Harderwijk" in body and "<html" not in body  # htmx gets the matches only
    [harderwijk] = [p for p in dutch_places() if p.name == "Harderwijk"]
    added = post(
        admin,
        f"/admin/municipalities/{ermelo.id}/places",
        {"geonameid": str(harderwijk.geonameid)},
        page=f"/admin/municipalities/{ermelo.id}",
    )
    assert added.status_code == 302
    assert {p.name for p in rows(engine, Place, Place.municipality_id == ermelo.id)} == {
        "Ermelo",
        "Harderwijk",
    }
    place = rows(engine, Place, Place.name == "Harderwijk")[0]
    venue = post(
        admin,
        f"/admin/regions/{region.id}/venues/new",
        {"name": "Het Dorpshuis", "place_id": str(place.id), "capacity": "30", "tables": "4"},
    )
    assert venue.status_code == 302
    [hall] = rows(engine, Venue, Venue.region_id == region.id)
    assert (hall.place_id, hall.municipality_id, hall.active) == (place.id, ermelo.id, True)
    post(admin, f"/admin/venues/{hall.id}/active", {"active": "0"}, page=f"/admin/venues/{hall.id}")
    assert not rows(engine, Venue, Venue.id == hall.id)[0].active
    overview = admin.get(f"/admin/regions/{region.id}").get_data(as_text=True)
    assert "Ermelo" in overview and "GM0233" in overview and "Het Dorpshuis" in overview


def test_a_place_of_another_municipality_is_refused_with_a_message(admin, the_world, engine):
    home, foreign = the_world.municipalities["home"], the_world.municipalities["foreign"]
    post(
        admin,
        f"/admin/municipalities/{home.id}/places",
        {"geonameid": "2745297"},
        page=f"/admin/municipalities/{home.id}",
    )
    moved = post(
        admin,
        f"/admin/municipalities/{foreign.id}/places",
        {"geonameid": "2745297"},
        page=f"/admin/municipalities/{foreign.id}",
    )
    page = admin.get(moved.headers["Location"]).get_data(as_text=True)
    assert "Deze plaats hoort al bij een andere gemeente." in page
    assert [p.municipality_id for p in rows(engine, Place, Place.geonameid == 2745297)] == [home.id]


@pytest.mark.parametrize(
    "data, field, says",
    [
        ({"cbs_code": "GM1509"}, "cbs_code", "Een andere gemeente heeft deze CBS-code al."),
        ({"cbs_code": "1509"}, "cbs_code", "GM gevolgd door 4 cijfers"),
        ({"name": "Oost\x00Gelre"}, "name", "bevat een onzichtbaar stuurteken"),
        ({"name": "Oost\r\nGelre"}, "name", "bevat een onzichtbaar stuurteken"),
        ({"seat": "Nergenshuizen"}, "seat", "Onbekende plaats"),
        ({"seat": "Groenlo\x00"}, "seat", "bevat een onzichtbaar stuurteken"),
    ],
)
def test_bad_municipality_input_is_named_at_its_field_and_stores_nothing(
    admin, the_world, engine, data, field, says
):
    region = the_world.regions["home"]
    before = len(rows(engine, Municipality))
    refused = post(
        admin,
        f"/admin/regions/{region.id}/municipalities/new",
        {"name": "Oost Gelre", "cbs_code": "GM1586", "seat": "Groenlo", **data},
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400, page
    assert f'id="{field}-error"' in page and says in page
    assert len(rows(engine, Municipality)) == before


def test_bad_region_and_venue_input_is_refused_at_the_field(admin, the_world):
    refused = post(
        admin,
        "/admin/regions/new",
        {"name": "Noord\nVeluwe", "timezone": "Europe/Amsterdam", "rounds_per_session": "3"},
    )
    assert refused.status_code == 400 and 'id="name-error"' in refused.get_data(as_text=True)
    refused = post(
        admin,
        "/admin/regions/new",
        {"name": "Achterhoek", "timezone": "Europe/Amsterdam", "rounds_per_session": "3"},
    )
    assert refused.status_code == 400 and "Een andere regio heeft deze korte naam al." in refused.get_data(
        as_text=True
    )
    region = the_world.regions["home"]
    for data, field in (
        ({"capacity": "99999999999999999999999"}, "capacity"),
        ({"place_id": "abc"}, "place_id"),
        ({"place_id": str(2**40)}, "place_id"),
        ({"online": "y", "online_url": "ftp://x"}, "online_url"),
    ):
        refused = post(
            admin,
            f"/admin/regions/{region.id}/venues/new",
            {
                "name": "Zaal",
                "place_id": str(the_world.places["home"].id),
                "capacity": "30",
                "tables": "4",
                **data,
            },
        )
        assert refused.status_code == 400 and f'id="{field}-error"' in refused.get_data(as_text=True), data


@pytest.mark.parametrize(
    "path", ["/admin/regions/{big}", "/admin/venues/{big}", "/admin/municipalities/{big}", "/admin/regions/0"]
)
def test_huge_or_zero_ids_are_not_found(admin, path):
    assert admin.get(path.format(big=2**40)).status_code == 404
    assert admin.get(path.format(big="99999999999999999999999999")).status_code == 404


def test_the_administrator_sees_staff_accounts_but_no_professional(admin, the_world):
    page = admin.get("/admin/staff").get_data(as_text=True)
    assert (
        the_world.users["organizer_home"].email in page
        and the_world.users["coordinator_foreign"].email in page
    )
    assert the_world.users["professional_home"].email not in page
    professional = the_world.users["professional_home"].id
    assert (
        post(admin, f"/admin/staff/{professional}/active", {"active": "0"}, page="/admin/staff").status_code
        == 404
    )


def test_an_invited_organizer_sets_the_password_through_the_link_and_lands_on_the_dashboard(
    admin, app, the_world, engine
):
    invited = post(
        admin,
        "/admin/staff",
        {
            "name": "Olga Organisator",
            "email": "olga@example.nl",
            "role": "organizer",
            "region_id": str(the_world.regions["home"].id),
            "municipality_id": "0",
            "locale": "nl",
        },
    )
    assert invited.status_code == 302, invited.get_data(as_text=True)
    [mail] = outbox_to(engine, "olga@example.nl")
    assert mail.subject == "Uw account voor Zwerm" and "organisator van Achterhoek" in mail.body_text
    assert "7 dagen geldig" in mail.body_text and mail.region_id == the_world.regions["home"].id
    olga = app.test_client()
    weak = follow(
        olga,
        newest_link(engine, "olga@example.nl"),
        {"new_password": "1234567890", "repeat_password": "1234567890"},
    )
    assert weak.status_code == 400 and "komt te vaak voor" in weak.get_data(as_text=True)
    done = follow(
        olga,
        newest_link(engine, "olga@example.nl"),
        {"new_password": "olga kiest een zin", "repeat_password": "olga kiest een zin"},
    )
    assert done.status_code == 302 and done.headers["Location"] == "/organizer/"
    assert olga.get("/organizer/").status_code == 200
    used = olga.get(newest_link(engine, "olga@example.nl"))
    assert used.status_code == 410 and "al gebruikt" in used.get_data(as_text=True)
    assert "Een nieuwe link aanvragen" in used.get_data(as_text=True)


def test_a_duplicate_or_bad_staff_address_is_refused_at_the_field(admin, the_world, engine):
    for email, says in (
        (the_world.users["organizer_foreign"].email, "Er bestaat al een account met dit e-mailadres."),
        ("geen-adres", "Vul een geldig e-mailadres in."),
    ):
        refused = post(
            admin,
            "/admin/staff",
            {
                "name": "X",
                "email": email,
                "role": "coordinator",
                "municipality_id": str(the_world.municipalities["home"].id),
                "region_id": "0",
                "locale": "nl",
            },
        )
        page = refused.get_data(as_text=True)
        assert refused.status_code == 400 and 'id="email-error"' in page and says in page, page
    refused = post(
        admin,
        "/admin/staff",
        {
            "name": "X",
            "email": "x@example.nl",
            "role": "organizer",
            "region_id": "0",
            "municipality_id": "0",
            "locale": "nl",
        },
    )
    assert refused.status_code == 400 and 'id="region_id-error"' in refused.get_data(as_text=True)
    assert outbox_to(engine, "x@example.nl") == []


def test_a_resent_invitation_replaces_the_old_link_and_switching_off_ends_the_sessions(
    admin, app, the_world, engine, login_as
):
    post(
        admin,
        "/admin/staff",
        {
            "name": "Henk",
            "email": "henk@example.nl",
            "role": "coordinator",
            "municipality_id": str(the_world.municipalities["home"].id),
            "region_id": "0",
            "locale": "en",
        },
    )
    first = newest_link(engine, "henk@example.nl")
    [henk] = rows(engine, User, User.email == "henk@example.nl")
    post(admin, f"/admin/staff/{henk.id}/resend", page="/admin/staff")
    mails = outbox_to(engine, "henk@example.nl")
    assert len(mails) == 2 and mails[1].subject == "Your Swarm account"
    assert app.test_client().get(first).status_code == 404  # replaced by the newer link
    organizer = login_as("organizer_home")
    assert organizer.get("/organizer/").status_code == 200
    switched = post(
        admin,
        f"/admin/staff/{the_world.users['organizer_home'].id}/active",
        {"active": "0"},
        page="/admin/staff",
    )
    assert switched.status_code == 302
    assert organizer.get("/organizer/").status_code == 302  # logged out at once
