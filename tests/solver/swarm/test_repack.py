"""The local search over the packing (solver/swarm/repack.py) on tiny instances with known answers."""

from __future__ import annotations

import time

from solver.control import SolveControl, SolveOptions
from solver.swarm import evaluate, repack
from solver.swarm.candidates import survey
from solver.swarm.eligibility import Eligibility
from solver.swarm.engine import _Clock, _rotate_all
from solver.swarm.instance import parse_instance
from tests.solver.swarm.builders import crowd, instance, person, request

FAST = SolveOptions(time_limit=5, workers=1)


def _setup(doc):
    inst = parse_instance(doc)
    elig = Eligibility(inst)
    pairs, _ = survey(elig, 10)
    session = {(inst.slots[s].id, inst.venues[v].id): (s, v) for r, (s, v) in pairs}
    return inst, elig, pairs, session


def test_a_session_value_is_the_exact_score_of_that_session_alone():
    # two tables of two, two rounds, four people who meet nothing: they rotate, nobody repeats
    doc = instance([request("a"), request("b")], crowd(4), weights={"fairness": 0})
    inst, elig, _, session = _setup(doc)
    values = repack.SessionValues(elig, FAST, None, 10)
    hall = session["am", "hall"]
    assert values(hall, frozenset({0, 1})) == 2 * 1000
    # one table alone: both people sit there twice and pay one repeat each
    assert values(hall, frozenset({0})) == 1000 - 2 * 20


def test_a_lonely_table_moves_into_the_session_where_people_can_rotate():
    doc = instance([request("a"), request("b")], crowd(4), weights={"fairness": 0})
    inst, elig, pairs, session = _setup(doc)
    values = repack.SessionValues(elig, FAST, None, 10)
    start = {0: session["am", "hall"], 1: session["am", "web"]}  # each alone: 2 x 40 repeats
    options_of = {}
    for r, s in sorted(pairs):
        options_of.setdefault(r, []).append(s)
    found = repack.improve(elig, values, start, options_of, time.monotonic() + 5)
    assert found[0] == found[1]
    assert repack.total(values, found) == 2000 > repack.total(values, start) == 2000 - 80


def test_seating_never_gives_one_person_two_sessions_at_once():
    # both sessions run in the am slot and want the only two experts; each can have them only once
    experts = [person(f"x{i}", {"law": 3}) for i in (1, 2)]
    needs = [{"skill": "law", "min": 1}]
    doc = instance(
        [request("a", needs=needs), request("b", needs=needs)],
        experts + crowd(6),
        weights={"fairness": 0},
    )
    inst, elig, pairs, session = _setup(doc)
    chosen = {0: session["am", "hall"], 1: session["am", "web"]}
    guide = repack.SessionValues(elig, FAST, None, 10)
    assert repack.total(guide, chosen) is not None
    plan = repack.seat(elig, repack.SessionValues(elig, FAST, None, 10), chosen, time.monotonic() + 5, guide)
    clock = _Clock(FAST, SolveControl())
    sessions = [s for s in _rotate_all(elig, plan, FAST, SolveControl(), clock) if s.tables]
    assert evaluate.violations(inst, sessions) == []
    assert len(sessions) == 2  # one expert each: both tables are held


def test_a_session_whose_rotation_came_back_empty_is_seated_by_hand():
    # what rotate() returns when neither of its solves finished in time: the session without tables
    from solver.swarm.engine import _by_hand_if_better
    from solver.swarm.evaluate import SessionPlan

    experts = [person(f"x{i}", {"law": 3}) for i in (1, 2)]
    needs = [{"skill": "law", "min": 1}]
    doc = instance(
        [request("a", needs=needs), request("b", needs=needs)], experts + crowd(4), weights={"fairness": 0}
    )
    inst, elig, _, session = _setup(doc)
    hall, web = session["am", "hall"], session["am", "web"]
    x1, x2 = inst.professional_index["x1"], inst.professional_index["x2"]
    p1, p2 = inst.professional_index["p1"], inst.professional_index["p2"]
    # table a in the hall and b online, both in the am slot: b's session holds x2 and p2
    plan = {hall: {0: {x1: 2, p1: 2}}, web: {1: {x2: 2, p2: 2}}}
    empty = SessionPlan(hall[0], hall[1], ())
    found = _by_hand_if_better(elig, plan, hall, empty)
    assert [t.request for t in found.tables] == [0]
    seated = set(found.tables[0].rounds[0])
    assert x1 in seated and not seated & {x2, p2}  # the other session's people stay there
    assert evaluate.violations(inst, [found, SessionPlan(web[0], web[1], ())]) == []
    assert evaluate.score(inst, [found]) > evaluate.score(inst, [])
    # a rotation that kept its tables is not replaced by a worse plan by hand
    kept = _rotate_all(elig, plan, FAST, SolveControl(), _Clock(FAST, SolveControl()))
    assert [len(s.tables) for s in kept] == [1, 1]
    assert _by_hand_if_better(elig, plan, hall, kept[0]) == kept[0]
