"""One-time answer links in an invitation mail: accept or decline without logging in.

Each invitation mail (a new invitation or an update) carries two links, accept and decline. A link carries a
random secret; the database keeps only its SHA-256 (as ``people.tokens`` does for account links), so a copy of
the database answers nothing. A link answers for the invitation version it was sent with (an update sends new
links and the old ones stop working), works once (a guarded UPDATE of ``used_at``, so two clicks at the same
moment cannot both count) and expires when the session ends. Opening a link changes nothing: the page asks to
confirm (mail scanners open links too), and only the confirmation answers (``plan.publish.answer_by_link``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session, select

from swarm.domain.enums import SessionStatus
from swarm.domain.timeutil import Clock, system_clock
from swarm.persistence.models import Invitation, InvitationLink, Slot
from swarm.persistence.models import Session as SwarmSession

ANSWERS = ("accept", "decline")
SECRET_BYTES = 32
MAX_SECRET_LENGTH = 100  # token_urlsafe(32) has 43 characters


class AnswerLinkProblem(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"  # the session has ended
    OUTDATED = "outdated"  # a later mail about this session replaced the link
    CLOSED = "closed"  # the invitation was withdrawn or the session called off


class AnswerLinkRefused(Exception):
    """The link cannot be used; ``problem`` says why (the page words it and points to the invitations page)."""

    def __init__(self, problem: AnswerLinkProblem):
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class OpenLink:
    link: InvitationLink
    invitation: Invitation
    session: SwarmSession
    slot: Slot


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def issue_answer_links(
    session: Session, invitation: Invitation, *, expires_at: datetime, clock: Clock = system_clock
) -> dict[str, str]:
    """New accept and decline secrets for the invitation's current version; only their hashes are stored."""
    now, found = clock(), {}
    for answer in ANSWERS:
        secret = secrets.token_urlsafe(SECRET_BYTES)
        session.add(
            InvitationLink(
                invitation_id=invitation.id,
                answer=answer,
                sequence=invitation.sequence,
                token_hash=_digest(secret),
                created_at=now,
                expires_at=expires_at,
            )
        )
        found[answer] = secret
    session.flush()
    return found


def check_answer_link(session: Session, secret: str, *, clock: Clock = system_clock) -> OpenLink:
    """The link of this secret with its invitation, if it can still answer; AnswerLinkRefused otherwise."""
    if not secret or len(secret) > MAX_SECRET_LENGTH or not secret.isascii():
        raise AnswerLinkRefused(AnswerLinkProblem.UNKNOWN)
    wanted = _digest(secret)
    link = session.exec(select(InvitationLink).where(InvitationLink.token_hash == wanted)).first()
    if link is None or not hmac.compare_digest(link.token_hash, wanted):
        raise AnswerLinkRefused(AnswerLinkProblem.UNKNOWN)
    invitation = session.get(Invitation, link.invitation_id)
    row = session.get(SwarmSession, invitation.session_id) if invitation is not None else None
    if invitation is None or row is None:
        raise AnswerLinkRefused(AnswerLinkProblem.UNKNOWN)
    slot = session.get(Slot, row.slot_id)
    if link.used_at is not None:
        raise AnswerLinkRefused(AnswerLinkProblem.USED)
    if link.expires_at <= clock():
        raise AnswerLinkRefused(AnswerLinkProblem.EXPIRED)
    if row.status != SessionStatus.PUBLISHED or invitation.cancelled_at is not None:
        raise AnswerLinkRefused(AnswerLinkProblem.CLOSED)
    if link.sequence != invitation.sequence:
        raise AnswerLinkRefused(AnswerLinkProblem.OUTDATED)
    return OpenLink(link, invitation, row, slot)


def use_answer_link(session: Session, secret: str, *, clock: Clock = system_clock) -> OpenLink:
    """Use the link up, once also under concurrent clicks, and return it (the caller then answers)."""
    found = check_answer_link(session, secret, clock=clock)
    used = session.execute(
        sa.update(InvitationLink)
        .where(InvitationLink.id == found.link.id, InvitationLink.used_at.is_(None))
        .values(used_at=clock())
    )
    if used.rowcount != 1:
        raise AnswerLinkRefused(AnswerLinkProblem.USED)
    session.refresh(found.link)
    return found
