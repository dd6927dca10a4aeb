"""Honest timing: warm-up, interleaved repetitions in random A/B order, medians, adaptive repetition count.

Interleaving matters more than anything else on a shared machine: drifts in clock speed, cache pressure from
neighbours and thermal state hit A and B alike instead of whichever happened to run second.
"""

from __future__ import annotations

import random
import re
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from speedlens.config import TimingSettings
from speedlens.models import ProgressFn, no_progress

# measure_round([(which, case_name), ...]) -> the metric of each run, in order; which is "original" or
# "candidate". A whole round runs in one call so the caller can amortise the sandbox's start-up over it.
MeasureRound = Callable[[list[tuple[str, str]]], Awaitable[list[float]]]


@dataclass
class Samples:
    original: list[float] = field(default_factory=list)
    candidate: list[float] = field(default_factory=list)

    def ratio(self, drop_last: int = 0) -> float:
        n = len(self.original) - drop_last
        return statistics.median(self.original[:n]) / max(statistics.median(self.candidate[:n]), 1e-12)


async def interleaved(
    measure_round: MeasureRound,
    cases: list[str],
    settings: TimingSettings,
    min_pooled: int = 9,
    progress: ProgressFn = no_progress,
) -> dict[str, Samples]:
    """Time original and candidate on each case, interleaved, until the estimate settles or the budget is spent.

    One warm-up pair per case first (not recorded). Then rounds: every case once per round, cases shuffled,
    A/B order random per pair. After ``min_repetitions`` rounds (raised so that all cases together give at least
    ``min_pooled`` pairs for a run-level bound), stop once the estimate has settled (see ``_settled``), or the
    time budget is spent, or ``max_repetitions`` is reached.
    """
    rng = random.Random(settings.seed)
    samples = {case: Samples() for case in cases}
    await measure_round([(which, case) for case in cases for which in _order(rng)])
    min_rounds = max(settings.min_repetitions, -(-min_pooled // max(1, len(cases))))
    max_rounds = max(min_rounds, settings.max_repetitions)
    start = time.monotonic()
    for round_index in range(max_rounds):
        order = list(cases)
        rng.shuffle(order)
        plan = [(which, case) for case in order for which in _order(rng)]
        for (which, case), value in zip(plan, await measure_round(plan)):
            getattr(samples[case], which).append(value)
        done = round_index + 1
        progress(f"timing: repetition {done} (at least {min_rounds})", None)
        if done < min_rounds:
            continue
        if time.monotonic() - start > settings.budget_s or _settled(list(samples.values())):
            break
    return samples


def _order(rng: random.Random) -> tuple[str, str]:
    return ("original", "candidate") if rng.random() < 0.5 else ("candidate", "original")


def _settled(samples: list[Samples], tolerance: float = 0.01) -> bool:
    """The last round moved the headline ratio < 1% and at least 90% of the per-input ratios < 2%.

    Requiring *every* input to settle never happens with many inputs on a noisy machine (one always moves);
    the bound is a low quantile of the per-input ratios, so most of them being stable is what matters.
    """
    if len(samples[0].original) < 3:
        return False

    def headline(drop_last: int) -> float:
        n = len(samples[0].original) - drop_last
        total_o = sum(statistics.median(s.original[:n]) for s in samples)
        return total_o / max(sum(statistics.median(s.candidate[:n]) for s in samples), 1e-12)

    if abs(headline(0) / headline(1) - 1) >= tolerance:
        return False
    stable = sum(abs(s.ratio() / s.ratio(drop_last=1) - 1) < 2 * tolerance for s in samples)
    return stable >= 0.9 * len(samples)


_IREFS = re.compile(r"I\s*refs:\s*([\d,]+)")


def parse_instruction_count(valgrind_log: str) -> float | None:
    """Instructions executed, from cachegrind's summary ("I refs: 1,234,567")."""
    match = _IREFS.search(valgrind_log)
    return float(match.group(1).replace(",", "")) if match else None


def valgrind_wrapper(log_path: str) -> list[str]:
    """The command prefix that counts instructions deterministically (no hardware counters needed)."""
    return ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", f"--log-file={log_path}"]
