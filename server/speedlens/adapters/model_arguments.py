"""A library function's argument tuples from a generator the model writes, when a model is configured.

Decided: a generator that passes its checks builds every argument tuple of every seed, instead of the type-directed
generators. Mixing the two would keep the inputs that break the function's preconditions (a binary search's
unsorted vector), on which a correct rewrite differs from the original; the type-directed tuples are the fallback.
The generator is untrusted code: it passes the static tamper check, then the ORIGINAL's driver built with it (and
a probe reporting each tuple, ``harness/model_generator.py``) runs in the sandbox on every seed, plain and with
AddressSanitizer/UBSan. A generator that does not compile, on whose tuples the original crashes, trips a sanitizer
or times out, whose tuples are the same for every seed, or on whose tuples the original prints the same for every
seed (they could tell no rewrite from another) is discarded with a note, before any candidate sees it.
The model's answer is cached as every answer is (``propose/llm.py``): keyed by the model and the prompt, which holds
the function's text and its signature.
"""

from __future__ import annotations

import json
from pathlib import Path

from speedlens.analysis.tamper import function_tamper_findings
from speedlens.cache import MB, BoundedDir
from speedlens.config import Settings
from speedlens.files import write_atomically
from speedlens.harness.driver import POOL, driver_source
from speedlens.harness.model_generator import probe, probe_errors, tuple_digests
from speedlens.harness.signature import Signature
from speedlens.propose.prompts import argument_generator_messages, extract_argument_generator
from speedlens.sandbox.cpp import Build, Compiler, Toolchain
from speedlens.sandbox.run import RunResult, cache_dir, workdir

from .base import Job


async def model_arguments(job: Job, signature: Signature, toolchain: Toolchain, compiler: Compiler,
                          settings: Settings, seeds: int) -> tuple[str, str]:
    """(the generator's C++, the note saying the inputs came from it), or ("", why it was discarded)."""
    from speedlens.propose.llm import LlmError, complete

    job.progress("asking the model for an argument generator", None)
    try:
        answer = await complete(argument_generator_messages(job.text, job.target, signature), settings)
    except LlmError as exc:
        return "", _discarded(settings, f"the model could not be asked: {exc.message}")
    code, reason = extract_argument_generator(answer.text)
    if code is None:
        return "", _discarded(settings, reason)
    findings = function_tamper_findings(code, "")
    if findings:
        return "", _discarded(settings, "it " + "; ".join(findings))
    job.progress("checking the model's argument generator on the original", None)
    problem = await _problem_on_original(job.text, signature, code, toolchain, compiler, settings, seeds)
    if problem is not None:
        return "", _discarded(settings, problem)
    return code, (f"argument tuples from a generator written by {settings.model} (checked on the original: "
                  f"{seeds} seeds run cleanly, with the sanitizers too where they work, and differ)")


def _discarded(settings: Settings, why: str) -> str:
    return f"the argument generator written by {settings.model} was discarded ({why})"


async def _problem_on_original(text: str, signature: Signature, code: str, toolchain: Toolchain,
                               compiler: Compiler, settings: Settings, seeds: int) -> str | None:
    """Why the generator cannot be used, found by running the original's probe driver on every seed; None: none.
    Remembered under the probe's build key (the same program on the same seeds says the same), so a warm
    re-verification does not run it again."""
    source = driver_source(text, signature, (POOL,), probe(code, signature))  # every tuple of the pool is called
    build = await compiler.build(source, toolchain)
    if not build.ok:
        return f"it does not compile: {probe_errors(build.errors)}"
    assert build.binary is not None
    bound = _checks()
    memo = bound.path / f"{build.binary.parent.name}-{seeds}-{settings.sanitize}.json"
    try:
        remembered: str = json.loads(memo.read_text())["problem"]
        bound.touch(memo)
        return remembered or None
    except (OSError, ValueError, KeyError, TypeError):
        pass
    problem, stalled = await _problem_of_runs(build, source, toolchain, compiler, settings, seeds)
    if not stalled:  # a stalled machine is no property of the generator
        write_atomically(memo, json.dumps({"problem": problem or ""}))
        bound.stored()
    return problem


async def _problem_of_runs(build: Build, source: str, toolchain: Toolchain, compiler: Compiler,
                           settings: Settings, seeds: int) -> tuple[str | None, bool]:
    """Why the original's probe runs rule the generator out (None: they do not), and whether a run timed out."""
    runs, failure = await _run_seeds(build, compiler, seeds)
    if failure is not None:
        return _failed(failure, compiler, ""), failure[1].status == "timeout"
    if len({tuple_digests(run.stderr) for run in runs}) <= 1:
        return "it makes the same argument tuples for every seed", False
    if len({run.stdout for run in runs}) <= 1:  # inputs on which no rewrite could differ from another
        return "the original prints the same for every seed on its tuples", False
    if settings.sanitize and await compiler.sanitizers_work(toolchain):
        sanitized = await compiler.build(source, toolchain, sanitize=True)
        if sanitized.ok:  # else the verifier says the sanitizer checks are skipped
            _, failure = await _run_seeds(sanitized, compiler, seeds)
            if failure is not None:
                return _failed(failure, compiler, " under AddressSanitizer/UBSan"), failure[1].status == "timeout"
    return None, False


def _failed(failure: tuple[int, RunResult], compiler: Compiler, how: str) -> str:
    seed, result = failure
    return f"on its seed {seed} the original {result.describe(compiler.run_limits())}{how}"


async def _run_seeds(build: Build, compiler: Compiler, seeds: int
                     ) -> tuple[list[RunResult], tuple[int, RunResult] | None]:
    """The original's run on each seed, or stopped at the first seed (with its run) on which it fails."""
    runs: list[RunResult] = []
    for seed in range(seeds):
        with workdir() as wd:
            (wd / "seed.in").write_text(f"{seed}\n")
            result = await compiler.run(build, wd / "seed.in", wd)
        if not result.ok:
            return runs, (seed, result)
        runs.append(result)
    return runs, None


CHECKS_MB = 4  # the bound of the remembered outcomes (one small JSON file each)
_CHECKS: dict[Path, BoundedDir] = {}


def _checks() -> BoundedDir:
    """Where the outcomes of generators' checks are remembered, kept under its bound like every other cache."""
    directory = cache_dir("generator-checks")
    return _CHECKS.setdefault(directory, BoundedDir(directory, CHECKS_MB * MB))
