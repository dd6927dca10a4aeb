"""Conformal bounds on speedups and the correctness confidence (ARCHITECTURE.md, "Statistics").

Inputs are exchangeable draws from the user's workload. With per-input speedups s_1..s_n sorted, the
k-th smallest, k = floor(alpha * (n + 1)), is a lower bound L with P(s_new >= L) >= 1 - alpha for a new input
(split conformal prediction, one-sided). No distributional assumption is needed, only exchangeability; the price
is that small n gives no bound at all (k = 0), in which case callers fall back to run-level ratios.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


def lower_bound(values: Sequence[float], alpha: float) -> float | None:
    """One-sided conformal lower bound: s_(k) with k = floor(alpha (n+1)); None when n is too small."""
    k = math.floor(alpha * (len(values) + 1) + 1e-9)
    if k < 1:
        return None
    return sorted(values)[k - 1]


def two_sided(values: Sequence[float], alpha: float) -> tuple[float, float] | None:
    """Conformal interval [s_(floor(alpha/2 (n+1))), s_(ceil((1-alpha/2)(n+1)))]; None when n is too small."""
    n = len(values)
    lo = math.floor(alpha / 2 * (n + 1) + 1e-9)
    hi = math.ceil((1 - alpha / 2) * (n + 1) - 1e-9)
    if lo < 1 or hi > n:
        return None
    ordered = sorted(values)
    return ordered[lo - 1], ordered[hi - 1]


def min_inputs(alpha: float) -> int:
    """The fewest values for which ``lower_bound`` exists (9 at alpha = 0.1)."""
    return math.ceil(1 / alpha - 1 - 1e-9)


def correct_confidence(n_passed: int) -> float:
    """If all n inputs pass, a candidate wrong on a fresh exchangeable input is accepted with prob <= 1/(n+1)."""
    return n_passed / (n_passed + 1)


def ratio_of_medians(original: Sequence[float], candidate: Sequence[float]) -> float:
    """Per-input speedup: median original time over median candidate time."""
    return statistics.median(original) / max(statistics.median(candidate), 1e-12)


@dataclass
class SpeedupEstimate:
    """The headline speedup and its conformal bound, with what the bound is over."""

    speedup: float  # PIE's: total original time / total candidate time over the timed inputs
    lower: float | None
    upper: float | None
    alpha: float
    level: str  # "input" | "run" | "deterministic"
    n: int  # how many values the bound is over (inputs, or pooled runs)


def estimate(
    per_input: Sequence[tuple[Sequence[float], Sequence[float]]], alpha: float, deterministic: bool = False
) -> SpeedupEstimate:
    """Speedup and bound from per-input (original times, candidate times), paired by repetition index.

    Enough inputs: an input-level conformal bound over the per-input ratios of medians. Too few: a weaker
    run-level bound over the pooled per-repetition ratios. Deterministic metrics (instruction counts) with too few
    inputs: the smallest per-input ratio, since there is no run-to-run noise to bound.
    """
    if not per_input:
        raise ValueError("no timed inputs")
    total_orig = sum(statistics.median(o) for o, _ in per_input)
    total_cand = sum(statistics.median(c) for _, c in per_input)
    headline = total_orig / max(total_cand, 1e-12)
    ratios = [ratio_of_medians(o, c) for o, c in per_input]
    if len(ratios) >= min_inputs(alpha):
        interval = two_sided(ratios, alpha)
        return SpeedupEstimate(
            headline, lower_bound(ratios, alpha), interval[1] if interval else None, alpha, "input", len(ratios)
        )
    if deterministic:
        return SpeedupEstimate(headline, min(ratios), max(ratios), alpha, "deterministic", len(ratios))
    pooled = [a / max(b, 1e-12) for o, c in per_input for a, b in zip(o, c, strict=False)]
    interval = two_sided(pooled, alpha)
    return SpeedupEstimate(
        headline, lower_bound(pooled, alpha), interval[1] if interval else None, alpha, "run", len(pooled)
    )


def selection_split(names: Sequence[str], seed: int = 0) -> tuple[list[str], list[str]]:
    """Split timed inputs into a selection half and a reporting half (against the winner's curse).

    Deterministic in the names and seed, so a re-run splits the same way.
    """
    import hashlib

    def key(name: str) -> str:
        return hashlib.sha256(f"{seed}:{name}".encode()).hexdigest()

    ordered = sorted(names, key=key)
    half = len(ordered) // 2
    return ordered[:half], ordered[half:]
