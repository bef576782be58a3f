"""In Chromium: the organizer reads the draft as a timeline and seat chart, pins through the search field, and
publishes after the confirmation; the review and the equal-treatment page fit a 390 px phone (axe on each)."""

from __future__ import annotations

import re

import pytest

from swarm.config import Config
from swarm.domain.actors import SYSTEM
from swarm.domain.enums import PlanningRoundStatus
from swarm.domain.timeutil import fixed_clock
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import PlanningRound
from swarm.services.plan.queue import enqueue_solve
from swarm.services.plan.worker import run_queued_solves
from tests.web import world as test_world
from tests.web.browser import log_in, requires_chromium, screenshot
from tests.web.world import NOW

pytestmark = [pytest.mark.browser, requires_chromium]


@pytest.fixture
def the_world(engine, database_url) -> test_world.World:
    """The region's round solved into a draft (by the worker, as the scheduler would), nothing published."""
    with unit_of_work(engine) as session:
        built = test_world.build(session, with_schedule=False)
        enqueue_solve(session, built.rounds["home"].id, actor=SYSTEM, time_limit=5, clock=fixed_clock(NOW))
    run_queued_solves(engine, Config.for_tests(database_url=database_url), clock=fixed_clock(NOW))
    return built


def _fits_the_width(page) -> None:
    """Nothing of the page's content is wider than the window (no sideways scrolling for the charts)."""
    too_wide = page.evaluate(
        """() => [...document.querySelectorAll('main svg, main figure, main form, main details, main p')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .map(e => e.tagName + '.' + (e.getAttribute('class') || ''))"""
    )
    assert too_wide == [], too_wide
    assert page.evaluate("document.querySelector('main').scrollWidth <= window.innerWidth")


def test_the_organizer_reads_the_charts_pins_by_search_and_publishes_after_confirming(open_page, the_world):
    from playwright.sync_api import expect

    _open, checker = open_page
    organizer = _open()
    log_in(organizer, checker, the_world.users["organizer_home"].email, test_world.PASSWORD)
    organizer.goto("/organizer/review")
    person = the_world.professionals["home"]

    timeline = organizer.get_by_role("img", name=re.compile("Tijdlijn van het concept"))
    expect(timeline).to_be_visible()
    expect(organizer.get_by_role("img", name=re.compile("Tafelschema"))).to_be_visible()
    expect(organizer.get_by_role("img", name=re.compile("Dekking van de behoeften"))).to_be_visible()
    checker.axe(organizer)
    screenshot(organizer, "organizer-review-charts")

    # The person field starts empty; typing suggests the region's professionals with availability and distance.
    field = organizer.get_by_label("Professional", exact=True)
    expect(field).to_have_value("")
    field.press_sequentially(person.name.split()[-1][:4].lower(), delay=30)
    suggestion = organizer.get_by_role("button", name=re.compile(rf"^{re.escape(person.name)} \(#\d+\)"))
    expect(suggestion).to_contain_text("beschikbaar · 0 km")
    expect(organizer.get_by_role("status").filter(has_text="1 suggesties")).to_have_count(1)
    checker.axe(organizer)
    suggestion.click()
    expect(field).to_have_value(f"{person.name} (#{person.id})")
    organizer.get_by_label("Besluit").select_option("include")
    organizer.get_by_role("button", name=re.compile("^Vastzetten voor")).click()
    expect(organizer.get_by_text("Vastgezet.", exact=False).first).to_be_visible()

    # Publishing names the mails first; only the confirmation publishes.
    organizer.get_by_role("button", name="Deze planning publiceren en de uitnodigingen versturen").click()
    expect(organizer.get_by_role("heading", name="De planning publiceren?")).to_be_visible()
    expect(organizer.locator("#publish-mails")).to_contain_text("Publiceren verstuurt 1 mail, meteen.")
    checker.axe(organizer)
    organizer.get_by_role("button", name="Publiceren en 1 mail versturen").click()
    expect(organizer.get_by_text("Gepubliceerd:", exact=False).first).to_be_visible()


def test_the_review_and_the_equal_treatment_page_fit_a_phone(open_page, the_world, engine):
    from playwright.sync_api import expect

    _open, checker = open_page
    phone = _open()
    phone.set_viewport_size({"width": 390, "height": 844})
    log_in(phone, checker, the_world.users["organizer_home"].email, test_world.PASSWORD)
    phone.goto("/organizer/review")
    expect(phone.get_by_role("img", name=re.compile("Tijdlijn van het concept"))).to_be_visible()
    _fits_the_width(phone)
    checker.axe(phone)
    screenshot(phone, "organizer-review-phone")

    with unit_of_work(engine) as session:  # the round counts as planned: its effect is measured and drawn
        session.get(PlanningRound, the_world.rounds["home"].id).status = PlanningRoundStatus.PLANNED
    phone.goto("/organizer/policy")
    expect(phone.get_by_role("heading", name="Wat de maat betekent")).to_be_visible()
    expect(
        phone.get_by_role("img", name="Uitnodigingen per persoon, onder wie beschikbaar was")
    ).to_be_visible()
    phone.get_by_text("professional die in deze rondes ja of misschien zei", exact=False).click()
    expect(phone.locator("#left-out li")).to_have_text([the_world.professionals["home"].name])
    phone.locator("section[aria-labelledby=turns-heading] summary").click()  # unfold the long table
    _fits_the_width(phone)
    checker.axe(phone)
    screenshot(phone, "organizer-policy-phone")
