"""Invitation mail goes through a real SMTP server on loopback and arrives in the shape calendars recognise."""

from __future__ import annotations

from dataclasses import asdict, replace

import icalendar
import pytest
import vobject

from swarm.calendars import CalendarDataError, Change, Status, changes
from swarm.mail import (
    Mail,
    MailCompositionError,
    MailDeliveryError,
    MailError,
    MailKind,
    Security,
    SmtpSettings,
    compose,
    message_id,
    send,
    session_mail,
    to_message,
)
from tests.swarm.test_calendars_support import GEERTJE, HOST, OMER, ONLINE, STAMP, free_port, session
from tests.swarm.test_mail_support import (
    PASSWORD,
    USER,
    Inbox,
    certificate,
    server_tls,
    smtp,
    smtp_server,
)

__all__ = ["certificate", "smtp"]  # fixtures, imported for pytest

SENDER = "Zwermsessies Achterhoek <noreply@swarm.example.nl>"


def plain(port: int, **changes) -> SmtpSettings:
    return SmtpSettings(
        **{"host": "127.0.0.1", "port": port, "security": Security.NONE, "timeout": 5, **changes}
    )


def mail(kind, calendar_session=None, attendee=GEERTJE, **options):
    calendar_session = calendar_session or session()
    return compose(kind, calendar_session, attendee, sender=SENDER, host=HOST, stamp=STAMP, **options)


def received(smtp) -> object:
    [message] = smtp.inbox.messages
    return message


def body(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def calendar_parts(message):
    inline = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    attached = [p for p in message.walk() if p.get_filename() == "invite.ics"]
    return inline, attached


def test_an_invitation_arrives_as_text_plus_a_request_calendar_part_plus_invite_ics(smtp):
    send(mail(MailKind.INVITATION), plain(smtp.port))

    [envelope] = smtp.inbox.envelopes
    assert envelope.mail_from == "noreply@swarm.example.nl" and envelope.rcpt_tos == ["geertje@example.nl"]
    message = received(smtp)
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.get_payload()
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/calendar"]
    inline = alternative.get_payload()[1]
    assert inline.get_param("method") == "REQUEST" and inline.get_param("charset") == "UTF-8"
    ics = inline.get_payload(decode=True)
    assert b"\r\nMETHOD:REQUEST\r\n" in ics and ics.endswith(b"END:VCALENDAR\r\n")
    assert icalendar.Calendar.from_ical(ics)["METHOD"] == inline.get_param("method")
    assert vobject.readOne(ics.decode()).vevent.uid.value == "swarm-session-s-0042@swarm.example.nl"
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_content_disposition() == "attachment" and attachment.get_filename() == "invite.ics"
    assert attachment.get_content() == ics


def test_the_headers_carry_names_with_diacritics_and_commas_intact(smtp):
    send(mail(MailKind.INVITATION, attendee=GEERTJE), plain(smtp.port))
    message = received(smtp)
    [to] = message["To"].addresses
    assert (to.display_name, to.addr_spec) == ("Geertje van 't Hoff, MSc", "geertje@example.nl")
    [reply_to] = message["Reply-To"].addresses
    assert reply_to.display_name == "Anne-Marie Ëlberg"
    assert message["Subject"] == (
        "Uitnodiging zwermsessie: Achterhoek, ronde 1: wonen; zorg & werk (dinsdag 12 januari 2027, 09:00–12:00)"
    )
    assert message["Message-ID"] == message_id("invitation:s-0042:0:p-0001", HOST)
    assert message["Message-ID"].startswith("<invitation.s-0042.0.p-0001.")
    assert message["Date"].datetime == STAMP
    assert message["Auto-Submitted"] == "auto-generated" and message["Content-Language"] == "nl"


def test_the_dutch_text_part_has_the_persons_own_table_plan_and_reasons(smtp):
    send(mail(MailKind.INVITATION, attendee=OMER), plain(smtp.port))
    text = body(received(smtp))
    assert text.startswith("Beste Ömer Çelik,\n\nU bent uitgenodigd voor een zwermsessie.")
    assert "Ronde 1: Jeugdzorg, wachtlijsten \\ doorlooptijden (Aalten)" in text
    assert "Waarom u bent uitgenodigd:\n- Jeugdzorg op niveau 2" in text
    assert text.rstrip().endswith("Met vriendelijke groet,\nAnne-Marie Ëlberg")


def test_english_on_request(smtp):
    send(mail(MailKind.UPDATE, session(sequence=2), OMER, language="en"), plain(smtp.port))
    message = received(smtp)
    assert message["Subject"].startswith("Updated: swarm session Achterhoek")
    assert body(message).startswith("Dear Ömer Çelik,\n\nThe swarm session")
    assert b"Round 1: Jeugdzorg" in calendar_parts(message)[0][0].get_payload(decode=True).replace(
        b"\r\n ", b""
    )


def test_an_update_is_a_request_with_the_higher_sequence(smtp):
    send(mail(MailKind.UPDATE, session(sequence=4)), plain(smtp.port))
    message = received(smtp)
    assert message["Subject"].startswith("Gewijzigd: zwermsessie")
    [inline], _ = calendar_parts(message)
    assert inline.get_param("method") == "REQUEST"
    assert icalendar.Calendar.from_ical(inline.get_payload(decode=True)).walk("VEVENT")[0]["SEQUENCE"] == 4


@pytest.mark.parametrize(
    ("calendar_session", "subject"),
    [
        (session(sequence=3, status=Status.CANCELLED), "Gaat niet door: zwermsessie"),
        (session(sequence=3, attendees=(OMER,)), "Afgemeld voor zwermsessie"),
    ],
    ids=["session cancelled", "taken off"],
)
def test_a_cancellation_carries_method_cancel_inside_and_out(smtp, calendar_session, subject):
    send(mail(MailKind.CANCELLATION, calendar_session, GEERTJE), plain(smtp.port))
    message = received(smtp)
    assert message["Subject"].startswith(subject)
    [inline], [attached] = calendar_parts(message)
    assert inline.get_param("method") == "CANCEL"
    event = vobject.readOne(inline.get_payload(decode=True).decode())
    assert event.method.value == "CANCEL"
    # The recipient and the organizer only, whether the session is off or goes on without them (privacy).
    assert [a.value for a in event.vevent.attendee_list] == [
        f"mailto:{GEERTJE.email}",
        f"mailto:{calendar_session.organizer.email}",
    ]
    assert attached.get_payload(decode=True) == inline.get_payload(decode=True)
    assert "Ronde 1" not in body(message)


def test_a_reminder_is_plain_text_without_a_calendar(smtp):
    send(mail(MailKind.REMINDER), plain(smtp.port))
    message = received(smtp)
    assert message.get_content_type() == "text/plain"
    assert message["Subject"].startswith("Herinnering zwermsessie: Achterhoek")
    assert "Ronde 2: Jeugdzorg" in body(message)


def test_a_mail_survives_the_outbox_as_plain_values(smtp):
    written = session_mail(MailKind.UPDATE, session(sequence=2), OMER, host=HOST, stamp=STAMP)
    assert written.idempotency_key == "update:s-0042:2:p-0002" and written.method == "REQUEST"
    assert (written.recipient, written.recipient_name) == ("omer.celik@example.nl", "Ömer Çelik")
    stored = Mail(**asdict(written))  # what the outbox row holds: strings only
    send(to_message(stored, sender=SENDER, host=HOST, stamp=STAMP), plain(smtp.port))
    [inline], _ = calendar_parts(received(smtp))
    assert inline.get_payload(decode=True) == written.ics.encode()
    assert received(smtp)["Subject"] == written.subject


def test_the_same_mail_keeps_its_message_id_and_a_new_sequence_gets_a_new_one():
    first = mail(MailKind.UPDATE, session(sequence=1))
    again = compose(
        MailKind.UPDATE, session(sequence=1), GEERTJE, sender=SENDER, host=HOST, stamp=STAMP.replace(hour=11)
    )
    later = mail(MailKind.UPDATE, session(sequence=2))
    assert first["Message-ID"] == again["Message-ID"] != later["Message-ID"]


def test_the_calendar_parts_method_is_read_from_the_calendar_itself():
    written = session_mail(MailKind.CANCELLATION, session(attendees=(OMER,)), GEERTJE, host=HOST, stamp=STAMP)
    [inline] = [
        p
        for p in to_message(written, sender=SENDER, host=HOST, stamp=STAMP).walk()
        if p.get_content_type() == "text/calendar"
    ]
    assert inline.get_param("method") == "CANCEL" == written.method
    without_method = replace(written, ics=written.ics.replace("METHOD:CANCEL\r\n", ""))
    with pytest.raises(MailError, match="ics: a calendar sent by mail needs a METHOD"):
        to_message(without_method, sender=SENDER, host=HOST, stamp=STAMP)


def test_a_very_long_title_gives_a_subject_that_fits_the_outbox():
    long_title = "Herinrichting van het centrum, " * 20
    written = session_mail(MailKind.INVITATION, session(title=long_title), OMER, host=HOST, stamp=STAMP)
    assert len(written.subject) == 250 and written.subject.endswith("…")


def test_a_line_break_in_a_name_or_title_cannot_add_a_header(smtp):
    sneaky = replace(OMER, name="Ömer\r\nBcc: everyone@example.nl")
    calendar_session = session(title="Wonen\nX-Spam: yes", attendees=(sneaky,))
    send(mail(MailKind.INVITATION, calendar_session, sneaky), plain(smtp.port))
    message = received(smtp)
    assert message["Bcc"] is None and message["X-Spam"] is None
    assert message["To"].addresses[0].display_name == "Ömer Bcc: everyone@example.nl"
    assert message["Subject"].startswith("Uitnodiging zwermsessie: Wonen X-Spam: yes (")
    assert smtp.inbox.envelopes[0].rcpt_tos == ["omer.celik@example.nl"]


def test_compose_refuses_bad_input_by_name():
    with pytest.raises(ValueError, match="'party' is not a valid MailKind"):
        mail("party")
    with pytest.raises(CalendarDataError, match="language: 'fr' is not one of nl, en"):
        mail(MailKind.INVITATION, language="fr")


def test_login_is_used_when_configured(smtp):
    send(mail(MailKind.INVITATION), plain(smtp.port, username=USER, password=PASSWORD))
    assert smtp.inbox.logins == [USER] and len(smtp.inbox.messages) == 1


def test_a_wrong_password_is_a_permanent_delivery_error(smtp):
    with pytest.raises(MailDeliveryError, match=r"127\.0\.0\.1:\d+ answered 535") as raised:
        send(mail(MailKind.INVITATION), plain(smtp.port, username=USER, password="fout"))
    assert raised.value.temporary is False and smtp.inbox.messages == []


def test_starttls_upgrades_the_connection_and_verifies_the_certificate(certificate):
    with smtp_server(tls_context=server_tls(certificate), require_starttls=True) as server:
        settings = plain(server.port, security=Security.STARTTLS, ca_file=str(certificate[0]))
        send(mail(MailKind.INVITATION), settings)
        assert len(server.inbox.messages) == 1
        with pytest.raises(MailDeliveryError, match="certificate verify failed") as raised:
            send(mail(MailKind.INVITATION), plain(server.port, security=Security.STARTTLS))
        assert raised.value.temporary is False


def test_implicit_tls_on_connect(certificate):
    with smtp_server(ssl_context=server_tls(certificate)) as server:
        send(
            mail(MailKind.INVITATION), plain(server.port, security=Security.SSL, ca_file=str(certificate[0]))
        )
        assert len(server.inbox.messages) == 1


def test_a_server_that_is_down_is_a_temporary_delivery_error():
    port = free_port()  # nothing listens here
    with pytest.raises(
        MailDeliveryError, match=rf"SMTP server 127\.0\.0\.1:{port} could not be reached"
    ) as raised:
        send(mail(MailKind.INVITATION), plain(port))
    assert raised.value.temporary is True


@pytest.mark.parametrize(
    ("answer", "temporary"), [("451 4.3.0 Try again later", True), ("550 5.1.1 No such user", False)]
)
def test_a_refused_recipient_is_a_delivery_error_that_says_whether_to_retry(answer, temporary):
    with smtp_server(Inbox(rcpt_answer=answer)) as server:
        with pytest.raises(MailDeliveryError, match=f"refused geertje@example.nl: {answer}") as raised:
            send(mail(MailKind.INVITATION), plain(server.port))
        assert raised.value.temporary is temporary and server.inbox.envelopes == []


def test_a_missing_certificate_file_is_named(tmp_path):
    settings = plain(25, security=Security.STARTTLS, ca_file=str(tmp_path / "missing.pem"))
    with pytest.raises(MailError, match="smtp.ca_file: cannot use .*missing.pem"):
        send(mail(MailKind.INVITATION), settings)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"port": 0}, "smtp.port: 0 is not a port number"),
        ({"host": ""}, "smtp.host: must not be empty"),
        ({"security": "tls"}, "smtp.security: 'tls' is not one of starttls, ssl, none"),
        ({"password": "x"}, "smtp.username: a password is set but no user name"),
    ],
)
def test_bad_settings_are_refused_by_name(changes, message):
    with pytest.raises(MailError, match=message):
        SmtpSettings(**{"host": "127.0.0.1", **changes})


def test_an_update_says_what_changed_and_where_to_reply(smtp):
    before = session(sequence=1)
    after = session(sequence=2, day=(2027, 1, 14), venue=ONLINE)
    changed = changes(before, after, GEERTJE.key)
    written = session_mail(
        MailKind.UPDATE,
        after,
        GEERTJE,
        host=HOST,
        stamp=STAMP,
        changed=changed,
        respond_url="https://x.nl/r/abc",
    )
    assert "De zwermsessie waarvoor u bent uitgenodigd is gewijzigd." in written.body_text
    assert "\nGewijzigd: de tijd en de plaats.\n" in written.body_text
    assert "\nReageren: https://x.nl/r/abc\n" in written.body_text
    english = session_mail(
        MailKind.UPDATE, after, GEERTJE, host=HOST, stamp=STAMP, language="en", changed=set(Change)
    )
    assert "\nChanged: the time, the place and your table plan.\n" in english.body_text


def test_a_cancellation_offers_no_reply_link():
    written = session_mail(
        MailKind.CANCELLATION,
        session(attendees=(OMER,)),
        GEERTJE,
        host=HOST,
        stamp=STAMP,
        respond_url="https://x",
    )
    assert "https://x" not in written.body_text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("recipient_name", "Jan\r\nBcc: everyone@example.nl"),
        ("subject", "Herinnering\nBcc: everyone@example.nl"),
        ("reply_to", "organisator@example.nl\r\nX-Evil: 1"),
        ("recipient", "jan@example.nl\x00"),
    ],
)
def test_the_builder_refuses_a_line_break_in_a_header_and_names_the_field(field, value):
    stored = Mail("reminder", "k:1", "jan@example.nl", "Jan Jansen", "Herinnering", "Tekst\n")
    with pytest.raises(MailCompositionError) as refused:
        to_message(replace(stored, **{field: value}), sender=SENDER, host=HOST, stamp=STAMP)
    assert str(refused.value).startswith(f"mail.{field}: a mail header may not contain a line break")
    assert "everyone" not in str(refused.value) and "Evil" not in str(refused.value)


def test_a_name_with_a_line_break_is_folded_into_one_header_line_by_the_mail_it_is_written_into():
    attendee = replace(GEERTJE, name="Geertje\r\nBcc: everyone@example.nl")
    message = mail(MailKind.INVITATION, attendee=attendee)
    assert message["To"].addresses[0].display_name == "Geertje Bcc: everyone@example.nl"
    assert "Bcc" not in message
