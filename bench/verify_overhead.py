"""`speedlens verify` wall time over a bare shell loop doing the same compiles and the same number of runs.

The bare loop is what a careful person would script by hand: g++ for the original, the candidate and both
sanitizer builds (speedlens runs the original's too, so that a failure they share is not blamed on the candidate),
then every run speedlens made (same binaries, same inputs), output to /dev/null.
Goal: ratio <= 1.15 (the isolation, bookkeeping and statistics cost little next to the work itself).
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
import time

from _common import emit, fresh_cache, sample_pairs

SANITIZE = "-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sample", help="sample name (default: the first with a fast version)")
    args = parser.parse_args()
    pairs = sample_pairs()
    slow, fast = next((p for p in pairs if p[0].stem == args.sample), pairs[0]) if args.sample else pairs[0]
    fresh_cache()
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "speedlens", "verify", str(slow), str(fast), "--json"], capture_output=True, text=True
    )
    speedlens_wall = time.monotonic() - start
    verdict = json.loads(proc.stdout)
    tests = sorted(slow.with_name(slow.stem + ".tests").glob("*.in"))
    timed = {m["name"]: m["repetitions"] for m in verdict["per_input"] if m["timed"]}
    with tempfile.TemporaryDirectory() as d:
        script = [
            f"set -e; cd {d}",
            f"g++ -O2 -std=c++17 {shlex.quote(str(slow))} -o orig",
            f"g++ -O2 -std=c++17 {shlex.quote(str(fast))} -o cand",
            f"g++ -O2 -std=c++17 {SANITIZE} {shlex.quote(str(fast))} -o cand_san",
            f"g++ -O2 -std=c++17 {SANITIZE} {shlex.quote(str(slow))} -o orig_san",
        ]
        runs = 0
        for t in tests:  # the original once per input (oracle) and under the sanitizers, the candidate's two checks
            q = shlex.quote(str(t))
            script += [
                f"./orig < {q} > /dev/null",
                f"ASAN_OPTIONS=detect_leaks=0 ./orig_san < {q} > /dev/null",
                f"ASAN_OPTIONS=detect_leaks=0 ./cand_san < {q} > /dev/null",
                f"./cand < {q} > /dev/null",
            ]
            runs += 4
        for t in tests:
            reps = timed.get(t.stem, 0)
            if reps:
                q = shlex.quote(str(t))
                script += [f"for i in $(seq {reps + 1}); do ./orig < {q} > /dev/null; ./cand < {q} > /dev/null; done"]
                runs += 2 * (reps + 1)
        start = time.monotonic()
        subprocess.run(["bash", "-c", "\n".join(script)], check=True)
        bare_wall = time.monotonic() - start
    emit(
        "verify_overhead",
        sample=slow.stem,
        status=verdict["status"],
        speedlens_wall_s=round(speedlens_wall, 2),
        bare_loop_wall_s=round(bare_wall, 2),
        ratio=round(speedlens_wall / bare_wall, 3),
        runs=runs,
        n_inputs=verdict["n_inputs"],
        n_timed=verdict["n_timed"],
        goal="ratio <= 1.15",
    )


if __name__ == "__main__":
    main()
