"""A project's Google Benchmark cases as the timing of one library function (ARCHITECTURE.md, "Adapters").

The project's own benchmarks say what a user's workload looks like far better than generated arguments do, so a
function that a benchmark case calls is timed by that case: the benchmark executable built twice (original and
candidate) and run A/B. Everything here is pure: which cases call the function (a static check on the benchmark
sources), the command line that runs them, and the per-instance CPU times in the JSON they print.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from speedlens.analysis import cpp

_TIME_UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
# What marks a benchmark source: Google Benchmark's header (nanobench is not timed this way yet).
_BENCHMARK_INCLUDE = re.compile(r'#\s*include\s*[<"]benchmark/benchmark\.h[>"]')


class BenchmarkOutputError(ValueError):
    """The benchmark binary printed something that is not Google Benchmark's JSON, or a case reported an error."""


def is_benchmark_source(text: str) -> bool:
    return _BENCHMARK_INCLUDE.search(text) is not None


def cases_calling(bench_text: str, function: str) -> list[str]:
    """The benchmark functions of ``bench_text`` whose body mentions ``function`` (its unqualified name).

    A static check, cheap and conservative in one direction: a case that calls the function only through a helper
    is missed (the generated harness times the function then), a case that merely names it is timed too, which
    costs time but never correctness (the harness checks correctness either way)."""
    name = function.split("::")[-1]
    word = re.compile(rf"\b{re.escape(name)}\b")
    found = []
    for definition in cpp.function_definitions(cpp.file_nodes(cpp.parse(bench_text))):
        case = cpp.function_name(definition)
        body = definition.child_by_field_name("body")
        if case != name and word.search(cpp.text(body)) and not cpp.is_main(definition):
            found.append(case)
    return list(dict.fromkeys(found))


def benchmark_filter(cases: list[str]) -> str:
    """The ``--benchmark_filter`` regex selecting every instance of ``cases`` (``BM_Join/1000`` and the like)."""
    return "^(" + "|".join(re.escape(c) for c in cases) + ")(/|$)"


@dataclass(frozen=True)
class Flags:
    """What the installed Google Benchmark understands, read from ``--help`` (older releases lack some flags)."""

    random_interleaving: bool
    min_time_suffix: bool  # 1.8 takes "0.05s"; 1.7 takes a bare number of seconds
    warmup: bool = False  # --benchmark_min_warmup_time (1.7 on)

    @classmethod
    def from_help(cls, help_text: str) -> Flags:
        return cls("benchmark_enable_random_interleaving" in help_text, "<integer>x" in help_text
                   or "<num>s" in help_text or "<float>s" in help_text, "benchmark_min_warmup_time" in help_text)


def run_arguments(cases: list[str], flags: Flags, repetitions: int, min_time_s: float) -> list[str]:
    """One A/B turn of a benchmark binary: the cases' instances, ``repetitions`` each (randomly interleaved where
    supported, so a drift inside one process hits every instance alike), each after a warm-up, as JSON."""
    min_time = f"{min_time_s:g}s" if flags.min_time_suffix else f"{min_time_s:g}"
    argv = [f"--benchmark_filter={benchmark_filter(cases)}", "--benchmark_format=json",
            f"--benchmark_repetitions={repetitions}", f"--benchmark_min_time={min_time}",
            "--benchmark_report_aggregates_only=false"]
    if flags.random_interleaving:
        argv.append("--benchmark_enable_random_interleaving=true")
    if flags.warmup:
        # A fresh process's first iterations pay for page faults the rest do not (a 4,096-word join measured 3.4×
        # slower on its first iteration than on later ones): without a warm-up a short turn times the faults.
        argv.append(f"--benchmark_min_warmup_time={min_time_s:g}")
    return argv


def listed_instances(listing: str) -> list[str]:
    """The instances ``--benchmark_list_tests=true`` prints, one a line."""
    return [line.strip() for line in listing.splitlines() if line.strip()]


def cpu_times(output: str) -> dict[str, list[float]]:
    """Per instance (``run_name``), the CPU seconds per iteration of every repetition, in the order run.

    Aggregates (mean, median, stddev) are left out: the caller takes its own medians over A/B turns."""
    try:
        data = json.loads(output)
    except ValueError:
        raise BenchmarkOutputError(f"not Google Benchmark JSON: {output.strip()[:200]!r}") from None
    times: dict[str, list[float]] = {}
    for run in data.get("benchmarks", []) if isinstance(data, dict) else []:
        if run.get("run_type", "iteration") != "iteration":
            continue
        name = str(run.get("run_name") or run.get("name"))
        if run.get("error_occurred"):
            raise BenchmarkOutputError(f"{name}: {run.get('error_message', 'the case reported an error')}")
        unit = _TIME_UNITS.get(str(run.get("time_unit", "ns")), 1e-9)
        times.setdefault(name, []).append(float(run["cpu_time"]) * unit)
    return times
