"""The timing loop's stopping rule: a hopeless candidate stops as soon as it shows, a clear one once settled."""

from __future__ import annotations

import asyncio
import random

import pytest

from speedlens.config import TimingSettings
from speedlens.sandbox.timing import SHARED_PROCESS_ROUNDS, Samples, StoppingRule, interleaved, median_upper_bound

CASES = [f"in{i}" for i in range(10)]


def fake_round(speedup: float, noise: float, seed: int = 1):
    """A measure_round whose candidate takes 1/speedup of the original's time, each run off by up to ``noise``."""
    rng = random.Random(seed)

    async def measure(plan):
        base = {case: 0.01 * (1 + i) for i, case in enumerate(CASES)}
        return [
            base[case] / (speedup if which == "candidate" else 1) * (1 + rng.uniform(-noise, noise))
            for which, case in plan
        ]

    return measure


def time_it(speedup: float, noise: float, rule: StoppingRule | None, messages: list[str] | None = None):
    settings = TimingSettings(min_repetitions=5, max_repetitions=30, budget_s=60)
    progress = (lambda m, p=None: messages.append(m)) if messages is not None else (lambda m, p=None: None)
    return asyncio.run(interleaved(fake_round(speedup, noise), CASES, settings, 9, progress, rule))


def test_median_upper_bound_is_an_order_statistic_of_the_sign_test():
    assert median_upper_bound(list(range(1, 51)), 0.99) == 34  # P(Binomial(50, 1/2) >= 34) < 1%
    assert median_upper_bound(list(range(7)), 0.99) == 6  # 1/128 < 1%: the largest of seven
    assert median_upper_bound([1.0] * 6, 0.99) is None  # 1/64 > 1%: six values cannot bound it
    assert median_upper_bound([], 0.99) is None


def test_identical_copy_stops_as_soon_as_the_data_say_it_is_hopeless():
    """Before min_repetitions (5): the sign-test bound needs no minimum beyond the values that make it exist."""
    messages: list[str] = []
    timing = time_it(1.0, 0.15, StoppingRule(min_speedup=1.1), messages)
    assert timing.rounds < 5
    assert timing.stopped is not None and timing.stopped.startswith("stopped early: cannot reach 1.1×")
    assert messages[0].startswith("timing: repetition 1/30 (estimate ")
    assert messages[-1].startswith(f"timing: repetition {timing.rounds}/30")


def test_rounds_of_one_process_pair_alternate_its_order_and_are_not_hopeless_before_four():
    """A benchmark binary's turn measures every case in one process: its first round alone is one draw, and
    whichever process runs first in a turn pays the same for every case."""
    settings = TimingSettings(min_repetitions=5, max_repetitions=30, budget_s=60)
    rule = StoppingRule(min_speedup=1.1)
    plans = []
    measure = fake_round(1.0, 0.01)

    async def recording(plan):
        plans.append(plan)
        return await measure(plan)

    alone = asyncio.run(interleaved(fake_round(1.0, 0.01), CASES, settings, 9, rule=rule))
    shared = asyncio.run(interleaved(recording, CASES, settings, 9, rule=rule, one_process_per_round=True))
    assert alone.rounds == 1 and shared.rounds == SHARED_PROCESS_ROUNDS == 4
    assert shared.stopped is not None and shared.stopped.startswith("stopped early: cannot reach 1.1×")
    firsts = [plan[0][0] for plan in plans[1:]]  # after the warm-up round
    assert all(len({plan[i][0] for i in range(0, len(plan), 2)}) == 1 for plan in plans[1:])  # one order a round
    assert firsts[0] != firsts[1] and firsts[2] != firsts[3] and sorted(firsts) == ["candidate"] * 2 + ["original"] * 2


def test_a_real_speedup_is_never_stopped_as_hopeless_in_early_rounds():
    for seed in range(20):
        settings = TimingSettings(min_repetitions=5, max_repetitions=30, budget_s=60)
        rule = StoppingRule(min_speedup=1.1)
        timing = asyncio.run(interleaved(fake_round(1.3, 0.15, seed), CASES, settings, 9, rule=rule))
        assert timing.stopped is None or "cannot reach" not in timing.stopped, (seed, timing.stopped)


def test_without_the_rule_a_noisy_copy_is_timed_longer():
    timing = time_it(1.0, 0.15, StoppingRule(min_speedup=1.1, enabled=False))
    assert timing.rounds > 5 and timing.stopped is None


def test_clearly_faster_candidate_stops_once_its_bound_settles():
    timing = time_it(2.0, 0.15, StoppingRule(min_speedup=1.1))
    assert timing.rounds < 30
    assert timing.stopped is not None and timing.stopped.startswith("stopped once the bound settled (≥1.")


def test_a_candidate_near_the_threshold_is_not_stopped_as_hopeless():
    timing = time_it(1.12, 0.02, StoppingRule(min_speedup=1.1))
    assert timing.stopped is None or "cannot reach" not in timing.stopped


@pytest.mark.parametrize("values, expected", [([1.0, 2.0, 3.0], [1.0, 1.0, 1.0])])
def test_run_ratios_pair_the_same_repetition(values, expected):
    assert Samples(values, values).run_ratios() == expected


@pytest.mark.parametrize("warm_up", [True, False])
def test_the_warm_up_round_is_skipped_for_measurements_that_warm_up_themselves(warm_up):
    calls = []
    measure = fake_round(2.0, 0.01)

    async def counting(plan):
        calls.append(plan)
        return await measure(plan)

    settings = TimingSettings(min_repetitions=5, max_repetitions=5, budget_s=60)
    timing = asyncio.run(interleaved(counting, CASES, settings, 9, warm_up=warm_up))
    assert timing.rounds == 5 and len(calls) == 5 + warm_up
    assert all(len(s.original) == 5 for s in timing.samples.values())
