"""The ids that rows get in the solver's documents: ``r-<id>`` for a swarm request, ``p-<id>`` for a
professional, ``project-<id>`` and ``role-<id>`` for a project and one of its roles (docs/formats.md).

The one place that writes and reads them, so an id written on the way to the solver is read back the same way.
"""

from __future__ import annotations


def request_ref(request_id: int) -> str:
    return f"r-{request_id}"


def professional_ref(professional_id: int) -> str:
    return f"p-{professional_id}"


def project_ref(project_id: int) -> str:
    return f"project-{project_id}"


def role_ref(role_id: int) -> str:
    return f"role-{role_id}"


def parse_ref(ref: str, prefix: str) -> int | None:
    """The row id in ``ref`` when it is ``<prefix>-<digits>``; None for anything else (``erased-3``, ``x``)."""
    head, _, tail = ref.partition("-")
    return int(tail) if head == prefix and tail.isdigit() else None
