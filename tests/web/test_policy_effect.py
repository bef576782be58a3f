"""The policy page shows the fairness weight's measured effect: the simulated one at the field, the region's own."""

from swarm.domain.enums import AvailabilityAnswer, PlanningRoundStatus
from swarm.persistence.db import unit_of_work
from swarm.persistence.models import Availability, PlanningRound, Professional


def test_the_weight_field_describes_its_simulated_effect_in_dutch_and_english(login_as):
    client = login_as("organizer_home")
    page = client.get("/organizer/policy").get_data(as_text=True)
    assert 'aria-describedby="weight_fairness-hint"' in page
    hint = page.split('id="weight_fairness-hint">')[1].split("</small>")[0]
    assert "gewicht 5: Gini 0,22-0,26" in hint and "Met 0 staat de rotatie uit." in hint
    assert "wie het langst heeft gewacht" in page and "loting" not in page
    english = client.get("/organizer/policy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "weight 5: Gini 0.22-0.26" in english and "waited longest" in english


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
    page = client.get("/organizer/policy").get_data(as_text=True)
    effect = page.split('id="measured-effect">')[1].split("</p>")[0]
    assert "over 1 gepubliceerde ronde" in effect and "van de 2 professionals" in effect
    assert "0,50" in effect and "Nooit uitgenodigd: 1." in effect
