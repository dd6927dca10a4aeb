"""One way to write a speedup, used by everything a user reads: code lens, inlay hint, quick fix, report, status
notification (its ``bestLabel``) and the CLI. A result is never ``12×`` in one place and ``11.53×`` in another.

Rule: one decimal (``2.9×``, ``11.5×``); no decimals from 100× up (``140×``); a bound is ``≥2.3× @90%``.
"""

from __future__ import annotations

from typing import Any


def speedup(value: float | None) -> str:
    """``11.5×``; ``–`` when unknown."""
    if value is None or value != value or value <= 0:  # None, NaN, nonsense
        return "–"
    if value >= 99.95:
        return f"{value:.0f}×"
    return f"{value:.1f}×"


def confidence(alpha: float) -> str:
    """``90%`` for alpha 0.1, ``97.5%`` for 0.025."""
    pct = round((1 - alpha) * 1000) / 10
    return f"{pct:.0f}%" if pct == int(pct) else f"{pct:.1f}%"


def bound(lower: float | None, alpha: float | None) -> str:
    """``≥2.3× @90%``; empty without a bound."""
    if lower is None or alpha is None:
        return ""
    return f"≥{speedup(lower)} @{confidence(alpha)}"


def best_label(verdict: Any) -> str:
    """``2.9× (≥2.3× @90%)``: a verdict's headline figure with its bound, as the status bar shows it."""
    head = speedup(getattr(verdict, "speedup", None))
    b = bound(getattr(verdict, "speedup_lower", None), getattr(verdict, "alpha", None))
    return f"{head} ({b})" if b else head


def faster(verdict: Any) -> str:
    """``⚡ 2.9× faster``: the lens and hint headline."""
    return f"⚡ {speedup(getattr(verdict, 'speedup', None))} faster"
