"""The organizer's plan as pictures: the timeline, seat and coverage charts (SVG beside their tables), and the
searchable person field for pins (its suggestions endpoint, and typing a name without any script)."""

import re

from sqlmodel import select

from swarm.domain.enums import AvailabilityAnswer
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import Availability, Pin, Professional
from tests.web.test_organizer import _organizer_with_a_solved_draft


def _svg(page: str, css_class: str) -> str:
    match = re.search(rf'<svg class="chart {css_class}".*?</svg>', page, re.S)
    assert match, f"no {css_class} on the page"
    return match.group(0)


def test_the_draft_is_drawn_as_a_timeline_a_seat_chart_and_coverage_beside_its_tables(
    app, login_as, the_world, engine, database_url
):
    client, _token = _organizer_with_a_solved_draft(app, login_as, engine, database_url)
    page = client.get("/organizer/review").get_data(as_text=True)
    title = the_world.requests["home"].title
    person = the_world.professionals["home"].name

    timeline = _svg(page, "timeline-chart")
    assert 'role="img"' in timeline and "Tijdlijn van het concept" in timeline
    assert timeline.count('<g class="block fill-') == 1
    # one person at a table of at most 4: a quarter of the seats, drawn as "low" and said in words
    assert 'class="block fill-low"' in timeline and "1 van 4 plaatsen (25 %)" in timeline
    assert title in timeline and "Inwoners betrekken" in timeline
    assert "minder dan de helft van de plaatsen bezet" in page  # the colour legend
    assert '<table class="timeline">' in page  # the text alternative stays

    seats = _svg(page, "seat-chart")
    assert "Tafelschema: wie aan welke tafel zit in elke ronde" in seats
    assert f"{person}, ronde 1: tafel 1, {title}" in seats and ">T1</text>" in seats
    assert f"T1: {title}" in page  # the legend names the table
    # one table, so the same people every round: said once, not listed again per round
    assert "Eén tafel: iedereen blijft er alle rondes aan zitten." in page
    session_table = page.split(f"Tafel 1: {title}")[1].split("</table>")[0]
    assert "Alle 3 rondes" in session_table and "Ronde 2" not in session_table
    assert session_table.count(person) == 1

    coverage = _svg(page, "coverage-chart")
    assert "Dekking van de behoeften" in coverage and "Participatie" in coverage
    assert 'class="covered"' in coverage and "1/1 ✓" in coverage

    english = client.get("/organizer/review", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "1 of 4 seats (25 %)" in _svg(english, "timeline-chart")
    assert "Seat chart: who sits at which table in each round" in english


def test_the_person_field_starts_empty_and_lists_no_professionals(
    app, login_as, the_world, engine, database_url
):
    client, _token = _organizer_with_a_solved_draft(app, login_as, engine, database_url)
    page = client.get("/organizer/review").get_data(as_text=True)
    request_id = the_world.requests["home"].id
    field = re.search(rf'<input[^>]*id="pin{request_id}-professional_id"[^>]*>', page).group(0)
    assert 'type="text"' in field and 'value=""' in field and "aria-describedby" in field
    assert "<option" not in page.split('id="draft-heading"')[1].split("</section>")[0].replace(
        '<option value="include"', ""
    ).replace('<option value="exclude"', "")
    assert "Typ een naam of nummer" in page and "/static/pins.js" in page


def test_suggestions_show_availability_and_distance_for_the_tables_slot(
    app, login_as, the_world, engine, database_url
):
    client, _token = _organizer_with_a_solved_draft(app, login_as, engine, database_url)
    request_id = the_world.requests["home"].id
    home = the_world.professionals["home"]
    with unit_of_work(engine) as session:
        other = Professional(
            name="Bram Bakker", email="bram@example.nl", kvk_number="76543210", region_id=home.region_id
        )
        session.add(other)
        session.flush()
        session.add(
            Availability(
                professional_id=other.id,
                slot_id=the_world.slots["home"][0].id,
                answer=AvailabilityAnswer.MAYBE,
            )
        )
        other_id = other.id
    url = f"/organizer/requests/{request_id}/pin-suggestions.json?"
    assert client.get(url).get_json() == [] and client.get(url + "&q=").get_json() == []  # empty at first
    assert client.get(url + "&q=%25").get_json() == []  # a % is a character, not a wildcard

    [found] = client.get(url + "&q=" + home.name.split()[0].lower()).get_json()
    assert found["id"] == home.id and found["answer"] == "yes" and found["km"] == 0.0
    assert found["value"] == f"{home.name} (#{home.id})"
    assert found["text"] == f"{home.name} (#{home.id}) · beschikbaar · 0 km"

    [bram] = client.get(url + "&q=bram").get_json()
    assert bram["answer"] == "maybe" and bram["km"] is None and "als het moet" in bram["text"]
    by_number = client.get(url + f"&q={other_id}", headers={"Accept-Language": "en"}).get_json()
    assert [b["id"] for b in by_number] == [other_id] and "available if need be" in by_number[0]["text"]

    foreign = the_world.requests["foreign"].id
    assert client.get(f"/organizer/requests/{foreign}/pin-suggestions.json?q=a").status_code == 404
    foreign_person = the_world.professionals["foreign"].name
    assert client.get(url + "&q=" + foreign_person).get_json() == []


def test_a_pin_is_set_by_typing_a_name_or_choosing_a_suggestion_without_any_script(
    app, login_as, the_world, engine, database_url
):
    client, token = _organizer_with_a_solved_draft(app, login_as, engine, database_url)
    request, person = the_world.requests["home"], the_world.professionals["home"]
    prefix = f"pin{request.id}"

    def pin(typed: str):
        return client.post(
            "/organizer/pins",
            data={
                f"{prefix}-csrf_token": token,
                f"{prefix}-request_id": str(request.id),
                f"{prefix}-professional_id": typed,
                f"{prefix}-kind": "exclude",
            },
            follow_redirects=True,
        ).get_data(as_text=True)

    refused = pin("Niemand Bekend")
    assert (
        f"Professional (Vastzetten voor {request.title}): "
        "Geen professional uit de regio heeft deze naam of dit nummer" in refused
    )
    assert "Geen professional uit de regio" in pin(the_world.professionals["foreign"].name)
    with unit_of_work(engine) as session:
        assert session.exec(select(Pin)).all() == []

    pin(person.name.upper())  # the whole name, in any case
    pin(f"{person.name} (#{person.id})")  # a chosen suggestion: the same pin again
    with unit_of_work(engine) as session:
        assert [(p.professional_id, p.kind) for p in session.exec(select(Pin))] == [(person.id, "exclude")]


def test_the_seat_chart_is_drawn_anew_when_a_name_or_the_language_changes(
    app, login_as, the_world, engine, database_url
):
    """The review keeps drawn seat charts (they are its costliest part); what they show is their key."""
    client, _token = _organizer_with_a_solved_draft(app, login_as, engine, database_url)
    person = the_world.professionals["home"]
    assert f"{person.name}, ronde 1: tafel 1" in _svg(
        client.get("/organizer/review").get_data(as_text=True), "seat-chart"
    )
    with unit_of_work(engine) as session:
        session.get(Professional, person.id).name = "Anna Nieuwenaam"
    seats = _svg(client.get("/organizer/review").get_data(as_text=True), "seat-chart")
    assert "Anna Nieuwenaam, ronde 1: tafel 1" in seats and person.name not in seats
    english = client.get("/organizer/review", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Anna Nieuwenaam, round 1: table 1" in _svg(english, "seat-chart")
