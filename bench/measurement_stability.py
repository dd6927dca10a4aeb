"""Repeat one verification: does the reported speedup stay put, and does the bound hold on fresh measurements?

Reports max/min of the headline speedup over the repetitions (goal <= 1.10) and, for every repetition after the
first, the share of its fresh per-input speedups that are at or above the first repetition's lower bound
(goal >= 1 - alpha): the conformal promise, checked on new measurements.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
from pathlib import Path

from _common import emit, fresh_cache, sample_pairs


async def run(slow: Path, fast: Path, repeats: int) -> dict:
    from speedlens.config import load_settings
    from speedlens.testcases import discover
    from speedlens.verify import CppVerifier

    settings = load_settings(slow.parent)
    verifier = CppVerifier(settings)
    slow_text, fast_text = await asyncio.to_thread(lambda: (slow.read_text(), fast.read_text()))
    baseline = await verifier.baseline(slow_text, slow, discover(slow, settings))
    verdicts = []
    for i in range(repeats):
        settings.timing.seed = i  # a fresh random A/B order each time
        verdicts.append(await verifier.verify(baseline, fast_text))
    speedups = [v.speedup for v in verdicts]
    first_bound = verdicts[0].speedup_lower
    shares = []
    for v in verdicts[1:]:
        fresh = [m.speedup for m in v.per_input if m.timed]
        shares.append(sum(s >= first_bound for s in fresh) / len(fresh))
    return {
        "sample": slow.stem,
        "repeats": repeats,
        "speedups": [round(s, 3) for s in speedups],
        "max_over_min": round(max(speedups) / min(speedups), 3),
        "first_lower_bound": round(first_bound, 3),
        "share_above_bound": round(statistics.mean(shares), 3),
        "alpha": settings.alpha,
        "n_timed": verdicts[0].n_timed,
        "goal": "max_over_min <= 1.10 and share_above_bound >= 1 - alpha",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample")
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    pairs = sample_pairs()
    slow, fast = next(p for p in pairs if p[0].stem == args.sample) if args.sample else pairs[0]
    fresh_cache()
    emit("measurement_stability", **asyncio.run(run(slow, fast, args.repeats)))


if __name__ == "__main__":
    main()
