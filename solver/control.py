"""Operating a solve: options, progress reports and a stop request from another thread.

Both models run CP-SAT through :func:`run_cp_sat`, so the web app and the scheduler see one
progress shape (best score, bound, elapsed) and can stop either model the same way.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ortools.sat.python import cp_model


@dataclass(frozen=True)
class SolveOptions:
    time_limit: float = 30.0
    workers: int = 2
    seed: int = 0
    log: bool = False


@dataclass(frozen=True)
class Progress:
    """What a running solve reports; score and bound are in spec units (higher is better)."""

    score: int | None
    bound: int | None
    elapsed: float
    stage: str = ""


class SolveControl:
    """Shared between the thread that solves and the one that watches.

    ``request_stop()`` may be called from any thread; the solve then returns the best schedule so far.
    """

    def __init__(self, on_progress: Callable[[Progress], None] | None = None):
        self._stop = threading.Event()
        self._on_progress = on_progress
        self._solvers: list[cp_model.CpSolver] = []
        self._lock = threading.Lock()
        self.started = time.monotonic()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def request_stop(self) -> None:
        self._stop.set()
        with self._lock:
            for solver in self._solvers:
                solver.stop_search()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def report(self, score: int | None, bound: int | None, stage: str = "") -> None:
        if self._on_progress is not None:
            self._on_progress(Progress(score, bound, round(self.elapsed(), 3), stage))

    def _attach(self, solver: cp_model.CpSolver) -> None:
        with self._lock:
            self._solvers.append(solver)
            if self._stop.is_set():
                solver.stop_search()

    def _detach(self, solver: cp_model.CpSolver) -> None:
        with self._lock:
            self._solvers.remove(solver)


@dataclass
class CpSatRun:
    """The outcome of one CP-SAT call, kept as plain values."""

    status: cp_model.CpSolverStatus
    solver: cp_model.CpSolver
    wall_time: float
    solutions: int = 0
    best_bound: float | None = None
    values: dict = field(default_factory=dict)

    @property
    def has_solution(self) -> bool:
        return self.status in (cp_model.OPTIMAL, cp_model.FEASIBLE)

    @property
    def optimal(self) -> bool:
        return self.status == cp_model.OPTIMAL


class _ProgressCallback(cp_model.CpSolverSolutionCallback):
    def __init__(self, control: SolveControl, to_score: Callable[[float], int | None], stage: str):
        super().__init__()
        self._control = control
        self._to_score = to_score
        self._stage = stage
        self.solutions = 0

    def on_solution_callback(self) -> None:
        self.solutions += 1
        self._control.report(
            self._to_score(self.ObjectiveValue()), self._to_score(self.BestObjectiveBound()), self._stage
        )


def run_cp_sat(
    model: cp_model.CpModel,
    options: SolveOptions,
    control: SolveControl | None = None,
    *,
    time_limit: float | None = None,
    to_score: Callable[[float], int | None] = lambda value: round(value),
    stage: str = "",
    parameters: Mapping[str, object] | None = None,
) -> CpSatRun:
    """Solve ``model`` with the options' seed and workers, reporting progress and honouring stop requests.

    ``to_score`` turns an objective value into spec score units (e.g. adding a constant offset).
    With one worker and the same seed the search is deterministic. ``parameters`` sets further CP-SAT
    parameters by name after the defaults (e.g. ``{"cp_model_presolve": False}`` where presolve weakens the LP).
    """
    control = control or SolveControl()
    solver = cp_model.CpSolver()
    limit = options.time_limit if time_limit is None else time_limit
    solver.parameters.max_time_in_seconds = max(0.01, limit)
    solver.parameters.num_workers = max(1, options.workers)
    solver.parameters.random_seed = options.seed
    solver.parameters.log_search_progress = options.log
    if options.workers == 1:
        solver.parameters.interleave_search = False
    for name, value in (parameters or {}).items():
        setattr(solver.parameters, name, value)
    if control.stop_requested:
        # CP-SAT forgets a stop_search() made before solve() starts, so a stop that came first ends it at once.
        solver.parameters.max_time_in_seconds = 0.0
    callback = _ProgressCallback(control, to_score, stage)
    control._attach(solver)
    started = time.monotonic()
    try:
        status = solver.solve(model, callback)
    finally:
        control._detach(solver)
    run = CpSatRun(
        status=status, solver=solver, wall_time=time.monotonic() - started, solutions=callback.solutions
    )
    if run.has_solution:
        # Without a solution CP-SAT leaves the bound at 0.0, which is no bound at all.
        run.best_bound = solver.best_objective_bound
    return run
