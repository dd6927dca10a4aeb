"""Verify and measure TVM prim_funcs through the sandboxed worker (``tvm_worker``), never in this process.

``run_worker`` is the one door to the worker: the search uses it to measure batches of schedules, and
``verify_prim_func`` turns one candidate's measurements into a ``Verdict``.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import statistics
import sys
from pathlib import Path

import speedlens
from speedlens.config import RpcRunner, Settings, parse_runner
from speedlens.models import InputMeasurement, Status, Target, Verdict
from speedlens.sandbox.run import Limits, Sandbox, communicate, diagnostic_tail, workdir
from speedlens.stats.conformal import correct_confidence, lower_bound, two_sided

PACKAGE_ROOT = Path(speedlens.__file__).resolve().parent.parent
CANDIDATE_STATUS = {
    "invalid": Status.COMPILE_ERROR,
    "build_error": Status.COMPILE_ERROR,
    "load_error": Status.COMPILE_ERROR,
    "runtime_error": Status.RUNTIME_ERROR,
    "incorrect": Status.INCORRECT,
}


class WorkerError(Exception):
    """The worker could not do its job as a whole (the original fails to load or build, a timeout, a crash)."""

    def __init__(self, status: Status, detail: str):
        super().__init__(detail)
        self.status = status
        self.detail = detail


def target_spec(settings: Settings) -> dict | None:
    """``tvm.target`` from the settings: a JSON dict, or a bare kind like "llvm"; None = the host CPU."""
    text = settings.tvm.target.strip()
    if not text:
        return None
    if text.startswith("{"):
        return json.loads(text)
    return {"kind": text}


def worker_limits(settings: Settings, n_candidates: int) -> Limits:
    """Room for importing TVM, building every candidate and timing them all; CPU time counts every thread."""
    wall = max(120.0, settings.sandbox.timeout_s * (6 + 2 * n_candidates))
    cores = max(1, len(os.sched_getaffinity(0)))
    return Limits(cpu_s=wall * cores, wall_s=wall, memory_mb=None, output_mb=settings.sandbox.output_mb)


def runtime_threads(spec: dict | None) -> int:
    """Threads TVM's runtime gets: the target's ``num-cores``, else every core this process may use.

    Without it TVM's thread pool takes half the logical CPUs on x86 (it assumes hyper-threading), so on a machine
    without SMT a parallel schedule would be timed on half the cores it was built for.
    """
    cores = (spec or {}).get("num-cores")
    return int(cores) if cores else max(1, len(os.sched_getaffinity(0)))


async def run_worker(
    request: dict,
    *,
    source: str,
    path: Path,
    settings: Settings,
    candidate_sources: dict[str, str] | None = None,
    sandbox: Sandbox | None = None,
) -> dict:
    """Run one worker request on ``source`` (the buffer's text, saved in a fresh work dir, not the user's file).

    ``candidate_sources`` maps candidate ids to whole-file texts (a candidate given as code rather than steps).
    With an RPC ``tvm.runner`` the worker only builds and links, and ``tvm_rpc`` measures on the device; the reply
    has the same shape either way. Raises WorkerError when nothing could be measured at all.
    """
    sandbox = sandbox or Sandbox()
    runner = parse_runner(settings.tvm.runner)
    with workdir("speedlens-tvm-") as work:
        if runner is not None:
            request = {**request, "export": str(work / "export"), "cc": settings.tvm.cc}
        # Writing the work dir and resolving the bind mounts touches the disk: off the event loop.
        request, env, binds = await asyncio.to_thread(_prepare_work, work, request, source, path, candidate_sources)
        limits = worker_limits(settings, len(request.get("candidates", [])))
        result = await sandbox.run(
            [sys.executable, "-m", "speedlens.sandbox.tvm_worker", str(work / "request.json")],
            workdir=work,
            limits=limits,
            env=env,
            ro_binds=binds,
        )
        if result.status == "timeout":
            raise WorkerError(Status.TIMEOUT, f"the TVM worker timed out after {limits.wall_s:g} s")
        try:
            reply = json.loads(result.stdout.decode().strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise WorkerError(Status.RUNTIME_ERROR, f"the TVM worker {result.describe(limits)}") from None
        _raise_failure(reply, "the TVM worker failed")
        if runner is not None:
            reply = await measure_remote(work, request, reply, runner, limits.wall_s)
    reply["isolation"] = {"network": sandbox.network_isolated, "filesystem": sandbox.filesystem_isolated}
    return reply


def _raise_failure(reply: dict, fallback: str) -> None:
    """WorkerError for a reply that says nothing could be measured: a failed run, else the build."""
    if not reply.get("ok"):
        status = Status.RUNTIME_ERROR if reply.get("stage") in ("run", "worker", "rpc") else Status.COMPILE_ERROR
        raise WorkerError(status, reply.get("detail", fallback))


async def measure_remote(work: Path, request: dict, reply: dict, runner: RpcRunner, wall_s: float) -> dict:
    """Check and time, on the tracker's device, what the worker built and left in ``work/export``.

    ``tvm_rpc`` runs outside the sandbox (it needs the network) on a plan written here, from the request, not from
    the worker's reply: which files to upload is decided by this side (see tvm_rpc's docstring for why that is
    safe). Its checks and times replace the worker's empty ones; traces, scripts and loop info stay.
    """
    by_id = {r["id"]: r for r in reply["results"]}
    params = reply.get("params", {})
    variants = [["baseline", "baseline.so", params.get("baseline", [])]]
    for i, cand in enumerate(request.get("candidates", [])):
        if by_id.get(cand["id"], {}).get("status") == "ok":
            variants.append([cand["id"], f"{i}.so", params.get(str(i), [])])
    if request.get("candidates") and len(variants) == 1:  # every candidate was rejected: nothing to run
        return reply
    plan = {
        "dir": request["export"], "host": runner.host, "port": runner.port, "key": runner.key,
        "variants": variants, "session_timeout_s": math.ceil(wall_s),
        **{k: request[k] for k in ("seed", "repeats", "min_repeat_ms", "check", "time") if k in request},
    }  # fmt: skip
    (work / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
    cmd = [sys.executable, "-m", "speedlens.sandbox.tvm_rpc", str(work / "plan.json")]
    out, err = await communicate(cmd, work, env, b"", wall_s)
    if out is None:
        raise WorkerError(Status.TIMEOUT, f"measuring on {runner.key} via {runner.host}:{runner.port} took over "
                                          f"{wall_s:g} s")  # fmt: skip
    try:
        remote = json.loads(out.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise WorkerError(Status.RUNTIME_ERROR, f"the RPC runner failed: {diagnostic_tail(err)}") from None
    _raise_failure(remote, "the RPC runner failed")
    for result in remote["results"]:
        by_id[result["id"]].update(result)
    return {**reply, "baseline": {**reply["baseline"], **remote["baseline"]}, "device": remote["device"]}


def _prepare_work(
    work: Path, request: dict, source: str, path: Path, candidate_sources: dict[str, str] | None
) -> tuple[dict, dict[str, str], list[Path]]:
    """Save the buffer and candidate texts and the request in ``work``: (request as sent, env, read-only binds)."""
    original = work / "original" / path.name
    original.parent.mkdir()
    original.write_text(source, encoding="utf-8")
    request = {**request, "source": str(original), "sys_path": [str(path.resolve().parent)]}
    for cand in request.get("candidates", []):
        text = (candidate_sources or {}).get(cand["id"])
        if text is not None:
            cand_path = work / f"candidate_{len(list(work.glob('candidate_*')))}" / path.name
            cand_path.parent.mkdir()
            cand_path.write_text(text, encoding="utf-8")
            cand["source"] = str(cand_path)
    (work / "request.json").write_text(json.dumps(request), encoding="utf-8")
    env = {
        "PYTHONPATH": str(PACKAGE_ROOT),
        "XDG_CACHE_HOME": str(work / ".cache"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "TVM_NUM_THREADS": str(runtime_threads(request.get("target"))),
    }
    # The interpreter and its packages (TVM) may live under the hidden home directory (pyenv, venvs).
    python_dirs = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parent}
    binds = sorted(p for p in {path.resolve().parent, PACKAGE_ROOT, *python_dirs} if p.exists())
    return request, env, binds


def verdict_from(reply: dict, result: dict, settings: Settings, samples: int | None = None) -> Verdict:
    """A Verdict for one candidate of a worker reply: per-repeat ratios against the interleaved original."""
    isolation = reply.get("isolation", {})
    common = dict(
        alpha=settings.alpha,
        network_isolated=isolation.get("network", False),
        filesystem_isolated=isolation.get("filesystem", False),
        samples=samples,
        n_inputs=1,
    )
    if result["status"] != "ok":
        return Verdict(status=CANDIDATE_STATUS.get(result["status"], Status.RUNTIME_ERROR), detail=result["detail"],
                       **common)  # fmt: skip
    original, candidate = reply["baseline"]["times"], result["times"]
    ratios = [o / c for o, c in zip(original, candidate, strict=True) if c > 0]  # one time each per round
    speedup = statistics.median(original) / statistics.median(candidate)
    lower = lower_bound(ratios, settings.alpha)
    interval = two_sided(ratios, settings.alpha)
    verified = lower is not None and lower >= settings.min_speedup
    n = len(ratios)
    where = f" on {reply['device']} (TVM RPC)" if reply.get("device") else ""
    if lower is None:
        why = f"too few repeats ({n}) for a bound at alpha={settings.alpha}; raise tvm.repeats"
    elif verified:
        why = f"outputs match; >= {lower:.2f}x on {1 - settings.alpha:.0%} of repeats (n={n})"
    else:
        why = f"outputs match, but the lower bound {lower:.2f}x (alpha={settings.alpha}, n={n}) is below " \
              f"min_speedup {settings.min_speedup}"  # fmt: skip
    return Verdict(
        status=Status.VERIFIED if verified else Status.NOT_FASTER,
        detail=f"{why}; metric: wall time of TVM's time_evaluator per call, original and candidate interleaved in "
        f"one process{where}, bound over run-level ratios; correctness on one seeded random input per buffer",
        speedup=speedup,
        speedup_lower=lower,
        speedup_upper=interval[1] if interval else None,
        bound_level="run",
        inputs_passed=1,
        n_timed=1,
        correct_confidence=correct_confidence(1),
        metric="cpu_time",
        original_seconds=statistics.median(original),
        candidate_seconds=statistics.median(candidate),
        per_input=[
            InputMeasurement(
                name=f"random(seed={settings.tvm.seed})",
                passed=True,
                timed=True,
                original=statistics.median(original),
                candidate=statistics.median(candidate),
                speedup=speedup,
                repetitions=n,
            )
        ],
        **common,
    )


async def verify_prim_func(
    source: str,
    target: Target,
    candidate_code: str,
    path: Path,
    settings: Settings,
    *,
    samples: int | None = None,
    sandbox: Sandbox | None = None,
) -> Verdict:
    """Verify ``candidate_code`` (the text that would replace ``target``'s lines) against the original."""
    candidate = {"id": "candidate", "func": target.name}
    return await _verify(source, target, candidate, target.replace_in(source, candidate_code), path, settings,
                         samples, sandbox)  # fmt: skip


async def verify_schedule(
    source: str,
    target: Target,
    steps: list[dict],
    path: Path,
    settings: Settings,
    *,
    samples: int | None = None,
    sandbox: Sandbox | None = None,
) -> Verdict:
    """Verify the original scheduled by ``steps`` (worker step objects); a step TVM rejects is a compile_error."""
    candidate = {"id": "candidate", "steps": steps}
    return await _verify(source, target, candidate, None, path, settings, samples, sandbox)


async def _verify(source, target, candidate, candidate_source, path, settings, samples, sandbox) -> Verdict:
    sandbox = sandbox or Sandbox()
    request = {
        "func": target.name,
        "target": target_spec(settings),
        "seed": settings.tvm.seed,
        "repeats": max(settings.tvm.repeats, 1),
        "check": True,
        "candidates": [candidate],
    }
    sources = {candidate["id"]: candidate_source} if candidate_source is not None else None
    try:
        reply = await run_worker(
            request, source=source, path=path, settings=settings, candidate_sources=sources, sandbox=sandbox
        )
    except WorkerError as exc:
        return Verdict(
            status=exc.status, detail=exc.detail, alpha=settings.alpha, samples=samples,
            network_isolated=sandbox.network_isolated, filesystem_isolated=sandbox.filesystem_isolated,
        )  # fmt: skip
    return verdict_from(reply, reply["results"][0], settings, samples=samples)
