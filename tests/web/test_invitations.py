"""Invitations a professional can act on: what it is for, add it to the calendar, decline with a reason the
organizer reads, and answer from the mail's one-time links without logging in."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from icalendar import Calendar

from swarm.domain.enums import InvitationResponse, PinKind
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import Invitation, Pin
from swarm.services.plan.answer_links import issue_answer_links
from tests.web.world import FIRST_SLOT, csrf_token_from

REASONS = [
    {"code": "skill", "facts": {"request": 0, "skill": "participatie", "level": 2, "min_level": 1}},
    {"code": "availability", "facts": {"answer": "yes"}},
    {"code": "travel", "facts": {"km": 12}},
    {"code": "turns", "facts": {"recent_invitations": 0, "window_rounds": 4, "rounds_waited": 2}},
]


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _invitation(engine, invitation_id: int) -> Invitation:
    with unit_of_work(engine) as session:
        return session.get(Invitation, invitation_id)


@pytest.fixture
def invited(engine, the_world) -> Invitation:
    """The home professional's invitation, with the reasons the planner stores and a pin by the organizer."""
    invitation = the_world.invitations["home"]
    with unit_of_work(engine) as session:
        row = session.get(Invitation, invitation.id)
        row.reasons = REASONS
        session.add(row)
        session.add(
            Pin(
                request_id=the_world.requests["home"].id,
                professional_id=the_world.professionals["home"].id,
                kind=PinKind.INCLUDE,
            )
        )
    return invitation


def _article(page: str, invitation_id: int) -> str:
    start = page.index(f'id="invitation-{invitation_id}"')
    return page[start : page.index("</article>", start)]


def test_an_invitation_says_what_it_is_for_where_once_and_why_you(login_as, the_world, invited):
    page = _text(login_as("professional_home").get("/professional/invitations"))
    article = _article(page, invited.id)
    assert "Inwoners betrekken in Oude IJsselstreek" in article and "tafel 1" in article
    assert article.count("Gemeentehuis Oude IJsselstreek") == 1  # the venue once
    assert "Zet in agenda" in article
    for sentence in (
        "u heeft Participatie op niveau 2 (gevraagd: minstens 1)",
        "u gaf aan dat u op dit moment kunt",
        "u woont 12 km van de locatie",
        "u was sinds uw laatste uitnodiging 2 rondes beschikbaar, dus u was aan de beurt",
    ):
        assert sentence in article
    assert "antwoordde" not in article and "uitnodigingen in de laatste" not in article
    assert "De organisator heeft u zelf voor deze sessie ingedeeld." in article


def test_without_a_pin_the_invitation_does_not_say_the_organizer_placed_you(login_as, the_world):
    page = _text(login_as("professional_home").get("/professional/invitations"))
    assert "De organisator heeft u zelf" not in _article(page, the_world.invitations["home"].id)


def test_add_to_calendar_downloads_that_one_session_with_only_you_and_the_organizer(
    login_as, the_world, invited
):
    client = login_as("professional_home")
    response = client.get(f"/professional/invitations/{invited.id}/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    calendar = Calendar.from_ical(response.data)
    [event] = calendar.walk("VEVENT")
    assert "METHOD" not in calendar  # an event to keep, not an iTIP message that asks for a reply
    assert event.decoded("DTSTART") == FIRST_SLOT
    attendees = sorted(str(a).removeprefix("mailto:") for a in event.get("ATTENDEE"))
    assert attendees == sorted(["pro.achterhoek@example.nl", "organizer.achterhoek@example.nl"])
    assert "Inwoners betrekken in Oude IJsselstreek" in str(event["DESCRIPTION"])
    foreign = the_world.invitations["foreign"].id
    assert client.get(f"/professional/invitations/{foreign}/calendar.ics").status_code in (403, 404)


def test_declining_asks_first_and_the_organizer_reads_the_reason(app, login_as, engine, the_world, invited):
    client = login_as("professional_home")
    page = client.get(f"/professional/invitations/{invited.id}/decline")
    text = _text(page)
    assert page.status_code == 200 and "Uitnodiging afwijzen?" in text and "<textarea" in text
    assert (
        _invitation(engine, invited.id).response == InvitationResponse.NEEDS_ACTION
    )  # asking changes nothing
    response = client.post(
        f"/professional/invitations/{invited.id}/decline",
        data={"csrf_token": csrf_token_from(text), "reason": "Ik ben die dag op cursus."},
    )
    assert response.status_code == 302
    declined = _invitation(engine, invited.id)
    assert declined.response == InvitationResponse.DECLINED
    assert declined.decline_reason == "Ik ben die dag op cursus."
    review = _text(login_as("organizer_home").get("/organizer/review"))
    assert "Waarom mensen afzegden:" in review and "Ik ben die dag op cursus." in review
    request_page = login_as("coordinator_home").get(f"/coordinator/requests/{the_world.requests['home'].id}")
    coordinator = _text(request_page)
    assert request_page.status_code == 200 and "Inwoners betrekken" in coordinator
    assert "Ik ben die dag op cursus." not in coordinator  # the reason is for the organizer


def test_a_reason_longer_than_500_characters_is_refused_at_its_field(login_as, engine, invited):
    client = login_as("professional_home")
    token = csrf_token_from(_text(client.get(f"/professional/invitations/{invited.id}/decline")))
    response = client.post(
        f"/professional/invitations/{invited.id}/decline", data={"csrf_token": token, "reason": "x" * 501}
    )
    assert response.status_code in (400, 422)
    assert "Gebruik hooguit 500 tekens." in _text(response)
    assert _invitation(engine, invited.id).response == InvitationResponse.NEEDS_ACTION


def test_someone_elses_invitation_cannot_be_declined(login_as, the_world):
    foreign = the_world.invitations["foreign"].id
    assert (
        login_as("professional_home").get(f"/professional/invitations/{foreign}/decline").status_code == 404
    )


# -- answering from the mail ----------------------------------------------------------------------------------------


@pytest.fixture
def links(engine, invited) -> dict[str, str]:
    """The accept and decline links of the invitation's mail (as publishing writes them)."""
    with unit_of_work(engine) as session:
        row = session.get(Invitation, invited.id)
        secrets = issue_answer_links(session, row, expires_at=FIRST_SLOT + timedelta(hours=3))
    return {answer: f"/answer/{secret}" for answer, secret in secrets.items()}


def test_the_accept_link_asks_to_confirm_and_then_accepts_once_without_a_login(
    client, engine, invited, links
):
    page = client.get(links["accept"])
    text = _text(page)
    assert page.status_code == 200 and "Uitnodiging aanvaarden?" in text
    assert "Inwoners betrekken in Oude IJsselstreek" in text
    assert (
        _invitation(engine, invited.id).response == InvitationResponse.NEEDS_ACTION
    )  # opening changes nothing
    done = client.post(links["accept"], data={"csrf_token": csrf_token_from(text)})
    assert done.status_code == 200 and "u hebt de uitnodiging aanvaard" in _text(done)
    assert _invitation(engine, invited.id).response == InvitationResponse.ACCEPTED
    again = client.get(links["accept"])
    assert again.status_code == 410 and "Deze link is al gebruikt." in _text(again)


def test_the_decline_link_takes_a_reason_and_declines(client, engine, invited, links):
    text = _text(client.get(links["decline"]))
    assert "Uitnodiging afwijzen?" in text and "<textarea" in text
    done = client.post(
        links["decline"], data={"csrf_token": csrf_token_from(text), "reason": "Ziek, helaas."}
    )
    assert done.status_code == 200
    declined = _invitation(engine, invited.id)
    assert declined.response == InvitationResponse.DECLINED and declined.decline_reason == "Ziek, helaas."
    # the accept link of the same mail still works once: people change their minds
    text = _text(client.get(links["accept"]))
    client.post(links["accept"], data={"csrf_token": csrf_token_from(text)})
    assert _invitation(engine, invited.id).response == InvitationResponse.ACCEPTED


def test_a_link_answer_without_the_forms_token_changes_nothing(client, engine, invited, links):
    client.get(links["accept"])
    response = client.post(links["accept"], data={})
    assert response.status_code in (200, 400)
    assert _invitation(engine, invited.id).response == InvitationResponse.NEEDS_ACTION
    assert client.get(links["accept"]).status_code == 200  # not used up


def test_an_unknown_link_is_refused_in_dutch(client):
    response = client.get("/answer/not-a-link-of-ours")
    assert response.status_code == 404 and "Deze link is onbekend." in _text(response)


def _your(app, language: str, reasons: list) -> list[str]:
    from swarm.webapp.reasons import your_reasons

    with app.test_request_context("/", headers={"Accept-Language": language}):
        return your_reasons(reasons)


def test_turns_speak_for_you_only_when_they_did(app, the_world):
    def turns(recent: int, waited: int) -> list:
        facts = {"recent_invitations": recent, "window_rounds": 4, "rounds_waited": waited}
        return [{"code": "turns", "facts": facts}]

    assert _your(app, "nl", turns(0, 0)) == ["u bent de laatste 4 rondes niet uitgenodigd"]
    assert _your(app, "en", turns(0, 1)) == [
        "you were available in 1 round since your last invitation, so it was your turn"
    ]
    assert _your(app, "nl", turns(3, 0)) == []  # invited lately: no reason for, and none to mention
    unknown = [{"code": "coverage", "facts": {}, "text": "Some engine sentence"}]
    assert _your(app, "nl", unknown + turns(0, 0)) == ["u bent de laatste 4 rondes niet uitgenodigd"]
