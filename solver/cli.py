"""``swarm solve INSTANCE.json -o RESULT.json``: the file interface of the planning engine.

Needs no database. The instance's ``format`` picks the model; each model package exposes
``parse_instance(document)``, ``solve(instance, options, control)`` and ``to_document(result)``.
Invalid input exits with status 2 and one line on stderr; nothing is written then.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
from types import ModuleType

from solver.control import SolveControl, SolveOptions
from solver.formats import (
    SHELL_INSTANCE,
    SWARM_INSTANCE,
    InvalidInstance,
    instance_format,
    load_json,
    write_json_atomic,
)

MODELS = {SWARM_INSTANCE: "solver.swarm", SHELL_INSTANCE: "solver.shell"}


def model_for(fmt: str) -> ModuleType:
    return importlib.import_module(MODELS[fmt])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="swarm solve", description="Solve a swarm-instance/1 or shell-instance/1 file."
    )
    parser.add_argument("instance", help="instance JSON file")
    parser.add_argument("-o", "--output", required=True, help="where to write the result JSON")
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds (default 30)")
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--log", action="store_true", help="print the CP-SAT search log")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.time_limit <= 0:
        print("swarm solve: --time-limit: must be positive", file=sys.stderr)
        return 2
    if args.workers < 1:
        print("swarm solve: --workers: must be at least 1", file=sys.stderr)
        return 2
    try:
        document = load_json(args.instance)
        model = model_for(instance_format(document))
        instance = model.parse_instance(document)
    except InvalidInstance as problem:
        print(f"swarm solve: {problem}", file=sys.stderr)
        return 2

    control = SolveControl()
    # Ctrl-C stops the search; the best result so far is still written.
    previous_handler = signal.signal(signal.SIGINT, lambda *_: control.request_stop())
    try:
        options = SolveOptions(time_limit=args.time_limit, workers=args.workers, seed=args.seed, log=args.log)
        result = model.solve(instance, options, control)
    finally:
        signal.signal(signal.SIGINT, previous_handler)
    try:
        write_json_atomic(args.output, model.to_document(result))
    except OSError as problem:
        print(f"swarm solve: -o: cannot write {args.output}: {problem.strerror or problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
