"""The organizer's planning rounds without a browser: open one, change it, close it, plan the one chosen."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from swarm.config import Config
from swarm.domain.enums import RequestStatus
from swarm.domain.timeutil import fixed_clock
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import (
    PlanningRound,
    RequestNeed,
    RequestSlot,
    RoundCadence,
    Slot,
    SlotVenue,
    SwarmRequest,
)
from swarm.services.plan.worker import run_queued_solves
from tests.web.world import NOW, csrf_token_from


@pytest.fixture
def organizer(app, login_as):
    app.config["SWARM_CLOCK"] = fixed_clock(NOW)
    return login_as("organizer_home")


def _post(client, path, data):
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def _new_round(world, **changes):
    venue = str(world.venues["home"].id)
    data = {
        "name": "Zwermronde februari",
        "availability_deadline": "2027-01-25T17:00",
        "time_limit_seconds": "45",
        "slots-0-starts_at": "2027-02-01T09:00",
        "slots-0-ends_at": "12:00",
        "slots-0-venue_ids": [venue],
        "slots-1-starts_at": "",  # the row between is left empty
        "slots-1-ends_at": "",
        "slots-2-starts_at": "2027-02-01T13:30",
        "slots-2-ends_at": "16:30",
        "slots-2-venue_ids": [venue],
    }
    data.update(changes)
    return data


def test_the_organizer_opens_a_round_with_two_slots_and_a_venue(organizer, engine, the_world):
    page = organizer.get("/organizer/rounds/new").get_data(as_text=True)
    assert "Een planningsronde openen" in page and 'type="datetime-local"' in page and 'type="time"' in page
    response = _post(organizer, "/organizer/rounds/new", _new_round(the_world))
    assert response.status_code == 302, response.get_data(as_text=True)
    with unit_of_work(engine) as session:
        created = session.exec(select(PlanningRound).where(PlanningRound.name == "Zwermronde februari")).one()
        slots = session.exec(
            select(Slot).where(Slot.planning_round_id == created.id).order_by(Slot.starts_at)
        ).all()
        assert [s.code for s in slots] == ["2027-02-01-am", "2027-02-01-pm"]
        assert created.time_limit_seconds == 45
        assert created.availability_deadline == datetime(2027, 1, 25, 16, tzinfo=UTC)
        venues = set(
            session.exec(select(SlotVenue.venue_id).where(SlotVenue.slot_id.in_([s.id for s in slots])))
        )
    assert venues == {the_world.venues["home"].id}
    page = organizer.get(response.headers["Location"]).get_data(as_text=True)
    assert "Zwermronde februari" in page and "neemt vraagstukken en beschikbaarheid aan" in page
    assert "Gemeentehuis Oude IJsselstreek" in page
    listing = organizer.get("/organizer/rounds").get_data(as_text=True)
    assert "Zwermronde februari" in listing and "2027 Q1" in listing


def test_a_slot_in_the_past_is_refused_at_its_own_row_and_the_input_is_kept(organizer, engine, the_world):
    data = _new_round(the_world, **{"slots-2-starts_at": "2026-11-30T13:30"})
    response = _post(organizer, "/organizer/rounds/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="slots-2-starts_at-error"' in page and "Een tijdvak moet in de toekomst beginnen." in page
    assert 'value="2026-11-30T13:30"' in page and 'value="Zwermronde februari"' in page
    assert 'href="#slots-2-starts_at"' in page  # the summary above the form links to the field
    with unit_of_work(engine) as session:
        assert (
            session.exec(select(PlanningRound).where(PlanningRound.name == "Zwermronde februari")).first()
            is None
        )


def test_a_slot_without_an_end_or_a_venue_is_refused_at_its_field(organizer, the_world):
    page = _post(
        organizer, "/organizer/rounds/new", _new_round(the_world, **{"slots-0-ends_at": ""})
    ).get_data(as_text=True)
    assert 'id="slots-0-ends_at-error"' in page
    data = _new_round(the_world)
    del data["slots-2-venue_ids"]
    page = _post(organizer, "/organizer/rounds/new", data).get_data(as_text=True)
    assert 'id="slots-2-venue_ids-error"' in page and "Kies minstens één locatie voor dit tijdvak." in page


def test_the_organizer_renames_a_round_moves_its_deadline_and_takes_a_slot_out(organizer, engine, the_world):
    planning_round, slots = the_world.rounds["home"], the_world.slots["home"]
    path = f"/organizer/rounds/{planning_round.id}"
    page = organizer.get(path).get_data(as_text=True)
    assert 'name="existing-0-remove"' in page
    venue = str(the_world.venues["home"].id)
    data = {
        "name": "Januari",
        "availability_deadline": "2027-01-08T12:00",
        **{f"existing-{i}-slot_id": str(slot.id) for i, slot in enumerate(slots)},
        **{f"existing-{i}-venue_ids": [venue] for i in range(3)},
        "existing-2-remove": "y",
    }
    response = _post(organizer, path, data)
    assert response.status_code == 302, response.get_data(as_text=True)
    with unit_of_work(engine) as session:
        changed = session.get(PlanningRound, planning_round.id)
        assert changed.name == "Januari" and changed.availability_deadline == datetime(
            2027, 1, 8, 11, tzinfo=UTC
        )
        assert session.get(Slot, slots[2].id) is None
    # A slot with a published session stays.
    data["existing-0-remove"] = "y"
    del data["existing-2-slot_id"], data["existing-2-venue_ids"], data["existing-2-remove"]
    page = _post(organizer, path, data).get_data(as_text=True)
    assert 'id="existing-0-remove-error"' in page


def test_after_the_poll_closed_only_name_and_time_limit_change(app, organizer, engine, the_world):
    app.config["SWARM_CLOCK"] = fixed_clock(datetime(2027, 1, 6, 9, tzinfo=UTC))
    planning_round = the_world.rounds["home"]
    path = f"/organizer/rounds/{planning_round.id}"
    page = organizer.get(path).get_data(as_text=True)
    assert "beschikbaarheid gesloten, wordt gepland" in page and 'name="availability_deadline"' not in page
    response = _post(organizer, path, {"name": "Januari", "time_limit_seconds": "90"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with unit_of_work(engine) as session:
        changed = session.get(PlanningRound, planning_round.id)
        assert (changed.name, changed.time_limit_seconds) == ("Januari", 90)


def test_a_round_with_sessions_to_come_is_not_closed_and_says_why(app, organizer, engine, the_world):
    planning_round = the_world.rounds["home"]
    path = f"/organizer/rounds/{planning_round.id}"
    token = csrf_token_from(organizer.get(path).get_data(as_text=True))
    organizer.post(f"{path}/close", data={"csrf_token": token})
    assert "Deze ronde heeft nog sessies te gaan" in organizer.get(path).get_data(as_text=True)
    app.config["SWARM_CLOCK"] = fixed_clock(datetime(2027, 1, 20, tzinfo=UTC))
    organizer.post(f"{path}/close", data={"csrf_token": token})
    with unit_of_work(engine) as session:
        assert session.get(PlanningRound, planning_round.id).status == "closed"
    page = organizer.get(path).get_data(as_text=True)
    assert "afgesloten" in page and 'name="name"' not in page


def test_the_review_plans_the_round_asked_for_and_no_other_regions(organizer, the_world):
    assert organizer.get(f"/organizer/review?round={the_world.rounds['home'].id}").status_code == 200
    assert organizer.get(f"/organizer/review?round={the_world.rounds['foreign'].id}").status_code == 404
    page = organizer.get("/organizer/review").get_data(as_text=True)
    assert f'name="round_id" type="hidden" value="{the_world.rounds["home"].id}"' in page


def test_a_question_a_published_round_left_out_says_why_and_rolls_over_to_the_next_round(
    app, organizer, login_as, engine, database_url, the_world
):
    """The organizer solves and publishes; the question nobody can answer stays unplanned, its page says why,
    and when the organizer opens the next round it joins it and keeps the reason under "Earlier rounds"."""
    with unit_of_work(engine) as session:
        hard = SwarmRequest(
            municipality_id=the_world.municipalities["home"].id,
            planning_round_id=the_world.rounds["home"].id,
            title="Een vraag die niemand kan beantwoorden",
            table_size_min=2,
            table_size_max=4,
            availability_deadline=the_world.rounds["home"].availability_deadline,
            status=RequestStatus.OPEN,
        )
        session.add(hard)
        session.flush()
        session.add(RequestSlot(request_id=hard.id, slot_id=the_world.slots["home"][0].id))
        session.add(
            RequestNeed(
                request_id=hard.id, skill_id=the_world.skills["omgevingsrecht"].id, count=2, min_level=2
            )
        )
        hard_id = hard.id
    token = csrf_token_from(organizer.get("/organizer/review").get_data(as_text=True))
    organizer.post("/organizer/plan/solve", data={"csrf_token": token, "time_limit": "5"})
    run_queued_solves(engine, Config.for_tests(database_url=database_url), clock=fixed_clock(NOW))
    organizer.post("/organizer/plan/publish", data={"csrf_token": token})

    coordinator = login_as("coordinator_home")
    page = coordinator.get(f"/coordinator/requests/{hard_id}").get_data(as_text=True)
    assert "Niet gepland in 2027 Q1." in page
    assert "Geen enkel mogelijk tijdvak heeft 2 mensen met Omgevingsrecht op niveau 2 of hoger" in page
    assert "Het gaat vanzelf mee naar de volgende ronde zodra die opengaat." in page

    response = _post(organizer, "/organizer/rounds/new", _new_round(the_world))
    assert response.status_code == 302
    page = coordinator.get(f"/coordinator/requests/{hard_id}").get_data(as_text=True)
    assert "Zwermronde februari" in page and "neemt vraagstukken en beschikbaarheid aan" in page
    earlier = page[page.index('id="history-heading"') :]
    assert "2027 Q1" in earlier and "Geen enkel mogelijk tijdvak heeft 2 mensen" in earlier
    assert "maandag 1 februari 2027" in page  # it may now be held in the new round's slots


def _cadence(world, **changes):
    data = {
        "active": "y",
        "name": "Zwermronde",
        "week_of_month": "1",
        "weekday": "0",
        "every_months": "1",
        "slots_after_weeks": "4",
        "slot_times-0-starts": "09:00",
        "slot_times-0-ends": "12:00",
        "slot_times-1-starts": "13:00",
        "slot_times-1-ends": "16:00",
        "slot_times-2-starts": "",
        "slot_times-2-ends": "",
        "deadline_days_before": "7",
        "venue_ids": [str(world.venues["home"].id)],
    }
    data.update(changes)
    return data


def test_the_cadence_is_previewed_in_plain_words_before_it_is_saved(organizer, engine, the_world):
    page = organizer.get("/organizer/cadence").get_data(as_text=True)
    assert "Ritme van de rondes" in page and ">maandag</option>" in page
    preview = _post(organizer, "/organizer/cadence", {**_cadence(the_world), "preview": "1"}).get_data(
        as_text=True
    )
    assert "Voorbeeld, nog niet opgeslagen" in preview and "Elke eerste maandag van de maand:" in preview
    assert (
        "maandag 7 december 2026: er gaat een ronde open met tijdvakken op maandag 4 januari 2027, "
        "09:00–12:00 en 13:00–16:00, in Gemeentehuis Oude IJsselstreek; professionals en coördinatoren "
        "reageren tot maandag 28 december, 09:00."
    ) in preview
    assert (
        "maandag 4 januari 2027: er gaat een ronde open" in preview
        and "maandag 1 februari 2027: er gaat" in preview
    )
    with unit_of_work(engine) as session:
        assert session.exec(select(RoundCadence)).first() is None

    assert _post(organizer, "/organizer/cadence", _cadence(the_world)).status_code == 302
    page = organizer.get("/organizer/cadence").get_data(as_text=True)
    assert "De volgende drie openingen" in page and "maandag 7 december 2026: er gaat" in page
    assert "De volgende ronde gaat volgens het ritme open op maandag 7 december 2026." in organizer.get(
        "/organizer/rounds"
    ).get_data(as_text=True)


def test_a_cadence_whose_deadline_falls_before_its_opening_is_refused_at_the_field(organizer, the_world):
    response = _post(organizer, "/organizer/cadence", _cadence(the_world, deadline_days_before="30"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="deadline_days_before-error"' in page
    assert "De uiterste datum moet tussen de openingsdag en het eerste tijdvak vallen." in page
    half = _cadence(the_world, **{"slot_times-1-ends": ""})
    assert 'id="slot_times-1-ends-error"' in _post(organizer, "/organizer/cadence", half).get_data(
        as_text=True
    )
