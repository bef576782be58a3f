"""The mail that invites an imported professional to confirm the profile and set a password.

One per professional (the outbox keeps one message per idempotency key), sent once the import is confirmed. Its
link is signed with the installation's secret key and names the professional and the address it went to; it
works until a login exists for the professional (setting the password makes one), so it is good for one use,
and for at most ``VALID_DAYS`` days by the injected clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlmodel import Session, select

from swarm.config import Config
from swarm.domain.enums import UserRole
from swarm.domain.errors import N_, ValidationError
from swarm.domain.timeutil import Clock, system_clock
from swarm.mail import Mail
from swarm.persistence.models import Professional, Region, User
from swarm.services.lookup import get
from swarm.services.ops.outbox import enqueue_mail
from swarm.services.people.accounts import Scope, create_user

SALT = "profile-invitation"
VALID_DAYS = 30
INVALID = N_("This link is no longer valid. Ask the organizer of your region for a new invitation.")
KIND = "profile_invitation"

TEXT = """Beste {name},

De organisator van zwermsessies in de regio {region} heeft uw gegevens in Swarm gezet, zodat u kunt worden
uitgenodigd voor zwermsessies en projectteams van gemeenten. Controleer uw profiel en kies een wachtwoord:

{url}

De link werkt één keer en is {days} dagen geldig. Daarna uploadt u uw KvK-uittreksel, VOG en
aansprakelijkheidspolis; pas als de organisator die heeft gecontroleerd, kunt u worden uitgenodigd.
Wilt u dit niet? Dan hoeft u niets te doen; uw gegevens worden na {retention} dagen zonder activiteit gewist.

Met vriendelijke groet,
Swarm

--- English ---

Dear {name},

The organizer of swarm sessions in the {region} region has entered your details in Swarm, so that municipalities
can invite you to swarm sessions and project teams. Please check your profile and choose a password:

{url}

The link works once and for {days} days. Then upload your Chamber of Commerce extract, certificate of conduct and
liability insurance; once the organizer has checked them, you can be invited.
"""


def _serializer(config: Config) -> URLSafeSerializer:
    return URLSafeSerializer(config.secret_key, salt=SALT)


def invitation_token(professional: Professional, *, config: Config, clock: Clock = system_clock) -> str:
    return _serializer(config).dumps(
        {"p": professional.id, "e": professional.email, "t": int(clock().timestamp())}
    )


def invitation_url(professional: Professional, *, config: Config, clock: Clock = system_clock) -> str:
    return (
        f"{config.base_url.rstrip('/')}/welkom/{invitation_token(professional, config=config, clock=clock)}"
    )


def invite_imported(
    session: Session, professional_ids: Iterable[int], *, config: Config, clock: Clock = system_clock
) -> int:
    """Queue the invitation for each of these professionals who has no login yet; the number queued now."""
    ids = list(professional_ids)
    with_login = set(session.exec(select(User.professional_id).where(User.professional_id.in_(ids))))
    regions = {region.id: region.name for region in session.exec(select(Region))}
    queued = 0
    for professional in session.exec(select(Professional).where(Professional.id.in_(ids))):
        if professional.id in with_login or professional.anonymised_at is not None:
            continue
        body = TEXT.format(
            name=professional.name,
            region=regions.get(professional.region_id, ""),
            url=invitation_url(professional, config=config, clock=clock),
            days=VALID_DAYS,
            retention=config.retention_days,
        )
        message = Mail(
            kind=KIND,
            idempotency_key=f"{KIND}:{professional.id}",
            recipient=professional.email,
            recipient_name=professional.name,
            subject="Bevestig uw profiel in Swarm / Confirm your Swarm profile",
            body_text=body,
        )
        queued += enqueue_mail(session, message, region_id=professional.region_id, clock=clock)
    return queued


def invited_professional(
    session: Session, token: str, *, config: Config, clock: Clock = system_clock
) -> Professional:
    """The professional a link is for, while it is valid: signed by us, recent, the address unchanged, no login."""
    try:
        claims = _serializer(config).loads(token)
    except BadSignature:
        raise ValidationError("token", INVALID) from None
    if not isinstance(claims, dict) or not {"p", "e", "t"} <= set(claims):
        raise ValidationError("token", INVALID)
    professional = session.get(Professional, claims["p"])
    issued = claims["t"]
    if (
        professional is None
        or professional.email != claims["e"]
        or professional.anonymised_at is not None
        or not isinstance(issued, int)
        or clock().timestamp() - issued > timedelta(days=VALID_DAYS).total_seconds()
        or session.exec(select(User.id).where(User.professional_id == professional.id)).first() is not None
    ):
        raise ValidationError("token", INVALID)
    return professional


def accept_invitation(
    session: Session, token: str, password: str, *, config: Config, clock: Clock = system_clock
) -> User:
    """The professional confirms the profile and sets a password: the login is made, and the link is used up."""
    professional = invited_professional(session, token, config=config, clock=clock)
    user = create_user(
        session,
        professional.email,
        password,
        Scope(UserRole.PROFESSIONAL, professional_id=professional.id),
        name=professional.name,
        clock=clock,
    )
    professional = get(session, Professional, professional.id)
    professional.last_active_at = clock()
    session.add(professional)
    session.flush()
    return user
