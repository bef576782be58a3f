"""Re-planning after a change, keeping what was agreed.

After someone drops out, a budget changes or a role is added, the coordinator re-plans from the new
instance and the previous plan: every previous assignment that is lost costs its keep weight
(``weights.change`` unless given per assignment), and with ``pin=True`` every previous assignment that
is still valid is kept for certain.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from solver.control import SolveControl, SolveOptions
from solver.shell.instance import Pair, ShellInstance
from solver.shell.rules import pair_problem, plan_problems
from solver.shell.solve import ShellResult, solve


def previous_pairs(previous: ShellResult | dict | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(role id, professional id) of a previous plan given as a result, a shell-plan/1 document or pairs."""
    if isinstance(previous, ShellResult):
        return [
            (previous.instance.roles[r].id, previous.instance.professionals[p].id) for r, p in previous.pairs
        ]
    if isinstance(previous, dict):
        return [(a["role"], a["professional"]) for a in previous.get("assignments", [])]
    return [(role, pro) for role, pro in previous]


def with_previous(
    instance: ShellInstance,
    previous: ShellResult | dict | Iterable[tuple[str, str]],
    *,
    pin: bool = False,
    keep: int | None = None,
) -> ShellInstance:
    """The instance with ``previous`` as its earlier plan, optionally pinning what is still valid.

    Assignments whose role or professional is gone count as lost. Pins are added in the previous plan's
    order as long as they break no hard rule together with the pins before them.
    """
    weight = instance.weights.change if keep is None else keep
    kept: list[Pair] = []
    gone = 0
    for role_id, pro_id in previous_pairs(previous):
        role = instance.role_index.get(role_id)
        pro = instance.professional_index.get(pro_id)
        if role is None or pro is None:
            gone += weight
        else:
            kept.append(Pair(role, pro, weight))
    pins = list(instance.pins)
    if pin:
        pinned_roles = {p.role for p in pins}
        for pair in kept:
            if pair.role in pinned_roles or pair_problem(instance, pair.role, pair.professional):
                continue
            candidate = [*pins, Pair(pair.role, pair.professional)]
            if not plan_problems(instance, [(p.role, p.professional) for p in candidate]):
                pins = candidate
                pinned_roles.add(pair.role)
    return replace(instance, previous=tuple(kept), gone_penalty=gone, pins=tuple(pins))


def repair(
    instance: ShellInstance,
    previous: ShellResult | dict | Iterable[tuple[str, str]],
    options: SolveOptions | None = None,
    control: SolveControl | None = None,
    *,
    pin: bool = False,
    keep: int | None = None,
) -> ShellResult:
    """Solve ``instance`` (already reflecting the change) while keeping as much of ``previous`` as pays."""
    return solve(with_previous(instance, previous, pin=pin, keep=keep), options, control)
