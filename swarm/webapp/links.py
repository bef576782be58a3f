"""The addresses that account mails point to: the public base URL (SWARM_BASE_URL) plus this app's routes."""

from __future__ import annotations

from flask import current_app, url_for

from swarm.services.people.account_mail import Links


def account_links() -> Links:
    base = current_app.config["SWARM"].base_url.rstrip("/")
    return Links(
        token=lambda secret: base + url_for("account.link", token=secret),
        login=base + url_for("auth.login"),
        forgot=base + url_for("account.forgot"),
    )
