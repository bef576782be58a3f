"""The audit log through the web app: each kind is recorded by doing the thing (a refused change records
nothing), organizers read their own region's records and administrators all, with filters and pages, in Dutch
by default and English on request."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from swarm.config import Config
from swarm.domain.enums import AuditKind
from swarm.domain.timeutil import fixed_clock
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import AuditRecord, User
from swarm.services.plan.worker import run_queued_solves
from swarm.webapp.labels import AUDIT_KINDS
from tests.documents import PNG
from tests.web.browser import PageChecker, log_in, requires_chromium
from tests.web.conftest import login
from tests.web.mailbox import follow, newest_link
from tests.web.test_documents import _pending, _upload
from tests.web.world import NOW, PASSWORD, csrf_token_from


def records(engine, kind: AuditKind | None = None) -> list[AuditRecord]:
    with unit_of_work(engine) as session:
        query = select(AuditRecord).order_by(AuditRecord.id)
        if kind is not None:
            query = query.where(AuditRecord.kind == kind)
        return list(session.exec(query))


def listed(response) -> str:
    """The records part of the log page (the filter above it names every kind)."""
    return response.get_data(as_text=True).split('id="records-heading"')[1]


def post(client, path, data=None, page=None, **kwargs):
    token = csrf_token_from(client.get(page or path).get_data(as_text=True))
    return client.post(path, data={**(data or {}), "csrf_token": token}, **kwargs)


@pytest.fixture
def admin(login_as):
    return login_as("administrator_home")


@pytest.fixture
def organizer(login_as):
    return login_as("organizer_home")


# -- each kind, recorded by doing it ----------------------------------------------------------------------------


def test_a_wrong_password_is_recorded_although_the_login_fails_and_a_lockout_once(
    app, client, the_world, engine
):
    app.config["SWARM"] = dataclasses.replace(app.config["SWARM"], login_attempts_per_account=3)
    user = the_world.users["organizer_home"]
    assert login(client, user.email, "not-the-password").status_code == 400
    assert login(client, "nobody@example.nl", "not-the-password").status_code == 400
    [known, unknown] = records(engine, AuditKind.LOGIN_FAILED)
    assert (known.subject_type, known.subject_id, known.region_id) == (
        "user",
        user.id,
        the_world.regions["home"].id,
    )
    assert known.actor_role == "anonymous" and known.actor_id is None and known.at == NOW
    assert "example.nl" not in str(known.facts) and unknown.subject_id is None and unknown.region_id is None

    statuses = [login(client, user.email, "not-the-password").status_code for _ in range(4)]
    assert statuses == [400, 400, 429, 429]
    [locked] = records(engine, AuditKind.LOGIN_LOCKED)  # the lock once, not every refusal after it
    assert locked.subject_id == user.id and locked.facts == {"scope": "login", "known_account": True}
    assert len(records(engine, AuditKind.LOGIN_FAILED)) == 4


def test_the_administrators_account_changes_are_recorded_with_who_did_them(admin, the_world, engine):
    municipality = the_world.municipalities["home"]
    response = post(
        admin,
        "/admin/staff",
        {
            "name": "Henk",
            "email": "henk@example.nl",
            "role": "coordinator",
            "municipality_id": str(municipality.id),
            "region_id": "0",
            "locale": "nl",
        },
    )
    assert response.status_code == 302
    with unit_of_work(engine) as session:
        henk = session.exec(select(User).where(User.email == "henk@example.nl")).one()
    post(admin, f"/admin/staff/{henk.id}/resend", page="/admin/staff")
    organizer = the_world.users["organizer_home"]
    post(admin, f"/admin/staff/{organizer.id}/active", {"active": "0"}, page="/admin/staff")
    post(admin, f"/admin/staff/{organizer.id}/active", {"active": "1"}, page="/admin/staff")

    found = [(r.kind, r.subject_id) for r in records(engine)]
    assert found == [
        (AuditKind.ACCOUNT_CREATED, henk.id),
        (AuditKind.STAFF_INVITED, henk.id),
        (AuditKind.STAFF_INVITATION_RESENT, henk.id),
        (AuditKind.ACCOUNT_SWITCHED_OFF, organizer.id),
        (AuditKind.ACCOUNT_SWITCHED_ON, organizer.id),
    ]
    administrator = the_world.users["administrator_home"]
    for record in records(engine):
        assert (record.actor_id, record.actor_name, record.actor_role) == (
            administrator.id,
            administrator.name,
            "administrator",
        )
        assert record.region_id == the_world.regions["home"].id
    assert records(engine)[0].facts == {"role": "coordinator"}


NEW = "een-heel-nieuw-wachtwoord-42"


def test_a_password_change_is_recorded_and_a_refused_one_is_not(login_as, the_world, engine):
    client = login_as("coordinator_home")
    refused = post(
        client,
        "/account",
        {"current_password": "wrong-one-entirely", "new_password": NEW, "repeat_password": NEW},
    )
    assert refused.status_code == 400 and records(engine, AuditKind.PASSWORD_CHANGED) == []
    changed = post(
        client,
        "/account",
        {"current_password": PASSWORD, "new_password": NEW, "repeat_password": NEW},
    )
    assert changed.status_code == 302, changed.get_data(as_text=True)[:2000]
    [record] = records(engine, AuditKind.PASSWORD_CHANGED)
    assert record.actor_id == record.subject_id == the_world.users["coordinator_home"].id


def test_a_password_set_through_an_invitation_link_is_recorded_as_its_owners(app, admin, the_world, engine):
    home = the_world.regions["home"]
    post(
        admin,
        "/admin/staff",
        {
            "name": "Olga",
            "email": "olga@example.nl",
            "role": "organizer",
            "region_id": str(home.id),
            "municipality_id": "0",
            "locale": "nl",
        },
    )
    done = follow(
        app.test_client(),
        newest_link(engine, "olga@example.nl"),
        {"new_password": NEW, "repeat_password": NEW},
    )
    assert done.status_code == 302
    [record] = records(engine, AuditKind.PASSWORD_CHANGED)
    assert record.actor_id == record.subject_id and record.actor_name == "Olga"
    assert (record.region_id, record.facts) == (home.id, {"link": "invite"})


def test_a_policy_change_records_before_and_after_and_a_refused_one_nothing(organizer, the_world, engine):
    refused = post(organizer, "/organizer/policy", {"weight_fairness": "-5", "history_window_rounds": "4"})
    assert refused.status_code == 400 and records(engine) == []
    post(organizer, "/organizer/policy", {"weight_fairness": "25", "history_window_rounds": "4"})
    [record] = records(engine, AuditKind.POLICY_CHANGED)
    region = the_world.regions["home"]
    assert record.subject_id == region.id and record.region_id == region.id
    assert record.facts["changed"]["weight_fairness"][1] == 25
    assert record.actor_name == the_world.users["organizer_home"].name


def _solve(app, organizer, engine, database_url) -> str:
    app.config["SWARM_CLOCK"] = fixed_clock(NOW)
    token = csrf_token_from(organizer.get("/organizer/review").get_data(as_text=True))
    organizer.post("/organizer/plan/solve", data={"csrf_token": token, "time_limit": "5"})
    run_queued_solves(engine, Config.for_tests(database_url=database_url), clock=fixed_clock(NOW))
    return token


def test_pins_solves_stops_and_publication_are_recorded(app, organizer, the_world, engine, database_url):
    token = _solve(app, organizer, engine, database_url)
    [started] = records(engine, AuditKind.SOLVE_STARTED)
    assert started.subject_type == "solve_run" and started.facts["purpose"] == "plan"

    request, person = the_world.requests["home"], the_world.professionals["home"]
    prefix = f"pin{request.id}"
    organizer.post(
        "/organizer/pins",
        data={
            "csrf_token": token,
            f"{prefix}-csrf_token": token,
            f"{prefix}-request_id": str(request.id),
            f"{prefix}-professional_id": str(person.id),
            f"{prefix}-kind": "exclude",
        },
    )
    pin_form = {"csrf_token": token, "request_id": str(request.id), "professional_id": str(person.id)}
    organizer.post("/organizer/pins/delete", data=pin_form)
    organizer.post("/organizer/pins/delete", data=pin_form)  # nothing left to remove: nothing recorded
    [pinned] = records(engine, AuditKind.PIN_SET)
    [unpinned] = records(engine, AuditKind.PIN_REMOVED)
    assert (pinned.subject_id, pinned.facts) == (
        request.id,
        {"professional_id": person.id, "kind": "exclude"},
    )
    assert unpinned.facts == {"professional_id": person.id}

    _solve(app, organizer, engine, database_url)
    assert organizer.post("/organizer/plan/publish", data={"csrf_token": token}).status_code == 302
    [published] = records(engine, AuditKind.ROUND_PUBLISHED)
    assert published.subject_type == "planning_round" and published.facts["mails"] >= 1

    organizer.post("/organizer/plan/solve", data={"csrf_token": token, "time_limit": "5"})
    run_id = records(engine, AuditKind.SOLVE_STARTED)[-1].subject_id
    organizer.post(f"/organizer/plan/runs/{run_id}/stop", data={"csrf_token": token})
    [stopped] = records(engine, AuditKind.SOLVE_STOPPED)
    assert stopped.subject_id == run_id and stopped.facts["was"] == "queued"


def test_a_coordinators_team_proposal_and_its_stop_are_recorded_in_the_region(login_as, the_world, engine):
    client = login_as("coordinator_home")
    project = the_world.projects["home"]
    path = f"/coordinator/projects/{project.id}"
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    client.post(f"{path}/propose", data={"csrf_token": token})
    [started] = records(engine, AuditKind.SOLVE_STARTED)
    assert started.facts == {"kind": "shell", "project_ids": [project.id]}
    assert started.region_id == the_world.regions["home"].id and started.actor_role == "coordinator"
    client.post(f"{path}/runs/{started.subject_id}/stop", data={"csrf_token": token})
    [stopped] = records(engine, AuditKind.SOLVE_STOPPED)
    assert stopped.subject_id == started.subject_id and stopped.region_id == started.region_id


def test_document_checks_are_recorded_for_the_region(login_as, organizer, the_world, engine):
    professional = login_as("professional_home")
    for kind in ("vog", "liability_insurance"):
        assert _upload(professional, kind, PNG, "scan.png").status_code == 302
    vog, insurance = sorted(_pending(engine), key=lambda d: d.kind != "vog")
    check = f"/organizer/professionals/{the_world.professionals['home'].id}/documents"
    token = csrf_token_from(organizer.get(check).get_data(as_text=True))
    organizer.post(
        f"/organizer/documents/{vog.id}/approve",
        data={
            "csrf_token": token,
            f"approve{vog.id}-expires_on": "2029-12-01",
            f"approve{vog.id}-issued_on": "2026-11-20",
        },
    )
    organizer.post(
        f"/organizer/documents/{insurance.id}/reject",
        data={"csrf_token": token, f"reject{insurance.id}-reason": "Onleesbaar."},
    )
    [approved] = records(engine, AuditKind.DOCUMENT_APPROVED)
    [rejected] = records(engine, AuditKind.DOCUMENT_REJECTED)
    assert approved.facts == {
        "kind": "vog",
        "professional_id": the_world.professionals["home"].id,
        "expires_on": "2029-12-01",
    }
    assert rejected.subject_id == insurance.id and "Onleesbaar" not in str(rejected.facts)
    assert {approved.region_id, rejected.region_id} == {the_world.regions["home"].id}


def test_a_decline_its_repair_a_download_and_an_erasure_are_recorded(
    app, login_as, the_world, engine, database_url
):
    professional = login_as("professional_home")
    invitation = the_world.invitations["home"]
    decline_page = f"/professional/invitations/{invitation.id}/decline"
    token = csrf_token_from(professional.get(decline_page).get_data(as_text=True))
    professional.post(decline_page, data={"csrf_token": token, "reason": ""})
    [declined] = records(engine, AuditKind.INVITATION_DECLINED)
    person = the_world.professionals["home"]
    user = the_world.users["professional_home"]
    assert (declined.subject_id, declined.actor_id, declined.actor_role) == (
        invitation.id,
        user.id,
        "professional",
    )
    assert declined.actor_name == ""  # professionals are named by id only
    [repair] = records(engine, AuditKind.SOLVE_STARTED)
    assert repair.actor_role == "system" and repair.facts["purpose"] == "repair"
    run_queued_solves(engine, Config.for_tests(database_url=database_url), clock=fixed_clock(NOW))
    [repaired] = records(engine, AuditKind.REPAIR_PUBLISHED)
    assert repaired.facts["solve_run_id"] == repair.subject_id and repaired.actor_role == "system"

    assert professional.get("/professional/data.json").status_code == 200
    [exported] = records(engine, AuditKind.DATA_EXPORTED)
    assert (exported.subject_type, exported.subject_id) == ("professional", person.id)

    page = professional.get("/professional/delete").get_data(as_text=True)
    professional.post("/professional/delete", data={"csrf_token": csrf_token_from(page), "confirm": "y"})
    [erased] = records(engine, AuditKind.DATA_ERASED)
    assert (erased.subject_id, erased.actor_id, erased.region_id) == (person.id, user.id, person.region_id)
    assert person.name not in str([(r.actor_name, r.facts) for r in records(engine)])


# -- reading the log ----------------------------------------------------------------------------------------------


def _add(engine, **values) -> None:
    with unit_of_work(engine) as session:
        session.add(AuditRecord(**{"facts": {}, "at": NOW, **values}))


def test_organizers_read_their_own_region_and_the_administrator_all(
    login_as, organizer, admin, the_world, engine
):
    home, foreign = the_world.regions["home"].id, the_world.regions["foreign"].id
    _add(
        engine,
        kind=AuditKind.POLICY_CHANGED,
        region_id=home,
        actor_name="Thuis Organisator",
        actor_role="organizer",
    )
    _add(
        engine,
        kind=AuditKind.PIN_SET,
        region_id=foreign,
        actor_name="Vreemde Organisator",
        actor_role="organizer",
    )
    _add(engine, kind=AuditKind.LOGIN_FAILED, region_id=None, actor_role="anonymous")

    own = organizer.get("/organizer/audit")
    page = listed(own)
    assert own.status_code == 200 and "Beleid gewijzigd" in page and "Thuis Organisator" in page
    assert "Vreemde Organisator" not in page and "Inloggen mislukt" not in page and "1 vermelding" in page
    other = listed(login_as("organizer_foreign").get("/organizer/audit"))
    assert "Vreemde Organisator" in other and "Thuis Organisator" not in other
    everything = listed(admin.get("/admin/audit"))
    assert "3 vermeldingen" in everything and "niet ingelogd" in everything

    for key in ("coordinator_home", "professional_home"):
        client = login_as(key)
        assert client.get("/organizer/audit").status_code == 403, key
        assert client.get("/admin/audit").status_code == 403, key
    assert organizer.get("/admin/audit").status_code == 403
    assert admin.get("/organizer/audit").status_code == 403


def test_the_log_is_linked_from_the_organizers_and_the_administrators_menu(organizer, admin):
    assert 'href="/organizer/audit"' in organizer.get("/organizer/").get_data(as_text=True)
    assert 'href="/admin/audit"' in admin.get("/admin/regions").get_data(as_text=True)


def test_filters_by_person_kind_and_dates_and_pages(admin, the_world, engine):
    home = the_world.regions["home"].id
    for day in range(60):
        _add(
            engine,
            kind=AuditKind.PIN_SET if day % 2 else AuditKind.PIN_REMOVED,
            region_id=home,
            actor_id=7 if day < 10 else 8,
            actor_name="Anna" if day < 10 else "Bram",
            actor_role="organizer",
            at=datetime(2026, 10, 1, 12, tzinfo=UTC) + timedelta(days=day),
        )
    first = admin.get("/admin/audit").get_data(as_text=True)
    assert "60 vermeldingen" in first and "Pagina 1 van 2" in first and first.count("<tr>") == 51
    assert re.search(r'href="/admin/audit\?page=2"', first)
    second = admin.get("/admin/audit?page=2").get_data(as_text=True)
    assert second.count("<tr>") == 11 and "Pagina 2 van 2" in second

    assert "10 vermeldingen" in admin.get("/admin/audit?person=7").get_data(as_text=True)
    assert "30 vermeldingen" in admin.get("/admin/audit?kind=pin_set").get_data(as_text=True)
    both = admin.get("/admin/audit?person=8&kind=pin_set").get_data(as_text=True)
    assert (
        "25 vermeldingen" in both and 'href="/admin/audit?person=8&amp;kind=pin_set&amp;page=2"' not in both
    )
    dated = admin.get("/admin/audit?since=2026-10-01&until=2026-10-03").get_data(as_text=True)
    assert "3 vermeldingen" in dated  # the end date counts whole

    for bad in (
        "since=0001-01-01",
        "until=2026-13-01",
        "kind=nonsense",
        "person=abc",
        "since=2026-10-05&until=2026-10-01",
    ):
        response = admin.get(f"/admin/audit?{bad}")
        assert response.status_code == 400, bad
    assert "Kies een datum tussen 2000 en 2100." in admin.get("/admin/audit?since=0001-01-01").get_data(
        as_text=True
    )
    refused = admin.get("/admin/audit?since=2026-10-05&until=2026-10-01").get_data(as_text=True)
    assert "De einddatum moet na de begindatum liggen." in refused
    assert admin.get("/admin/audit?page=99999999999999999999").status_code == 200


def test_every_kind_has_words_in_dutch_and_in_english(admin, the_world, engine):
    assert set(AUDIT_KINDS) == set(AuditKind)
    for kind in AuditKind:
        _add(engine, kind=kind, region_id=the_world.regions["home"].id, actor_role="system")
    dutch = admin.get("/admin/audit").get_data(as_text=True)
    shown = listed(admin.get("/admin/audit"))
    assert not [kind for kind in AuditKind if f">{kind.value}<" in shown]  # words, never the code
    assert "Persoonsgegevens gewist" in dutch and "Herstel gepubliceerd" in dutch and "het systeem" in dutch
    admin.post(
        "/language", data={"language": "en", "csrf_token": csrf_token_from(dutch), "next": "/admin/audit"}
    )
    english = admin.get("/admin/audit").get_data(as_text=True)
    assert "Personal data erased" in english and "Audit log" in english and "the system" in english


@requires_chromium
@pytest.mark.browser
def test_the_log_with_records_passes_axe_and_fits_a_phone(playwright_browser, live, the_world, engine):
    for kind in AuditKind:
        _add(
            engine,
            kind=kind,
            region_id=the_world.regions["home"].id,
            actor_role="organizer",
            actor_name="Anna",
        )
    checker = PageChecker(live.url)
    context = playwright_browser.new_context(
        base_url=live.url, locale="nl-NL", viewport={"width": 390, "height": 844}
    )
    try:
        page = context.new_page()
        checker.watch(page)
        log_in(page, checker, the_world.users["organizer_home"].email, PASSWORD)
        page.get_by_role("link", name="Auditlog").click()
        assert page.get_by_role("heading", name=f"{len(AuditKind)} vermeldingen").is_visible()
        checker.axe(page)
        page.get_by_label("Wat er gebeurde").select_option("data_erased")
        page.get_by_role("button", name="Filteren").click()
        assert page.get_by_role("heading", name="1 vermelding").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        checker.axe(page)
    finally:
        context.close()
