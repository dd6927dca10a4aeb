"""Start-up cost of one sandboxed run, before and after the hardening (issue 13), as one JSON line.

"Before" is the sandbox as it was on a given git revision (default ``main``): its run.py and launcher.c are
loaded from git into a private module, so both run side by side on the same machine, interleaved, with the same
program and the same work-dir handling. Measured: the wall time of ``Sandbox.run`` for a trivial program (the
whole start-up: isolation layer, launcher, limits, report), and per job in a ``run_batch`` of timing jobs.
The goal on the verification as a whole is bench/verify_overhead.py's ratio <= 1.15.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

from _common import ROOT, emit, fresh_cache

sys.path.insert(0, str(ROOT / "server"))

from speedlens.sandbox import run as after  # noqa: E402


def old_module(revision: str) -> types.ModuleType:
    """The sandbox module of ``revision``, reading its own launcher.c from git too (not the installed one)."""
    git = ["git", "-C", str(ROOT), "show"]
    run_py = subprocess.run([*git, f"{revision}:server/speedlens/sandbox/run.py"], capture_output=True, check=True)
    launcher_c = subprocess.run(
        [*git, f"{revision}:server/speedlens/sandbox/launcher.c"], capture_output=True, check=True
    )
    source = run_py.stdout.decode().replace(
        'resources.files("speedlens.sandbox").joinpath("launcher.c").read_bytes()', "_OLD_LAUNCHER_SOURCE"
    )
    spec = importlib.util.spec_from_loader("speedlens_sandbox_before", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__dict__["_OLD_LAUNCHER_SOURCE"] = launcher_c.stdout
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is created
    exec(compile(source, f"{revision}:run.py", "exec"), module.__dict__)
    return module


def trivial_program(directory: Path) -> tuple[Path, Path]:
    """A program that reads its input and exits (what is left is the sandbox's own cost), and an input."""
    directory.chmod(0o755)
    stdin = directory / "input.txt"
    stdin.write_text("12345\n" * 1000)
    source = directory / "t.c"
    source.write_text("#include <stdio.h>\nint main(void){int c; while((c=getchar())!=EOF){} return 0;}\n")
    binary = directory / "t"
    subprocess.run(["cc", "-O2", str(source), "-o", str(binary)], check=True)
    binary.chmod(0o755)
    return binary, stdin


async def one_run(module: types.ModuleType, sandbox, program: Path, stdin: Path) -> float:
    with module.workdir() as wd:
        start = time.perf_counter()
        result = await sandbox.run([str(program)], workdir=wd, stdin=stdin, ro_binds=[program.parent])
        elapsed = time.perf_counter() - start
    assert result.ok, result.describe()
    return elapsed


async def one_batch(module: types.ModuleType, sandbox, program: Path, stdin: Path, jobs: int) -> float:
    with module.workdir() as wd:
        start = time.perf_counter()
        results = await sandbox.run_batch([(program, stdin)] * jobs, workdir=wd)
        elapsed = time.perf_counter() - start
    assert all(r.ok for r in results), [r.describe() for r in results if not r.ok]
    return elapsed / jobs


async def measure(repetitions: int, batch: int, revision: str) -> dict:
    before = old_module(revision)
    sandboxes = {"before": (before, before.Sandbox()), "after": (after, after.Sandbox())}
    with tempfile.TemporaryDirectory() as d:
        program, stdin = trivial_program(Path(d))
        for module, sandbox in sandboxes.values():  # warm-up: launcher builds, isolation probes, page cache
            await one_run(module, sandbox, program, stdin)
            await one_batch(module, sandbox, program, stdin, 2)
        runs: dict[str, list[float]] = {name: [] for name in sandboxes}
        per_job: dict[str, list[float]] = {name: [] for name in sandboxes}
        for i in range(repetitions):  # interleaved, alternating order: drifts hit both alike
            order = list(sandboxes) if i % 2 == 0 else list(reversed(sandboxes))
            for name in order:
                module, sandbox = sandboxes[name]
                runs[name].append(await one_run(module, sandbox, program, stdin))
            if i % 3 == 0:
                for name in order:
                    module, sandbox = sandboxes[name]
                    per_job[name].append(await one_batch(module, sandbox, program, stdin, batch))
    run_ms = {name: 1000 * statistics.median(values) for name, values in runs.items()}
    job_ms = {name: 1000 * statistics.median(values) for name, values in per_job.items()}
    # the fastest run: what the sandbox itself costs when no neighbour on a shared machine interferes
    run_min = {name: 1000 * min(values) for name, values in runs.items()}
    return {
        "revision_before": revision,
        "isolation_before": before.detect_isolation().method,
        "isolation_after": after.detect_isolation().summary(),
        "run_ms_before": round(run_ms["before"], 2),
        "run_ms_after": round(run_ms["after"], 2),
        "run_ratio": round(run_ms["after"] / run_ms["before"], 3),
        "run_min_ms_before": round(run_min["before"], 2),
        "run_min_ms_after": round(run_min["after"], 2),
        "batch_job_ms_before": round(job_ms["before"], 2),
        "batch_job_ms_after": round(job_ms["after"], 2),
        "batch_job_ratio": round(job_ms["after"] / job_ms["before"], 3),
        "repetitions": repetitions,
        "batch_jobs": batch,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=30)
    parser.add_argument("--batch", type=int, default=20, help="jobs per run_batch (a timing round)")
    parser.add_argument("--before", default="main", help="git revision of the sandbox to compare against")
    args = parser.parse_args()
    fresh_cache()
    fields = asyncio.run(measure(args.repetitions, args.batch, args.before))
    emit("sandbox_overhead", **fields, goal="verify_overhead (bench/verify_overhead.py ratio) <= 1.15")


if __name__ == "__main__":
    main()
