"""One-time form tokens: a form that creates something, sent twice, creates it once.

The view claims the form's token in the request's transaction before it creates anything, and records where the
result can be seen once it exists. A second submission of the same token finds the claim: it gets the earlier
result's page and creates nothing. The claim is an insert on the token's primary key, so it holds across web
processes: on PostgreSQL a concurrent second insert waits for the first transaction and then does nothing; on
SQLite the write lock taken at the start of every form post serialises them. A refused form rolls the claim back
with everything else, so the corrected form can be sent with the same token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.db import is_sqlite
from swarm.persistence.models import FormSubmission

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
KEEP = timedelta(
    days=1
)  # long enough for a retry after a lost answer; the back button a day later creates anew


@dataclass(frozen=True)
class EarlierSubmission:
    """The token was used before: by this user (``location`` is its result's page, if any) or by someone else."""

    location: str | None


def claim(
    session: Session, token: str, user_id: int | None, *, clock: Clock = system_clock
) -> EarlierSubmission | None:
    """Record ``token`` as used in the caller's transaction; the earlier submission if it was used already."""
    if not TOKEN_PATTERN.fullmatch(token):
        raise ValueError("not a form token")
    now = clock()
    dialect = sqlite if is_sqlite(session) else postgresql
    inserted = session.execute(
        dialect.insert(FormSubmission.__table__)
        .values(token=token, user_id=user_id, created_at=now)
        .on_conflict_do_nothing(index_elements=["token"])
        .returning(FormSubmission.__table__.c.token)
    ).first()
    if inserted is not None:
        # Forget what no longer matters, so the table stays as small as a day of forms.
        session.execute(sa.delete(FormSubmission).where(FormSubmission.created_at < now - KEEP))
        return None
    earlier = session.get(FormSubmission, token, populate_existing=True)
    if earlier is None or earlier.user_id != user_id:
        return EarlierSubmission(None)
    return EarlierSubmission(earlier.location)


def record_location(session: Session, token: str, location: str) -> None:
    """Where the result of the claimed ``token`` can be seen (the page a repeated submission is sent to)."""
    session.execute(
        sa.update(FormSubmission).where(FormSubmission.token == token).values(location=location[:500])
    )
