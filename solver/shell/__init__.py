"""The flexible-shell model: ``shell-instance/1`` -> ``shell-plan/1`` (spec section 2).

API for the CLI and the services: :func:`parse_instance`, :func:`solve`, :func:`to_document`, and for
re-planning after a change :func:`repair` / :func:`with_previous`. See docs/solver-shell.md.
"""

from solver.shell.document import to_document
from solver.shell.explain import Explanation, explain
from solver.shell.instance import (
    DEFAULT_WEIGHTS,
    Pair,
    Professional,
    Project,
    Role,
    ShellInstance,
    Weights,
    parse_instance,
)
from solver.shell.repair import previous_pairs, repair, with_previous
from solver.shell.solve import ShellResult, solve

__all__ = [
    "DEFAULT_WEIGHTS",
    "Explanation",
    "Pair",
    "Professional",
    "Project",
    "Role",
    "ShellInstance",
    "ShellResult",
    "Weights",
    "explain",
    "parse_instance",
    "previous_pairs",
    "repair",
    "solve",
    "to_document",
    "with_previous",
]
