"""Rounds that keep coming, in the system Chromium on a desktop and on a 390 px phone, with axe-core on every page.

The organizer opens a round with two slots and a venue; the coordinator submits two questions to it, one nobody
can answer; the organizer plans and publishes, then opens the next round: the question left out has rolled over
to it and says why, and a new question joins the new round. Every page visited passes axe and has no horizontal
scrolling.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime

import pytest

from swarm.config import Config
from swarm.domain.actors import SYSTEM
from swarm.domain.enums import DocumentKind
from swarm.domain.timeutil import fixed_clock
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import PlanningRound, Slot
from swarm.services.people.professionals import (
    ProfileInput,
    register_professional,
    set_availability,
)
from swarm.services.people.qualifications import CheckedDocument, record_checked_document
from tests.web import world as test_world
from tests.web.browser import PageChecker, log_in, requires_chromium, screenshot, too_wide

pytestmark = [pytest.mark.browser, requires_chromium]

# The first round of the world stopped taking questions on 5 January: no round takes them now.
TODAY = datetime(2027, 1, 6, 9, 0, tzinfo=UTC)
CLOCK = fixed_clock(TODAY)


@pytest.fixture
def the_world(engine) -> test_world.World:
    with unit_of_work(engine) as session:
        return test_world.build(session, with_schedule=False)


@pytest.fixture(params=[(1280, 900), (390, 844)], ids=["desktop", "phone"])
def browse(request, playwright_browser, live):
    """browse() -> (page, checker): a fresh browser context of this size on the live app, whose clock is TODAY."""
    live.server.app.config["SWARM_CLOCK"] = CLOCK
    width, height = request.param
    contexts, checker = [], PageChecker(live.url)

    def _open():
        context = playwright_browser.new_context(
            base_url=live.url, locale="nl-NL", viewport={"width": width, "height": height}
        )
        contexts.append(context)
        context.set_default_timeout(15_000)
        page = context.new_page()
        checker.watch(page)
        return page

    yield _open, checker, request.node.callspec.id
    for context in contexts:
        context.close()
    assert not checker.csp_violations, checker.csp_violations


def check(page, checker) -> None:
    """axe finds nothing, and the page does not scroll sideways."""
    checker.axe(page)
    assert not too_wide(page), f"{page.url} scrolls sideways (px, what sticks out): {too_wide(page)}"


def go(page, checker, link: str, role: str = "link") -> None:
    page.get_by_role(role, name=link).first.click()
    page.wait_for_load_state("load")
    check(page, checker)


def open_round(page, checker, name: str, deadline: str, slots: list[tuple[str, str]]) -> None:
    go(page, checker, "Rondes")
    go(page, checker, "Een ronde openen", role="button")  # a link that looks like a button
    page.get_by_label("Naam van de ronde").fill(name)
    page.get_by_label("Uiterste datum beschikbaarheid").fill(deadline)
    for row, (starts, ends) in enumerate(slots):
        page.locator(f"#slots-{row}-starts_at").fill(starts)
        page.locator(f"#slots-{row}-ends_at").fill(ends)
    check(page, checker)
    page.get_by_role("button", name="De ronde openen").click()
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    check(page, checker)


def ask(page, checker, title: str, skill: str, level: str, slot_id: int, *, submit: str) -> None:
    go(page, checker, "Zwermsessie aanvragen")
    page.get_by_label("Titel van het vraagstuk").fill(title)
    page.get_by_label("Competentie, rij 1").select_option(skill)
    page.get_by_label("Minimumniveau, rij 1").select_option(level)
    page.get_by_label("Kleinste tafel").fill("2")
    page.get_by_label("Grootste tafel").fill("4")
    page.locator(f'input[name="slot_ids"][value="{slot_id}"]').check()
    check(page, checker)
    page.get_by_role("button", name=submit).click()


def slot_ids(engine, round_name: str) -> list[int]:
    with unit_of_work(engine) as session:
        planning_round = session.exec(
            PlanningRound.__table__.select().where(PlanningRound.name == round_name)
        ).one()
        return [
            s.id
            for s in session.exec(
                Slot.__table__.select()
                .where(Slot.planning_round_id == planning_round.id)
                .order_by(Slot.starts_at)
            )
        ]


def available_on(engine, world, slot_id: int) -> None:
    """The region's professional and two more say yes to the slot (the journey tests register them in the
    browser; here the availability is not what is tested)."""
    with unit_of_work(engine) as session:
        people = [world.professionals["home"].id]
        for n, kvk in ((1, "11111110"), (2, "22222220")):
            person = register_professional(
                session,
                ProfileInput(
                    name=f"Zzp'er {n}", email=f"zzp{n}@example.nl", kvk_number=kvk,
                    home_place_id=world.places["home"].id, travel_radius_km=40, hourly_rate=80,
                    hours_per_week=16, skills={"participatie": 2}, agreement_signed=True,
                ),
                clock=CLOCK,
            )  # fmt: skip
            for kind in DocumentKind:
                record_checked_document(
                    session,
                    person.id,
                    CheckedDocument(kind, expires_on=date(2028, 1, 1)),
                    actor=SYSTEM,
                    clock=CLOCK,
                )
            people.append(person.id)
        for person_id in people:
            set_availability(session, person_id, {slot_id: "yes"}, actor=SYSTEM, clock=CLOCK)


def test_rounds_keep_coming_and_a_question_left_out_rolls_over(browse, engine, database_url, the_world):
    from playwright.sync_api import expect

    _open, checker, size = browse
    organizer, coordinator = _open(), _open()
    log_in(organizer, checker, the_world.users["organizer_home"].email, test_world.PASSWORD)
    log_in(coordinator, checker, the_world.users["coordinator_home"].email, test_world.PASSWORD)

    # No round takes questions: the coordinator's form says so.
    go(coordinator, checker, "Zwermsessie aanvragen")
    expect(
        coordinator.get_by_text("Geen planningsronde neemt nu vraagstukken aan.", exact=False)
    ).to_be_visible()

    # The organizer opens a round with two slots at the region's venue.
    open_round(
        organizer, checker, "Zwermronde februari", "2027-01-25T17:00",
        [("2027-02-01T09:00", "12:00"), ("2027-02-01T13:30", "16:30")],
    )  # fmt: skip
    expect(organizer.get_by_text("Gemeentehuis Oude IJsselstreek").first).to_be_visible()
    screenshot(organizer, f"organizer-round-{size}")
    morning, _afternoon = slot_ids(engine, "Zwermronde februari")

    # The coordinator submits two questions to it; nobody can answer the second.
    ask(coordinator, checker, "Energie besparen met inwoners", "participatie", "1", morning,
        submit="Opslaan en openstellen voor de regio")  # fmt: skip
    expect(coordinator.get_by_text("open voor beschikbaarheid").first).to_be_visible()
    ask(coordinator, checker, "Een vraag voor specialisten", "omgevingsrecht", "3", morning,
        submit="Opslaan en openstellen voor de regio")  # fmt: skip
    expect(coordinator.get_by_text("Zwermronde februari").first).to_be_visible()
    left_out_page = coordinator.url
    check(coordinator, checker)
    available_on(engine, the_world, morning)

    # The organizer plans the round (a worker solves it) and publishes it.
    go(organizer, checker, "Planning")
    organizer.get_by_label("Tijdslimiet in seconden").fill("5")
    organizer.get_by_role("button", name="Planning starten").click()
    worker = threading.Thread(target=_solve, args=(engine, database_url), daemon=True)
    worker.start()
    expect(organizer.get_by_role("heading", name="Concept", exact=True)).to_be_visible(timeout=60_000)
    worker.join(timeout=60)
    check(organizer, checker)
    organizer.get_by_role("button", name="Deze planning publiceren en de uitnodigingen versturen").click()
    organizer.get_by_role("button", name=re.compile(r"^Publiceren en \d+ mails? versturen$")).click()
    expect(organizer.get_by_text("Gepubliceerd:", exact=False).first).to_be_visible()
    check(organizer, checker)

    # Left out, the question says why and that it moves on.
    coordinator.goto(left_out_page)
    expect(coordinator.get_by_text("Niet gepland in Zwermronde februari.", exact=False)).to_be_visible()
    expect(coordinator.get_by_text("Geen enkel mogelijk tijdvak heeft", exact=False).first).to_be_visible()
    check(coordinator, checker)

    # The next round opens; the question left out joins it, with its history.
    open_round(organizer, checker, "Zwermronde maart", "2027-02-22T17:00", [("2027-03-01T09:00", "12:00")])
    expect(
        organizer.get_by_text("Een vraag voor specialisten")
    ).to_be_visible()  # among the round's questions
    coordinator.goto(left_out_page)
    expect(coordinator.get_by_role("heading", name="Eerdere rondes")).to_be_visible()
    history = coordinator.locator("section[aria-labelledby=history-heading]")
    expect(history.get_by_text("Zwermronde februari", exact=False)).to_be_visible()
    expect(history.get_by_text("Geen enkel mogelijk tijdvak heeft", exact=False)).to_be_visible()
    expect(coordinator.get_by_text("Zwermronde maart", exact=False).first).to_be_visible()
    check(coordinator, checker)
    screenshot(coordinator, f"coordinator-rolled-over-{size}")

    # A new question joins the new round.
    [march] = slot_ids(engine, "Zwermronde maart")
    ask(coordinator, checker, "Jeugdzorg in de kernen", "participatie", "1", march,
        submit="Opslaan en openstellen voor de regio")  # fmt: skip
    expect(coordinator.get_by_text("open voor beschikbaarheid").first).to_be_visible()
    expect(coordinator.get_by_text("Zwermronde maart", exact=False).first).to_be_visible()
    check(coordinator, checker)


def _solve(engine, database_url) -> None:
    from swarm.services.plan.worker import run_queued_solves

    run_queued_solves(engine, Config.for_tests(database_url=database_url), clock=CLOCK)
