"""A real OpenID Connect provider for the single sign-on tests: ``oidc-provider-mock`` (PyPI; Authlib's provider
side) served by werkzeug on 127.0.0.1 with a free port, in a thread of the test process.

In the test process on purpose: its tokens carry the system time, and the clock-ahead check
(SWARM_TEST_CLOCK_AHEAD_DAYS) moves the system clock of this process only. A provider in a process of its own
would issue tokens that the app, a year ahead, rightly finds long expired.

The provider checks what a real one checks but PKCE: it ignores the code challenge. ``ProviderFront`` (WSGI
middleware in front of it) adds that check as RFC 7636 says, and requires S256, so the code flow fails when the
app's verifier does not match its challenge. Its ``tampering`` turns the provider into a misconfigured or hostile
one for the refusal tests: another issuer in discovery or in the ID token, a token for another client, another
nonce, claims altered after signing.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import threading
import warnings
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import requests
from werkzeug.serving import make_server

with warnings.catch_warnings():
    # The provider imports Authlib's older provider-side modules; that is its business, not the app's.
    warnings.simplefilter("ignore", DeprecationWarning)
    import oidc_provider_mock

TIMEOUT = 10


@dataclass
class Tampering:
    discovery_host: str | None = None  # the discovery document (and so its issuer) is served for this host
    token_host: str | None = None  # ID tokens are issued as if the provider were this host (their "iss")
    client_id: str | None = None  # the code and the token are issued to this client instead of the app
    nonce: str | None = None  # the provider puts this nonce into the ID token instead of the app's
    forged_claims: dict = field(default_factory=dict)  # changed in the ID token after it was signed


class ProviderFront:
    """WSGI middleware: PKCE (S256) enforced and the tampering applied."""

    def __init__(self, app):
        self.app = app
        self.tampering = Tampering()
        self.challenges: dict[str, tuple[str, str]] = {}  # code -> (code_challenge, code_challenge_method)
        self.pkce_verified = 0

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/.well-known/openid-configuration" and self.tampering.discovery_host:
            environ["HTTP_HOST"] = self.tampering.discovery_host
        if path == "/oauth2/authorize":
            return self._authorize(environ, start_response)
        if path == "/oauth2/token":
            return self._token(environ, start_response)
        return self.app(environ, start_response)

    def _authorize(self, environ, start_response):
        query = {key: values[0] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if self.tampering.client_id:
            query["client_id"] = self.tampering.client_id
        if self.tampering.nonce:
            query["nonce"] = self.tampering.nonce
        environ["QUERY_STRING"] = urlencode(query)
        status, headers, body = self._call(environ)
        location = dict(headers).get("Location", "")
        code = parse_qs(urlsplit(location).query).get("code")
        if code:
            self.challenges[code[0]] = (
                query.get("code_challenge", ""),
                query.get("code_challenge_method", ""),
            )
        return self._respond(start_response, status, headers, body)

    def _token(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length)
        form = {key: values[0] for key, values in parse_qs(raw.decode()).items()}
        challenge, method = self.challenges.get(form.get("code", ""), ("", ""))
        if method != "S256" or not _s256_matches(form.get("code_verifier", ""), challenge):
            body = json.dumps({"error": "invalid_grant", "error_description": "PKCE (S256) check failed"})
            return self._respond(
                start_response, "400 BAD REQUEST", [("Content-Type", "application/json")], body.encode()
            )
        self.pkce_verified += 1
        if self.tampering.client_id:
            credentials = base64.b64encode(f"{quote(self.tampering.client_id)}:any-secret".encode()).decode()
            environ["HTTP_AUTHORIZATION"] = f"Basic {credentials}"
        if self.tampering.token_host:
            environ["HTTP_HOST"] = self.tampering.token_host
        environ["wsgi.input"] = io.BytesIO(raw)
        status, headers, body = self._call(environ)
        if status.startswith("200") and self.tampering.forged_claims:
            token = json.loads(body)
            token["id_token"] = _with_claims_changed(token["id_token"], self.tampering.forged_claims)
            body = json.dumps(token).encode()
        return self._respond(start_response, status, headers, body)

    def _call(self, environ) -> tuple[str, list[tuple[str, str]], bytes]:
        captured: dict = {}
        chunks: list[bytes] = []

        def start(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return chunks.append

        result = self.app(environ, start)
        try:
            chunks.extend(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return captured["status"], captured["headers"], b"".join(chunks)

    @staticmethod
    def _respond(start_response, status, headers, body: bytes):
        headers = [(name, value) for name, value in headers if name.lower() != "content-length"]
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [body]


def _s256_matches(verifier: str, challenge: str) -> bool:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return bool(verifier) and base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == challenge


def _with_claims_changed(id_token: str, changes: dict) -> str:
    """The token with its payload rewritten and its original signature kept (a forgery)."""
    header, payload, signature = id_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


class OidcProvider:
    """The provider on 127.0.0.1; ``issuer`` is what the app is configured with."""

    def __init__(self):
        # require_nonce: the provider refuses an authorization request without a nonce, as the app must send one
        self.front = ProviderFront(oidc_provider_mock.app(require_nonce=True))
        self.server = make_server("127.0.0.1", 0, self.front, threaded=True)
        self.port = self.server.server_port
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> OidcProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)

    @property
    def tampering(self) -> Tampering:
        return self.front.tampering

    def add_user(self, sub: str, **claims) -> None:
        """The person the provider knows as ``sub``, with these claims (through the provider's own API)."""
        response = requests.put(f"{self.issuer}/users/{quote(sub, safe='')}", json=claims, timeout=TIMEOUT)
        assert response.status_code == 204, response.text

    def authorize(self, authorization_url: str, sub: str) -> str:
        """Log in at the provider's form as ``sub``; returns where the provider sends the browser back to."""
        response = requests.post(authorization_url, data={"sub": sub}, allow_redirects=False, timeout=TIMEOUT)
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    def deny(self, authorization_url: str) -> str:
        """Press the provider's Deny button; returns where it sends the browser back to."""
        response = requests.post(
            authorization_url, data={"action": "deny"}, allow_redirects=False, timeout=TIMEOUT
        )
        assert response.status_code == 302, response.text
        return response.headers["Location"]
