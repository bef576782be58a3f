"""Security headers on every response, CSRF on every form, no traceback on errors, size limits."""

import pytest

from swarm.config import Config
from swarm.webapp import create_app

PAGES = ["/", "/login", "/privacy", "/does-not-exist", "/static/app.css"]


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_hsts_is_sent_only_over_tls(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://swarm.test")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_pages_contain_no_inline_script_or_style(client):
    page = client.get("/").get_data(as_text=True)
    assert "<script>" not in page and "style=" not in page and "<style" not in page
    assert 'src="/static/vendor/htmx-2.0.11/htmx.min.js"' in page


def test_a_post_without_csrf_token_is_refused(client):
    response = client.post("/language", data={"language": "en"})
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_login_post_without_csrf_token_is_refused(client):
    response = client.post("/login", data={"email": "a@example.nl", "password": "x"})
    assert response.status_code == 400


def test_an_htmx_post_with_the_token_in_the_header_is_accepted(client):
    from tests.web.world import csrf_token_from

    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.post(
        "/language", data={"language": "en"}, headers={"X-CSRFToken": token, "HX-Request": "true"}
    )
    assert response.status_code == 302


def test_state_changing_routes_refuse_get(client):
    assert client.get("/language").status_code == 405
    assert client.get("/logout").status_code == 405


def test_an_oversized_request_gets_413_without_traceback(client):
    response = client.post("/language", data={"language": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "Traceback" not in response.get_data(as_text=True)


def test_an_unexpected_error_shows_the_error_page_not_a_traceback(engine, database_url):
    app = create_app({"SWARM": Config.for_tests(database_url=database_url), "SWARM_ENGINE": engine})
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in page and "Traceback" not in page
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_error_pages_are_in_the_users_language(client):
    assert "Pagina niet gevonden" in client.get("/nope").get_data(as_text=True)
    english = client.get("/nope", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Page not found" in english
