"""Import in the web app: upload, a preview of every row in Dutch, confirm; all or nothing; export buttons."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlmodel import func, select

from swarm.persistence.db import unit_of_work
from swarm.persistence.models import OutboxMessage, PendingImport, Professional, Role
from tests.exchange.conftest import csv_bytes
from tests.web.world import csrf_token_from

HEADER = ["Naam", "E-mail", "KvK-nummer", "Woonplaats", "Kleur"]
ANNA = ["Anna de Vries", "anna@example.nl", "23456789", "Oude IJsselstreek", "rood"]


def upload(
    client, data: bytes, kind: str = "professionals", name: str = "pros.csv", prefix: str = "organizer"
):
    page = client.get(f"/{prefix}/import/{kind}")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(
        f"/{prefix}/import/{kind}",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def post(client, url: str, **fields):
    token = csrf_token_from(
        client.get("/organizer/" if url.startswith("/organizer") else "/coordinator/").get_data(as_text=True)
    )
    return client.post(url, data={"csrf_token": token, **fields})


def counted(engine, model) -> int:
    with unit_of_work(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_upload_preview_in_dutch_then_confirm_stores_and_invites(login_as, engine, the_world):
    client = login_as("organizer_home")
    response = upload(client, csv_bytes([HEADER, ANNA]))
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "1 nieuw" in page and "Kolom “Kleur”" in page and "Bevestigen" in page
    assert counted(engine, Professional) == 2  # the world's two, nothing yet
    waiting = counted(engine, PendingImport)
    confirmed = post(client, preview_url + "/confirm")
    assert confirmed.status_code == 302
    assert counted(engine, Professional) == 3 and counted(engine, PendingImport) == waiting - 1
    assert counted(engine, OutboxMessage) == 3  # the world's two failed mails and the invitation


def test_a_file_with_errors_shows_each_by_line_and_column_and_cannot_be_confirmed(login_as, engine):
    client = login_as("organizer_home")
    bad_kvk = ["Bram", "bram@example.nl", "1234", "Oude IJsselstreek", "rood"]
    bad_place = ["Cor", "cor@example.nl", "34567890", "Nergenshuizen", "groen"]
    response = upload(client, csv_bytes([HEADER, ANNA, bad_kvk, bad_place], encoding="cp1252", delimiter=","))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Regel 3, kolom “KvK-nummer”: Een KvK-nummer heeft precies 8 cijfers." in page
    assert "Regel 4, kolom “Woonplaats”: Onbekende plaats" in page
    assert "/confirm" not in page
    refused = post(client, response.headers["Location"] + "/confirm")
    assert refused.status_code == 400 and counted(engine, Professional) == 2


def test_an_unknown_header_is_mapped_once_in_the_preview(login_as, engine):
    client = login_as("organizer_home")
    response = upload(client, csv_bytes([["Dorp", *HEADER[:3]], [ANNA[3], *ANNA[:3]]]))
    url = response.headers["Location"]
    assert "De kolom Woonplaats (Home place) ontbreekt." in client.get(url).get_data(as_text=True)
    post(client, url + "/map", **{"map-0": "place"})
    assert "1 nieuw" in client.get(url).get_data(as_text=True)


def test_what_is_not_a_table_is_refused_at_the_upload(login_as, engine):
    client = login_as("organizer_home")
    waiting = counted(engine, PendingImport)
    response = upload(client, b"\x89PNG\r\n\x1a\n\x00\x00\x00", name="foto.csv")
    assert response.status_code == 400
    assert "Dit is geen CSV- of Excelbestand (.xlsx)." in response.get_data(as_text=True)
    assert counted(engine, PendingImport) == waiting


def test_a_preview_belongs_to_its_uploader_and_kinds_to_their_role(login_as):
    organizer = login_as("organizer_home")
    url = upload(organizer, csv_bytes([HEADER, ANNA])).headers["Location"]
    assert login_as("organizer_foreign").get(url).status_code == 404
    assert organizer.get("/organizer/import/roles").status_code == 404
    assert login_as("coordinator_home").get("/organizer/import/professionals").status_code in (302, 403)


def test_a_coordinator_imports_the_role_book(login_as, engine):
    client = login_as("coordinator_home")
    rows = [["Rol", "Doel", "Competenties"], ["Projectleider", "Leiden", "projectleiding:2"]]
    response = upload(client, csv_bytes(rows), kind="roles", prefix="coordinator")
    confirmed = post(client, response.headers["Location"] + "/confirm")
    assert confirmed.status_code == 302 and counted(engine, Role) == 3


def test_the_professionals_export_reads_back_as_unchanged(login_as):
    client = login_as("organizer_home")
    exported = client.get("/organizer/export/professionals.csv")
    assert exported.headers["Content-Disposition"] == 'attachment; filename="professionals-achterhoek.csv"'
    url = upload(client, exported.data).headers["Location"]
    assert "1 ongewijzigd" in client.get(url).get_data(as_text=True)


def test_the_invited_professional_confirms_the_profile_and_sets_a_password_once(login_as, engine, client):
    organizer = login_as("organizer_home")
    url = upload(organizer, csv_bytes([HEADER, ANNA])).headers["Location"]
    post(organizer, url + "/confirm")
    with unit_of_work(engine) as session:
        body = session.exec(select(OutboxMessage.body_text).where(OutboxMessage.recipient == ANNA[1])).one()
    link = re.search(r"http://swarm\.test(/welkom/\S+)", body).group(1)
    page = client.get(link)
    assert page.status_code == 200 and "Bevestig uw profiel" in page.get_data(as_text=True)
    token = csrf_token_from(page.get_data(as_text=True))
    too_short = client.post(link, data={"csrf_token": token, "confirmed": "y", "password": "kort"})
    assert too_short.status_code == 400
    done = client.post(link, data={"csrf_token": token, "confirmed": "y", "password": "een lang wachtwoord"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/professional/profile")
    assert client.get("/professional/").status_code == 200
    assert "niet meer geldig" in client.get(link).get_data(as_text=True)


def test_the_published_schedule_exports_with_a_sheet_per_part_and_a_flat_csv(login_as, the_world):
    organizer = login_as("organizer_home")
    workbook = load_workbook(io.BytesIO(organizer.get("/organizer/export/schedule.xlsx").data))
    assert workbook.sheetnames == ["Sessies", "Tafels per ronde", "Deelnemers", "Redenen", "Indeling"]
    names = [row[7] for row in workbook["Tafels per ronde"].iter_rows(min_row=2, values_only=True)]
    assert names == ["Pro Achterhoek"]
    flat = organizer.get("/organizer/export/schedule.csv").data.decode("utf-8-sig")
    assert "Pro Achterhoek" in flat and "Pro Zuid-Limburg" not in flat
    assert "participatie" in flat.lower()  # the reason, worded
    coordinator = login_as("coordinator_home")
    assert "Inwoners betrekken in Oude IJsselstreek" in coordinator.get(
        "/coordinator/export/schedule.csv"
    ).data.decode("utf-8-sig")


def test_a_projects_team_exports_roles_weeks_hours_and_cost_against_the_budget(login_as, the_world):
    coordinator = login_as("coordinator_home")
    project = the_world.projects["home"]
    rows = list(
        load_workbook(io.BytesIO(coordinator.get(f"/coordinator/projects/{project.id}/team.xlsx").data))[
            "Team"
        ].values
    )
    assert rows[1][0] == "Projectleider" and rows[1][5] == 16 and rows[1][8] == 4
    assert (rows[-2][0], rows[-2][9]) == ("Budget", 50000)
    assert (
        coordinator.get(f"/coordinator/projects/{the_world.projects['foreign'].id}/team.csv").status_code
        == 404
    )


def test_the_printable_table_plan_has_no_navigation_and_stays_in_its_region(login_as, the_world):
    organizer = login_as("organizer_home")
    with_session = organizer.get("/organizer/review").get_data(as_text=True)
    session_id = int(re.search(r"/organizer/sessions/(\d+)/print", with_session).group(1))
    page = organizer.get(f"/organizer/sessions/{session_id}/print").get_data(as_text=True)
    assert "Pro Achterhoek" in page and "Ronde 1" in page and "<nav" not in page and "print.css" in page
    assert login_as("organizer_foreign").get(f"/organizer/sessions/{session_id}/print").status_code == 404
    assert login_as("coordinator_home").get(f"/coordinator/sessions/{session_id}/print").status_code == 200
    assert login_as("coordinator_foreign").get(f"/coordinator/sessions/{session_id}/print").status_code == 404
