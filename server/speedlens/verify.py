"""Verification of C++ candidates: correct on every input, measurably faster, and clean under sanitizers.

The original is built and run once (its ``Baseline``: the oracle outputs, which inputs are long enough to time,
and, the first time a candidate needs it, where the original itself fails under the sanitizers). Each candidate is
then checked in the order that says no soonest: a static tamper check; the optimized build on every input
(failing fast); timing interleaved against the original, every timed run's output checked too, stopped as soon as
the answer is known; and only for a candidate fast enough to be offered, the sanitizer build on every input.
Nothing here knows about proposers, editors or the CLI.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import shutil
import statistics
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from speedlens import format as fmt
from speedlens.analysis.tamper import tamper_findings
from speedlens.cache import MB, BoundedDir
from speedlens.config import Settings
from speedlens.errors import InputError
from speedlens.files import replaced_atomically, write_atomically
from speedlens.models import InputMeasurement, ProgressFn, Status, Verdict, no_progress
from speedlens.sandbox.compare import outputs_match
from speedlens.sandbox.cpp import Build, Compiler, Toolchain, sanitizer_out_of_memory, sanitizer_report
from speedlens.sandbox.run import Limits, RunResult, Sandbox, blocking_in_thread, cache_dir, workdir
from speedlens.sandbox.sanitizers import failure_kind, sanitizer_detail
from speedlens.sandbox.timing import StoppingRule, Timing, interleaved, parse_instruction_count, valgrind_wrapper
from speedlens.stats.conformal import correct_confidence, estimate, min_inputs
from speedlens.testcases import TestCase

log = logging.getLogger(__name__)

LONGEST_WHEN_ALL_SHORT = 3  # inputs timed when none reaches min_time_ms
MEMO_MAX_OUTPUT = 8 << 20  # the largest output of the original's run that is remembered across runs
MEMO_MB = {"baseline-runs": 256, "sanitizer-baseline": 16}  # the bounds of those memos (cache.BoundedDir)
_MEMO_BOUNDS: dict[Path, BoundedDir] = {}


def _memo(name: str) -> BoundedDir:
    """One of the verifier's memo directories, kept under its bound like every other cache."""
    directory = cache_dir(name)
    return _MEMO_BOUNDS.setdefault(directory, BoundedDir(directory, MEMO_MB[name] * MB))
WRONG_OUTPUT = "wrong output"  # the failure kind of a run that ends well but prints something else

# Timing of the candidate's own kind instead of the program's runs on the timed inputs (a library function timed by
# its project's benchmark executables): given the stopping rule and progress, the interleaved samples per input.
# It may raise VerificationFlake; its inputs need not be the checked ones.
Timer = Callable[[StoppingRule, ProgressFn], Awaitable[Timing]]


@dataclass
class CaseBaseline:
    case: TestCase
    expected: bytes  # the oracle: the .out file, else the original's own output
    cpu_s: float
    wall_s: float
    # How the original's own sanitizer build fails on this input (see sanitizers.failure_kind), if it does: the
    # same failure of a candidate here is the original's, not the rewrite's.
    sanitizer_failure: str | None = None


@dataclass
class Baseline:
    """The original program, built and run once on every input (the sanitizer build too)."""

    source: str
    toolchain: Toolchain
    build: Build
    cases: list[CaseBaseline]  # usable inputs, cheapest first (so candidates fail fast)
    timed: list[str]  # names of the inputs that get timed
    notes: list[str] = field(default_factory=list)  # excluded inputs, too-short inputs…
    sanitize: bool = True
    file_name: str = "prog.cpp"  # the original's file name, which sanitizer details show for the candidate
    # The original's sanitizer build runs on every input once, when the first candidate gets that far: a target
    # whose candidates are all rejected earlier never pays for it.
    sanitizer_lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    sanitizer_baseline_done: bool = False


class VerificationFlake(Exception):
    """A run that passed the correctness check failed, or printed something else, while being timed."""

    def __init__(self, status: Status, message: str):
        super().__init__(message)
        self.status = status


class CppVerifier:
    def __init__(self, settings: Settings, sandbox: Sandbox | None = None, *, early_stop: bool = True):
        self.settings = settings
        self.sandbox = sandbox or Sandbox()
        self.compiler = Compiler(self.sandbox, settings)
        self.early_stop = early_stop  # the stopping rule; off only to measure what it saves (bench/)

    async def baseline(
        self, source: str, path: Path, cases: list[TestCase], progress: ProgressFn = no_progress,
        toolchain: Toolchain | None = None, timed: list[str] | None = None,
    ) -> Baseline:
        """Build and run the original; raises InputError when it does not compile or fails every input.

        ``toolchain``: the project's (a library function's harness), else the one configured for ``path``.
        ``timed``: the inputs a timer of the candidates' own times (``verify``'s ``timer``), when not these."""
        toolchain = toolchain or Toolchain.for_source(path, self.settings)
        if self.settings.deterministic and shutil.which("valgrind") is None:
            raise InputError("--deterministic needs valgrind", "install it: apt-get install valgrind")
        progress("building the original", None)
        build, sanitize = await asyncio.gather(
            self.compiler.build(source, toolchain), self._sanitize_enabled(toolchain)
        )
        if not build.ok:
            message = f"the original {path.name} does not compile:\n{build.errors}"
            raise InputError(message, "fix the compile error first")
        usable, notes = [], []
        if self.settings.sanitize and not sanitize:
            notes.append("sanitizer checks skipped: this compiler cannot build -fsanitize=address,undefined programs")
        for i, case in enumerate(cases):
            progress(f"running the original on input {i + 1}/{len(cases)}", None)
            result = await self._original_run(build, case)
            if not result.ok:
                notes.append(f"input {case.name} excluded: the original {result.describe(self.compiler.run_limits())}")
                continue
            expected = result.stdout
            if case.expected is not None:
                expected = case.expected.read_bytes()
                ok, diff = outputs_match(expected, result.stdout, self.settings.float_tolerance)
                if not ok:
                    mismatch = f"the original does not match {case.expected.name}; {diff}"
                    notes.append(f"input {case.name} excluded: {mismatch}")
                    continue
            usable.append(CaseBaseline(case, expected, result.cpu_s, result.wall_s))
        if not usable:
            shown = "; ".join(notes[:3]) + (f"; and {len(notes) - 3} more" if len(notes) > 3 else "")
            raise InputError(
                f"the original {path.name} fails on every test input: {shown or 'no inputs'}",
                "check that the inputs are valid for the program (and the *.out files, if any)",
            )
        usable.sort(key=lambda c: c.cpu_s)
        if timed is not None:
            return Baseline(source, toolchain, build, usable, timed, notes, sanitize, path.name)
        timed = [c.case.name for c in usable if c.cpu_s * 1000 >= self.settings.timing.min_time_ms]
        if not timed:
            longest = usable[-LONGEST_WHEN_ALL_SHORT:]
            timed = [c.case.name for c in longest]
            notes.append(
                f"no input makes the original run {self.settings.timing.min_time_ms:g} ms (the longest: "
                f"{longest[-1].cpu_s * 1000:.1f} ms), so process start-up dominates; timed the "
                f"{len(timed)} longest — add larger inputs for a meaningful speedup"
            )
        return Baseline(source, toolchain, build, usable, timed, notes, sanitize, path.name)

    async def _original_run(self, build: Build, case: TestCase) -> RunResult:
        """The original's run on one input, remembered across runs under the build's content key and the input's
        digest (when it succeeds and prints under ``MEMO_MAX_OUTPUT``): the same program on the same input prints
        the same, and a warm re-verification of a slow original would otherwise wait for it every time."""
        assert build.binary is not None
        data = await blocking_in_thread(case.input.read_bytes)
        bound = _memo("baseline-runs")
        memo = bound.path / f"{build.binary.parent.name}-{hashlib.sha256(data).hexdigest()[:24]}"
        try:
            times = json.loads(memo.with_suffix(".json").read_text())
            remembered = RunResult("ok", 0, cpu_s=times["cpu_s"], wall_s=times["wall_s"], stdout=memo.read_bytes())
            bound.touch(memo)
            bound.touch(memo.with_suffix(".json"))
            return remembered
        except (OSError, ValueError, KeyError, TypeError):
            pass
        with workdir() as wd:
            result = await self.compiler.run(build, case.input, wd)
        if result.ok and len(result.stdout) <= MEMO_MAX_OUTPUT:
            with replaced_atomically(memo) as out:  # the output first: the times say it is complete
                out.write(result.stdout)
            write_atomically(memo.with_suffix(".json"), json.dumps({"cpu_s": result.cpu_s, "wall_s": result.wall_s}))
            bound.stored()
        return result

    async def _sanitize_enabled(self, toolchain: Toolchain) -> bool:
        return self.settings.sanitize and await self.compiler.sanitizers_work(toolchain)

    async def _original_under_sanitizers(self, baseline: Baseline, progress: ProgressFn) -> bool:
        """Run the original's sanitizer build on every input (once per baseline): records how it fails where it
        does, so that a candidate is not blamed for the original's own failures. False when it does not compile."""
        async with baseline.sanitizer_lock:
            if baseline.sanitizer_baseline_done:
                return baseline.sanitize
            baseline.sanitizer_baseline_done = True
            sanitized = await self.compiler.build(baseline.source, baseline.toolchain, sanitize=True)
            if not sanitized.ok:
                baseline.sanitize = False
                baseline.notes.append(
                    "sanitizer checks skipped: the original does not compile with -fsanitize=address,undefined"
                )
                return False
            for i, cb in enumerate(baseline.cases):
                progress(f"running the original's sanitizer build on input {i + 1}/{len(baseline.cases)}", None)
                cb.sanitizer_failure = await self._sanitizer_failure(sanitized, cb, baseline)
            for kind, names in _by_kind((cb.case.name, cb.sanitizer_failure) for cb in baseline.cases).items():
                baseline.notes.append(
                    f"the original itself fails under the sanitizers ({kind}) on {_inputs(names)}; "
                    "the same failure of a candidate there is not held against it"
                )
            return True

    async def _sanitizer_failure(self, sanitized: Build, cb: CaseBaseline, baseline: Baseline) -> str | None:
        """How the original's sanitizer build fails on one input (None: it passes), remembered across runs under
        the build's content key and the input's digest: the slowest run of a warm re-verification otherwise
        (a quadratic original under AddressSanitizer), and the same program on the same input says the same."""
        assert sanitized.binary is not None
        data = await blocking_in_thread(cb.case.input.read_bytes)
        digest = hashlib.sha256(data + b"\0" + cb.expected).hexdigest()[:24]
        bound = _memo("sanitizer-baseline")
        memo = bound.path / f"{sanitized.binary.parent.name}-{digest}.json"
        try:
            failure: str | None = json.loads(memo.read_text())["failure"]
            bound.touch(memo)
            return failure
        except (OSError, ValueError, KeyError, TypeError):
            pass
        result, limits = await self._run_case(sanitized, cb)
        problem = self._judge(cb, sanitized, result, limits, baseline.source, baseline.file_name)
        failure = _kind(result) if problem is not None else None
        if result.status != "timeout":  # a stalled machine is no property of the program
            write_atomically(memo, json.dumps({"failure": failure}))
            bound.stored()
        return failure

    async def verify(self, baseline: Baseline, candidate: str, progress: ProgressFn = no_progress,
                     timer: Timer | None = None) -> Verdict:
        """The verdict for one candidate program against the baseline (timed by ``timer`` when given)."""
        verdict = self.unjudged(baseline)
        findings = tamper_findings(candidate, baseline.source)
        if findings:
            verdict.status = Status.TAMPERING
            found = "\n".join(findings)
            verdict.detail = f"the candidate was not run: it looks like it tampers with the checks:\n{found}"
            return verdict
        progress("compiling the candidate", None)
        plain = await self.compiler.build(candidate, baseline.toolchain)
        if not plain.ok:
            verdict.status, verdict.detail = Status.COMPILE_ERROR, "the candidate does not compile:\n" + plain.errors
            return verdict
        if not await self._check(baseline, plain, candidate, verdict, progress):
            return verdict
        verdict.correct_confidence = correct_confidence(verdict.inputs_passed)
        try:
            n_bound = await self._time(baseline, plain, verdict, progress, timer)
        except VerificationFlake as exc:
            verdict.status, verdict.detail = exc.status, str(exc)
            return verdict
        if verdict.status == Status.VERIFIED and baseline.sanitize:
            if not await self._sanitizer_check(baseline, candidate, verdict, progress):
                return verdict
        verdict.detail = describe(verdict, n_bound, baseline.notes, self.settings.min_speedup)
        return verdict

    async def timed_verdict(self, baseline: Baseline, timer: Timer, progress: ProgressFn = no_progress) -> Verdict:
        """The verdict of a candidate whose correctness is judged elsewhere (by the project's own tests, for a
        function the generated harness cannot call): ``timer``'s measurements, the bound and the status."""
        verdict = self.unjudged(baseline)
        try:
            n_bound = await self._time(baseline, baseline.build, verdict, progress, timer)
        except VerificationFlake as exc:
            verdict.status, verdict.detail = exc.status, str(exc)
            return verdict
        verdict.detail = describe(verdict, n_bound, baseline.notes, self.settings.min_speedup)
        return verdict

    def rejected(self, baseline: Baseline, status: Status, detail: str) -> Verdict:
        """The verdict of a candidate turned away before (or instead of) the checks, saying why."""
        verdict = self.unjudged(baseline)
        verdict.status, verdict.detail = status, detail
        return verdict

    def unjudged(self, baseline: Baseline) -> Verdict:
        """A verdict before any check: incorrect until shown otherwise."""
        return Verdict(
            status=Status.INCORRECT,
            alpha=self.settings.alpha,
            n_inputs=len(baseline.cases),
            metric="instructions" if self.settings.deterministic else "cpu_time",
            network_isolated=self.sandbox.network_isolated,
            filesystem_isolated=self.sandbox.filesystem_isolated,
        )

    async def _check(
        self, baseline: Baseline, plain: Build, source: str, verdict: Verdict, progress: ProgressFn
    ) -> bool:
        """Correctness of the optimized build on every input, cheapest first; False at the first failure."""
        async for i, cb, result, limits in self._run_cases(plain, baseline.cases, "checking", progress):
            problem = self._judge(cb, plain, result, limits, source, baseline.file_name)
            if problem is not None:
                verdict.status, detail = problem
                verdict.detail = f"input {cb.case.name}: {detail}"
                verdict.inputs_passed = i
                verdict.per_input = [InputMeasurement(c.case.name, passed=True) for c in baseline.cases[:i]]
                verdict.per_input.append(InputMeasurement(cb.case.name, passed=False))
                return False
            verdict.inputs_passed = i + 1
        return True

    async def _sanitizer_check(self, baseline: Baseline, source: str, verdict: Verdict, progress: ProgressFn) -> bool:
        """The sanitizer build on every input, for a candidate that would be offered; False at the first failure.

        Run last because it is the slowest check and most candidates are rejected before it. A failure the
        original's own sanitizer build shows on the same input is noted, not held against the candidate.
        """
        progress("compiling the candidate with the sanitizers", None)
        sanitized, original_ok = await asyncio.gather(
            self.compiler.build(source, baseline.toolchain, sanitize=True),
            self._original_under_sanitizers(baseline, progress),
        )
        if not original_ok:
            return True  # nothing to compare against: the baseline's notes say the check was skipped
        if not sanitized.ok:
            verdict.status = Status.COMPILE_ERROR
            verdict.detail = "the candidate does not compile with the sanitizers:\n" + sanitized.errors
            return False
        shared = []
        async for _, cb, result, limits in self._run_cases(sanitized, baseline.cases, "sanitizer check on",
                                                           progress):
            problem = self._judge(cb, sanitized, result, limits, source, baseline.file_name)
            if problem is None:
                continue
            if cb.sanitizer_failure is not None and _kind(result) == cb.sanitizer_failure:
                shared.append((cb.case.name, cb.sanitizer_failure))
                continue
            verdict.status, detail = problem
            verdict.detail = f"input {cb.case.name}: {detail}"
            for m in verdict.per_input:
                m.passed = m.passed and m.name != cb.case.name
            verdict.inputs_passed = sum(m.passed for m in verdict.per_input)
            return False
        for kind, names in _by_kind(shared).items():
            verdict.notes.append(f"fails under the sanitizers as the original does ({kind}) on {_inputs(names)}")
        return True

    async def _run_cases(self, build: Build, cases: list[CaseBaseline], doing: str, progress: ProgressFn
                         ) -> AsyncIterator[tuple[int, CaseBaseline, RunResult, Limits]]:
        """Checking runs of ``build`` on ``cases``, up to one per core at once (they check, they do not time),
        yielded in the cases' order: a caller that stops at the first failure ran at most the rest of that
        window for nothing."""
        n, at_once = len(cases), max(1, len(os.sched_getaffinity(0)))
        for start in range(0, n, at_once):
            window = cases[start : start + at_once]
            shown = f"{start + 1}" if len(window) == 1 else f"{start + 1}-{start + len(window)}"
            progress(f"{doing} input{'s' if len(window) > 1 else ''} {shown}/{n}", int(100 * start / n))
            runs = await asyncio.gather(*(self._run_case(build, cb) for cb in window))
            for offset, (cb, (result, limits)) in enumerate(zip(window, runs, strict=True)):
                yield start + offset, cb, result, limits

    async def _run_case(self, build: Build, cb: CaseBaseline) -> tuple[RunResult, Limits]:
        """One checking run: a wall limit scaled to the original's time on this input.

        A run that ran out of wall time while using under half of it on the CPU was waiting, not computing: on a
        loaded machine a 3 ms program can be kept off the CPU for seconds. Such a timeout is confirmed by one
        rerun with three times the wall limit before it is held against the program; a program that spins hits
        its CPU time with the wall and is not rerun, and one that sleeps or blocks times out again.
        """
        limits = self.compiler.run_limits(wall_s=max(2.0, 10 * cb.wall_s + 1))
        with workdir() as wd:
            result = await self.compiler.run(build, cb.case.input, wd, limits)
        if result.status == "timeout" and result.cpu_s < limits.wall_s / 2:
            limits = self.compiler.run_limits(wall_s=3 * limits.wall_s)
            with workdir() as wd:
                result = await self.compiler.run(build, cb.case.input, wd, limits)
        return result, limits

    def _judge(
        self, cb: CaseBaseline, build: Build, result: RunResult, limits: Limits, source: str, file_name: str
    ) -> tuple[Status, str] | None:
        which = "sanitizer build" if build.sanitized else "optimized build"
        if build.sanitized and sanitizer_out_of_memory(result):
            return Status.RUNTIME_ERROR, f"the {which} exceeded the memory limit ({self.settings.sandbox.memory_mb} MB)"
        if build.sanitized and sanitizer_report(result):
            report = sanitizer_detail(result.stderr.decode(errors="replace"), source, file_name)
            return Status.RUNTIME_ERROR, f"undefined behaviour or memory error caught by the sanitizers:\n{report}"
        if result.status == "timeout" or result.status == "cpu_limit":
            return Status.TIMEOUT, f"the {which} {result.describe(limits)} (the original took {cb.wall_s:.3f} s)"
        if not result.ok:
            return Status.RUNTIME_ERROR, f"the {which} {result.describe(limits)}"
        ok, diff = outputs_match(cb.expected, result.stdout, self.settings.float_tolerance)
        if not ok:
            return Status.INCORRECT, f"wrong output from the {which}; {diff}"
        return None

    def _output_ok(self, cb: CaseBaseline, stdout: bytes) -> bool:
        return stdout == cb.expected or outputs_match(cb.expected, stdout, self.settings.float_tolerance)[0]

    async def _time(self, baseline: Baseline, plain: Build, verdict: Verdict, progress: ProgressFn,
                    timer: Timer | None = None) -> int:
        """Time the candidate; sets the verdict's numbers and status; returns how many values the bound is over."""
        by_name = {c.case.name: c for c in baseline.cases}
        samples = await self._measure(baseline, plain, verdict, progress, timer)
        per_input = []
        # The checked inputs first (timed or not), then what a timer timed that is no checked input (benchmarks).
        for name in [*by_name, *(n for n in samples if n not in by_name)]:
            s = samples.get(name)
            if s is None:
                per_input.append(InputMeasurement(name, passed=True))
                continue
            o, c = statistics.median(s[0]), statistics.median(s[1])
            per_input.append(InputMeasurement(name, True, True, o, c, o / max(c, 1e-12), len(s[0])))
        verdict.per_input = per_input
        verdict.n_timed = len(samples)
        est = estimate(list(samples.values()), self.settings.alpha, self.settings.deterministic)
        verdict.speedup, verdict.speedup_lower, verdict.speedup_upper = est.speedup, est.lower, est.upper
        verdict.bound_level = est.level
        if self.settings.deterministic:  # seconds from the checking runs; the speedup is in instructions
            verdict.original_seconds = sum(by_name[name].cpu_s for name in samples)
        else:
            verdict.original_seconds = sum(m.original for m in per_input if m.original is not None)
            verdict.candidate_seconds = sum(m.candidate for m in per_input if m.candidate is not None)
        lower_ok = est.lower is not None and est.lower >= self.settings.min_speedup
        verdict.status = Status.VERIFIED if lower_ok else Status.NOT_FASTER
        return est.n

    async def _measure(
        self, baseline: Baseline, plain: Build, verdict: Verdict, progress: ProgressFn, timer: Timer | None = None
    ) -> dict[str, tuple[list, list]]:
        rule = StoppingRule(self.settings.min_speedup, self.settings.alpha, enabled=self.early_stop)
        if timer is not None:
            return _samples(await timer(rule, progress), verdict)
        builds = {"original": baseline.build, "candidate": plain}
        cases = {c.case.name: c for c in baseline.cases}
        if self.settings.deterministic:
            result = {}
            for i, name in enumerate(baseline.timed):
                progress(f"counting instructions on input {i + 1}/{len(baseline.timed)}", None)
                counts = [await self._instructions(builds[w], cases[name], w) for w in ("original", "candidate")]
                result[name] = ([counts[0]], [counts[1]])
            return result

        async def run_round(plan: list[tuple[str, str]]) -> list[RunResult]:
            # One sandbox for the whole round; run_batch returns every job's output, so a candidate that behaves
            # differently when timed is caught (the launcher's CPU time is of the program alone).
            jobs = [(builds[which], cases[name].case.input) for which, name in plan]
            with workdir("speedlens-time-") as wd:
                batch = [(build.binary, stdin) for build, stdin in jobs if build.binary is not None]
                return await self.sandbox.run_batch(batch, workdir=wd, limits=self.compiler.run_limits())

        async def measure_round(plan: list[tuple[str, str]]) -> list[float]:
            runs = await run_round(plan)
            failed = [(which, name, run) for (which, name), run in zip(plan, runs, strict=True) if not run.ok]
            # Only wall-clock timeouts of runs that passed moments ago can be the machine stalling (a paused VM,
            # swapping): such a round is run again, once. Anything else is a flaky program, never verified.
            if failed and all(run.status == "timeout" for *_, run in failed):
                log.warning("a timing round stalled (%s); running it again", failed[0][2].describe())
                runs = await run_round(plan)
                failed = [(which, name, run) for (which, name), run in zip(plan, runs, strict=True) if not run.ok]
            if failed:
                which, name, run = failed[0]
                message = f"input {name}: the {which} {run.describe()} while being timed"
                raise VerificationFlake(Status.RUNTIME_ERROR, message)
            for (which, name), run in zip(plan, runs, strict=True):
                if which == "candidate" and not self._output_ok(cases[name], run.stdout):
                    _, diff = outputs_match(cases[name].expected, run.stdout, self.settings.float_tolerance)
                    raise VerificationFlake(Status.INCORRECT, f"input {name}: wrong output while being timed; {diff}")
            return [run.cpu_s for run in runs]

        timing = await interleaved(
            measure_round, baseline.timed, self.settings.timing, min_inputs(self.settings.alpha), progress, rule
        )
        return _samples(timing, verdict)

    async def _instructions(self, build: Build, cb: CaseBaseline, which: str) -> float:
        case = cb.case
        with workdir() as wd:
            limits = self.compiler.run_limits()
            limits = Limits(limits.cpu_s * 50, limits.wall_s * 50, None, limits.output_mb)
            wrapper = valgrind_wrapper(str(wd / "vg.log"))
            result = await self.compiler.run(build, case.input, wd, limits, wrapper=wrapper)
            log_text = (wd / "vg.log").read_text(errors="replace") if (wd / "vg.log").exists() else ""
        count = parse_instruction_count(log_text)
        if not result.ok or count is None:
            raise VerificationFlake(
                Status.RUNTIME_ERROR, f"valgrind could not count instructions on input {case.name}: {result.describe()}"
            )
        if which == "candidate" and not self._output_ok(cb, result.stdout):
            raise VerificationFlake(Status.INCORRECT, f"input {case.name}: wrong output while counting instructions")
        return count


def _samples(timing: Timing, verdict: Verdict) -> dict[str, tuple[list, list]]:
    """(original, candidate) values per input; why timing stopped early goes to the verdict's notes."""
    if timing.stopped:
        verdict.notes.append(f"{timing.stopped} after {timing.rounds} repetitions")
    return {name: (s.original, s.candidate) for name, s in timing.samples.items()}


def _kind(result: RunResult) -> str:
    """A failed checking run's kind, "wrong output" for one that ran fine but printed something else."""
    kind = failure_kind(result)
    return WRONG_OUTPUT if kind == "ok" else kind


def _by_kind(failures: Iterable[tuple[str, str | None]]) -> dict[str, list[str]]:
    """Input names grouped by failure kind (None: no failure), kinds in order of first appearance."""
    grouped: dict[str, list[str]] = {}
    for name, kind in failures:
        if kind is not None:
            grouped.setdefault(kind, []).append(name)
    return grouped


def _inputs(names: list[str]) -> str:
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return f"input{'s' if len(names) > 1 else ''} {shown}"


def describe(verdict: Verdict, n_bound: int, notes: list[str], min_speedup: float) -> str:
    """The human sentence for a fully-checked verdict: speedup, bound with its alpha and n, correctness, then
    ``notes`` (the baseline's) and the verdict's own notes (timing stopped early, failures the original shares)."""
    confidence = round(100 * (1 - verdict.alpha))
    what = {"input": f"on a new input ≥{fmt.speedup(verdict.speedup_lower)} with {confidence}% confidence"}
    if verdict.speedup_lower is None:
        bound = f"too few measurements ({n_bound}) for a {confidence}% bound"
    elif verdict.bound_level == "input":
        bound = what["input"] + f" (conformal, over {n_bound} timed inputs)"
    elif verdict.bound_level == "run":
        bound = (
            f"≥{fmt.speedup(verdict.speedup_lower)} on {confidence}% of runs (a weaker run-level bound over {n_bound} "
            f"repetitions: only {verdict.n_timed} timed inputs, {min_inputs(verdict.alpha)} needed for an "
            "input-level bound)"
        )
    else:
        lower = fmt.speedup(verdict.speedup_lower)
        bound = f"≥{lower} on every one of the {verdict.n_timed} inputs (instruction counts)"
    metric = "instructions" if verdict.metric == "instructions" else "CPU time"
    correctness = (f"correct on a new input with ≥{100 * (verdict.correct_confidence or 0.0):.0f}% confidence "
                   f"({verdict.inputs_passed}/{verdict.n_inputs} inputs passed)" if verdict.n_inputs else
                   "no inputs of its own: its correctness rests on the project's tests")
    parts = [
        f"{fmt.speedup(verdict.speedup)} faster in total {metric} over {verdict.n_timed} timed inputs; {bound}",
        correctness,
    ]
    if verdict.status == Status.NOT_FASTER:
        parts.insert(0, f"correct, but the lower bound is below the required {min_speedup:g}×")
    return "; ".join(parts + notes + verdict.notes)
