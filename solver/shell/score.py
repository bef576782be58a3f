"""The score of spec section 2 as named terms, computed from a plan alone.

``TERMS`` names the per-assignment terms; ``change`` is the repair extension (previous assignments
lost). The solver reports the score of its plan by calling :func:`score_breakdown` on that plan, so the
reported score never comes from the model's objective.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from solver.formats import km_int
from solver.shell.rules import pair_km

if TYPE_CHECKING:
    from solver.shell.instance import ShellInstance

TERMS = ("filled_hour", "euro", "level", "preferred", "travel_km", "fairness")
CHANGE = "change"


def pair_terms(instance: ShellInstance, role: int, professional: int) -> dict[str, int]:
    """What filling ``role`` with ``professional`` adds to the score, term by term."""
    w = instance.weights
    r = instance.roles[role]
    project = instance.projects[r.project]
    pro = instance.professionals[professional]
    return {
        "filled_hour": w.filled_hour * r.hours,
        "euro": -w.euro * pro.hourly_rate * r.hours,
        "level": w.level * (pro.skills.get(r.skill, 0) - r.min_level),
        "preferred": w.preferred * (pro.id in project.preferred),
        "travel_km": -w.travel_km * km_int(pair_km(instance, role, professional)),
        "fairness": -w.fairness * pro.recent_assignments,
    }


def lost_previous(instance: ShellInstance, pairs: Iterable[tuple[int, int]]) -> int:
    """The keep weights of previous assignments that the plan does not keep (extension)."""
    chosen = set(pairs)
    lost = sum(p.keep for p in instance.previous if (p.role, p.professional) not in chosen)
    return lost + instance.gone_penalty


def score_breakdown(instance: ShellInstance, pairs: Iterable[tuple[int, int]]) -> dict[str, int]:
    """Score per term for the plan; ``change`` appears only when the instance has ``previous``."""
    pairs = list(pairs)
    totals = dict.fromkeys(TERMS, 0)
    for role, pro in pairs:
        for name, value in pair_terms(instance, role, pro).items():
            totals[name] += value
    if instance.previous or instance.gone_penalty:
        totals[CHANGE] = -lost_previous(instance, pairs)
    return totals


def plan_score(instance: ShellInstance, pairs: Iterable[tuple[int, int]]) -> int:
    return sum(score_breakdown(instance, pairs).values())
