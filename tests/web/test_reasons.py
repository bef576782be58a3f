"""Engine reasons (code + facts) read in the page's language; old results without a code keep their English."""

from __future__ import annotations

import html

import pytest

from solver.shell.explain import SENTENCES as SHELL_SENTENCES
from solver.swarm import parse_instance, solve, to_document
from solver.swarm.explain import SENTENCES as SWARM_SENTENCES
from swarm.config import Config
from swarm.domain.enums import RequestStatus
from swarm.domain.timeutil import fixed_clock
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import ProjectRole, RequestNeed, RequestSlot, SwarmRequest
from swarm.services.plan.worker import run_queued_solves
from swarm.webapp.reasons import _RENDER, reason_text, unscheduled_text
from tests.solver.shell.builders import plan
from tests.solver.shell.test_explain import UNFILLED
from tests.solver.swarm.test_explain import CASES, FAST
from tests.web.world import NOW, csrf_token_from

INVITATION_CODES = {
    "covers_need",
    "fills_seat",
    "online_venue",
    "venue_km",
    "slot_answer",
    "recent_invitations",
    "guaranteed_turn",
}


def _swarm_item(case: str) -> dict:
    build, ident, _facts = CASES[case]
    out = to_document(solve(parse_instance(build()), FAST))
    return {u["request"]: u for u in out["unscheduled"]}[ident]


def _shell_item(code: str) -> dict:
    build, role_id, _facts = UNFILLED[code]
    unfilled = plan(build())["unfilled"]
    return unfilled[0] if role_id is None else next(u for u in unfilled if u["role"] == role_id)


def test_the_web_knows_every_code_the_engines_write_for_it():
    assert set(_RENDER) == (set(SWARM_SENTENCES) - INVITATION_CODES) | set(SHELL_SENTENCES)


@pytest.fixture
def in_language(app):
    def _render(language: str, item: dict) -> str:
        with app.test_request_context("/", headers={"Accept-Language": language}):
            return unscheduled_text(item)

    return _render


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_unscheduled_reason_reads_in_dutch(in_language, case):
    item = _swarm_item(case)
    dutch, english = in_language("nl", item), in_language("en", item)
    assert dutch and english and dutch != english
    assert dutch != item["reason"]  # not the engine's English fallback


@pytest.mark.parametrize("code", sorted(UNFILLED))
def test_every_unfilled_reason_reads_in_dutch(in_language, code):
    item = _shell_item(code)
    dutch, english = in_language("nl", item), in_language("en", item)
    assert dutch and english and dutch != english and dutch != item["reason"]


def test_the_spec_example_in_both_languages(in_language):
    item = _swarm_item("no_slot_with_need")  # 2 with jeugdzorg level 2 within 30 km; 1 at "am" in Hall
    assert in_language("nl", item) == (
        "Geen enkel mogelijk tijdvak heeft 2 mensen met jeugdzorg op niveau 2 of hoger binnen 30 km; "
        "het dichtst bij komt dinsdag 12 januari ochtend in Hall met 1."
    )
    assert in_language("en", item) == (
        "No candidate time slot has 2 people with jeugdzorg at level 2 or higher within 30 km; "
        "the nearest fit is Tuesday 12 January morning at Hall with 1."
    )


def test_plural_forms_follow_the_numbers(in_language):
    one = _swarm_item("no_slot_with_need/travel")  # 1 with law; 1 more lives farther than 5 km
    assert in_language("nl", one) == (
        "Geen enkel mogelijk tijdvak heeft 1 persoon met law binnen 5 km; het dichtst bij komt dinsdag 12 januari "
        "ochtend in Hall met 0 (nog 1 woont verder weg dan 5 km)."
    )
    two = {**one, "facts": {**one["facts"], "count": 2, "limit_count": 3}}
    assert "2 mensen met law" in in_language("nl", two) and "nog 3 wonen verder weg" in in_language("nl", two)
    assert "3 more live farther away than 5 km" in in_language("en", two)


def test_an_unknown_code_or_clause_falls_back_to_the_stored_english(in_language):
    old = {"request": "r-1", "reason": "no candidate slot has 2 people with law"}
    assert in_language("nl", old) == old["reason"]
    newer = {**old, "code": "something_new", "facts": {"x": 1}}
    assert in_language("nl", newer) == old["reason"]
    odd_clause = {**_swarm_item("crowded_out/tables_taken"), "facts": {"blocked": "a_new_clause"}}
    assert in_language("nl", odd_clause) == odd_clause["reason"]


def test_stored_assignment_reasons_read_in_the_page_language(app):
    reason = {"code": "recent_assignments", "facts": {"count": 2}, "text": "2 recent assignment(s)"}
    with app.test_request_context("/", headers={"Accept-Language": "nl"}):
        assert reason_text(reason) == "2 recente opdrachten"
        assert reason_text({**reason, "facts": {"count": 1}}) == "1 recente opdracht"
        assert reason_text({"code": "gone", "facts": {}, "text": "kept text"}) == "kept text"
        assert reason_text({"code": "chosen_by_coordinator", "facts": {}}) == "gekozen door de coördinator"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert reason_text(reason) == "2 recent assignments"


def test_an_invitations_turn_says_how_long_the_person_waited_when_known(app):
    facts = {"recent_invitations": 1, "window_rounds": 4, "rounds_waited": 3}
    turn = {"code": "turns", "facts": facts}
    with app.test_request_context("/", headers={"Accept-Language": "nl"}):
        assert reason_text(turn) == (
            "1 uitnodiging in de laatste 4 rondes; beschikbaar in 3 rondes sinds de laatste uitnodiging"
        )
        assert (
            reason_text({**turn, "facts": {**facts, "rounds_waited": 0}})
            == "1 uitnodiging in de laatste 4 rondes"
        )
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert reason_text({**turn, "facts": {**facts, "rounds_waited": 1}}).endswith(
            "available in 1 round since the last invitation"
        )
        # reasons stored before the wait was recorded read as they did
        assert reason_text({"code": "turns", "facts": {"recent_invitations": 2, "window_rounds": 4}}) == (
            "2 invitations in the last 4 rounds"
        )


# --- Pages: a real solve, read in Dutch and in English ----------------------------------------------


def _solve_queued(app, database_url, engine):
    run_queued_solves(engine, Config.for_tests(database_url=database_url), clock=fixed_clock(NOW))


def test_the_review_page_gives_the_unscheduled_reason_in_the_readers_language(
    app, login_as, the_world, engine, database_url
):
    app.config["SWARM_CLOCK"] = fixed_clock(NOW)
    with unit_of_work(engine) as session:
        hard = SwarmRequest(
            municipality_id=the_world.municipalities["home"].id,
            planning_round_id=the_world.rounds["home"].id,
            title="Een vraag die niemand kan beantwoorden",
            table_size_min=2,
            table_size_max=4,
            availability_deadline=NOW,
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
    client = login_as("organizer_home")
    token = csrf_token_from(client.get("/organizer/review").get_data(as_text=True))
    client.post("/organizer/plan/solve", data={"csrf_token": token, "time_limit": "5"})
    _solve_queued(app, database_url, engine)

    dutch = client.get("/organizer/review", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert (
        "Geen enkel mogelijk tijdvak heeft 2 mensen met Omgevingsrecht op niveau 2 of hoger; "
        "het dichtst bij komt dinsdag 12 januari ochtend in Gemeentehuis Oude IJsselstreek met 0."
    ) in dutch
    assert "no candidate slot" not in dutch
    client.post("/language", data={"language": "en", "next": "/", "csrf_token": token})
    english = client.get("/organizer/review").get_data(as_text=True)
    assert (
        "No candidate time slot has 2 people with Environmental law at level 2 or higher; "
        "the nearest fit is Tuesday 12 January morning at Gemeentehuis Oude IJsselstreek with 0."
    ) in english


def test_the_project_page_gives_unfilled_and_assignment_reasons_in_the_readers_language(
    app, login_as, the_world, engine, database_url
):
    app.config["SWARM_CLOCK"] = fixed_clock(NOW)
    project = the_world.projects["home"]
    with unit_of_work(engine) as session:
        session.add(
            ProjectRole(
                project_id=project.id,
                name="Participatiespecialist",
                skill_id=the_world.skills["participatie"].id,
                min_level=3,
                hours_per_week=8,
                first_week="2027-W10",
                last_week="2027-W11",
            )
        )
    client = login_as("coordinator_home")
    path = f"/coordinator/projects/{project.id}"
    token = csrf_token_from(client.get(path).get_data(as_text=True))
    client.post(f"{path}/propose", data={"csrf_token": token})
    _solve_queued(app, database_url, engine)

    dutch = html.unescape(client.get(path, headers={"Accept-Language": "nl"}).get_data(as_text=True))
    assert "Geen enkele professional heeft Participatie op niveau 3 of hoger." in dutch
    assert "heeft Projectleiding op niveau 2 (minstens 1 gevraagd)" in dutch
    assert "€ 90 per uur × 64 uur = € 5.760; de enige geschikte" in dutch
    assert "no professional has" not in dutch and "EUR 90/h" not in dutch
    client.post("/language", data={"language": "en", "next": "/", "csrf_token": token})
    english = html.unescape(client.get(path).get_data(as_text=True))
    assert "No professional has Participation at level 3 or higher." in english
    assert "€ 90 an hour × 64 hours = € 5,760; the only eligible one" in english


def test_a_professional_in_the_facts_is_named_by_their_current_name(app, the_world):
    person = the_world.professionals["home"]
    item = {
        "role": "role-1",
        "reason": 'filling it would lower the score: best candidate "p-1" adds -10 (...)',
        "code": "lowers_score",
        "facts": {"professional": f"p-{person.id}", "value": -10},
    }
    with app.test_request_context("/", headers={"Accept-Language": "nl"}):
        assert unscheduled_text(item) == (
            f"Invullen zou de score verlagen: de beste kandidaat, {person.name}, levert -10 op "
            "(kosten en reisafstand wegen zwaarder dan de ingevulde uren)."
        )
        gone = {**item, "facts": {"professional": "p-999999", "value": -10}}
        assert "de beste kandidaat, p-999999, levert" in unscheduled_text(gone)
        erased = {**item, "facts": {"professional": "erased-3", "value": -10}}
        assert "de beste kandidaat, een verwijderde professional, levert" in unscheduled_text(erased)
