"""Percentiles and the shape of a figure."""
import math


def percentile(values, fraction: float) -> float | None:
    """Nearest rank: the smallest value with at least `fraction` of the values at or below it."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary(values) -> dict:
    values = list(values)
    return {"n": len(values), "p50": percentile(values, 0.50), "p95": percentile(values, 0.95),
            "max": max(values) if values else None}


def not_measured(reason: str) -> dict:
    return {"not_measured": reason}
