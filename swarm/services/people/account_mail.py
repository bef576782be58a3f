"""The mails about an account: staff invitation, password reset, e-mail confirmation, in the recipient's language.

Plain text, no calendar part; each goes through the outbox in the transaction of the change that causes it, with
an idempotency key of its own (a link's key names its token, so a resend is a new mail, a retry is not).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from swarm.domain.enums import UserRole
from swarm.mail import Mail
from swarm.persistence.models import User

LANGUAGES = ("nl", "en")

TEXT = {
    "nl": {
        "greeting": "Beste {name},",
        "closing": "Met vriendelijke groet,\nZwerm",
        "roles": {
            UserRole.ADMINISTRATOR: "beheerder",
            UserRole.ORGANIZER: "organisator van {scope}",
            UserRole.COORDINATOR: "HR-coördinator van {scope}",
        },
        "invite_subject": "Uw account voor Zwerm",
        "invite_body": "Er is een account voor u aangemaakt in Zwerm, de planning van zwermsessies, als {role}.\n\n"
        "Stel uw wachtwoord in via deze link (7 dagen geldig, één keer te gebruiken):\n{link}\n\n"
        "Werkt de link niet meer? Vraag via {forgot} een nieuwe aan.",
        "invite_sso_body": "Er is een account voor u aangemaakt in Zwerm, de planning van zwermsessies, als {role}.\n\n"
        "U logt in met uw gemeenteaccount: kies op {login} de knop voor uw gemeenteaccount. Een wachtwoord voor "
        "Zwerm hebt u niet nodig.",
        "reset_subject": "Een nieuw wachtwoord voor Zwerm",
        "reset_body": "Iemand (hopelijk u) heeft gevraagd om een nieuw wachtwoord voor uw account in Zwerm.\n\n"
        "Kies een nieuw wachtwoord via deze link (2 uur geldig, één keer te gebruiken):\n{link}\n\n"
        "Hebt u dit niet gevraagd? Dan kunt u deze e-mail negeren; uw wachtwoord blijft zoals het is.",
        "reset_sso_subject": "Inloggen in Zwerm",
        "reset_sso_body": "Iemand (hopelijk u) heeft gevraagd om een nieuw wachtwoord voor uw account in Zwerm.\n\n"
        "Uw account heeft geen wachtwoord in Zwerm: u logt in met uw gemeenteaccount, op {login}. Een "
        "vergeten wachtwoord van uw gemeenteaccount herstelt u bij uw eigen organisatie.",
        "confirm_subject": "Bevestig uw e-mailadres voor Zwerm",
        "confirm_body": "Welkom bij Zwerm. Bevestig uw e-mailadres via deze link (7 dagen geldig):\n{link}\n\n"
        "Pas daarna kunt u inloggen en kunt u voor zwermsessies worden uitgenodigd.\n\n"
        "Hebt u zich niet ingeschreven? Dan kunt u deze e-mail negeren.",
    },
    "en": {
        "greeting": "Dear {name},",
        "closing": "Kind regards,\nSwarm",
        "roles": {
            UserRole.ADMINISTRATOR: "administrator",
            UserRole.ORGANIZER: "organizer of {scope}",
            UserRole.COORDINATOR: "HR coordinator of {scope}",
        },
        "invite_subject": "Your Swarm account",
        "invite_body": "An account has been made for you in Swarm, the planning of swarm sessions, as {role}.\n\n"
        "Set your password with this link (valid for 7 days, works once):\n{link}\n\n"
        "Has the link stopped working? Ask for a new one at {forgot}.",
        "invite_sso_body": "An account has been made for you in Swarm, the planning of swarm sessions, as {role}.\n\n"
        "You log in with your municipality account: at {login}, choose the button for your municipality account. "
        "You need no password for Swarm.",
        "reset_subject": "A new password for Swarm",
        "reset_body": "Someone (hopefully you) asked for a new password for your Swarm account.\n\n"
        "Choose a new password with this link (valid for 2 hours, works once):\n{link}\n\n"
        "Did you not ask for this? Then ignore this mail; your password stays as it is.",
        "reset_sso_subject": "Logging in to Swarm",
        "reset_sso_body": "Someone (hopefully you) asked for a new password for your Swarm account.\n\n"
        "Your account has no password in Swarm: you log in with your municipality account, at {login}. A "
        "forgotten password of your municipality account is restored by your own organisation.",
        "confirm_subject": "Confirm your email address for Swarm",
        "confirm_body": "Welcome to Swarm. Please confirm your email address with this link (valid for 7 days):\n"
        "{link}\n\nOnly then can you log in and be invited to swarm sessions.\n\n"
        "Did you not register? Then ignore this mail.",
    },
}


def language_of(user: User) -> str:
    return user.locale if user.locale in LANGUAGES else "nl"


def _one_line(value: str) -> str:
    return " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())


def account_mail(user: User, kind: str, key: str, subject: str, body: str, **values: str) -> Mail:
    """A mail to ``user`` from the texts above: ``subject`` and ``body`` name entries, ``values`` fill them in."""
    words = TEXT[language_of(user)]
    name = _one_line(user.name) or user.email
    text = "\n\n".join(
        [words["greeting"].format(name=name), words[body].format(**values), words["closing"], ""]
    )
    return Mail(
        kind=kind,
        idempotency_key=key,
        recipient=user.email,
        recipient_name=name,
        subject=words[subject],
        body_text=text,
    )


def role_words(user: User, scope_name: str) -> str:
    return TEXT[language_of(user)]["roles"][UserRole(user.role)].format(scope=_one_line(scope_name))


@dataclass(frozen=True)
class Links:
    """Where the mails point: the web app knows its routes and public address, the services do not."""

    token: Callable[[str], str]  # a link secret -> the page that uses it
    login: str
    forgot: str
