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
