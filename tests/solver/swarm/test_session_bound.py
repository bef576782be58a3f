"""The sessions' Lagrangian bound (solver/swarm/session_bound.py): it holds against brute force, its
parts hold on their own (pricing the people left out, bounds from old duals, the session selection),
and it runs beside the engine's search in a process of its own."""

from __future__ import annotations

import random
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings

from bench.swarm_instances import custom
from solver.swarm import bound, candidates
from solver.swarm import session_bound as sb
from solver.swarm.eligibility import Eligibility
from solver.swarm.instance import parse_instance
from tests.solver.swarm.builders import instance, person, request
from tests.solver.test_swarm_bruteforce import MAX_CANDIDATES, TINY, brute_force_optimum, candidate_count
from tests.solver.test_swarm_properties import swarm_instances


def _start(doc: dict):
    elig = Eligibility(parse_instance(doc))
    _, tables = candidates.survey(elig, 40)
    staffable = sorted(tables)
    _, prices = bound.tables_lp(elig, 10, staffable, tables)
    return elig, staffable, prices, tables


def _searched(doc: dict, seconds: float = 3.0) -> sb.SessionBound:
    elig, staffable, prices, tables = _start(doc)
    search = sb.SessionBound(elig, staffable, prices, tables)
    search.run(time.monotonic() + seconds)
    return search


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(instance_doc=swarm_instances(**TINY))
def test_the_bound_holds_against_brute_force_with_most_people_priced_not_named(instance_doc, monkeypatch):
    assume(candidate_count(instance_doc) <= MAX_CANDIDATES)
    monkeypatch.setattr(sb, "KEEP", 1)  # one person per need by name: the rest only through pricing
    monkeypatch.setattr(sb, "RESOLVES", 0)
    optimum, witness = brute_force_optimum(instance_doc)
    search = _searched(instance_doc, 2.0)
    assert search.best is None or search.best >= optimum, (
        f"bound {search.best} < optimum {optimum}: {witness}"
    )


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(instance_doc=swarm_instances(**TINY))
def test_every_bound_from_within_a_pass_holds_against_brute_force(instance_doc, monkeypatch):
    assume(candidate_count(instance_doc) <= MAX_CANDIDATES)
    monkeypatch.setattr(sb, "KEEP", 1)
    monkeypatch.setattr(sb, "RESOLVES", 0)
    monkeypatch.setattr(sb, "PARTIAL_EVERY", 1)  # select again after every session LP
    optimum, witness = brute_force_optimum(instance_doc)
    elig, staffable, prices, tables = _start(instance_doc)
    heard: list[int] = []
    sb.SessionBound(elig, staffable, prices, tables).run(time.monotonic() + 2.0, improved=heard.append)
    assert all(value >= optimum for value in heard), f"bounds {heard} < optimum {optimum}: {witness}"


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(instance_doc=swarm_instances(**TINY))
def test_any_prices_on_people_give_a_bound_against_brute_force(instance_doc, monkeypatch):
    """The dualised "at most max_sessions sessions": any prices >= 0 (here drawn at random, high
    enough to change who the session LPs seat) give a bound."""
    assume(candidate_count(instance_doc) <= MAX_CANDIDATES)
    monkeypatch.setattr(sb, "KEEP", 1)
    monkeypatch.setattr(sb, "RESOLVES", 0)
    optimum, witness = brute_force_optimum(instance_doc)
    elig, staffable, prices, tables = _start(instance_doc)
    rng = random.Random(len(staffable))
    for _ in range(3):
        search = sb.SessionBound(elig, staffable, prices, tables)
        search.person_price = rng.choice([0.0, 40.0, 400.0]) * np.array([rng.random() for _ in range(elig.n)])
        found = search._evaluate(time.monotonic() + 5)
        assert found is None or found[0] >= optimum, f"bound {found[0]} < optimum {optimum}: {witness}"


@pytest.fixture(scope="module")
def region():
    doc = custom(300, 8, 4, 3, seed=5, name="session-bound")
    elig, staffable, prices, tables = _start(doc)
    by_session: dict = {}
    for r, session in staffable:
        by_session.setdefault(session, []).append(r)
    session = max(by_session, key=lambda s: len(by_session[s]))
    return elig, session, by_session[session], prices


def _prizes(elig, requests, rng, spread):
    w = elig.instance.weights.scheduled
    return {r: w * elig.instance.requests[r].priority - rng.uniform(0, spread) for r in requests}


def test_people_left_out_are_priced_in_so_the_value_bounds_the_lp_with_everyone(region, monkeypatch):
    elig, session, requests, _ = region
    monkeypatch.setattr(sb, "RESOLVES", 0)
    everyone = sb.SessionLp(elig, session, requests, keep=10**6)
    few = sb.SessionLp(elig, session, requests, keep=1)
    rng = random.Random(3)
    for _ in range(4):
        prizes = _prizes(elig, requests, rng, 1500)
        assert few.value(prizes, 30) >= everyone.value(prizes, 30) - 1e-6


def test_without_the_pricing_a_few_named_people_would_undercut_that_lp(region, monkeypatch):
    """The pair of the test above: dropping what the others could add gives a value that is no bound."""
    elig, session, requests, _ = region
    monkeypatch.setattr(sb, "RESOLVES", 0)
    monkeypatch.setattr(sb.SessionLp, "_priced", lambda self: (0.0, self.named[:0].nonzero()[0]))
    prizes = _prizes(elig, requests, random.Random(3), 0)
    everyone = sb.SessionLp(elig, session, requests, keep=10**6).value(prizes, 30)
    assert sb.SessionLp(elig, session, requests, keep=1).value(prizes, 30) < everyone - 1


def test_bringing_the_priced_people_in_closes_the_gap_to_that_lp(region, monkeypatch):
    elig, session, requests, _ = region
    monkeypatch.setattr(sb, "RESOLVES", 30)
    monkeypatch.setattr(sb, "ADD_PER_ROUND", 100)
    prizes = _prizes(elig, requests, random.Random(4), 800)
    everyone = sb.SessionLp(elig, session, requests, keep=10**6).value(prizes, 30)
    assert sb.SessionLp(elig, session, requests, keep=1).value(prizes, 30) == pytest.approx(everyone, abs=0.5)


def test_old_duals_bound_the_lp_at_new_prizes(region):
    elig, session, requests, _ = region
    lp = sb.SessionLp(elig, session, requests, keep=sb.KEEP)
    rng = random.Random(8)
    lp.value(_prizes(elig, requests, rng, 1000), 30)
    for _ in range(5):
        moved = _prizes(elig, requests, rng, 1500)
        estimate = lp.stale(moved)
        fresh = sb.SessionLp(elig, session, requests, keep=sb.KEEP).value(moved, 30)
        assert estimate >= fresh - 1e-6


def test_old_duals_bound_the_lp_at_new_prices_on_people(region):
    elig, session, requests, _ = region
    lp = sb.SessionLp(elig, session, requests, keep=sb.KEEP)
    rng = np.random.default_rng(8)
    prizes = _prizes(elig, requests, random.Random(8), 1000)
    lp.value(prizes, 30, rng.uniform(0, 30, elig.n))
    for _ in range(5):
        moved = rng.uniform(0, 60, elig.n) * (rng.random(elig.n) < 0.5)
        estimate = lp.stale(prizes, moved)
        fresh = sb.SessionLp(elig, session, requests, keep=sb.KEEP).value(prizes, 30, moved)
        assert estimate >= fresh - 1e-6
    assert lp.stale(prizes, lp.solved_prices) == pytest.approx(lp.solved[1], abs=1e-6)


def test_old_duals_are_exact_at_the_prizes_they_were_solved_for(region):
    elig, session, requests, _ = region
    lp = sb.SessionLp(elig, session, requests, keep=sb.KEEP)
    prizes = _prizes(elig, requests, random.Random(9), 1000)
    assert lp.stale(prizes) is None  # nothing solved yet
    value = lp.value(prizes, 30)
    assert lp.stale(prizes) == pytest.approx(value, abs=1e-6)


def _selection(doc: dict, worth: dict) -> float:
    elig = Eligibility(parse_instance(doc))
    index = {v.id: i for i, v in enumerate(elig.instance.venues)}
    slots = {s.id: i for i, s in enumerate(elig.instance.slots)}
    values = {(slots[s], index[v]): w for (s, v), w in worth.items()}
    found = sb.session_selection(elig, values, 5)
    assert found is not None
    return found[0]


def _two_venues(**extra) -> dict:
    doc = instance([request("r")], [person("a")], **extra)
    doc["venues"].append(
        {"id": "hall2", "name": "Hall 2", "lat": 52.0, "lon": 6.0, "capacity": 10, "tables": 2}
    )
    return doc


def test_the_selection_counts_one_session_per_venue_at_a_time():
    doc = _two_venues()
    doc["slots"][1]["start"] = "2027-01-12T11:00"  # pm now overlaps am
    assert _selection(doc, {("am", "hall"): 100, ("pm", "hall"): 70}) == 100
    doc["slots"][1]["start"] = "2027-01-12T13:00"
    assert _selection(doc, {("am", "hall"): 100, ("pm", "hall"): 70}) == 170


def test_the_selection_keeps_the_parallel_limit():
    doc = _two_venues(max_parallel_sessions=1)
    assert _selection(doc, {("am", "hall"): 100, ("am", "hall2"): 70}) == 100
    doc = _two_venues(max_parallel_sessions=2)
    assert _selection(doc, {("am", "hall"): 100, ("am", "hall2"): 70}) == 170


def test_the_selection_leaves_out_sessions_worth_nothing():
    assert _selection(_two_venues(), {("am", "hall"): 100, ("pm", "hall"): -40}) == 100


def test_on_a_region_it_ends_below_the_tables_bound_and_above_a_schedule(region):
    doc = custom(300, 8, 4, 3, seed=5, name="session-bound")
    elig, staffable, prices, tables = _start(doc)
    tables_bound, _ = bound.tables_lp(elig, 10, staffable, tables)
    search = _searched(doc, 8.0)
    from solver.control import SolveOptions
    from solver.swarm import engine

    schedule = engine.run(parse_instance(doc), SolveOptions(time_limit=8, workers=1, seed=0))
    assert schedule.score <= search.best < tables_bound


def test_a_pass_reports_bounds_on_the_way_so_a_pass_cut_short_still_tightens(monkeypatch):
    monkeypatch.setattr(sb, "PARTIAL_EVERY", 2)
    doc = custom(300, 8, 4, 3, seed=5, name="session-bound")
    elig, staffable, prices, tables = _start(doc)
    heard: list[int] = []
    search = sb.SessionBound(elig, staffable, prices, tables)
    search.run(time.monotonic() + 8.0, improved=heard.append)
    first_pass_end = search.history[0][1]
    before = [value for value in heard if value > first_pass_end]
    assert len(before) >= 2  # a tighter bound each time more session LPs were solved, before the pass ended
    assert heard == sorted(heard, reverse=True) and heard[-1] == search.best


def test_beside_the_search_it_runs_in_a_process_that_ends_when_closed():
    doc = custom(300, 8, 4, 3, seed=5, name="session-bound")
    elig, staffable, prices, tables = _start(doc)
    beside = sb.BoundBeside(elig.instance, staffable, prices, tables, time.monotonic() + 20)
    waited = time.monotonic()
    while beside.best() is None and time.monotonic() - waited < 15:
        time.sleep(0.1)
    found = beside.close()
    assert isinstance(found, int)
    assert not beside.running


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(instance_doc=swarm_instances(**TINY))
def test_the_bound_without_an_lp_holds_against_brute_force_and_lies_above_the_tables_lp(instance_doc):
    assume(candidate_count(instance_doc) <= MAX_CANDIDATES)
    optimum, witness = brute_force_optimum(instance_doc)
    elig, staffable, _, tables = _start(instance_doc)
    quick = bound.requests_bound(elig, staffable, tables)
    assert quick >= optimum, f"bound {quick} < optimum {optimum}: {witness}"
    assert bound.requests_bound(elig, staffable) == quick  # the tables' bounds computed afresh
    tables_lp, _ = bound.tables_lp(elig, 10, staffable, tables)
    assert tables_lp is None or quick >= tables_lp
