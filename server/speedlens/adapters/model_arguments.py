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

from speedlens.analysis.tamper import function_tamper_findings
from speedlens.config import Settings
from speedlens.harness.driver import POOL, driver_source
from speedlens.harness.model_generator import probe, probe_errors, tuple_digests
from speedlens.harness.signature import Signature
from speedlens.propose.prompts import argument_generator_messages, extract_argument_generator
from speedlens.sandbox.cpp import Build, Compiler, Toolchain
from speedlens.sandbox.run import RunResult, workdir

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
    return (f"the argument generator written by {settings.model} was discarded ({why}); argument tuples from the "
            "type-directed generators")


async def _problem_on_original(text: str, signature: Signature, code: str, toolchain: Toolchain,
                               compiler: Compiler, settings: Settings, seeds: int) -> str | None:
    """Why the generator cannot be used, found by running the original's probe driver on every seed; None: none."""
    source = driver_source(text, signature, (POOL,), probe(code, signature))  # every tuple of the pool is called
    build = await compiler.build(source, toolchain)
    if not build.ok:
        return f"it does not compile: {probe_errors(build.errors)}"
    runs, problem = await _run_seeds(build, compiler, seeds)
    if problem is not None:
        return problem
    if len({tuple_digests(run.stderr) for run in runs}) <= 1:
        return "it makes the same argument tuples for every seed"
    if len({run.stdout for run in runs}) <= 1:  # inputs on which no rewrite could differ from another
        return "the original prints the same for every seed on its tuples"
    if settings.sanitize and await compiler.sanitizers_work(toolchain):
        sanitized = await compiler.build(source, toolchain, sanitize=True)
        if sanitized.ok:  # else the verifier says the sanitizer checks are skipped
            _, problem = await _run_seeds(sanitized, compiler, seeds, " under AddressSanitizer/UBSan")
    return problem


async def _run_seeds(build: Build, compiler: Compiler, seeds: int, how: str = ""
                     ) -> tuple[list[RunResult], str | None]:
    """The original's run on each seed, or the first seed on which it fails."""
    runs: list[RunResult] = []
    limits = compiler.run_limits()
    for seed in range(seeds):
        with workdir() as wd:
            (wd / "seed.in").write_text(f"{seed}\n")
            result = await compiler.run(build, wd / "seed.in", wd, limits)
        if not result.ok:
            return runs, f"on its seed {seed} the original {result.describe(limits)}{how}"
        runs.append(result)
    return runs, None
