"""Does the tuning record make the next search faster? A cold search, then a warm one from its record.

    python3 bench/tvm_record.py [--workloads matmul,conv2d_nhwc,softmax,layernorm] [--trials 64] [--quick]

Per workload: a search from an empty record at ``--trials`` samples (heuristic policy; the default budget), then a
search of the same workload from the record it left, given a quarter of those samples. "Reaches the same schedule"
is decided by the schedule itself (the cold search's best trace, step for step), not by a latency two noisy runs
would disagree on; the warm search's own best speedup is reported beside it. A held-out shape of the same class
(``--held-out``: samples/tvm/matmul_heldout.py, warmed from matmul's record) shows what the record gives a workload it
never saw. Prints ONE JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

from _common import ROOT, emit, fresh_cache

from speedlens.analysis.tvm import find_targets
from speedlens.config import Settings
from speedlens.propose.tvm_record import TuningRecord
from speedlens.propose.tvm_search import HeuristicPolicy, Node, Search, detect_hardware, worker_measurer
from speedlens.sandbox.run import Sandbox

SAMPLES = ROOT / "samples" / "tvm"
async def search(path: Path, trials: int, record: TuningRecord, settings: Settings, sandbox: Sandbox
                 ) -> tuple[Search, float]:
    source = await asyncio.to_thread(path.read_text)
    [target] = find_targets(source)
    settings.tvm.trials = trials
    measure = worker_measurer(source, target, path, settings, sandbox)
    run = Search(HeuristicPolicy(detect_hardware()), measure, trials, seed=settings.tvm.seed, record=record)
    start = time.perf_counter()
    await run.run()
    return run, time.perf_counter() - start


def sample_of(run: Search, steps: list) -> int | None:
    """The 1-based sample at which ``run`` measured the schedule ``steps`` (None: never)."""
    measured = [n for n in run.nodes[1:] if n.speedup is not None]
    return next((i for i, n in enumerate(measured, 1) if n.steps == steps), None)


def best_sample(run: Search, best: Node) -> int:
    return sample_of(run, best.steps) or 0


async def bench(path: Path, trials: int, settings: Settings, sandbox: Sandbox, record_dir: Path,
                cold_path: Path | None = None) -> dict:
    """Cold at ``trials`` (on ``cold_path``, the workload itself unless a held-out shape is measured), then warm
    on ``path`` at a quarter of them."""
    record = TuningRecord("bench", record_dir)
    cold, cold_wall = await search(cold_path or path, trials, record, settings, sandbox)
    cold_best = cold.best()
    warm, warm_wall = await search(path, max(1, trials // 4), record, settings, sandbox)
    warm_best = warm.best()
    reached = sample_of(warm, cold_best.steps) if cold_path is None else None
    return {
        "workload": path.stem, "cold_trials": trials, "cold_samples": cold.samples,
        "cold_best_speedup": round(cold_best.speedup or 1.0, 3), "cold_best_at_sample": best_sample(cold, cold_best),
        "cold_wall_s": round(cold_wall, 1), "warm_trials": max(1, trials // 4), "warm_samples": warm.samples,
        "warm_reached_cold_best_at_sample": reached,
        "warm_best_speedup": round(warm_best.speedup or 1.0, 3), "warm_wall_s": round(warm_wall, 1),
        "warm_best_from_record": (warm_best.action or "").startswith("from the tuning record"),
    }


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="matmul,conv2d_nhwc,softmax,layernorm")
    parser.add_argument("--trials", type=int, default=Settings().tvm.trials)
    parser.add_argument("--quick", action="store_true", help="matmul only, 16 trials")
    parser.add_argument("--held-out", action="store_true", help="also: warm a held-out GEMM shape from matmul's")
    args = parser.parse_args()
    fresh_cache()
    settings, sandbox = Settings(), Sandbox()
    trials = 16 if args.quick else args.trials
    workloads = ["matmul"] if args.quick else args.workloads.split(",")
    load = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for name in workloads:
            rows.append(await bench(SAMPLES / f"{name}.py", trials, settings, sandbox, Path(work) / name))
        if args.held_out:
            held_out = SAMPLES / "matmul_heldout.py"
            row = await bench(held_out, trials, settings, sandbox, Path(work) / "held-out", SAMPLES / "matmul.py")
            rows.append({**row, "warm_from": "matmul (512³)"})
    met = [r["warm_reached_cold_best_at_sample"] is not None for r in rows if "warm_from" not in r]
    emit("tvm_record", trials=trials, load_at_start=round(load, 2), rows=rows,
         goal="the warm search reaches the cold search's best schedule within a quarter of its samples",
         goal_met=all(met) if met else None)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
