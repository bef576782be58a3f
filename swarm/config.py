"""Settings from ``SWARM_*`` environment variables.

Every setting is one field of :class:`Config`; its metadata names the variable and says what it does,
so ``swarm config --list`` and the README table come from the same place.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class ConfigError(ValueError):
    """A ``SWARM_*`` variable that cannot be read; the message names the variable."""


def _setting(default: Any, help: str, *, secret: bool = False) -> Any:
    return field(default=default, metadata={"help": help, "secret": secret})


SMTP_TLS_MODES = ("none", "starttls", "ssl")
DEVELOPMENT_SECRET = "dev-only-secret-change-me"  # refused for https deployments
# A provider on the same machine may speak plain http (a trial with a local test provider); nothing else may.
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


@dataclass(frozen=True)
class Config:
    """Everything swarm reads from its environment. Field ``foo_bar`` is variable ``SWARM_FOO_BAR``."""

    database_url: str = _setting(
        "",
        "SQLAlchemy URL of the database, e.g. postgresql+psycopg://user@host:5432/swarm; "
        "default: the SQLite file instance/swarm.db under the current directory",
    )
    secret_key: str = _setting(
        DEVELOPMENT_SECRET,
        "Key that signs login sessions and CSRF tokens; set a long random value in production",
        secret=True,
    )
    base_url: str = _setting(
        "http://127.0.0.1:5000", "Public address of the web app, used in mail, calendar links and UIDs"
    )
    timezone: str = _setting("Europe/Amsterdam", "Time zone in which dates and times are shown and entered")
    smtp_host: str = _setting("localhost", "SMTP server that sends the mail")
    smtp_port: int = _setting(25, "Port of the SMTP server")
    smtp_tls: str = _setting("none", "Transport security towards the SMTP server: none, starttls or ssl")
    smtp_user: str = _setting("", "SMTP login name (empty: no login)")
    smtp_password: str = _setting("", "SMTP password", secret=True)
    smtp_from: str = _setting("swarm@localhost", "Sender address of all mail")
    imap_host: str = _setting(
        "",
        "IMAP server of the mailbox that receives calendar answers (iMIP REPLY: Accept/Decline in Outlook, Google, "
        "Apple); the scheduler reads it and applies them. Empty: invitations ask for no calendar reply (RSVP=FALSE) "
        "and people answer with the mail's links or in the web app",
    )
    imap_port: int = _setting(993, "Port of the IMAP server")
    imap_tls: str = _setting("ssl", "Transport security towards the IMAP server: ssl, starttls or none")
    imap_user: str = _setting("", "IMAP login name of the reply mailbox")
    imap_password: str = _setting("", "IMAP password of the reply mailbox", secret=True)
    imap_folder: str = _setting("INBOX", "Folder of the reply mailbox that the scheduler reads")
    reply_address: str = _setting(
        "",
        "Address of the reply mailbox; with SWARM_IMAP_HOST it is the ORGANIZER of every invitation, so that "
        "calendar answers reach the mailbox that is read",
    )
    retention_days: int = _setting(
        730, "Days without activity after which a professional is warned and, 30 days later, anonymised"
    )
    snapshot_retention_days: int = _setting(
        90,
        "Days a finished solve keeps the professionals in its snapshot, counted from when it finished or, for "
        "the schedule or team it produced, from the end of its last session or role week; a draft keeps them",
    )
    document_dir: str = _setting(
        "",
        "Folder where uploaded qualification documents are stored, outside the web root; readable by the web app "
        "and the scheduler only; default: instance/documents under the current directory",
    )
    document_retention_days: int = _setting(
        90,
        "Days the file of a rejected document, or of an approved one after it expired, is kept; the check's "
        "outcome stays with the profile",
    )
    audit_retention_days: int = _setting(
        730, "Days an audit log record (who did what and when) is kept before the daily purge removes it"
    )
    solve_time_limit: int = _setting(60, "Seconds a planning solve may run at most")
    solve_workers: int = _setting(2, "CP-SAT search workers per solve")
    worker_heartbeat_seconds: int = _setting(
        30, "A running solve whose worker has not reported for 3 times this long is claimed again"
    )
    repair_quiet_seconds: int = _setting(
        120,
        "Seconds a repair waits after the last decline of its round, so that declines close together make one "
        "repair and each person one change mail",
    )
    outbox_max_attempts: int = _setting(8, "Attempts to send a mail before it is marked failed")
    oidc_issuer: str = _setting(
        "",
        "Issuer of the OpenID Connect provider for staff single sign-on, e.g. "
        "https://login.microsoftonline.com/TENANT-ID/v2.0 (Entra ID) or https://adfs.example.nl/adfs (ADFS); "
        "its discovery document is read from ISSUER/.well-known/openid-configuration; empty: no single sign-on",
    )
    oidc_client_id: str = _setting("", "Client (application) id of swarm, registered at the provider")
    oidc_client_secret: str = _setting("", "Client secret of swarm, issued by the provider", secret=True)
    oidc_email_claim: str = _setting(
        "email",
        "Claim of the ID token that carries the staff member's e-mail address "
        "(Entra ID: often preferred_username or upn)",
    )
    oidc_scopes: str = _setting(
        "openid email profile", "Scopes asked from the provider (must include openid)"
    )
    oidc_provider_name: str = _setting(
        "",
        "Name on the single sign-on button, e.g. Gemeente Doetinchem; "
        "empty: the button says 'Inloggen met uw gemeenteaccount'",
    )
    staff_password_login: bool = _setting(
        True,
        "Whether staff accounts (every role but professional) may log in with a password; false: staff log in "
        "only through single sign-on, professionals keep their password",
    )
    login_attempts_per_account: int = _setting(
        10,
        "Login attempts (and password-reset requests) per e-mail address within SWARM_LOGIN_WINDOW_SECONDS; "
        "past it the address is locked for SWARM_LOGIN_LOCKOUT_SECONDS (a successful login starts afresh)",
    )
    login_attempts_per_address: int = _setting(
        20,
        "Failed login attempts per client address (IPv6: per /64) within SWARM_LOGIN_WINDOW_SECONDS, across "
        "accounts; past it that address is locked for SWARM_LOGIN_LOCKOUT_SECONDS",
    )
    login_window_seconds: int = _setting(900, "Seconds in which login attempts are counted")
    login_lockout_seconds: int = _setting(
        900, "Seconds a throttled account or address must wait; the page and Retry-After say until when"
    )
    trusted_proxies: int = _setting(
        0,
        "Reverse proxies in front of the web app whose X-Forwarded-For header is trusted for the client address "
        "(0: none, the connection's address counts; 1: e.g. one nginx)",
    )
    webhook_allow_http: bool = _setting(
        False,
        "Whether webhook URLs may use plain http:// (a receiver on the same machine or in a closed network); "
        "false: https:// only",
    )
    testing: bool = _setting(False, "Test mode (never set this in production)")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in fields(cls):
            name = env_name(spec.name)
            if name in environ:
                values[spec.name] = _parse(name, environ[name], type(spec.default))
        config = cls(**values)
        config.validate()
        return config

    @classmethod
    def for_tests(cls, database_url: str = "sqlite://", **overrides: Any) -> Config:
        # Uploaded documents go to a fresh folder of their own, never into the checkout's instance/.
        overrides.setdefault("document_dir", tempfile.mkdtemp(prefix="swarm-test-documents-"))
        # A test that declines solves the repair at once unless it is about the quiet period itself.
        overrides.setdefault("repair_quiet_seconds", 0)
        return cls(
            database_url=database_url,
            secret_key="test-secret",
            base_url="http://swarm.test",
            testing=True,
            **overrides,
        )

    def validate(self) -> None:
        if (
            self.base_url.startswith("https://")
            and self.secret_key == DEVELOPMENT_SECRET
            and not self.testing
        ):
            raise ConfigError("SWARM_SECRET_KEY: set a long random secret for a public (https) deployment")
        if self.smtp_tls not in SMTP_TLS_MODES:
            raise ConfigError(f"SWARM_SMTP_TLS: must be one of {', '.join(SMTP_TLS_MODES)}")
        self._validate_single_sign_on()
        self._validate_reply_mailbox()
        if not 0 <= self.trusted_proxies <= 5:
            raise ConfigError("SWARM_TRUSTED_PROXIES: must be between 0 and 5")
        for name in (
            "smtp_port",
            "retention_days",
            "snapshot_retention_days",
            "document_retention_days",
            "audit_retention_days",
            "solve_time_limit",
            "solve_workers",
            "login_attempts_per_account",
            "login_attempts_per_address",
            "login_window_seconds",
            "login_lockout_seconds",
        ):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{env_name(name)}: must be positive")

    def _validate_reply_mailbox(self) -> None:
        if not self.imap_host:
            return
        if self.imap_tls not in SMTP_TLS_MODES:
            raise ConfigError(f"SWARM_IMAP_TLS: must be one of {', '.join(SMTP_TLS_MODES)}")
        if not 0 < self.imap_port < 65536:
            raise ConfigError("SWARM_IMAP_PORT: must be a port number (1-65535)")
        if not self.imap_user:
            raise ConfigError("SWARM_IMAP_USER: required when SWARM_IMAP_HOST is set")
        local, _, domain = self.reply_address.partition("@")
        if not local or "." not in domain:
            raise ConfigError(
                "SWARM_REPLY_ADDRESS: give the address of the mailbox SWARM_IMAP_HOST reads, e.g. antwoord@zwerm.nl"
            )

    @property
    def reads_replies(self) -> bool:
        """A reply mailbox is read: invitations ask for calendar answers (RSVP=TRUE) and send them there."""
        return bool(self.imap_host)

    def _validate_single_sign_on(self) -> None:
        if not (self.oidc_issuer or self.oidc_client_id or self.oidc_client_secret):
            if not self.staff_password_login:
                raise ConfigError(
                    "SWARM_STAFF_PASSWORD_LOGIN: false needs single sign-on (set SWARM_OIDC_ISSUER), "
                    "or staff could not log in at all"
                )
            return
        if not self.oidc_issuer:
            raise ConfigError(
                "SWARM_OIDC_ISSUER: required when SWARM_OIDC_CLIENT_ID or SWARM_OIDC_CLIENT_SECRET is set"
            )
        issuer = urlsplit(self.oidc_issuer)
        if not issuer.hostname or issuer.query or issuer.fragment:
            raise ConfigError(
                "SWARM_OIDC_ISSUER: give the issuer URL without query or fragment, "
                "e.g. https://login.microsoftonline.com/TENANT-ID/v2.0"
            )
        if issuer.scheme != "https" and not (
            issuer.scheme == "http" and (self.testing or issuer.hostname in LOOPBACK_HOSTS)
        ):
            raise ConfigError("SWARM_OIDC_ISSUER: must be an https:// URL")
        for name in ("oidc_client_id", "oidc_client_secret"):
            if not getattr(self, name).strip():
                raise ConfigError(f"{env_name(name)}: required when SWARM_OIDC_ISSUER is set")
        if not self.oidc_email_claim.strip():
            raise ConfigError(
                "SWARM_OIDC_EMAIL_CLAIM: name the claim that carries the e-mail address, e.g. email"
            )
        if "openid" not in self.oidc_scopes.split():
            raise ConfigError("SWARM_OIDC_SCOPES: must include openid")

    @property
    def single_sign_on(self) -> bool:
        """Staff can log in through the OpenID Connect provider."""
        return bool(self.oidc_issuer)

    @property
    def resolved_database_url(self) -> str:
        """The database URL; the default SQLite file lives in ``instance/`` under the current directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path.cwd() / 'instance' / 'swarm.db'}"

    @property
    def resolved_document_dir(self) -> Path:
        """The document store's folder; by default ``instance/documents`` beside the default SQLite file."""
        if self.document_dir:
            return Path(self.document_dir)
        return Path.cwd() / "instance" / "documents"

    def with_overrides(self, **values: Any) -> Config:
        return replace(self, **values)


def env_name(field_name: str) -> str:
    return f"SWARM_{field_name.upper()}"


def _parse(name: str, raw: str, kind: type) -> Any:
    if kind is bool:
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"{name}: expected true or false, got {raw!r}")
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{name}: expected a whole number, got {raw!r}") from None
    return raw


@dataclass(frozen=True)
class SettingInfo:
    variable: str
    default: str
    description: str


def settings_table() -> list[SettingInfo]:
    """One row per setting, for ``swarm config --list`` and the README."""
    rows = []
    for spec in fields(Config):
        if spec.name == "testing":
            continue
        if spec.metadata["secret"] and spec.default:
            default = "(secret)"
        elif isinstance(spec.default, bool):
            default = "true" if spec.default else "false"  # as the variable is written
        else:
            default = str(spec.default) if spec.default != "" else "(empty)"
        if spec.name == "database_url":
            default = "sqlite:///instance/swarm.db"
        if spec.name == "document_dir":
            default = "instance/documents"
        rows.append(SettingInfo(env_name(spec.name), default, spec.metadata["help"]))
    return rows
