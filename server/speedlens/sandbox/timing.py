"""Honest timing: warm-up, interleaved repetitions in random A/B order, medians, adaptive repetition count.

Interleaving matters more than anything else on a shared machine: drifts in clock speed, cache pressure from
neighbours and thermal state hit A and B alike instead of whichever happened to run second.
"""

from __future__ import annotations

import random
import re
import statistics
import time
from dataclasses import dataclass, field
from typing import Awaitable, Callable

from speedlens.config import TimingSettings
from speedlens.models import ProgressFn, no_progress

# measure(which, case_name) -> the metric for one run; which is "original" or "candidate".
Measure = Callable[[str, str], Awaitable[float]]


@dataclass
class Samples:
    original: list[float] = field(default_factory=list)
    candidate: list[float] = field(default_factory=list)

    def ratio(self, drop_last: int = 0) -> float:
        n = len(self.original) - drop_last
        return statistics.median(self.original[:n]) / max(statistics.median(self.candidate[:n]), 1e-12)


async def interleaved(
    measure: Measure,
    cases: list[str],
    settings: TimingSettings,
    min_pooled: int = 9,
    progress: ProgressFn = no_progress,
) -> dict[str, Samples]:
    """Time original and candidate on each case, interleaved, until the ratios settle or the budget is spent.

    One warm-up pair per case first (not recorded). Then rounds: every case once per round, cases shuffled,
    A/B order random per pair. After ``min_repetitions`` rounds (raised so that all cases together give at least
    ``min_pooled`` pairs for a run-level bound), stop once every case's ratio of medians moved < 1% in the last
    round, or the time budget is spent, or ``max_repetitions`` is reached.
    """
    rng = random.Random(settings.seed)
    samples = {case: Samples() for case in cases}
    for case in cases:
        for which in _order(rng):
            await measure(which, case)
    min_rounds = max(settings.min_repetitions, -(-min_pooled // max(1, len(cases))))
    max_rounds = max(min_rounds, settings.max_repetitions)
    start = time.monotonic()
    for round_index in range(max_rounds):
        order = list(cases)
        rng.shuffle(order)
        for case in order:
            for which in _order(rng):
                value = await measure(which, case)
                getattr(samples[case], which).append(value)
        done = round_index + 1
        progress(f"timing: repetition {done} (at least {min_rounds})", None)
        if done < min_rounds:
            continue
        if time.monotonic() - start > settings.budget_s:
            break
        if all(_settled(s) for s in samples.values()):
            break
    return samples


def _order(rng: random.Random) -> tuple[str, str]:
    return ("original", "candidate") if rng.random() < 0.5 else ("candidate", "original")


def _settled(samples: Samples, tolerance: float = 0.01) -> bool:
    if len(samples.original) < 3:
        return False
    return abs(samples.ratio() / samples.ratio(drop_last=1) - 1) < tolerance


_IREFS = re.compile(r"I\s*refs:\s*([\d,]+)")


def parse_instruction_count(valgrind_log: str) -> float | None:
    """Instructions executed, from cachegrind's summary ("I refs: 1,234,567")."""
    match = _IREFS.search(valgrind_log)
    return float(match.group(1).replace(",", "")) if match else None


def valgrind_wrapper(log_path: str) -> list[str]:
    """The command prefix that counts instructions deterministically (no hardware counters needed)."""
    return ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", f"--log-file={log_path}"]
