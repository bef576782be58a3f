"""The policy page shows the fairness weight's measured effect: the simulated one at the field, the region's own."""

from pathlib import Path

from swarm.domain.enums import AvailabilityAnswer, PlanningRoundStatus
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import Availability, PlanningRound, Professional
from swarm.webapp.forms.organizer import PolicyForm


def test_the_weight_field_describes_its_simulated_effect_in_dutch_and_english(login_as):
    client = login_as("organizer_home")
    page = client.get("/organizer/policy").get_data(as_text=True)
    assert 'aria-describedby="weight_fairness-hint"' in page
    hint = page.split('id="weight_fairness-hint">')[1].split("</small>")[0]
    assert "gewicht 5: Gini 0,22-0,24" in hint and "Met 0 staat de rotatie uit." in hint
    assert "wie het langst heeft gewacht" in page and "hooguit 2,5% verschil" in page and "loting" not in page
    english = client.get("/organizer/policy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "weight 5: Gini 0.22-0.24" in english and "at most 2.5% of the skill match apart" in english


def test_the_regions_own_effect_is_measured_over_its_published_rounds(login_as, the_world, engine):
    client = login_as("organizer_home")
    page = client.get("/organizer/policy").get_data(as_text=True)
    assert "nog geen gemeten effect in deze regio" in page

    with unit_of_work(engine) as session:
        planning_round = session.get(PlanningRound, the_world.rounds["home"].id)
        planning_round.status = PlanningRoundStatus.PLANNED
        invited = the_world.professionals["home"]
        # A second available professional of the region who was not invited: rates [1, 0], Gini 0.5.
        other = Professional(
            name="Nog Niet Uitgenodigd",
            email="wacht@example.nl",
            kvk_number="87654321",
            region_id=invited.region_id,
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
        # A third one who never said they were available: not counted, and not named as left out.
        session.add(
            Professional(
                name="Nooit Beschikbaar",
                email="nooit@example.nl",
                kvk_number="34567890",
                region_id=invited.region_id,
            )
        )
    page = client.get("/organizer/policy").get_data(as_text=True)
    effect = page.split('id="measured-effect">')[1].split("</p>")[0]
    assert "over 1 gepubliceerde ronde" in effect and "van de 2 professionals" in effect
    assert "0,50" in effect and "Nooit uitgenodigd: 1." in effect
    left_out = page.split('<details id="left-out">')[1].split("</details>")[0]
    assert "1 professional die in deze rondes ja of misschien zei, is niet uitgenodigd" in left_out
    assert "<li>Nog Niet Uitgenodigd</li>" in left_out and "Nooit Beschikbaar" not in left_out
    # in plain words, and as a chart of invitations per person (one never, one once) beside its table
    assert "Een Gini van 0,50 betekent dat de uitnodigingen zeer ongelijk verdeeld zijn" in page
    assert "0 betekent dat iedereen even vaak is uitgenodigd" in page
    chart = page.split('<svg class="chart histogram-chart"')[1].split("</svg>")[0]
    assert 'role="img"' in chart and chart.count('class="bar"') == 2
    assert "0 uitnodigingen: 1 persoon." in chart and "1 uitnodiging: 1 persoon." in chart
    table = page.split('<table id="histogram-table">')[1].split("</table>")[0]
    assert "<td>0</td><td>1</td>" in table and "<td>1</td><td>1</td>" in table


def _ranges_in_benchmarks(weight: int) -> tuple[str, str, str]:
    """(Gini, never invited, skill %) as "low-high" for the engine at this weight, from docs/benchmarks.md."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    section = text.split("## Equal treatment over time", 1)[1].split("\n## ", 1)[0]
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("| ") and f"| engine, fairness {weight} |" in line
    ]
    assert rows, f"no rows for fairness {weight}"
    gini = [float(row[2]) for row in rows]
    never = [int(row[3].split("/")[0]) for row in rows]
    skill = [float(row[4].rstrip(" %")) for row in rows]

    def span(values, show):
        return f"{show(min(values))}-{show(max(values))}"

    return span(gini, lambda v: f"{v:.2f}"), span(never, str), span(skill, lambda v: f"{round(v)}")


def test_the_simulated_effect_in_the_hint_matches_docs_benchmarks():
    text = str(PolicyForm.measured_effect._args[0])
    for weight in (5, 2):
        gini, never, skill = _ranges_in_benchmarks(weight)
        part = text.split(f"weight {weight}: ", 1)[1].split(";", 1)[0]
        assert f"Gini {gini}" in part and f"{never} " in part and f"skill match {skill} %" in part, (
            weight,
            part,
        )
    gini, never, _skill = _ranges_in_benchmarks(0)
    assert f"weight 0: Gini {gini}, {never} never invited." in text


def test_the_page_says_what_the_setting_would_change_and_folds_the_long_lists(login_as, the_world):
    client = login_as("organizer_home")
    page = client.get("/organizer/policy").get_data(as_text=True)
    setting = page.split('id="setting-explained">')[1].split("</p>")[0]
    region = the_world.regions["home"]
    assert f"in de laatste {region.history_window_rounds} rondes de score van iemand met" in setting
    assert f"met {region.weight_fairness} punten" in setting and "0 zet de rotatie uit" in setting
    # the table of every professional per round is folded away
    folded = page.split('<section aria-labelledby="turns-heading">')[1].split("</section>")[0]
    assert "<details>" in folded and the_world.professionals["home"].name in folded
    english = client.get("/organizer/policy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert (
        "What the measure means" in english
        and "A higher weight shares the invitations more evenly" in english
    )
