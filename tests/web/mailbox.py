"""The one-time links in the mails the app wrote into its outbox, and following them with a test client."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from swarm.persistence.models import OutboxMessage
from tests.web.world import csrf_token_from

LINK = re.compile(r"https?://[^/\s]+(/account/link/[A-Za-z0-9_-]+)")


def outbox_to(engine, recipient: str) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id)
            )
        )


def link_in(body: str) -> str:
    """The path of the one-time link in a mail's text."""
    match = LINK.search(body)
    assert match, f"no one-time link in: {body}"
    return match.group(1)


def newest_link(engine, recipient: str) -> str:
    messages = outbox_to(engine, recipient)
    assert messages, f"no mail to {recipient}"
    return link_in(messages[-1].body_text)


def follow(client, path: str, data: dict | None = None):
    """Open the link's page (GET uses nothing up), then post its form with the page's CSRF token."""
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    return client.post(
        path, data={**(data or {}), "csrf_token": csrf_token_from(page.get_data(as_text=True))}
    )
