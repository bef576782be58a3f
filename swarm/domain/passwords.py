"""The password rule: long enough, not a common password, not the own e-mail address (ASVS 2.1).

The common passwords are a file shipped beside this module (``common_passwords.txt``, package data). A password
also counts as common when only digits or punctuation were added to a common one ("wachtwoord2026").
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from swarm.domain.errors import N_, ValidationError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
MIN_DIFFERENT_CHARACTERS = 4  # "aaaaaaaaaa" and "1212121212" are long but no secret

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
_DECORATION = re.compile(r"[\d\W_]+$")  # what people append to a common word: digits, !, ., -, ...

TOO_SHORT = N_("Use at least 10 characters.")
TOO_LONG = N_("Use at most 200 characters.")
TOO_SIMPLE = N_("Use more different characters.")
TOO_COMMON = N_("This password is too common. Choose a longer or less predictable one.")
IS_EMAIL = N_("Do not use your email address as your password.")


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def is_common(password: str) -> bool:
    folded = password.casefold()
    stripped = _DECORATION.sub("", folded)
    return folded in common_passwords() or (len(stripped) >= 6 and stripped in common_passwords())


def check_password(password: str | None, *, email: str = "", field: str = "password") -> None:
    """Raise ValidationError naming ``field`` when ``password`` may not be used by the owner of ``email``."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(field, TOO_SHORT)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(field, TOO_LONG)
    if len(set(password)) < MIN_DIFFERENT_CHARACTERS:
        raise ValidationError(field, TOO_SIMPLE)
    folded, address = password.casefold(), email.strip().casefold()
    local_part = address.partition("@")[0]
    if address and (address in folded or (len(local_part) >= 4 and folded.strip() == local_part)):
        raise ValidationError(field, IS_EMAIL)
    if is_common(password):
        raise ValidationError(field, TOO_COMMON)
