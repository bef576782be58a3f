"""Which (role, professional) pairs may be part of a plan, and what each would add to the score.

Rule 2 (qualified, not excluded, skill level, travel) and the rules that one pair can break on its own
(the role's weekly hours above the professional's capacity in some week, its cost above the budget)
are applied here with numpy, project by project. Only the surviving pairs become model variables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from solver.formats import LIMIT_EPSILON, distance_km
from solver.shell.instance import ShellInstance
from solver.shell.score import TERMS

# Distances this close to a limit or to a rounding point are recomputed with the spec's scalar formula,
# so numpy's last-bit differences never change eligibility or km_int.
_EXACT_MARGIN = 1e-6


@dataclass(frozen=True)
class Candidates:
    """Parallel arrays, one entry per eligible pair, sorted by role and then by pair value (best first)."""

    role: np.ndarray  # int32, index into instance.roles
    pro: np.ndarray  # int32, index into instance.professionals
    km: np.ndarray  # int32, km_int of the distance
    level: np.ndarray  # int8, the professional's level in the role's skill
    preferred: np.ndarray  # bool
    terms: dict[str, np.ndarray]  # int64 per score term (TERMS)
    keep: np.ndarray  # int64, keep weight when the pair is a previous assignment (extension)

    def __len__(self) -> int:
        return len(self.role)

    @property
    def value(self) -> np.ndarray:
        """The pair's score contribution (spec terms only)."""
        return np.sum([self.terms[name] for name in TERMS], axis=0)

    def select(self, index: np.ndarray) -> Candidates:
        return Candidates(
            role=self.role[index],
            pro=self.pro[index],
            km=self.km[index],
            level=self.level[index],
            preferred=self.preferred[index],
            terms={name: values[index] for name, values in self.terms.items()},
            keep=self.keep[index],
        )


class Arrays:
    """The professionals of an instance as numpy arrays (built once per solve)."""

    def __init__(self, instance: ShellInstance):
        pros = instance.professionals
        self.lat = np.array([p.lat for p in pros], dtype=np.float64)
        self.lon = np.array([p.lon for p in pros], dtype=np.float64)
        self.max_km = np.array(
            [math.inf if p.max_travel_km is None else p.max_travel_km for p in pros], dtype=np.float64
        )
        self.rate = np.array([p.hourly_rate for p in pros], dtype=np.int64)
        self.recent = np.array([p.recent_assignments for p in pros], dtype=np.int64)
        self.qualified = np.array([p.qualified for p in pros], dtype=bool)
        self.capacity = np.array([p.capacity for p in pros], dtype=np.int32).reshape(
            len(pros), len(instance.weeks)
        )
        self._runs: list[np.ndarray] = []  # least_capacity's sparse table, made on first use
        self.ids = [p.id for p in pros]
        skills = {role.skill for role in instance.roles}
        self.levels = {
            skill: np.array([p.skills.get(skill, 0) for p in pros], dtype=np.int8) for skill in sorted(skills)
        }

    def least_capacity(self, index: np.ndarray, first: int, last: int) -> np.ndarray:
        """Each professional in ``index``: their least weekly capacity over weeks first..last.

        A sparse table (the minimum over every run of 2**k weeks) answers it with two lookups, where
        slicing the span read every week of it for every candidate of every role.
        """
        if not self._runs:
            self._runs.append(self.capacity)
            while 2 ** len(self._runs) <= self.capacity.shape[1]:
                prev, half = self._runs[-1], 2 ** (len(self._runs) - 1)
                self._runs.append(np.minimum(prev[:, :-half], prev[:, half:]))
        k = (last - first + 1).bit_length() - 1
        runs = self._runs[k]
        return np.minimum(runs[index, first], runs[index, last - 2**k + 1])

    def distances(self, index: np.ndarray, lat: float, lon: float) -> np.ndarray:
        """The spec's great-circle distance from each professional in ``index`` to (lat, lon)."""
        phi1 = np.radians(self.lat[index])
        phi2 = math.radians(lat)
        d_phi = phi2 - phi1
        d_lambda = np.radians(lon - self.lon[index])
        h = np.sin(d_phi / 2) ** 2 + np.cos(phi1) * math.cos(phi2) * np.sin(d_lambda / 2) ** 2
        return 2 * 6371.0 * np.arcsin(np.sqrt(h))


def eligible_pairs(instance: ShellInstance, arrays: Arrays | None = None) -> Candidates:
    """Every pair that satisfies rule 2 and fits capacity and budget on its own."""
    arrays = arrays or Arrays(instance)
    parts: list[list[np.ndarray]] = [[np.zeros(0, dtype=np.int32)] for _ in range(3)]
    parts += [[np.zeros(0, dtype=np.int8)], [np.zeros(0, dtype=bool)]]
    for project in instance.projects:
        for role, pro, km, level, preferred in _project_pairs(instance, arrays, project):
            for part, values in zip(parts, (np.full(len(pro), role), pro, km, level, preferred), strict=True):
                part.append(values)
    role, pro, km, level, preferred = (np.concatenate(part) for part in parts)
    return _candidates(instance, arrays, role.astype(np.int32), pro.astype(np.int32), km, level, preferred)


def _project_pairs(instance: ShellInstance, arrays: Arrays, project):
    roles = [instance.roles[i] for i in project.roles]
    if not roles:
        return
    # Professionals that could hold any role of the project, before the (costlier) distance.
    base = np.zeros(len(arrays.ids), dtype=bool)
    for role in roles:
        base |= arrays.levels[role.skill] >= role.min_level
    base &= arrays.qualified
    for pid in project.excluded:
        base[instance.professional_index[pid]] = False
    index = np.flatnonzero(base)
    if len(index) == 0:
        return
    km = arrays.distances(index, project.lat, project.lon)
    near = np.abs(km - arrays.max_km[index]) < _EXACT_MARGIN
    near |= np.abs(km - np.floor(km) - 0.5) < _EXACT_MARGIN
    for k in np.flatnonzero(near):
        p = index[k]
        km[k] = distance_km(arrays.lat[p], arrays.lon[p], project.lat, project.lon)
    reach = km <= arrays.max_km[index] + LIMIT_EPSILON
    index, km = index[reach], km[reach]
    preferred = np.array(sorted(instance.professional_index[p] for p in project.preferred), dtype=np.int64)
    for role_i in project.roles:
        role = instance.roles[role_i]
        ok = arrays.levels[role.skill][index] >= role.min_level
        # rule 3 for the role alone: its weekly hours fit every week of its span
        ok &= arrays.least_capacity(index, role.first, role.last) >= role.hours_per_week
        if project.budget is not None:  # rule 4 for the role alone
            ok &= arrays.rate[index] * role.hours <= project.budget
        chosen = index[ok]
        yield role_i, chosen, km[ok], arrays.levels[role.skill][chosen], np.isin(chosen, preferred)


def _candidates(
    instance: ShellInstance,
    arrays: Arrays,
    role: np.ndarray,
    pro: np.ndarray,
    km: np.ndarray,
    level: np.ndarray,
    preferred: np.ndarray,
) -> Candidates:
    w = instance.weights
    hours = np.array([r.hours for r in instance.roles], dtype=np.int64)[role]
    min_level = np.array([r.min_level for r in instance.roles], dtype=np.int8)[role]
    # exact: distances near a rounding point were recomputed with the scalar formula
    km = np.floor(km + 0.5).astype(np.int32)
    terms = {
        "filled_hour": w.filled_hour * hours,
        "euro": -w.euro * arrays.rate[pro] * hours,
        "level": w.level * (level.astype(np.int64) - min_level),
        "preferred": w.preferred * preferred.astype(np.int64),
        "travel_km": -w.travel_km * km.astype(np.int64),
        "fairness": -w.fairness * arrays.recent[pro],
    }
    keep = np.zeros(len(role), dtype=np.int64)
    if instance.previous:
        key = role.astype(np.int64) * len(instance.professionals) + pro
        previous = {p.role * len(instance.professionals) + p.professional: p.keep for p in instance.previous}
        wanted = np.array(sorted(previous), dtype=np.int64)
        hit = np.isin(key, wanted)
        keep[hit] = [previous[k] for k in key[hit].tolist()]
    value = sum(terms[name] for name in TERMS) + keep
    order = np.lexsort((pro, -value, role))
    cands = Candidates(role, pro, km, level, preferred, terms, keep)
    return cands.select(order)
