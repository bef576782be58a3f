"""``python -m swarm`` is the ``swarm`` command (used where the console script is not on PATH)."""

import os
import sys

# `python -m` puts the current directory first on sys.path, where a stray solver.py or click.py would shadow
# the installed package. The console script never has it there; drop it here too (what -P does), before any
# other import. (A stray swarm.py is beyond help: Python would run it instead of this file.)
if not sys.flags.safe_path and sys.path and os.path.abspath(sys.path[0] or os.curdir) == os.getcwd():
    del sys.path[0]

from swarm.cli import main  # noqa: E402 (after the guard above)

main()
