"""The invitation of imported professionals: one mail each, a link that works once, for a month, for that address."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from swarm.config import Config
from swarm.domain.errors import ValidationError
from swarm.domain.timeutil import fixed_clock
from swarm.persistence.models import OutboxMessage, User
from swarm.services.exchange.importing import import_file
from swarm.services.exchange.invitations import accept_invitation, invite_imported, invited_professional
from swarm.services.exchange.report import ImportScope
from swarm.services.people.accounts import authenticate
from tests.exchange.conftest import csv_bytes
from tests.swarm.factories import CLOCK, NOW, build_world

CONFIG = Config.for_tests()
ROWS = [["Naam", "E-mail", "KvK-nummer", "Woonplaats"], ["Anna", "anna@example.nl", "12345678", "Ulft"]]


@pytest.fixture
def invited(db):
    world = build_world(db)
    report = import_file(
        db, "professionals", csv_bytes(ROWS), ImportScope(world.region.id), actor=world.organizer, clock=CLOCK
    )
    assert invite_imported(db, report.stored_ids, config=CONFIG, clock=CLOCK) == 1
    message = db.exec(select(OutboxMessage)).one()
    token = re.search(r"http://swarm\.test/welkom/(\S+)", message.body_text).group(1)
    return report.stored_ids[0], token, message


def test_one_mail_per_professional_in_dutch_and_english_even_when_imported_again(db, invited):
    professional_id, _token, message = invited
    assert message.recipient == "anna@example.nl" and message.kind == "profile_invitation"
    assert "Beste Anna" in message.body_text and "Dear Anna" in message.body_text
    assert invite_imported(db, [professional_id], config=CONFIG, clock=CLOCK) == 0


def test_the_link_sets_the_password_once(db, invited):
    professional_id, token, _message = invited
    assert invited_professional(db, token, config=CONFIG, clock=CLOCK).id == professional_id
    user = accept_invitation(db, token, "een lang wachtwoord", config=CONFIG, clock=CLOCK)
    assert user.professional_id == professional_id
    assert authenticate(db, "anna@example.nl", "een lang wachtwoord", clock=CLOCK).id == user.id
    with pytest.raises(ValidationError, match="no longer valid"):
        accept_invitation(db, token, "nog een wachtwoord", config=CONFIG, clock=CLOCK)
    assert invite_imported(db, [professional_id], config=CONFIG, clock=CLOCK) == 0


def test_a_link_that_is_old_forged_or_for_another_address_is_refused(db, invited):
    professional_id, token, _message = invited
    late = fixed_clock(NOW + timedelta(days=31))
    for bad_token, clock in ((token, late), (token[:-2] + "xx", CLOCK), ("", CLOCK)):
        with pytest.raises(ValidationError):
            invited_professional(db, bad_token, config=CONFIG, clock=clock)
    with pytest.raises(ValidationError):
        invited_professional(db, token, config=dataclasses.replace(CONFIG, secret_key="another"), clock=CLOCK)
    assert db.exec(select(User)).all() == []
