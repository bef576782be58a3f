"""Answering an invitation in Chromium, at desktop width and at 390 px (a phone): from the mail's one-time link
(no login, a confirmation with a reason, the link refused the second time), and from a calendar's iMIP REPLY that
the scheduler's job reads from a real reply mailbox. axe-core runs on every page; no page scrolls sideways."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from swarm import calendars as cal
from swarm.config import Config
from swarm.domain.enums import IcsMethod
from swarm.domain.timeutil import fixed_clock
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import Invitation
from swarm.persistence.models import Session as SwarmSession
from swarm.services.ops.session_calendar import attendee_key, session_view
from swarm.services.plan.answer_links import issue_answer_links
from swarm.services.plan.replies import read_replies
from tests.ops.imap_server import start_dovecot, stop_dovecot
from tests.ops.test_replies import REPLY_ADDRESS, deliver, reply_mail
from tests.web.browser import PageChecker, log_in, requires_chromium
from tests.web.world import FIRST_SLOT, NOW, PASSWORD

pytestmark = [pytest.mark.browser, requires_chromium]

WIDTHS = {"desktop": 1280, "phone": 390}


def _look(page, checker) -> None:
    checker.axe(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (
        f"{page.url} scrolls sideways at {page.viewport_size['width']} px"
    )


def _opener(playwright_browser, live, checker, width):
    def open_page():
        context = playwright_browser.new_context(
            base_url=live.url, locale="nl-NL", viewport={"width": WIDTHS[width], "height": 900}
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        checker.watch(page)
        return page

    return open_page


@pytest.mark.parametrize("width", WIDTHS)
def test_a_professional_declines_from_the_mail_link_and_the_organizer_reads_why(
    playwright_browser, live, the_world, engine, width
):
    from playwright.sync_api import expect

    checker = PageChecker(live.url)
    open_page = _opener(playwright_browser, live, checker, width)
    invitation = the_world.invitations["home"]
    with unit_of_work(engine) as session:
        secrets = issue_answer_links(
            session, session.get(Invitation, invitation.id), expires_at=FIRST_SLOT + timedelta(hours=3)
        )

    mail_reader = open_page()  # not logged in: the link is enough
    mail_reader.goto(f"/answer/{secrets['decline']}")
    expect(mail_reader.get_by_role("heading", name="Uitnodiging afwijzen?")).to_be_visible()
    expect(mail_reader.locator("article")).to_contain_text("Inwoners betrekken in Oude IJsselstreek")
    _look(mail_reader, checker)
    mail_reader.get_by_label("Waarom kunt u niet? (niet verplicht; de organisator leest dit)").fill(
        "Ik zit die week in het buitenland."
    )
    mail_reader.get_by_role("button", name="Ja, afwijzen").click()
    expect(mail_reader.locator("article p[role=status]")).to_contain_text("U hebt afgewezen")
    _look(mail_reader, checker)
    mail_reader.goto(f"/answer/{secrets['decline']}")
    expect(mail_reader.locator("main")).to_contain_text("Deze link is al gebruikt.")
    _look(mail_reader, checker)

    professional = open_page()
    log_in(professional, checker, the_world.users["professional_home"].email, PASSWORD)
    professional.goto("/professional/invitations")
    expect(professional.locator(f"#invitation-{invitation.id}")).to_contain_text("afgewezen")
    _look(professional, checker)

    organizer = open_page()
    log_in(organizer, checker, the_world.users["organizer_home"].email, PASSWORD)
    organizer.goto("/organizer/review")
    expect(organizer.locator(".decline-reasons")).to_contain_text("Ik zit die week in het buitenland.")
    _look(organizer, checker)
    assert not checker.csp_violations, checker.csp_violations


@pytest.mark.parametrize("width", WIDTHS)
def test_an_accept_from_a_calendar_reaches_the_invitations_page(
    playwright_browser, live, the_world, engine, database_url, width
):
    from playwright.sync_api import expect

    server, process, root = start_dovecot()
    try:
        config = dataclasses.replace(
            Config.for_tests(database_url),
            imap_host=server.host,
            imap_port=server.port,
            imap_tls="none",
            imap_user=server.user,
            imap_password=server.password,
            reply_address=REPLY_ADDRESS,
        )
        invitation = the_world.invitations["home"]
        with unit_of_work(engine) as session:  # the REQUEST the professional's calendar received
            view = session_view(session, session.get(SwarmSession, invitation.session_id), config)
            attendee = view.calendar.attendee(attendee_key(invitation.professional_id))
            request = cal.invitation(view.calendar, attendee, IcsMethod.REQUEST, host="swarm.test", stamp=NOW)
        deliver(server, reply_mail(request.decode(), attendee.email, "ACCEPTED"))
        assert read_replies(engine, config, fixed_clock(NOW)) == 1
    finally:
        stop_dovecot(process, root)

    checker = PageChecker(live.url)
    professional = _opener(playwright_browser, live, checker, width)()
    log_in(professional, checker, the_world.users["professional_home"].email, PASSWORD)
    professional.goto("/professional/invitations")
    expect(professional.locator(f"#invitation-{invitation.id}")).to_contain_text("Uw antwoord: aanvaard")
    _look(professional, checker)
