"""The watcher beside a running solve: progress and heartbeat into the row, stop requests back to the solver."""

from __future__ import annotations

import logging
import threading

import sqlalchemy as sa
from sqlmodel import select

from solver.control import Progress, SolveControl
from swarm.config import Config
from swarm.domain.enums import SolveStatus
from swarm.domain.timeutil import Clock
from swarm.persistence.models import SolveRun
from swarm.persistence.outage import Outage, connection_lost

log = logging.getLogger(__name__)


class Watcher:
    """Writes the latest progress and a heartbeat into the run, and passes a stop request on to the solver.

    The engine's progress callback only hands its numbers over; this thread writes them, at most once per
    interval, in short transactions of its own. If the row no longer names this worker (its heartbeat went stale
    and another worker took the run over), the solve is stopped and ``lost`` is set, so it is never stored twice.
    """

    def __init__(
        self,
        engine: sa.Engine,
        run_id: int,
        worker_id: str,
        config: Config,
        clock: Clock,
        interrupt: threading.Event | None = None,
        outage: Outage | None = None,
    ):
        self.engine, self.run_id, self.worker_id, self.clock = engine, run_id, worker_id[:120], clock
        self.interrupt = interrupt
        self.outage = outage or Outage(log, f"solve run {run_id}")
        self.interval = min(1.0, config.worker_heartbeat_seconds / 3)
        self.control: SolveControl | None = None
        self.latest: Progress | None = None
        self.lost = False
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"solve-{run_id}-watcher", daemon=True)

    def progress(self, progress: Progress) -> None:
        with self._lock:
            self.latest = progress

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join()

    def _loop(self) -> None:
        while not self._done.wait(self.interval):
            try:
                self.beat()
            except sa.exc.SQLAlchemyError as error:  # the solve goes on; the next beat tries again
                if connection_lost(error):
                    self.outage.failed(error)  # logged once per outage, not once a second
                else:
                    log.warning("solve run %s: heartbeat not written", self.run_id, exc_info=True)
            else:
                self.outage.recovered()

    def beat(self) -> None:
        with self._lock:
            progress = self.latest
        values: dict = {"heartbeat_at": self.clock()}
        if progress is not None:
            values |= {
                "best_score": progress.score,
                "best_bound": progress.bound,
                "elapsed_seconds": progress.elapsed,
                "stage": progress.stage[:60],
            }
        mine = (
            (SolveRun.id == self.run_id)
            & (SolveRun.worker_id == self.worker_id)
            & (SolveRun.status == SolveStatus.RUNNING)
        )
        with self.engine.begin() as connection:
            updated = connection.execute(sa.update(SolveRun).where(mine).values(**values))
            stop = connection.execute(select(SolveRun.stop_requested).where(mine)).scalar()
        if updated.rowcount == 0:
            self.lost = True
        interrupted = self.interrupt is not None and self.interrupt.is_set()
        if (stop or self.lost or interrupted) and self.control is not None:
            self.control.request_stop()
