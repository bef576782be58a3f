"""Staff log in through their municipality's OpenID Connect provider (Entra ID, ADFS), with Authlib's Flask client.

``/login/sso`` reads the provider's discovery document, checks that it names the configured issuer, and sends the
browser to the provider with a fresh state, nonce and PKCE (S256) challenge kept in the session.
``/login/sso/callback`` checks the state, exchanges the code (with the PKCE verifier), and validates the ID token:
signature against the provider's published keys, issuer, audience (our client id), nonce and expiry. Only then
does ``services.sso.sign_in_staff`` look the e-mail address up; the login itself is the password login's.
Every refusal ends on the login page with a message, never with an error page, and logs nobody in.
"""

from __future__ import annotations

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client.errors import MismatchingStateError
from authlib.integrations.flask_client import OAuth
from authlib.integrations.flask_client import OAuthError as ProviderError
from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from joserfc.errors import JoseError

from swarm.config import Config
from swarm.domain.enums import UserRole
from swarm.services.people import accounts, sso
from swarm.webapp.auth import HOME_BY_ROLE, start_session
from swarm.webapp.clock import clock
from swarm.webapp.db import db, end_request_transaction, engine
from swarm.webapp.navigation import safe_next

bp = Blueprint("sso", __name__)

CLIENT_NAME = "staff"
CALLBACK_PATH = "/login/sso/callback"  # the redirect URI to register at the provider: SWARM_BASE_URL + this
NEXT_SESSION_KEY = "sso_next"
AUDIT_SCOPE = "sso"  # failed sign-ons in the audit log, beside the login form's "login" and the API's "api"
HTTP_TIMEOUT_SECONDS = 10
ENDPOINTS_NEEDED = ("authorization_endpoint", "token_endpoint", "jwks_uri")

UNAVAILABLE = _l(
    "Single sign-on is not available right now. Please try again later; if it keeps happening, tell your "
    "administrator."
)
STALE_ATTEMPT = _l("This sign-on attempt has expired or was not started here. Please try again.")
PROVIDER_SAID_NO = _l("The sign-on service did not log you in (cancelled or refused). Please try again.")
UNVERIFIED_ANSWER = _l(
    "The answer of the sign-on service could not be verified, so you were not logged in. Please try again; if "
    "it keeps happening, tell your administrator."
)
REFUSALS = {
    sso.Refusal.NO_EMAIL: _l(
        "The sign-on service did not send your email address, so Swarm cannot find your account. Ask your "
        "administrator to check the single sign-on settings."
    ),
    sso.Refusal.UNVERIFIED_EMAIL: _l(
        "The sign-on service has not verified your email address %(email)s, so it cannot log you in."
    ),
    sso.Refusal.UNKNOWN_ACCOUNT: _l(
        "There is no staff account for %(email)s. Ask your administrator to invite you."
    ),
    sso.Refusal.NOT_STAFF: _l(
        "%(email)s is a professional's account. Professionals log in with their email address and password."
    ),
    sso.Refusal.INACTIVE: _l("The account for %(email)s is switched off. Ask your administrator."),
}


class ProviderNotUsable(Exception):
    """The provider's discovery document is not one swarm can log in with (another issuer, endpoints missing)."""


def init_sso(app) -> None:
    """Register the provider with Authlib when single sign-on is configured (one client per app)."""
    project: Config = app.config["SWARM"]
    app.register_blueprint(bp)
    if not project.single_sign_on:
        return
    oauth = OAuth(app)
    oauth.register(
        CLIENT_NAME,
        client_id=project.oidc_client_id,
        client_secret=project.oidc_client_secret,
        server_metadata_url=f"{project.oidc_issuer.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={
            "scope": project.oidc_scopes,
            "code_challenge_method": "S256",
            "default_timeout": HTTP_TIMEOUT_SECONDS,
        },
    )


def _project() -> Config:
    return current_app.config["SWARM"]


def _client():
    if not _project().single_sign_on:
        abort(404)
    return current_app.extensions["authlib.integrations.flask_client"].create_client(CLIENT_NAME)


def _discovery(client) -> dict:
    """The provider's metadata (read once, then kept), if it names the configured issuer (OIDC Discovery 4.3)."""
    metadata = client.load_server_metadata()
    configured = _project().oidc_issuer.rstrip("/")
    problem = None
    if str(metadata.get("issuer", "")).rstrip("/") != configured:
        problem = f"the discovery document names issuer {metadata.get('issuer')!r}, not {configured!r}"
    elif missing := [name for name in ENDPOINTS_NEEDED if not metadata.get(name)]:
        problem = f"the discovery document lacks {', '.join(missing)}"
    if problem:
        client.server_metadata.pop("_loaded_at", None)  # read it again next time: the provider may be fixed
        raise ProviderNotUsable(problem)
    return metadata


def _claims_options(metadata: dict) -> dict:
    """The ID token must come from the discovered issuer and name our client id among its audiences."""
    return {
        "iss": {"essential": True, "value": metadata["issuer"]},
        "aud": {"essential": True, "value": _project().oidc_client_id},
    }


def _refuse(message, *, log: str, reason: str = "", **values):
    """Back to the login page with ``message``; a refused answer from the provider (``reason`` given) is also a
    failed login in the audit log (scope ``sso``), as a wrong password is."""
    current_app.logger.warning("Single sign-on refused: %s", log)
    if reason:
        end_request_transaction()  # nothing was written; on SQLite the record needs the write lock
        accounts.record_refused_login(
            engine(), values.get("email", ""), locked=False, scope=AUDIT_SCOPE, reason=reason, clock=clock()
        )
    flash(str(message) % values if values else message, "error")
    return redirect(url_for("auth.login"))


@bp.get("/login/sso")
def start():
    client = _client()
    if current_user.is_authenticated:
        return redirect(url_for(current_user.home_endpoint))
    try:
        _discovery(client)
        session[NEXT_SESSION_KEY] = (request.args.get("next") or "")[
            :500
        ]  # checked by safe_next on the way back
        return client.authorize_redirect(_project().base_url.rstrip("/") + CALLBACK_PATH)
    except (requests.RequestException, ValueError, TypeError, ProviderNotUsable) as problem:
        return _refuse(UNAVAILABLE, log=f"provider not usable: {problem}")


@bp.get(CALLBACK_PATH)
def callback():
    client = _client()
    if current_user.is_authenticated:
        return redirect(url_for(current_user.home_endpoint))
    wanted_next = session.pop(NEXT_SESSION_KEY, "")
    try:
        token = client.authorize_access_token(claims_options=_claims_options(_discovery(client)))
    except MismatchingStateError:
        return _refuse(STALE_ATTEMPT, log="unknown or reused state", reason="stale_attempt")
    except ProviderError as error:
        return _refuse(
            PROVIDER_SAID_NO,
            log=f"provider answered {error.error}: {error.description}",
            reason="provider_refused",
        )
    except (AuthlibBaseError, JoseError) as error:
        return _refuse(UNVERIFIED_ANSWER, log=f"ID token not accepted: {error!r}", reason="unverified_answer")
    except (requests.RequestException, ValueError, TypeError, ProviderNotUsable) as problem:
        return _refuse(UNAVAILABLE, log=f"provider not usable: {problem}")
    claims = token.get("userinfo")
    if not claims:
        return _refuse(UNVERIFIED_ANSWER, log="the provider sent no ID token", reason="unverified_answer")
    try:
        user = sso.sign_in_staff(db(), claims, email_claim=_project().oidc_email_claim, clock=clock())
    except sso.SignOnRefused as refusal:
        return _refuse(
            REFUSALS[refusal.reason], log=str(refusal), reason=refusal.reason.value, email=refusal.email
        )
    start_session(user)
    return redirect(safe_next(wanted_next, url_for(HOME_BY_ROLE[UserRole(user.role)])))
