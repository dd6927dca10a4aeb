"""Honest timing: warm-up, interleaved repetitions in random A/B order, medians, adaptive repetition count.

Interleaving matters more than anything else on a shared machine: drifts in clock speed, cache pressure from
neighbours and thermal state hit A and B alike instead of whichever happened to run second.
"""

from __future__ import annotations

import math
import random
import re
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from speedlens.config import TimingSettings
from speedlens.models import ProgressFn, no_progress
from speedlens.stats.conformal import estimate

# measure_round([(which, case_name), ...]) -> the metric of each run, in order; which is "original" or
# "candidate". A whole round runs in one call so the caller can amortise the sandbox's start-up over it.
MeasureRound = Callable[[list[tuple[str, str]]], Awaitable[list[float]]]


@dataclass
class Samples:
    original: list[float] = field(default_factory=list)
    candidate: list[float] = field(default_factory=list)

    def run_ratios(self) -> list[float]:
        """Original over candidate per repetition (the pair timed in the same round)."""
        return [o / max(c, 1e-12) for o, c in zip(self.original, self.candidate, strict=True)]

    def ratio(self, drop_last: int = 0) -> float:
        n = len(self.original) - drop_last
        return statistics.median(self.original[:n]) / max(statistics.median(self.candidate[:n]), 1e-12)


@dataclass
class Timing:
    """What ``interleaved`` measured, and why it stopped when it stopped before ``max_repetitions``."""

    samples: dict[str, Samples]
    rounds: int
    stopped: str | None = None  # a sentence for the verdict when the stopping rule ended timing early


@dataclass(frozen=True)
class StoppingRule:
    """When timing may stop before ``max_repetitions``: as soon as the answer can no longer change.

    The verdict needs a low quantile of the speedups (the conformal bound) to reach ``min_speedup``; that quantile
    is below the median of the same ratios. So once a ``confidence`` upper bound on the median per-run ratio is
    below ``min_speedup``, more rounds cannot verify the candidate (an identical copy is the common case), and
    once the verdict's own lower bound clears ``min_speedup`` and the last round moved it less than ``tolerance``,
    more rounds cannot reject it. Without this rule a hopeless candidate is timed until the budget runs out.
    """

    min_speedup: float
    alpha: float = 0.1  # the verdict's alpha, for its bound
    confidence: float = 0.99
    tolerance: float = 0.02
    enabled: bool = True

    def decide(self, samples: list[Samples]) -> str | None:
        """None to go on timing; otherwise the reason to stop, for the verdict."""
        return self.hopeless(samples) or self.settled(samples)

    def hopeless(self, samples: list[Samples]) -> str | None:
        """Why the candidate cannot reach ``min_speedup``, or None.

        Asked after every round, before ``min_repetitions``: the sign-test bound is valid at any sample size and
        exists only once there are enough ratios for it (seven at 99%), so it needs no minimum of its own. A
        candidate that can verify has most run ratios above ``min_speedup`` and is never stopped by it.
        """
        if not self.enabled:
            return None
        upper = median_upper_bound([r for s in samples for r in s.run_ratios()], self.confidence)
        if upper is not None and upper < self.min_speedup:
            return (
                f"stopped early: cannot reach {self.min_speedup:g}× (the median run is at most {upper:.2f}× faster "
                f"with {100 * self.confidence:g}% confidence)"
            )
        return None

    def settled(self, samples: list[Samples]) -> str | None:
        """Why the verdict's bound can no longer fall below ``min_speedup``, or None (asked after the minimum)."""
        if not self.enabled:
            return None
        if len(samples[0].original) > 1:
            now, before = self._lower(samples, 0), self._lower(samples, 1)
            if now is not None and before is not None and min(now, before) >= self.min_speedup:
                if abs(now / before - 1) < self.tolerance:
                    return f"stopped once the bound settled (≥{now:.2f}×)"
        return None

    def _lower(self, samples: list[Samples], drop_last: int) -> float | None:
        n = len(samples[0].original) - drop_last
        return estimate([(s.original[:n], s.candidate[:n]) for s in samples], self.alpha).lower


def median_upper_bound(values: list[float], confidence: float) -> float | None:
    """A distribution-free upper confidence bound on the median of the values' population (sign test).

    The median exceeds the u-th smallest value only if at least u values fall below it: probability
    P(Binomial(n, 1/2) >= u); u is the smallest index making that at most 1 - confidence. Ratios pooled over
    several inputs in equal numbers are a stratified sample, whose count below the pooled median is more
    concentrated than that binomial, so the bound stays valid. None when there are too few values.
    """
    n = len(values)
    if n == 0:
        return None
    tail, u = 0.0, n + 1  # tail = P(B >= u)
    while u > 1:
        step = math.comb(n, u - 1) / 2**n
        if tail + step > 1 - confidence:
            break
        tail += step
        u -= 1
    return sorted(values)[u - 1] if u <= n else None


# Rounds before a hopeless verdict when each round is one process pair (see ``interleaved``): two balanced pairs of
# rounds (A first, then B first), whose median is what an early-stopped identical copy then reports.
SHARED_PROCESS_ROUNDS = 4


async def interleaved(
    measure_round: MeasureRound,
    cases: list[str],
    settings: TimingSettings,
    min_pooled: int = 9,
    progress: ProgressFn = no_progress,
    rule: StoppingRule | None = None,
    warm_up: bool = True,
    one_process_per_round: bool = False,
) -> Timing:
    """Time original and candidate on each case, interleaved, until the answer is known or the budget is spent.

    One warm-up pair per case first (not recorded; ``warm_up=False`` when each measurement warms up itself, as a
    Google Benchmark turn with a warm-up time does). Then rounds: every case once per round, cases shuffled,
    A/B order random per pair. When ``one_process_per_round`` (every case of a round measured in one process pair,
    as a benchmark binary's turn is), the pair's order is random in even rounds and reversed in the next, so
    whatever the first process of a turn pays (measured on samples/cmake: 4% for an identical binary) falls on
    both sides alike. A hopeless candidate (``rule.hopeless``) stops as soon as the data say so, but not before
    ``SHARED_PROCESS_ROUNDS`` rounds of one process pair each: one such round's ratios are one draw, not many, and
    an identical copy stopped after it would report that draw's 5-10% as its speedup. Otherwise,
    after ``min_repetitions`` rounds (raised so that all cases together give at least ``min_pooled`` pairs for a
    run-level bound), stop once ``rule`` says the verdict cannot change, or the estimate has settled (see
    ``_settled``), or the time budget is spent, or ``max_repetitions`` is reached.
    """
    rng = random.Random(settings.seed)
    samples = {case: Samples() for case in cases}
    if warm_up:
        await measure_round([(which, case) for case in cases for which in _order(rng)])
    min_rounds = max(settings.min_repetitions, -(-min_pooled // max(1, len(cases))))
    max_rounds = max(min_rounds, settings.max_repetitions)
    start = time.monotonic()
    pair_order = _order(rng)
    for round_index in range(max_rounds):
        order = list(cases)
        rng.shuffle(order)
        if one_process_per_round:
            pair_order = _order(rng) if round_index % 2 == 0 else (pair_order[1], pair_order[0])
            plan = [(which, case) for case in order for which in pair_order]
        else:
            plan = [(which, case) for case in order for which in _order(rng)]
        for (which, case), value in zip(plan, await measure_round(plan), strict=True):
            getattr(samples[case], which).append(value)
        done = round_index + 1
        progress(f"timing: repetition {done}/{max_rounds} (estimate {_headline(list(samples.values())):.2f}×)", None)
        hopeless = rule.hopeless(list(samples.values())) if rule is not None else None
        if hopeless is not None and (done >= SHARED_PROCESS_ROUNDS or not one_process_per_round):
            return Timing(samples, done, hopeless)
        if done < min_rounds:
            continue
        settled = rule.settled(list(samples.values())) if rule is not None else None
        if settled is not None:
            return Timing(samples, done, settled)
        if time.monotonic() - start > settings.budget_s or _settled(list(samples.values())):
            break
    return Timing(samples, done)


def _order(rng: random.Random) -> tuple[str, str]:
    return ("original", "candidate") if rng.random() < 0.5 else ("candidate", "original")


def _settled(samples: list[Samples], tolerance: float = 0.01) -> bool:
    """The last round moved the headline ratio < 1% and at least 90% of the per-input ratios < 2%.

    Requiring *every* input to settle never happens with many inputs on a noisy machine (one always moves);
    the bound is a low quantile of the per-input ratios, so most of them being stable is what matters.
    """
    if len(samples[0].original) < 3:
        return False
    if abs(_headline(samples) / _headline(samples, drop_last=1) - 1) >= tolerance:
        return False
    stable = sum(abs(s.ratio() / s.ratio(drop_last=1) - 1) < 2 * tolerance for s in samples)
    return stable >= 0.9 * len(samples)


def _headline(samples: list[Samples], drop_last: int = 0) -> float:
    """Total original over total candidate time (of per-input medians), as the verdict's headline speedup."""
    n = len(samples[0].original) - drop_last
    total_o = sum(statistics.median(s.original[:n]) for s in samples)
    return total_o / max(sum(statistics.median(s.candidate[:n]) for s in samples), 1e-12)


_IREFS = re.compile(r"I\s*refs:\s*([\d,]+)")


def parse_instruction_count(valgrind_log: str) -> float | None:
    """Instructions executed, from cachegrind's summary ("I refs: 1,234,567")."""
    match = _IREFS.search(valgrind_log)
    return float(match.group(1).replace(",", "")) if match else None


def valgrind_wrapper(log_path: str) -> list[str]:
    """The command prefix that counts instructions deterministically (no hardware counters needed)."""
    return [
        "valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", f"--log-file={log_path}"
    ]
