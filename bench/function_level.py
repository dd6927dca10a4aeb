"""Library functions on samples/cmake: what a user waits, whether identical code stays unverified, and whether the
harness's speedup agrees with the project's own Google Benchmark binaries.

Prints one JSON line: ``cold_s`` (optimize of the whole file, empty cache: CMake configure, harness builds,
verification), ``warm_s`` (the same with the builds cached, results not), ``warm_one_function_s`` (re-verifying
join alone), ``aa`` (an identical copy of count_with_prefix: must not verify, |speedup − 1| ≤ 5%), and
``known_rewrite`` (join's string-append rewrite: the harness's speedup against the ratio of BM_Join's cpu_time in
the sample's benchmark binary built twice, original and rewritten; goal within 20%).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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


def bench_cpu_time(root: Path, build: Path) -> dict[str, float]:
    """BM_Join's median cpu_time per argument, from the sample's own benchmark binary."""
    subprocess.run(["cmake", "-S", str(root), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release"], check=True,
                   capture_output=True)
    subprocess.run(["cmake", "--build", str(build), "--target", "textstats_bench", "-j2"], check=True,
                   capture_output=True)
    out = subprocess.run([str(build / "textstats_bench"), "--benchmark_filter=BM_Join",
                          "--benchmark_repetitions=5", "--benchmark_format=json"],
                         check=True, capture_output=True, text=True).stdout
    return {b["run_name"]: b["cpu_time"] for b in json.loads(out)["benchmarks"]
            if b.get("aggregate_name") == "median"}


def known_rewrite(root: Path, harness_speedup: float | None) -> dict:
    rewritten = root.parent / "rewritten"
    shutil.copytree(root, rewritten)
    text = (rewritten / SOURCE).read_text()
    (rewritten / SOURCE).write_text(text.replace(JOIN_SLOW, JOIN_FAST).replace(JOIN_SLOW_2, JOIN_FAST_2))
    before = bench_cpu_time(root, root.parent / "build-original")
    after = bench_cpu_time(rewritten, root.parent / "build-rewritten")
    ratios = {name: round(before[name] / after[name], 2) for name in before if name in after}
    return {"benchmark_speedups": ratios, "harness_speedup": harness_speedup}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-aa", action="store_true")
    args = parser.parse_args()
    fresh_cache()
    directory = Path(tempfile.mkdtemp(prefix="speedlens-function-bench-"))
    root = copy_sample(directory)
    times = optimize_times(root)
    join = times.pop("join")
    fields = {**times, "join_speedup": join.get("speedup"), "join_lower": join.get("speedup_lower")}
    if not args.skip_aa:
        fields["aa"] = aa(root)
    fields["known_rewrite"] = known_rewrite(root, join.get("speedup"))
    emit("function_level", **fields)


if __name__ == "__main__":
    main()
