"""How evenly invitations are spread: the measure of equal treatment shown to organizers and benchmarked."""

from __future__ import annotations


def gini(values: list[float]) -> float:
    """The Gini coefficient of non-negative values (0 = all equal, near 1 = one has all); 0 if empty or all 0."""
    ordered = sorted(values)
    total = sum(ordered)
    if not ordered or total == 0:
        return 0.0
    n = len(ordered)
    weighted = sum((index + 1) * value for index, value in enumerate(ordered))
    return (2 * weighted) / (n * total) - (n + 1) / n
