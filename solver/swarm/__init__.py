"""The swarm-round engine: ``swarm-instance/1`` in, ``swarm-schedule/1`` out (see docs/solver-swarm.md)."""

from solver.swarm.api import SwarmResult, parse_instance, repair, solve, to_document
from solver.swarm.instance import Instance as SwarmInstance

__all__ = ["SwarmInstance", "SwarmResult", "parse_instance", "repair", "solve", "to_document"]
