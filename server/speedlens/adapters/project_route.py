"""A function the generated harness cannot call (a member function, a template, a parameter type it cannot build),
judged by its project alone: correctness by the project's tests that link it (ctest, in the shadow build, plain and
then under AddressSanitizer + UBSan for a rewrite about to be offered), time by the project's Google Benchmark
cases that call it (built twice, run A/B: ``project_benchmarks``).

Both are required: tests without a benchmark cannot time it, a benchmark checks no result. When either is missing
the harness's refusal stands, with what to add. A rewrite that changes the function's parameters is refused (the
declaration inside its class is not edited).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from speedlens.errors import InputError
from speedlens.harness.signature import definition_at
from speedlens.models import ProgressFn, Status, Verdict
from speedlens.project import declarations
from speedlens.sandbox.cpp import Build, Toolchain
from speedlens.verify import Baseline, CppVerifier

from .base import Job
from .project_benchmarks import BenchmarkPlan, ProjectBenchmarks
from .project_build import ShadowBuild
from .project_tests import ProjectTests, TestRun, judge_by_tests


@dataclass
class ProjectRoute:
    """How one function is verified without a harness: the project's passing tests and its benchmark plan."""

    tests: ProjectTests
    bench: ProjectBenchmarks
    benchmark: BenchmarkPlan
    tested: TestRun  # the original's
    parameters: tuple[str, ...] | None  # the original's parameter types, as written

    @classmethod
    async def plan(cls, job: Job, shadow: ShadowBuild | None, refusal: InputError, deterministic: bool
                   ) -> ProjectRoute:
        """The route for ``job``'s function, or ``refusal`` (the harness's) saying what the project lacks."""
        if shadow is None or shutil.which("ctest") is None:
            raise refusal
        if deterministic:
            raise _lacking(refusal, "--deterministic counts instructions, which the project's benchmarks do not",
                           "verify it without --deterministic (its project's tests and benchmarks can)")
        name = job.target.name
        bench = ProjectBenchmarks(shadow)
        job.progress("looking for the project's benchmarks of the function (building them in speedlens's copy)", None)
        benchmark, why = await bench.plan(job.path, job.text, name)
        if benchmark is None:
            raise _lacking(refusal, f"and the project cannot time it: {why}",
                           f"add a Google Benchmark case that calls {name} (its tests then check a rewrite and "
                           "the case times it)")
        tests = ProjectTests(shadow)
        job.progress("building the project's tests in speedlens's copy and running them on the original", None)
        tested = await tests.run({job.path: job.text}, job.path)
        if tested is None or not tested.ok:
            state = "no test of the project links it" if tested is None else f"its tests fail: {tested.summary}"
            raise _lacking(refusal, f"and the project cannot check a rewrite of it: {state}",
                           f"add a test that calls {name} (ctest runs it; GoogleTest, Catch2 or doctest)")
        definition = definition_at(job.text, job.target.start_line)
        params = declarations.parameter_list(definition) if definition is not None else None
        return cls(tests, bench, benchmark, tested,
                   declarations.parameter_types(params) if params is not None else None)

    def baseline(self, job: Job, toolchain: Toolchain) -> Baseline:
        """What candidates are judged against: no inputs of its own, the benchmark's instances timed."""
        notes = [f"{job.target.name} is checked by the project's tests ({self.tested.summary}) and "
                 + self.benchmark.describe() + " (the generated harness cannot call it)"]
        return Baseline(job.text, toolchain, Build(True, self.benchmark.original), [], list(self.benchmark.instances),
                        notes, sanitize=False, file_name=job.path.name)

    async def verify(self, verifier: CppVerifier, job: Job, baseline: Baseline, rewritten: str, line: int,
                     progress: ProgressFn) -> Verdict:
        """``rewritten`` (the file, the function defined at ``line``): tests first (a wrong rewrite is not timed),
        then the A/B benchmark, then, for a rewrite about to be offered, the sanitized tests."""
        if self._changes_parameters(rewritten, line):
            return verifier.rejected(baseline, Status.COMPILE_ERROR,
                           f"refused: the rewrite changes the parameters of {job.target.name}, and speedlens edits "
                           "no declaration inside a class")
        replaced = {job.path: rewritten}
        progress("building and running the project's tests with the rewrite", None)
        run = await self.tests.run(replaced, job.path)
        if run is None or not run.ok:
            summary = run.summary if run is not None else "no test ran"
            status = Status.COMPILE_ERROR if summary.startswith("the project does not build") else Status.INCORRECT
            return verifier.rejected(baseline, status, f"the project's tests fail with this rewrite: {summary}")
        verdict = await verifier.timed_verdict(baseline, self.bench.timer(self.benchmark, replaced), progress)
        if verdict.speedup is not None:
            verdict.timed_by = "google_benchmark"
        if verdict.status in (Status.VERIFIED, Status.NOT_FASTER):
            await judge_by_tests(self.tests, replaced, job.path, verdict, progress)  # its plain run is remembered
        return verdict

    def _changes_parameters(self, rewritten: str, line: int) -> bool:
        definition = definition_at(rewritten, line)
        params = declarations.parameter_list(definition) if definition is not None else None
        return params is None or declarations.parameter_types(params) != self.parameters


def _lacking(refusal: InputError, why: str, hint: str) -> InputError:
    return InputError(f"{refusal.message}, {why}", hint)
