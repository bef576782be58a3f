"""Qualification documents through the web app: the professional uploads, the organizer of the region checks,
the file is served to those two only, and a file that is too large gets words, not an error code."""

from __future__ import annotations

import io
import re

import pytest
from sqlmodel import select

from swarm.domain.documents import MAX_DOCUMENT_BYTES
from swarm.domain.enums import DocumentStatus
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import QualificationDocument
from tests.documents import JPEG, PDF, PNG, TEXT_NAMED_PDF
from tests.web.world import csrf_token_from


def _upload(client, kind: str, content: bytes, name: str = "document.pdf"):
    token = csrf_token_from(client.get("/professional/").get_data(as_text=True))
    return client.post(
        "/professional/documents",
        data={"csrf_token": token, "kind": kind, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def _documents(engine) -> list[QualificationDocument]:
    with unit_of_work(engine) as session:
        return list(session.exec(select(QualificationDocument).order_by(QualificationDocument.id)))


def _pending(engine) -> list[QualificationDocument]:
    return [d for d in _documents(engine) if d.status == DocumentStatus.PENDING]


@pytest.fixture
def professional(login_as):
    return login_as("professional_home")


@pytest.fixture
def uploaded(professional, engine) -> QualificationDocument:
    response = _upload(professional, "vog", PNG, "mijn vog.png")
    assert response.status_code == 302
    [document] = _pending(engine)
    return document


def test_an_upload_waits_for_a_check_and_the_page_says_so(professional, engine, app):
    response = _upload(professional, "liability_insurance", PDF, "polis.pdf")
    assert response.status_code == 302
    page = professional.get("/professional/").get_data(as_text=True)
    assert "wacht op controle door een organisator" in page  # the flash
    assert (
        "Een nieuwer exemplaar is geüpload en wacht op controle." in page
    )  # the world's approved one counts on
    [document] = _pending(engine)
    assert document.file_name == "polis.pdf" and f'href="/documents/{document.id}"' in page
    folder = app.config["SWARM"].resolved_document_dir
    assert [p.name for p in folder.iterdir()] == [document.file_id]  # never the sender's name on disk


@pytest.mark.parametrize("content", [TEXT_NAMED_PDF, b""])
def test_a_file_that_is_no_pdf_png_or_jpeg_is_refused_at_the_file_field(professional, engine, content):
    response = _upload(professional, "vog", content, "vog.pdf")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="file-error"' in page
    assert "Upload een PDF-, PNG- of JPEG-bestand." in page or "Kies een bestand" in page
    assert _pending(engine) == []


def test_ten_mb_and_one_byte_is_refused_with_words_at_the_field(professional, engine):
    too_large = PDF + b"0" * (MAX_DOCUMENT_BYTES + 1 - len(PDF))
    response = _upload(professional, "vog", too_large)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="file-error"' in page
    assert "Een document mag hoogstens 10 MB groot zijn." in page
    assert _pending(engine) == []
    assert _upload(professional, "vog", PDF + b"0" * (MAX_DOCUMENT_BYTES - len(PDF))).status_code == 302


def test_a_far_larger_body_meets_a_page_that_explains(professional):
    response = _upload(professional, "vog", PDF + b"0" * (12 * 1024 * 1024))
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "een document mag hoogstens 10 MB zijn" in page and "Ga terug en kies een kleiner bestand" in page


def test_other_routes_keep_the_small_form_limit(login_as):
    organizer = login_as("organizer_home")
    token = csrf_token_from(organizer.get("/organizer/").get_data(as_text=True))
    response = organizer.post(
        "/organizer/policy",
        data={"csrf_token": token, "weight_fairness": "5", "padding": "x" * (3 * 1024 * 1024)},
    )
    assert response.status_code == 413


def test_the_owner_downloads_the_file_as_an_attachment_that_is_never_sniffed_or_cached(
    professional, uploaded
):
    response = professional.get(f"/documents/{uploaded.id}")
    assert response.status_code == 200 and response.data == PNG
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "mijn vog.png" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_organizer_of_the_region_opens_it_and_nobody_else(login_as, uploaded, client):
    assert login_as("organizer_home").get(f"/documents/{uploaded.id}").data == PNG
    for key in ("organizer_foreign", "coordinator_home", "professional_foreign", "administrator_home"):
        assert login_as(key).get(f"/documents/{uploaded.id}").status_code == 404, key
    anonymous = client.get(f"/documents/{uploaded.id}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert login_as("organizer_home").get("/documents/99999999999999999999").status_code == 404


def test_the_organizer_sees_the_queue_and_approves_with_the_dates_read(
    login_as, professional, engine, the_world
):
    for kind, content in (("kvk_extract", PDF), ("vog", JPEG), ("liability_insurance", PNG)):
        assert _upload(professional, kind, content).status_code == 302
    organizer = login_as("organizer_home")
    queue = organizer.get("/organizer/documents").get_data(as_text=True)
    name = the_world.professionals["home"].name
    assert queue.count(name) == 3 and "Te controleren documenten" in queue
    check = f"/organizer/professionals/{the_world.professionals['home'].id}/documents"
    page = organizer.get(check).get_data(as_text=True)
    vog = next(d for d in _pending(engine) if d.kind == "vog")
    token = csrf_token_from(page)
    refused = organizer.post(
        f"/organizer/documents/{vog.id}/approve",
        data={"csrf_token": token, f"approve{vog.id}-expires_on": "2029-12-01"},
    )
    assert refused.status_code == 400
    assert "Vul de afgiftedatum in die op het document staat." in refused.get_data(as_text=True)
    approved = organizer.post(
        f"/organizer/documents/{vog.id}/approve",
        data={
            "csrf_token": token,
            f"approve{vog.id}-expires_on": "2029-12-01",
            f"approve{vog.id}-issued_on": "2026-11-20",
        },
    )
    assert approved.status_code == 302
    assert organizer.get("/organizer/documents").get_data(as_text=True).count(name) == 2
    professional_page = professional.get("/professional/").get_data(as_text=True)
    assert re.search(
        r"Verklaring omtrent het gedrag \(VOG\)</strong>:\s*goedgekeurd tot 1 dec 2029", professional_page
    )


def test_a_rejection_reason_reaches_the_professional(login_as, professional, uploaded, the_world):
    organizer = login_as("organizer_home")
    check = f"/organizer/professionals/{the_world.professionals['home'].id}/documents"
    token = csrf_token_from(organizer.get(check).get_data(as_text=True))
    empty = organizer.post(
        f"/organizer/documents/{uploaded.id}/reject",
        data={"csrf_token": token, f"reject{uploaded.id}-reason": ""},
    )
    assert empty.status_code == 400 and "Dit veld is verplicht." in empty.get_data(as_text=True)
    response = organizer.post(
        f"/organizer/documents/{uploaded.id}/reject",
        data={"csrf_token": token, f"reject{uploaded.id}-reason": "De scan is onleesbaar."},
    )
    assert response.status_code == 302
    page = professional.get("/professional/").get_data(as_text=True)
    assert "Uw nieuwere exemplaar is afgekeurd: De scan is onleesbaar." in page


def test_the_check_pages_of_another_region_do_not_exist_for_an_organizer(login_as, the_world, uploaded):
    foreign = login_as("organizer_foreign")
    assert (
        foreign.get(f"/organizer/professionals/{the_world.professionals['home'].id}/documents").status_code
        == 404
    )
    token = csrf_token_from(foreign.get("/organizer/documents").get_data(as_text=True))
    assert foreign.get("/organizer/documents").get_data(as_text=True).count("mijn vog") == 0
    response = foreign.post(
        f"/organizer/documents/{uploaded.id}/approve",
        data={"csrf_token": token, f"approve{uploaded.id}-expires_on": "2029-12-01"},
    )
    assert response.status_code == 404
    assert login_as("coordinator_home").get("/organizer/documents").status_code == 403


def test_a_professional_without_checked_documents_is_told_what_is_missing(professional, engine, the_world):
    with unit_of_work(engine) as session:
        for document in session.exec(select(QualificationDocument)):
            session.delete(document)
    _upload(professional, "vog", PDF)
    page = professional.get("/professional/").get_data(as_text=True)
    summary = page.split('id="qualification-summary">')[1].split("</p>")[0]
    assert "U bent nog niet gekwalificeerd:" in summary
    assert "KvK-uittreksel: nog niet geüpload" in summary
    assert "Verklaring omtrent het gedrag (VOG): wacht op controle" in summary


def test_the_qualified_professional_reads_until_when(professional):
    page = professional.get("/professional/").get_data(as_text=True)
    assert "U bent gekwalificeerd tot 1 jan 2028" in page
