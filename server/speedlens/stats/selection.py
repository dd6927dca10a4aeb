"""Choosing the best of several verified candidates, without the winner's curse.

The best of several noisy measurements overstates its own speedup. With enough timed inputs the winner is picked
on one half of them and its numbers are recomputed on the other, held-out half; with too few, every verified
candidate's detail says that its bound was computed on the inputs it was chosen on.
"""

from __future__ import annotations

from collections.abc import Callable

from speedlens.models import InputMeasurement, Result, Status, Verdict
from speedlens.stats.conformal import estimate, selection_split

SELECTION_MIN_INPUTS = 20  # below this, the bound is over the inputs used to pick the winner (said in detail)

# The sentence for a re-bounded verdict, given the number of measurements its bound is over.
Describe = Callable[[Verdict, int], str]


def guard_winners_curse(
    results: list[Result], timed: list[str], *, seed: int, alpha: float, min_speedup: float, describe: Describe
) -> list[Result]:
    """``results`` with the winner first and its verdict bounded on held-out inputs (or each verdict saying why
    not); ``timed``: the names of the baseline's timed inputs."""
    verified = [r for r in results if r.verdict.verified]
    if len(verified) < 2:
        return results
    if len(timed) < SELECTION_MIN_INPUTS:
        for r in verified:
            r.verdict.detail += (
                f"; chosen as the best of {len(verified)} verified candidates on the same {len(timed)} inputs the "
                f"bound is computed on (≥{SELECTION_MIN_INPUTS} timed inputs allow a held-out bound)"
            )
        return results
    select, held_out = selection_split(timed, seed)
    winner = max(verified, key=lambda r: speedup_on(r.verdict, select))
    rebound(winner.verdict, held_out, alpha, min_speedup, describe)
    winner.verdict.detail += (
        f"; picked among {len(verified)} verified candidates on {len(select)} inputs, bound reported on the "
        f"other {len(held_out)} (held out against the winner's curse)"
    )
    return [winner, *[r for r in results if r is not winner]]


def _timed_on(verdict: Verdict, names: list[str]) -> list[InputMeasurement]:
    return [m for m in verdict.per_input if m.timed and m.name in names]


def speedup_on(verdict: Verdict, names: list[str]) -> float:
    """The verdict's total-time speedup over the inputs ``names`` (0 when none of them was timed)."""
    chosen = _timed_on(verdict, names)
    original = sum(m.original or 0.0 for m in chosen)
    return original / max(sum(m.candidate or 0.0 for m in chosen), 1e-12) if chosen else 0.0


def rebound(verdict: Verdict, names: list[str], alpha: float, min_speedup: float, describe: Describe) -> None:
    """Recompute a verdict's numbers over the inputs ``names`` only."""
    chosen = _timed_on(verdict, names)
    est = estimate([([m.original or 0.0], [m.candidate or 0.0]) for m in chosen], alpha, True)
    verdict.speedup, verdict.speedup_lower, verdict.speedup_upper = est.speedup, est.lower, est.upper
    verdict.bound_level = est.level if est.level == "input" else verdict.bound_level
    verdict.n_timed = len(chosen)
    verdict.original_seconds = sum(m.original or 0.0 for m in chosen)
    verdict.candidate_seconds = sum(m.candidate or 0.0 for m in chosen)
    if est.lower is None or est.lower < min_speedup:
        verdict.status = Status.NOT_FASTER
    verdict.detail = describe(verdict, est.n)
