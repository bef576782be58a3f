"""The measured effect of the fairness policy on the organizer's policy page: a hand-built history, known Gini."""

from datetime import datetime

import pytest

from swarm.domain.enums import AvailabilityAnswer, PlanningRoundStatus, SessionStatus
from swarm.domain.equality import gini
from swarm.persistence.models import Availability, Invitation
from swarm.persistence.models import Session as ScheduledSession
from swarm.services.plan.frame import round_slots
from swarm.services.plan.review import fairness_effect
from tests.swarm.factories import NOW, add_professional, open_round


def test_gini_of_known_values():
    assert gini([1, 1, 1, 1]) == 0.0
    assert gini([0, 0, 1, 1]) == pytest.approx(0.5)  # mean absolute difference 0.5 / (2 * mean 0.5)
    assert gini([0, 0, 0, 4]) == pytest.approx(0.75)
    assert gini([]) == 0.0 and gini([0, 0]) == 0.0


def _published_session(db, world, planning_round, slot, people, *, status=SessionStatus.PUBLISHED):
    session = ScheduledSession(
        region_id=world.region.id,
        planning_round_id=planning_round.id,
        slot_id=slot.id,
        venue_id=world.venue.id,
        status=status,
    )
    db.add(session)
    db.flush()
    for person in people:
        db.add(Invitation(session_id=session.id, professional_id=person.id))
    db.flush()
    return session


def test_fairness_effect_over_a_hand_built_history(db, world):
    a, b, c, d, e = (add_professional(db, world, n) for n in range(1, 6))
    first = world.round
    second = open_round(db, world, "2027 Q2", datetime(2027, 4, 13))
    third = open_round(db, world, "2027 Q3", datetime(2027, 7, 13))
    [later], [next_one] = round_slots(db, second.id), round_slots(db, third.id)
    first.status = second.status = PlanningRoundStatus.PLANNED
    # Available: a and b in both rounds (a twice in the first: still one round), c in the first only,
    # d said "no" (not counted), e only in the open round (not counted: it has no schedule yet).
    answers = [
        (a, world.morning, AvailabilityAnswer.YES),
        (a, world.afternoon, AvailabilityAnswer.MAYBE),
        (a, later, AvailabilityAnswer.YES),
        (b, world.morning, AvailabilityAnswer.YES),
        (b, later, AvailabilityAnswer.MAYBE),
        (c, world.afternoon, AvailabilityAnswer.YES),
        (d, world.morning, AvailabilityAnswer.NO),
        (e, next_one, AvailabilityAnswer.YES),
    ]
    for person, slot, answer in answers:
        db.add(Availability(professional_id=person.id, slot_id=slot.id, answer=answer))
    # a: invited in both rounds (rate 1), c: in its one round (rate 1), b: never (rate 0).
    _published_session(db, world, first, world.morning, [a, c])
    _published_session(db, world, second, later, [a])
    # Neither a draft nor a cancelled invitation counts.
    _published_session(db, world, second, later, [b], status=SessionStatus.DRAFT)
    afternoon = _published_session(db, world, first, world.afternoon, [])
    db.add(Invitation(session_id=afternoon.id, professional_id=b.id, cancelled_at=NOW))
    db.flush()

    effect = fairness_effect(db, world.region.id, [first, second, third])
    # rates [1, 0, 1]: Gini = (2 * (2*1 + 3*1)) / (3 * 2) - 4/3 = 1/3
    assert (effect.rounds, effect.people, effect.never) == (2, 3, 1)
    assert effect.gini == pytest.approx(1 / 3)
    # the invitations of each one counted (the bar chart's data): d and e are not among them
    assert effect.invitations == {a.id: 2, b.id: 0, c.id: 1}

    only_open = fairness_effect(db, world.region.id, [third])
    assert (only_open.rounds, only_open.people, only_open.gini, only_open.never) == (0, 0, 0.0, 0)
