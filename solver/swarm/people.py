"""Stage 2 of the decomposition: who sits at which table, for sessions chosen in stage 1.

The same round-aggregated model as the exact solve (:mod:`solver.swarm.model`), restricted to the
chosen pairs plus the unscheduled requests' pairs at sessions that are open anyway, and to each pair's
best candidates, both among those who fit the pair and among those who fit every table of the session.
A table may still be dropped here, so the stage is always feasible.
"""

from __future__ import annotations

import numpy as np

from solver.control import SolveControl, SolveOptions, run_cp_sat
from solver.swarm import model as aggregated
from solver.swarm.candidates import Pair, pick
from solver.swarm.eligibility import Eligibility, Session
from solver.swarm.model import NO_PRESOLVE, Plan


def assign_people(
    elig: Eligibility,
    pairs: dict[tuple[int, Session], Pair],
    chosen: dict[int, Session],
    options: SolveOptions,
    control: SolveControl | None,
    time_limit: float,
    keep: int,
) -> tuple[Plan, int | None]:
    """The aggregated plan for the chosen sessions; also its model's objective (None: no solution)."""
    sessions = set(chosen.values())
    at: dict[Session, list[int]] = {}
    for r, session in chosen.items():
        at.setdefault(session, []).append(r)
    model_pairs: dict[tuple[int, Session], np.ndarray] = {}
    for session, requests in at.items():
        fits_all = elig.can_attend(session)
        for r in requests:
            fits_all = fits_all & elig.fits_request(r, session)
        for r in requests:
            shared = pick(elig, r, session, fits_all & elig.eligible(r, session), keep)
            model_pairs[r, session] = np.union1d(pairs[r, session].candidates, shared)
    for (r, session), pair in pairs.items():
        if r not in chosen and session in sessions:
            model_pairs[r, session] = pair.candidates
    agg = aggregated.build(elig, model_pairs)
    run = run_cp_sat(
        agg.model, options, control, time_limit=time_limit, stage="people", parameters=NO_PRESOLVE
    )
    if not run.has_solution:
        return {}, None
    return agg.extract(run.solver.value), round(run.solver.objective_value)
