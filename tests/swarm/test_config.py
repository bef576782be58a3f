"""Settings come from SWARM_* variables, with clear errors and a listable table."""

from __future__ import annotations

from pathlib import Path

import pytest

from swarm.config import Config, ConfigError, settings_table


def test_defaults_use_an_sqlite_file_under_instance(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = Config.from_env({})
    assert config.resolved_database_url == f"sqlite:///{Path(tmp_path) / 'instance' / 'swarm.db'}"
    assert config.timezone == "Europe/Amsterdam" and config.smtp_port == 25


def test_values_are_read_and_typed():
    config = Config.from_env(
        {
            "SWARM_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:5432/swarm",
            "SWARM_SMTP_PORT": "587",
            "SWARM_SMTP_TLS": "starttls",
            "SWARM_RETENTION_DAYS": "365",
            "SWARM_TESTING": "yes",
        }
    )
    assert config.resolved_database_url.startswith("postgresql+psycopg://")
    assert (config.smtp_port, config.smtp_tls, config.retention_days, config.testing) == (
        587,
        "starttls",
        365,
        True,
    )


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"SWARM_SMTP_PORT": "twenty-five"}, "SWARM_SMTP_PORT: expected a whole number"),
        ({"SWARM_SMTP_TLS": "maybe"}, "SWARM_SMTP_TLS: must be one of none, starttls, ssl"),
        ({"SWARM_RETENTION_DAYS": "0"}, "SWARM_RETENTION_DAYS: must be positive"),
        ({"SWARM_TESTING": "perhaps"}, "SWARM_TESTING: expected true or false"),
        ({"SWARM_BASE_URL": "https://swarm.example.nl"}, "SWARM_SECRET_KEY: set a long random secret"),
    ],
)
def test_bad_values_name_the_variable(environ, message):
    with pytest.raises(ConfigError, match=message):
        Config.from_env(environ)


def test_the_settings_table_lists_every_variable_without_secrets():
    rows = {row.variable: row for row in settings_table()}
    assert {"SWARM_DATABASE_URL", "SWARM_SECRET_KEY", "SWARM_BASE_URL", "SWARM_SMTP_PASSWORD"} <= set(rows)
    assert rows["SWARM_SECRET_KEY"].default == "(secret)"
    assert all(row.description for row in rows.values())


SSO = {
    "SWARM_OIDC_ISSUER": "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
    "SWARM_OIDC_CLIENT_ID": "6731de76-14a6-49ae-97bc-6eba6914391e",
    "SWARM_OIDC_CLIENT_SECRET": "from-entra-id",
}


def test_single_sign_on_is_off_by_default_and_on_with_issuer_client_id_and_secret():
    assert not Config.from_env({}).single_sign_on
    config = Config.from_env({**SSO, "SWARM_OIDC_EMAIL_CLAIM": "preferred_username"})
    assert config.single_sign_on and config.oidc_email_claim == "preferred_username"
    assert config.oidc_scopes == "openid email profile" and config.staff_password_login
    assert not Config.from_env({**SSO, "SWARM_STAFF_PASSWORD_LOGIN": "false"}).staff_password_login
    # a provider on the same machine may speak http (a trial with a local test provider)
    assert Config.from_env({**SSO, "SWARM_OIDC_ISSUER": "http://127.0.0.1:9400"}).single_sign_on


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({**SSO, "SWARM_OIDC_CLIENT_ID": ""}, "SWARM_OIDC_CLIENT_ID: required when SWARM_OIDC_ISSUER is set"),
        (
            {**SSO, "SWARM_OIDC_CLIENT_SECRET": ""},
            "SWARM_OIDC_CLIENT_SECRET: required when SWARM_OIDC_ISSUER",
        ),
        ({**SSO, "SWARM_OIDC_ISSUER": ""}, "SWARM_OIDC_ISSUER: required when SWARM_OIDC_CLIENT_ID"),
        (
            {**SSO, "SWARM_OIDC_ISSUER": "http://adfs.example.nl/adfs"},
            "SWARM_OIDC_ISSUER: must be an https:// URL",
        ),
        ({**SSO, "SWARM_OIDC_ISSUER": "adfs.example.nl"}, "SWARM_OIDC_ISSUER: give the issuer URL"),
        (
            {**SSO, "SWARM_OIDC_ISSUER": "https://adfs.example.nl/adfs?x=1"},
            "SWARM_OIDC_ISSUER: give the issuer URL",
        ),
        ({**SSO, "SWARM_OIDC_EMAIL_CLAIM": " "}, "SWARM_OIDC_EMAIL_CLAIM: name the claim"),
        ({**SSO, "SWARM_OIDC_SCOPES": "email profile"}, "SWARM_OIDC_SCOPES: must include openid"),
        ({"SWARM_STAFF_PASSWORD_LOGIN": "false"}, "SWARM_STAFF_PASSWORD_LOGIN: false needs single sign-on"),
        ({"SWARM_STAFF_PASSWORD_LOGIN": "nee"}, "SWARM_STAFF_PASSWORD_LOGIN: expected true or false"),
    ],
)
def test_bad_single_sign_on_settings_name_the_variable(environ, message):
    with pytest.raises(ConfigError, match=message.replace("?", r"\?")):
        Config.from_env(environ)


def test_the_single_sign_on_settings_are_in_the_table():
    rows = {row.variable: row for row in settings_table()}
    assert {
        "SWARM_OIDC_ISSUER",
        "SWARM_OIDC_CLIENT_ID",
        "SWARM_OIDC_CLIENT_SECRET",
        "SWARM_OIDC_EMAIL_CLAIM",
        "SWARM_OIDC_SCOPES",
        "SWARM_OIDC_PROVIDER_NAME",
        "SWARM_STAFF_PASSWORD_LOGIN",
    } <= set(rows)
    assert (
        rows["SWARM_OIDC_EMAIL_CLAIM"].default == "email"
        and rows["SWARM_STAFF_PASSWORD_LOGIN"].default == "true"
    )
