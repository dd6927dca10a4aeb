"""Verification of C++ candidates: correct on every input, clean under sanitizers, and measurably faster.

The original is built and run once (its ``Baseline``: the oracle outputs and which inputs are long enough to
time); each candidate is then compiled, checked input by input (failing fast), and timed interleaved against the
original. Nothing here knows about proposers, editors or the CLI.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from speedlens.config import Settings
from speedlens.errors import InputError
from speedlens.models import InputMeasurement, ProgressFn, Status, Verdict, no_progress
from speedlens.sandbox.compare import outputs_match
from speedlens.sandbox.cpp import Build, Compiler, Toolchain, sanitizer_out_of_memory, sanitizer_report
from speedlens.sandbox.run import Limits, RunResult, Sandbox, workdir
from speedlens.sandbox.timing import interleaved, parse_instruction_count, valgrind_wrapper
from speedlens.stats.conformal import correct_confidence, estimate, min_inputs
from speedlens.testcases import TestCase

log = logging.getLogger(__name__)

LONGEST_WHEN_ALL_SHORT = 3  # inputs timed when none reaches min_time_ms


@dataclass
class CaseBaseline:
    case: TestCase
    expected: bytes  # the oracle: the .out file, else the original's own output
    cpu_s: float
    wall_s: float


@dataclass
class Baseline:
    """The original program, built and run once on every input."""

    source: str
    toolchain: Toolchain
    build: Build
    cases: list[CaseBaseline]  # usable inputs, cheapest first (so candidates fail fast)
    timed: list[str]  # names of the inputs that get timed
    notes: list[str] = field(default_factory=list)  # excluded inputs, too-short inputs…
    sanitize: bool = True


class CppVerifier:
    def __init__(self, settings: Settings, sandbox: Sandbox | None = None):
        self.settings = settings
        self.sandbox = sandbox or Sandbox()
        self.compiler = Compiler(self.sandbox, settings)

    async def baseline(
        self, source: str, path: Path, cases: list[TestCase], progress: ProgressFn = no_progress,
        toolchain: Toolchain | None = None,
    ) -> Baseline:
        """Build and run the original; raises InputError when it does not compile or fails every input.

        ``toolchain``: the project's (a library function's harness), else the one configured for ``path``."""
        toolchain = toolchain or Toolchain.for_source(path, self.settings)
        if self.settings.deterministic and shutil.which("valgrind") is None:
            raise InputError("--deterministic needs valgrind", "install it: apt-get install valgrind")
        progress("building the original", None)
        build, sanitize = await asyncio.gather(
            self.compiler.build(source, toolchain), self._sanitize_enabled(toolchain)
        )
        if not build.ok:
            raise InputError(f"the original {path.name} does not compile:\n{build.errors}", "fix the compile error first")
        usable, notes = [], []
        if self.settings.sanitize and not sanitize:
            notes.append("sanitizer checks skipped: this compiler cannot build -fsanitize=address,undefined programs")
        for i, case in enumerate(cases):
            progress(f"running the original on input {i + 1}/{len(cases)}", None)
            with workdir() as wd:
                result = await self.compiler.run(build, case.input, wd)
            if not result.ok:
                notes.append(f"input {case.name} excluded: the original {result.describe(self.compiler.run_limits())}")
                continue
            expected = result.stdout
            if case.expected is not None:
                expected = case.expected.read_bytes()
                ok, diff = outputs_match(expected, result.stdout, self.settings.float_tolerance)
                if not ok:
                    notes.append(f"input {case.name} excluded: the original does not match {case.expected.name}; {diff}")
                    continue
            usable.append(CaseBaseline(case, expected, result.cpu_s, result.wall_s))
        if not usable:
            shown = "; ".join(notes[:3]) + (f"; and {len(notes) - 3} more" if len(notes) > 3 else "")
            raise InputError(
                f"the original {path.name} fails on every test input: {shown or 'no inputs'}",
                "check that the inputs are valid for the program (and the *.out files, if any)",
            )
        usable.sort(key=lambda c: c.cpu_s)
        timed = [c.case.name for c in usable if c.cpu_s * 1000 >= self.settings.timing.min_time_ms]
        if not timed:
            longest = usable[-LONGEST_WHEN_ALL_SHORT:]
            timed = [c.case.name for c in longest]
            notes.append(
                f"no input makes the original run {self.settings.timing.min_time_ms:g} ms (the longest: "
                f"{longest[-1].cpu_s * 1000:.1f} ms), so process start-up dominates; timed the "
                f"{len(timed)} longest — add larger inputs for a meaningful speedup"
            )
        return Baseline(source, toolchain, build, usable, timed, notes, sanitize)

    async def _sanitize_enabled(self, toolchain: Toolchain) -> bool:
        return self.settings.sanitize and await self.compiler.sanitizers_work(toolchain)

    async def verify(self, baseline: Baseline, candidate: str, progress: ProgressFn = no_progress) -> Verdict:
        """The verdict for one candidate program against the baseline."""
        verdict = Verdict(
            status=Status.INCORRECT,
            alpha=self.settings.alpha,
            n_inputs=len(baseline.cases),
            metric="instructions" if self.settings.deterministic else "cpu_time",
            network_isolated=self.sandbox.network_isolated,
            filesystem_isolated=self.sandbox.filesystem_isolated,
        )
        progress("compiling the candidate", None)
        plain, sanitized = await asyncio.gather(
            self.compiler.build(candidate, baseline.toolchain),
            self.compiler.build(candidate, baseline.toolchain, sanitize=True) if baseline.sanitize else _no_build(),
        )
        if not plain.ok or (sanitized is not None and not sanitized.ok):
            verdict.status = Status.COMPILE_ERROR
            verdict.detail = "the candidate does not compile:\n" + (plain.errors if not plain.ok else sanitized.errors)
            return verdict
        failure = await self._check(baseline, plain, sanitized, verdict, progress)
        if failure is not None:
            return failure
        verdict.correct_confidence = correct_confidence(verdict.inputs_passed)
        try:
            await self._time(baseline, plain, verdict, progress)
        except VerificationFlake as exc:
            verdict.status, verdict.detail = Status.RUNTIME_ERROR, str(exc)
        return verdict

    async def _check(
        self, baseline: Baseline, plain: Build, sanitized: Build | None, verdict: Verdict, progress: ProgressFn
    ) -> Verdict | None:
        """Correctness on every input, cheapest first; returns the failed verdict at the first failure."""
        n = len(baseline.cases)
        for i, cb in enumerate(baseline.cases):
            progress(f"checking input {i + 1}/{n}", int(100 * i / n))
            builds = [b for b in (sanitized, plain) if b is not None]
            for build in builds:
                limits = self.compiler.run_limits(wall_s=max(2.0, 10 * cb.wall_s + 1))
                with workdir() as wd:
                    result = await self.compiler.run(build, cb.case.input, wd, limits)
                problem = self._judge(cb, build, result, limits)
                if problem is not None:
                    verdict.status, verdict.detail = problem
                    verdict.detail = f"input {cb.case.name}: {verdict.detail}"
                    verdict.inputs_passed = i
                    verdict.per_input = [InputMeasurement(c.case.name, passed=True) for c in baseline.cases[:i]]
                    verdict.per_input.append(InputMeasurement(cb.case.name, passed=False))
                    return verdict
            verdict.inputs_passed = i + 1
        return None

    def _judge(self, cb: CaseBaseline, build: Build, result: RunResult, limits: Limits) -> tuple[Status, str] | None:
        which = "sanitizer build" if build.sanitized else "optimized build"
        if build.sanitized and sanitizer_out_of_memory(result):
            return Status.RUNTIME_ERROR, f"the {which} exceeded the memory limit ({self.settings.sandbox.memory_mb} MB)"
        if build.sanitized:
            report = sanitizer_report(result)
            if report:
                return Status.RUNTIME_ERROR, f"undefined behaviour or memory error caught by the sanitizers:\n{report}"
        if result.status == "timeout" or result.status == "cpu_limit":
            return Status.TIMEOUT, f"the {which} {result.describe(limits)} (the original took {cb.wall_s:.3f} s)"
        if not result.ok:
            return Status.RUNTIME_ERROR, f"the {which} {result.describe(limits)}"
        ok, diff = outputs_match(cb.expected, result.stdout, self.settings.float_tolerance)
        if not ok:
            return Status.INCORRECT, f"wrong output from the {which}; {diff}"
        return None

    async def _time(self, baseline: Baseline, plain: Build, verdict: Verdict, progress: ProgressFn) -> None:
        by_name = {c.case.name: c for c in baseline.cases}
        samples = await self._measure(baseline, plain, progress)
        per_input = []
        for cb in baseline.cases:
            s = samples.get(cb.case.name)
            if s is None:
                per_input.append(InputMeasurement(cb.case.name, passed=True))
                continue
            o, c = statistics.median(s[0]), statistics.median(s[1])
            per_input.append(InputMeasurement(cb.case.name, True, True, o, c, o / max(c, 1e-12), len(s[0])))
        verdict.per_input = per_input
        verdict.n_timed = len(samples)
        est = estimate(list(samples.values()), self.settings.alpha, self.settings.deterministic)
        verdict.speedup, verdict.speedup_lower, verdict.speedup_upper = est.speedup, est.lower, est.upper
        verdict.bound_level = est.level
        if self.settings.deterministic:  # seconds from the checking runs; the speedup is in instructions
            verdict.original_seconds = sum(by_name[name].cpu_s for name in samples)
        else:
            verdict.original_seconds = sum(m.original for m in per_input if m.timed)
            verdict.candidate_seconds = sum(m.candidate for m in per_input if m.timed)
        lower_ok = est.lower is not None and est.lower >= self.settings.min_speedup
        verdict.status = Status.VERIFIED if lower_ok else Status.NOT_FASTER
        verdict.detail = describe(verdict, est.n, baseline.notes, self.settings.min_speedup)

    async def _measure(self, baseline: Baseline, plain: Build, progress: ProgressFn) -> dict[str, tuple[list, list]]:
        builds = {"original": baseline.build, "candidate": plain}
        cases = {c.case.name: c.case for c in baseline.cases}
        if self.settings.deterministic:
            result = {}
            for i, name in enumerate(baseline.timed):
                progress(f"counting instructions on input {i + 1}/{len(baseline.timed)}", None)
                counts = [await self._instructions(builds[w], cases[name]) for w in ("original", "candidate")]
                result[name] = ([counts[0]], [counts[1]])
            return result

        async def run_round(plan: list[tuple[str, str]]) -> tuple[list, list]:
            jobs = [(builds[which].binary, cases[name].input) for which, name in plan]
            with workdir() as wd:
                runs = await self.sandbox.run_batch(jobs, workdir=wd, limits=self.compiler.run_limits())
            return runs, [(which, name, run) for (which, name), run in zip(plan, runs) if not run.ok]

        async def measure_round(plan: list[tuple[str, str]]) -> list[float]:
            runs, failed = await run_round(plan)
            # Only wall-clock timeouts of runs that passed moments ago can be the machine stalling (a paused VM,
            # swapping): such a round is run again, once. Anything else is a flaky program, never verified.
            if failed and all(run.status == "timeout" for *_, run in failed):
                log.warning("a timing round stalled (%s); running it again", failed[0][2].describe())
                runs, failed = await run_round(plan)
            if failed:
                which, name, run = failed[0]
                raise VerificationFlake(f"input {name}: the {which} {run.describe()} while being timed")
            return [run.cpu_s for run in runs]

        samples = await interleaved(
            measure_round, baseline.timed, self.settings.timing, min_inputs(self.settings.alpha), progress
        )
        return {name: (s.original, s.candidate) for name, s in samples.items()}

    async def _instructions(self, build: Build, case: TestCase) -> float:
        with workdir() as wd:
            limits = self.compiler.run_limits()
            limits = Limits(limits.cpu_s * 50, limits.wall_s * 50, None, limits.output_mb)
            result = await self.compiler.run(build, case.input, wd, limits, wrapper=valgrind_wrapper(str(wd / "vg.log")))
            log_text = (wd / "vg.log").read_text(errors="replace") if (wd / "vg.log").exists() else ""
        count = parse_instruction_count(log_text)
        if not result.ok or count is None:
            raise VerificationFlake(f"valgrind could not count instructions on input {case.name}: {result.describe()}")
        return count


class VerificationFlake(Exception):
    """A run that passed the correctness check failed while being timed."""


async def _no_build() -> None:
    return None




def describe(verdict: Verdict, n_bound: int, notes: list[str], min_speedup: float) -> str:
    """The human sentence for a fully-checked verdict: speedup, bound with its alpha and n, correctness."""
    confidence = round(100 * (1 - verdict.alpha))
    what = {"input": f"on a new input ≥{verdict.speedup_lower:.2f}× with {confidence}% confidence"}
    if verdict.speedup_lower is None:
        bound = f"too few measurements ({n_bound}) for a {confidence}% bound"
    elif verdict.bound_level == "input":
        bound = what["input"] + f" (conformal, over {n_bound} timed inputs)"
    elif verdict.bound_level == "run":
        bound = (
            f"≥{verdict.speedup_lower:.2f}× on {confidence}% of runs (a weaker run-level bound over {n_bound} "
            f"repetitions: only {verdict.n_timed} timed inputs, {min_inputs(verdict.alpha)} needed for an input-level bound)"
        )
    else:
        bound = f"≥{verdict.speedup_lower:.2f}× on every one of the {verdict.n_timed} inputs (instruction counts)"
    metric = "instructions" if verdict.metric == "instructions" else "CPU time"
    parts = [
        f"{verdict.speedup:.2f}× faster in total {metric} over {verdict.n_timed} timed inputs; {bound}",
        f"correct on a new input with ≥{100 * verdict.correct_confidence:.0f}% confidence "
        f"({verdict.inputs_passed}/{verdict.n_inputs} inputs passed)",
    ]
    if verdict.status == Status.NOT_FASTER:
        parts.insert(0, f"correct, but the lower bound is below the required {min_speedup:g}×")
    return "; ".join(parts + notes)
