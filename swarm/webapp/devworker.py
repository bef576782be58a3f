"""Development only: a background thread in the web process that runs queued solves, for `swarm demo`.

Production runs solves in the separate worker/scheduler process (`swarm worker`, `swarm scheduler`). This thread is
started only when the app is created with DEV_WORKER=True, never under TESTING, and never inside a request: it
claims queued SolveRuns exactly as the worker process does (so a second worker beside it is harmless).
"""

from __future__ import annotations

import threading

from swarm.services.solving import run_queued_solves

POLL_SECONDS = 1.0


def start_dev_worker(app, engine) -> threading.Event:
    """Start the thread; set the returned event to stop it."""
    stop = threading.Event()
    config = app.config["SWARM"]
    clock = app.config.get("SWARM_CLOCK")

    def loop() -> None:
        while not stop.wait(POLL_SECONDS):
            try:
                if clock is None:
                    run_queued_solves(engine, config)
                else:
                    run_queued_solves(engine, config, clock=clock)
            except Exception:  # keep serving the demo; the run itself records its failure
                app.logger.exception("development solve worker")

    threading.Thread(target=loop, name="swarm-dev-worker", daemon=True).start()
    app.logger.warning(
        "Development solve worker started in the web process (use `swarm worker` in production)."
    )
    return stop
