"""A project's Google Benchmark cases as a function's timing: which cases call it, how they run, what they print."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from speedlens.project.benchmarks import (
    BenchmarkOutputError,
    Flags,
    benchmark_filter,
    cases_calling,
    cpu_times,
    is_benchmark_source,
    listed_instances,
    run_arguments,
)

SAMPLE_BENCH = Path(__file__).resolve().parents[2] / "samples" / "cmake" / "bench" / "textstats_bench.cpp"


def test_the_cases_whose_body_calls_the_function_are_found():
    text = SAMPLE_BENCH.read_text()
    assert is_benchmark_source(text)
    assert cases_calling(text, "textstats::join") == ["BM_Join"]
    assert cases_calling(text, "dedupe") == ["BM_Dedupe"]
    assert cases_calling(text, "words") == ["BM_CountWithPrefix", "BM_Join", "BM_Listing"]  # not the helper itself
    assert cases_calling(text, "joined") == []  # a word, not a substring


def test_a_case_calling_it_through_a_helper_is_not_claimed():
    text = ("#include <benchmark/benchmark.h>\nint helper(int x) { return f(x); }\n"
            "void BM_H(benchmark::State& s) { for (auto _ : s) helper(1); }\nBENCHMARK(BM_H);\n")
    assert cases_calling(text, "f") == ["helper"]  # helper is no benchmark: listing it selects no instance
    assert not is_benchmark_source("#include <vector>\n")


def test_the_filter_selects_every_instance_of_the_cases_and_nothing_else():
    pattern = re.compile(benchmark_filter(["BM_Join", "BM_A.b"]))
    assert pattern.search("BM_Join/1000") and pattern.search("BM_Join") and pattern.search("BM_A.b/3")
    assert not pattern.search("BM_JoinAll/10") and not pattern.search("BM_Axb")


def test_arguments_follow_what_the_installed_release_understands():
    old = Flags.from_help("--benchmark_min_time=<min_time>\n--benchmark_min_warmup_time=<min_warmup_time>\n"
                          "--benchmark_enable_random_interleaving={true|false}")
    assert old == Flags(random_interleaving=True, min_time_suffix=False, warmup=True)
    argv = run_arguments(["BM_Join"], old, 3, 0.05)
    assert "--benchmark_min_time=0.05" in argv and "--benchmark_repetitions=3" in argv
    assert "--benchmark_enable_random_interleaving=true" in argv and "--benchmark_format=json" in argv
    assert "--benchmark_min_warmup_time=0.05" in argv
    new = Flags.from_help("--benchmark_min_time=`<integer>x` OR `<float>s`")
    assert new == Flags(random_interleaving=False, min_time_suffix=True)
    argv = run_arguments(["BM_Join"], new, 1, 0.05)
    assert "--benchmark_min_time=0.05s" in argv and not any("warmup" in a for a in argv)


def test_cpu_times_are_per_instance_repetition_in_seconds():
    runs = [{"name": "BM_J/10", "run_name": "BM_J/10", "run_type": "iteration", "cpu_time": 2000.0, "time_unit": "ns"},
            {"name": "BM_J/10", "run_name": "BM_J/10", "run_type": "iteration", "cpu_time": 3.0, "time_unit": "us"},
            {"name": "BM_J/10_median", "run_name": "BM_J/10", "run_type": "aggregate", "cpu_time": 1.0},
            {"name": "BM_J/99", "run_name": "BM_J/99", "run_type": "iteration", "cpu_time": 1.5, "time_unit": "ms"}]
    times = cpu_times(json.dumps({"context": {}, "benchmarks": runs}))
    assert times == {"BM_J/10": [pytest.approx(2e-6), pytest.approx(3e-6)], "BM_J/99": [pytest.approx(1.5e-3)]}
    assert listed_instances("BM_J/10\nBM_J/99\n\n") == ["BM_J/10", "BM_J/99"]


def test_an_erroring_case_or_garbage_is_an_error():
    error = {"benchmarks": [{"run_name": "BM_J", "run_type": "iteration", "error_occurred": True,
                             "error_message": "boom", "cpu_time": 0}]}
    with pytest.raises(BenchmarkOutputError, match="boom"):
        cpu_times(json.dumps(error))
    with pytest.raises(BenchmarkOutputError, match="not Google Benchmark JSON"):
        cpu_times("Segmentation fault")
