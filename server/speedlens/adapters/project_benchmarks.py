"""The project's Google Benchmark cases as the timing of a library function's rewrite (README.md, "Function-level").

When a benchmark executable linking the function's target has cases that call it (``project.benchmarks``), the
executable is built twice in the shadow build (``project_build``: original and candidate, ccache, each kept under
its content digest) and the two are run A/B, interleaved in random order by ``sandbox.timing.interleaved``, in the
sandbox like everything else a candidate builds. Each benchmark instance (``BM_Join/1000``) is one input of the
conformal bound; the harness still decides correctness, this only times.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

from speedlens.models import ProgressFn, Status
from speedlens.project import benchmarks, file_api
from speedlens.sandbox.run import Limits, RunResult, workdir
from speedlens.sandbox.timing import StoppingRule, Timing, interleaved
from speedlens.stats.conformal import min_inputs
from speedlens.verify import Timer, VerificationFlake

from .project_build import ShadowBuild

TURN_REPETITIONS = 1  # per A/B turn: the rounds, not long turns, average the noise out (random order still applies)
MIN_TIME_S = 0.01  # per instance and turn: a turn of the whole sample benchmark takes a fraction of a second


@dataclass(frozen=True)
class BenchmarkPlan:
    """How one function is timed by the project's benchmarks: which executable, which cases and instances."""

    executable: file_api.CMakeTarget
    cases: tuple[str, ...]
    instances: tuple[str, ...]
    flags: benchmarks.Flags
    original: Path  # the original's executable, kept under its content digest

    def describe(self) -> str:
        shown = ", ".join(self.instances[:4]) + (f" and {len(self.instances) - 4} more" if len(self.instances) > 4
                                                 else "")
        return (f"timed by the project's Google Benchmark cases in {self.executable.name} ({shown}: each instance "
                "one input), built twice and run A/B interleaved")


class ProjectBenchmarks:
    """The benchmark route of one job's function: planned on the original, then one executable per candidate."""

    def __init__(self, shadow: ShadowBuild) -> None:
        self.shadow = shadow
        self.settings = shadow.settings

    async def plan(self, source: Path, text: str, function: str) -> tuple[BenchmarkPlan | None, str]:
        """The plan for ``function`` of ``source``, or None with the reason the harness times it instead."""
        async with self.shadow.lock:
            digest, problem = await self.shadow.prepare({source: text})
            if problem is not None:
                return None, problem
            found = self.cases(source, function)
            if found is None:
                return None, f"no Google Benchmark case of the project calls {function}"
            executable, cases = found
            if file_api.shared_libraries(self.shadow.targets(), executable) and \
                    not self.shadow.keeps_shared_libraries():
                return None, (f"{executable.name} links shared libraries of the project, and speedlens's copy was "
                              "configured before it kept them per build (remove ~/.cache/speedlens/shadow)")
            original = await self._binary(digest, executable)
        if isinstance(original, str):
            return None, original
        listing, usage = await self._run([[str(original), "--benchmark_list_tests=true",
                                           f"--benchmark_filter={benchmarks.benchmark_filter(cases)}"],
                                          [str(original), "--help"]])
        instances = benchmarks.listed_instances(listing.stdout.decode(errors="replace")) if listing.ok else []
        if not instances:
            return None, f"{executable.name} lists no instance of {', '.join(cases)}"
        flags = benchmarks.Flags.from_help((usage.stdout + usage.stderr).decode(errors="replace"))
        return BenchmarkPlan(executable, tuple(cases), tuple(instances), flags, original), ""

    def cases(self, source: Path, function: str) -> tuple[file_api.CMakeTarget, list[str]] | None:
        """The first executable linking ``source`` whose benchmark sources have cases calling ``function``."""
        for executable in self.shadow.executables(source):
            cases = []
            for path in executable.sources:
                try:
                    text = path.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                if benchmarks.is_benchmark_source(text):
                    cases += benchmarks.cases_calling(text, function)
            if cases:
                return executable, cases
        return None

    async def _binary(self, digest: str, executable: file_api.CMakeTarget) -> Path | str:
        """The executable built from the copy as synchronised (call under the lock): kept, or built and kept."""
        kept = self.shadow.kept(digest, executable)
        if kept is not None:
            return kept
        problem = await self.shadow.build([executable])
        if problem is not None:
            return problem
        return self.shadow.store(digest, executable) or f"CMake built no {executable.name}"

    def timer(self, plan: BenchmarkPlan, replaced: dict[Path, str]) -> Timer:
        """The verifier's timer of a rewrite (``replaced``: its file and any edited headers): the plan's executable
        built with it, then run A/B against the original's."""

        async def timer(rule: StoppingRule, progress: ProgressFn) -> Timing:
            progress(f"building {plan.executable.name} with the rewrite in speedlens's copy", None)
            built = await self.candidate(plan, replaced)
            if isinstance(built, str):
                raise VerificationFlake(Status.COMPILE_ERROR, f"the project's {plan.executable.name} does not "
                                        f"build with the rewrite: {built}")
            return await self.measure(plan, built, rule, progress)

        return timer

    async def candidate(self, plan: BenchmarkPlan, replaced: dict[Path, str]) -> Path | str:
        """The candidate's benchmark executable (``replaced``: its file and any edited headers), or why not."""
        async with self.shadow.lock:
            digest, problem = await self.shadow.prepare(replaced)
            return problem if problem is not None else await self._binary(digest, plan.executable)

    def _limits(self) -> Limits:
        timeout = self.settings.sandbox.timeout_s * 3
        return Limits(cpu_s=timeout, wall_s=timeout, memory_mb=self.settings.sandbox.memory_mb,
                      output_mb=self.settings.sandbox.output_mb)

    async def _run(self, commands: list[list[str]]) -> list[RunResult]:
        with workdir("speedlens-bench-") as wd:
            return await self.shadow.sandbox.run_commands(commands, workdir=wd, limits=self._limits())

    async def measure(self, plan: BenchmarkPlan, candidate: Path, rule: StoppingRule, progress: ProgressFn
                      ) -> Timing:
        """Original and candidate executables A/B, each round both once in random order, every instance of the
        plan in each turn; a turn's value per instance is the median CPU time of its repetitions."""
        arguments = benchmarks.run_arguments(list(plan.cases), plan.flags, TURN_REPETITIONS, MIN_TIME_S)
        binaries = {"original": plan.original, "candidate": candidate}

        async def measure_round(round_plan: list[tuple[str, str]]) -> list[float]:
            order = list(dict.fromkeys(which for which, _ in round_plan))
            runs = await self._run([[str(binaries[which]), *arguments] for which in order])
            times = {which: self._turn(which, run, plan) for which, run in zip(order, runs, strict=True)}
            return [times[which][name] for which, name in round_plan]

        return await interleaved(measure_round, list(plan.instances), self.settings.timing,
                                 min_inputs(self.settings.alpha), progress, rule, warm_up=not plan.flags.warmup,
                                 one_process_per_round=True)

    @staticmethod
    def _turn(which: str, run: RunResult, plan: BenchmarkPlan) -> dict[str, float]:
        """One executable's run: CPU seconds per instance; a failed run or a missing instance is a flake."""
        name = plan.executable.name
        if not run.ok:
            raise VerificationFlake(Status.RUNTIME_ERROR, f"the {which}'s {name} {run.describe()} while being timed")
        try:
            times = benchmarks.cpu_times(run.stdout.decode(errors="replace"))
        except benchmarks.BenchmarkOutputError as exc:
            raise VerificationFlake(Status.RUNTIME_ERROR, f"the {which}'s {name}: {exc}") from None
        missing = [i for i in plan.instances if not times.get(i)]
        if missing:
            raise VerificationFlake(Status.RUNTIME_ERROR, f"the {which}'s {name} did not run {missing[0]}")
        return {i: statistics.median(times[i]) for i in plan.instances}
