"""Library functions on samples/cmake: what a user waits, whether identical code stays unverified, and whether the
harness's speedup agrees with the project's own Google Benchmark binaries.

Prints one JSON line: ``cold_s`` (optimize of the whole file, empty cache: CMake configure, harness builds,
verification), ``warm_s`` (the same with the builds cached, results not), ``warm_one_function_s`` (re-verifying
join alone), ``aa`` (an identical copy of count_with_prefix: must not verify, |speedup − 1| ≤ 5%), and
``known_rewrite``: join's string-append rewrite as ``speedlens verify`` reports it (timed by the sample's own
BM_Join, the route saying so in ``timed_by``) against an independent run of the sample's benchmark binary built
twice with plain CMake, original and rewritten, outside speedlens: the same statistic (total median cpu_time of
the instances, original over rewritten) and its ratio to the reported one, ``agreement`` (goal within 20%).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, emit, fresh_cache

SAMPLE = ROOT / "samples" / "cmake"
SOURCE = Path("src") / "textstats.cpp"
JOIN_SLOW, JOIN_FAST = "out = out + separator;", "out += separator;"
JOIN_SLOW_2, JOIN_FAST_2 = "out = out + words[i];", "out += words[i];"


def speedlens(*args: str, cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "server")}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "speedlens", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=3600)
    return time.perf_counter() - start, done


def copy_sample(directory: Path) -> Path:
    root = directory / "textstats"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("build"))
    return root


def join_line(root: Path) -> str:
    lines = (root / SOURCE).read_text().splitlines()
    return str(next(i for i, line in enumerate(lines, 1) if "std::string join(" in line))


def optimize_times(root: Path) -> dict:
    cold, done = speedlens("optimize", str(SOURCE), "--json", "--no-cache", cwd=root)
    report = json.loads(done.stdout) if done.stdout else {}
    warm, _ = speedlens("optimize", str(SOURCE), "--json", "--no-cache", cwd=root)
    one, done_one = speedlens("optimize", str(SOURCE), "--line", join_line(root), "--json", "--no-cache", cwd=root)
    join = json.loads(done_one.stdout)["results"][0] if done_one.stdout else {}
    verified = [r for r in report.get("results", []) if r["status"] == "verified"]
    return {"cold_s": round(cold, 1), "warm_s": round(warm, 1), "warm_one_function_s": round(one, 1),
            "verified": len(verified), "join": join}


def aa(root: Path) -> dict:
    text = (root / SOURCE).read_text()
    copy = root.parent / "aa.cpp"
    copy.write_text(text.replace("    std::size_t count = 0;\n", "    std::size_t count = 0;  // A/A\n"))
    _, done = speedlens("verify", str(SOURCE), str(copy), "--json", cwd=root)
    verdict = json.loads(done.stdout)
    speedup = verdict.get("speedup")
    return {"status": verdict["status"], "speedup": speedup,
            "ok": verdict["status"] != "verified" and speedup is not None and abs(speedup - 1) <= 0.05}


def build_bench(root: Path, build: Path) -> Path:
    subprocess.run(["cmake", "-S", str(root), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release"], check=True,
                   capture_output=True)
    subprocess.run(["cmake", "--build", str(build), "--target", "textstats_bench", "-j2"], check=True,
                   capture_output=True)
    return build / "textstats_bench"


def bench_cpu_time(binary: Path) -> dict[str, float]:
    """BM_Join's cpu_time (seconds) per instance, one run of the sample's own benchmark binary at its defaults."""
    out = subprocess.run([str(binary), "--benchmark_filter=^BM_Join(/|$)", "--benchmark_format=json"],
                         check=True, capture_output=True, text=True).stdout
    return {b["run_name"]: b["cpu_time"] * 1e-9 for b in json.loads(out)["benchmarks"]}


def independent_speedup(root: Path, rewritten: Path, rounds: int = 3) -> tuple[float, dict[str, float]]:
    """Total median cpu_time of BM_Join's instances, original over rewritten, both binaries run in turn."""
    original = build_bench(root, root.parent / "build-original")
    candidate = build_bench(rewritten, root.parent / "build-rewritten")
    runs: dict[str, list[dict[str, float]]] = {"original": [], "candidate": []}
    for _ in range(rounds):
        runs["original"].append(bench_cpu_time(original))
        runs["candidate"].append(bench_cpu_time(candidate))
    medians = {which: {name: statistics.median(r[name] for r in rs) for name in rs[0]} for which, rs in runs.items()}
    ratios = {name: round(medians["original"][name] / medians["candidate"][name], 1) for name in medians["original"]}
    return sum(medians["original"].values()) / sum(medians["candidate"].values()), ratios


def known_rewrite(root: Path) -> dict:
    rewritten = root.parent / "rewritten"
    shutil.copytree(root, rewritten)
    text = (rewritten / SOURCE).read_text()
    (rewritten / SOURCE).write_text(text.replace(JOIN_SLOW, JOIN_FAST).replace(JOIN_SLOW_2, JOIN_FAST_2))
    _, done = speedlens("verify", str(SOURCE), str(rewritten / SOURCE), "--json", cwd=root)
    verdict = json.loads(done.stdout)
    independent, ratios = independent_speedup(root, rewritten)
    reported = verdict.get("speedup")
    return {"status": verdict["status"], "timed_by": verdict.get("timed_by"), "reported_speedup": reported,
            "reported_lower": verdict.get("speedup_lower"), "bound_level": verdict.get("bound_level"),
            "independent_speedup": round(independent, 1), "independent_per_instance": ratios,
            "agreement": round(reported / independent, 3) if reported else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-aa", action="store_true")
    parser.add_argument("--skip-optimize", action="store_true", help="measure only aa and known_rewrite")
    args = parser.parse_args()
    fresh_cache()
    directory = Path(tempfile.mkdtemp(prefix="speedlens-function-bench-"))
    root = copy_sample(directory)
    fields: dict = {}
    if not args.skip_optimize:
        times = optimize_times(root)
        join = times.pop("join")
        fields = {**times, "join_speedup": join.get("speedup"), "join_lower": join.get("speedup_lower")}
    if not args.skip_aa:
        fields["aa"] = aa(root)
    fields["known_rewrite"] = known_rewrite(root)
    emit("function_level", **fields)


if __name__ == "__main__":
    main()
