"""``python -m swarm`` is the ``swarm`` command (used where the console script is not on PATH)."""

from swarm.cli import main

main()
