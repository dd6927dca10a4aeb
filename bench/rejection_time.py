"""How long saying no takes: the wall time to reject an identical copy of each sample (an A/A pair).

Most candidates are rejected, and an identical copy is the hardest "no" to say: it is correct, so every check
passes and only timing can reject it. "before" is the verifier of a git revision (default ``main``, extracted with
``git archive``), "after" is this checkout's; each side runs in its own process with its own fresh cache, on the
same samples, one after the other. Goal: after ≤ half of before. The baseline (building and running the original
once per target, which now includes its sanitizer build) is reported separately: it is paid once per target, not
once per candidate.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

from _common import ROOT, SAMPLES, emit

# Run in a child process against one code tree: baseline, then the A/A verification, timed separately.
CHILD = """
import asyncio, json, sys, time
from pathlib import Path
from speedlens.config import load_settings
from speedlens.testcases import discover
from speedlens.verify import CppVerifier

async def main(sample):
    settings = load_settings(sample.parent)
    verifier = CppVerifier(settings)
    start = time.monotonic()
    baseline = await verifier.baseline(sample.read_text(), sample, discover(sample, settings))
    middle = time.monotonic()
    verdict = await verifier.verify(baseline, sample.read_text() + "\\n// an identical copy\\n")
    end = time.monotonic()
    reps = max((m.repetitions for m in verdict.per_input), default=0)
    print(json.dumps({"baseline_s": middle - start, "reject_s": end - middle, "status": verdict.status.value,
                      "speedup": verdict.speedup, "repetitions": reps}))

asyncio.run(main(Path(sys.argv[1])))
"""


def code_tree(ref: str, into: Path) -> Path:
    """``server/`` of git revision ``ref``, extracted under ``into``: the importable speedlens of that revision."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "server"], capture_output=True, check=True)
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return into / "server"


def measure(server: Path, sample: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(server), "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="speedlens-bench-")}
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", CHILD, str(sample)], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{sample.name} with {server}: {proc.stderr[-2000:]}")
    return {**json.loads(proc.stdout.strip().splitlines()[-1]), "process_s": time.monotonic() - start}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ref", default="main", help="git revision whose verifier is 'before'")
    parser.add_argument("--samples", type=int, default=3, help="how many samples (sorted by name)")
    args = parser.parse_args()
    samples = sorted(SAMPLES.glob("*.cpp"))[: args.samples]
    with tempfile.TemporaryDirectory(prefix="speedlens-ref-") as tmp:
        before_tree = code_tree(args.ref, Path(tmp))
        rows = []
        for sample in samples:
            before, after = measure(before_tree, sample), measure(ROOT / "server", sample)
            rows.append({"sample": sample.stem, "before": before, "after": after})
    total_before = sum(r["before"]["reject_s"] for r in rows)
    total_after = sum(r["after"]["reject_s"] for r in rows)
    emit(
        "rejection_time",
        ref=args.ref,
        samples=len(rows),
        reject_before_s=round(total_before, 2),
        reject_after_s=round(total_after, 2),
        ratio=round(total_after / max(total_before, 1e-9), 3),
        baseline_before_s=round(sum(r["before"]["baseline_s"] for r in rows), 2),
        baseline_after_s=round(sum(r["after"]["baseline_s"] for r in rows), 2),
        all_rejected=all(r[side]["status"] != "verified" for r in rows for side in ("before", "after")),
        rows=rows,
        goal="reject_after_s <= 0.5 * reject_before_s, and no identical copy verified",
    )


if __name__ == "__main__":
    main()
