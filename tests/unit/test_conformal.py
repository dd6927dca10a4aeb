"""The conformal bound: its definition, its fallbacks, and its coverage measured by seeded simulation."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from speedlens.stats.conformal import (
    correct_confidence,
    estimate,
    lower_bound,
    min_inputs,
    selection_split,
    two_sided,
)


def test_lower_bound_is_kth_smallest():
    values = [3.0, 1.0, 2.0, 5.0, 4.0, 9.0, 8.0, 7.0, 6.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0]
    # n = 19, alpha = 0.1: k = floor(0.1 * 20) = 2 -> the second smallest
    assert lower_bound(values, 0.1) == 2.0
    assert lower_bound(values, 0.2) == 4.0  # k = floor(0.2 * 20) = 4


def test_no_bound_below_minimum_inputs():
    assert min_inputs(0.1) == 9
    assert lower_bound([1.5] * 8, 0.1) is None
    assert lower_bound([1.5] * 9, 0.1) == 1.5
    assert two_sided([1.0] * 9, 0.1) is None  # needs n >= 19 for both tails at alpha = 0.1
    assert two_sided(list(range(1, 20)), 0.1) == (1, 19)


def test_correct_confidence():
    assert correct_confidence(19) == pytest.approx(0.95)
    assert correct_confidence(9) == pytest.approx(0.9)


def test_estimate_levels():
    many = [([2.0, 2.1, 1.9], [1.0, 1.0, 1.0])] * 10
    est = estimate(many, 0.1)
    assert est.level == "input" and est.n == 10 and est.lower == pytest.approx(2.0)
    few = [([2.0, 2.2, 1.8, 2.0, 2.0], [1.0] * 5)] * 2
    est = estimate(few, 0.1)
    assert est.level == "run" and est.n == 10 and est.lower == pytest.approx(1.8)
    est = estimate([([100.0], [50.0]), ([90.0], [30.0])], 0.1, deterministic=True)
    assert est.level == "deterministic" and est.lower == pytest.approx(2.0) and est.speedup == pytest.approx(190 / 80)


def test_headline_is_total_time_ratio():
    est = estimate([([10.0], [5.0]), ([1.0], [1.0])], 0.1, deterministic=True)
    assert est.speedup == pytest.approx(11 / 6)


def test_selection_split_is_deterministic_and_disjoint():
    names = [f"in{i}" for i in range(30)]
    a, b = selection_split(names, seed=3)
    assert (a, b) == selection_split(list(reversed(names)), seed=3)
    assert set(a).isdisjoint(b) and set(a) | set(b) == set(names) and len(a) == 15


WORKLOADS = [
    ("lognormal", lambda rng: math.exp(rng.gauss(math.log(2.0), 0.3))),
    ("lognormal-wide", lambda rng: math.exp(rng.gauss(math.log(1.5), 0.5))),
    ("bimodal", lambda rng: rng.choice([1.2, 4.0]) * rng.uniform(0.95, 1.05)),
    ("heavy-tail", lambda rng: 1.0 + rng.paretovariate(2.5)),
    ("uniform", lambda rng: rng.uniform(0.8, 3.0)),
]


@pytest.mark.parametrize("n", [9, 19, 50])
@pytest.mark.parametrize("alpha", [0.1, 0.2])
def test_empirical_coverage(n, alpha):
    """P(s_new >= L) >= 1 - alpha across workloads (seeded), measured over many trials."""
    rng = random.Random(1234 + n)
    trials = 3000
    coverages = []
    for _, draw in WORKLOADS:
        covered = 0
        for _ in range(trials):
            calibration = [draw(rng) for _ in range(n)]
            bound = lower_bound(calibration, alpha)
            covered += draw(rng) >= bound
        coverages.append(covered / trials)
    print(f"n={n} alpha={alpha} coverage per workload: {[round(c, 3) for c in coverages]}")
    # sampling error of a proportion over 3000 trials is ~0.006; allow 0.02
    assert min(coverages) >= 1 - alpha - 0.02, coverages


def test_bound_is_not_vacuous_at_n50():
    """At n = 50 the bound sits close to the true alpha-quantile (within 10% on average)."""
    rng = random.Random(7)
    alpha = 0.1
    for _, draw in WORKLOADS:
        population = sorted(draw(rng) for _ in range(200_000))
        true_quantile = population[int(alpha * len(population))]
        errors = []
        for _ in range(500):
            bound = lower_bound([draw(rng) for _ in range(50)], alpha)
            errors.append(abs(bound - true_quantile) / true_quantile)
        mean_error = statistics.mean(errors)
        print(f"n=50 mean relative distance to the true 10% quantile: {mean_error:.3f}")
        assert mean_error < 0.10
