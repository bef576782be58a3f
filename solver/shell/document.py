"""A ShellResult as the ``shell-plan/1`` document, with the optional explanation extras."""

from __future__ import annotations

from typing import Any

from solver.formats import SHELL_PLAN
from solver.shell.explain import explain
from solver.shell.score import pair_terms
from solver.shell.solve import ShellResult


def to_document(result: ShellResult) -> dict[str, Any]:
    """Every role appears once: in ``assignments`` (with ``reasons``) or in ``unfilled`` (with ``reason``).

    Beside each English sentence go its ``code`` and ``facts`` (``reason_details`` for an assignment's list).
    """
    instance = result.instance
    why = explain(result)
    assignments = [
        {
            "role": instance.roles[role].id,
            "professional": instance.professionals[pro].id,
            "score": sum(pair_terms(instance, role, pro).values()),
            "reasons": [reason.text for reason in why.reasons[role]],
            "reason_details": [reason.as_fields() for reason in why.reasons[role]],
        }
        for role, pro in result.pairs
    ]
    unfilled = [
        {"role": instance.roles[role].id, "reason": reason.text, **reason.as_fields()}
        for role, reason in sorted(why.unfilled.items())
    ]
    return {
        "format": SHELL_PLAN,
        "instance": instance.id,
        "status": result.status,
        "score": result.score,
        "bound": result.bound,
        "solve_seconds": result.solve_seconds,
        "assignments": assignments,
        "unfilled": unfilled,
        "breakdown": result.breakdown,
    }
