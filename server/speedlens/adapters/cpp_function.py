"""C++ library functions: a file without ``main`` (a library source or header), one target per function.

Each function is verified through a generated differential harness (``speedlens.harness``): the original file
plus a driver that calls the function on seeded argument tuples is the oracle program, the candidate file plus the
same driver the candidate program, so the program verifier (sandbox, sanitizers, output comparison, interleaved
timing, stopping rule, conformal bounds) applies unchanged. Everything is compiled with the file's
compile_commands.json entry, in the sandbox's own directories: the user's tree and build directory are only read.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import tree_sitter

from speedlens.analysis import cpp
from speedlens.analysis.tamper import function_tamper_findings
from speedlens.errors import InputError
from speedlens.harness import recording
from speedlens.harness.driver import calibration_input, driver_source
from speedlens.harness.signature import (
    NotGeneratable,
    Signature,
    check_comparable,
    check_generatable,
    check_no_mutable_globals,
    definition_at,
    signature_of,
    with_structs,
)
from speedlens.models import Candidate, ProgressFn, Status, Target, Verdict
from speedlens.project import cmake, declarations
from speedlens.sandbox.cpp import Toolchain, compiler_version, own_headers
from speedlens.sandbox.run import blocking_in_thread, cache_dir, workdir
from speedlens.testcases import TestCase
from speedlens.verify import Baseline

from . import project_recording
from .base import Job
from .cpp_program import CppProgramAdapter, _read
from .project_benchmarks import BenchmarkPlan, ProjectBenchmarks
from .project_build import ShadowBuild
from .project_route import ProjectRoute
from .project_tests import ProjectTests, judge_by_tests

_MAIN_WORD = re.compile(r"\bmain\b")
SEEDS = 20  # inputs per function: enough for an input-level bound at alpha 0.1 (9 needed), cheap to run


class HarnessRefusal(InputError):
    """The generated harness cannot call the function (the message says why); its project may still verify it."""


@dataclass
class HarnessPlan:
    """What a job's harness is built from: the function's signature, the project's toolchain, the calibrated
    repetitions per seed and the headers the file includes (edited when a rewrite changes the signature)."""

    signature: Signature
    toolchain: Toolchain
    headers: list[tuple[str, Path]]
    repetitions: tuple[int, ...] = (1,)
    parameters: tuple[str, ...] = field(default=())  # the original's parameter types, as declarations write them
    tests: ProjectTests | None = None  # the project's tests, when they pass on the original
    bench: ProjectBenchmarks | None = None  # the project's benchmarks, when a case calls the function
    benchmark: BenchmarkPlan | None = None
    generator: str = ""  # a model's argument generator, checked on the original (``model_arguments.py``)
    generator_note: str = ""  # where the argument tuples came from, when a model was asked
    untyped: InputError | None = None  # why the type-directed generators cannot build the arguments


def seed_cases() -> list[TestCase]:
    """The inputs of every function: one seed each (the same files for every function and every file)."""
    directory = cache_dir("function-inputs")
    cases = []
    for seed in range(SEEDS):
        path = directory / f"seed{seed:02d}.in"
        if not path.is_file() or path.read_text() != f"{seed}\n":
            path.write_text(f"{seed}\n")
        cases.append(TestCase(f"seed{seed:02d}", path))
    return cases


class CppFunctionAdapter(CppProgramAdapter):
    """Findings and proposers as for programs; targets, inputs, baseline and candidates through the harness."""

    no_target_hint = "define a function in the file: speedlens optimizes each function of a library file"

    def handles(self, path: Path, text: str) -> bool:
        """A C++ file without main (asked on every keystroke: a file that never writes ``main`` is not parsed)."""
        if path.suffix.lower() not in cpp.CPP_SUFFIXES:
            return False
        return _MAIN_WORD.search(text) is None or not cpp.has_main(text)

    def targets(self, path: Path, text: str) -> list[Target]:
        return [t for t in cpp.find_targets(text, name=path.name) if t.kind == "function"]

    def whole_file(self, targets: list[Target]) -> list[Target]:
        return targets

    def toolchain(self, path: Path) -> tuple:
        return *self.project_toolchain(path).fingerprint(), *self.project_key(path)

    def known_inputs(self, path: Path, text: str) -> list[TestCase]:
        return [*seed_cases(), *project_recording.known(path, text)]

    async def inputs(self, job: Job) -> list[TestCase]:
        """The seeds, and the argument tuples the project's tests and benchmarks pass the file's functions."""
        if self.settings.cpp.use_compile_commands and self._db(job.path) is None:
            root = cmake.cmake_root(job.path)
            if root is not None:
                job.progress(f"configuring {root.name} with cmake (speedlens's own build directory)", None)
                await blocking_in_thread(cmake.configure, root, cache_dir("cmake"))
        return [*seed_cases(), *await self._recorded(job)]

    async def _recorded(self, job: Job) -> list[TestCase]:
        """Record the arguments of the file's functions in the project's tests and benchmarks (in a recording
        build of speedlens's copy); why nothing was recorded goes to the job's state, for its verdicts."""
        shadow = self._shadow(job.path)
        if shadow is None or not self.settings.cpp.record_arguments or shutil.which("ctest") is None:
            return project_recording.store(job.path, job.text, project_recording.Recorded({}), SEEDS)
        out = project_recording.output_dir(job.path, job.text, shadow)
        functions = self._recordables(job.path, job.text, out)
        if functions:
            job.progress("recording arguments from the project's tests and benchmarks (the functions wrapped, in "
                         "speedlens's copy)", None)
        recorded = await project_recording.ProjectRecording(shadow).record(job.path, job.text, functions)
        if recorded.problem:
            job.state["recording"] = f"no arguments recorded from the project's tests: {recorded.problem}"
        return project_recording.store(job.path, job.text, recorded, SEEDS)

    def _recordables(self, path: Path, text: str, out: Path) -> list[recording.Recordable]:
        """The file's functions whose arguments a wrapper can record and the driver read back."""
        try:
            toolchain = self.project_toolchain(path)
        except InputError:
            return []
        headers = declarations.project_headers(text, path.parent.resolve(), toolchain.include_dirs)
        found: list[recording.Recordable] = []
        for target in self.targets(path, text):
            definition = definition_at(text, target.start_line)
            if definition is None:
                continue
            try:
                signature = self._signature(text, definition, toolchain, headers)
                check_generatable(signature)  # what the driver can read back is what it can build
            except NotGeneratable:
                continue  # no arguments the driver could read back: no recorded inputs, nothing fails
            if recording.recordable(definition, signature):
                found.append(recording.Recordable(definition, signature, out / f"{len(found)}.tuples"))
        return found

    # ---- the project ----

    def project_toolchain(self, path: Path) -> Toolchain:
        """The compile of ``path`` as the project does it (its entry), else the configured flags."""
        entry = self.project_entry(path)
        if entry is None:
            return Toolchain.for_source(path, self.settings)
        compiler = shutil.which(entry.compiler) or shutil.which(Path(entry.compiler).name)
        if compiler is None:
            raise InputError(f"compiler '{entry.compiler}' of {entry.db} not found", "install it, or reconfigure")
        includes = (path.parent.resolve(), *entry.include_dirs, *(f.parent for f in entry.forced_includes))
        include_dirs = tuple(dict.fromkeys(includes))
        deps = own_headers(compiler, entry.flags, include_dirs, path)
        return Toolchain(compiler, entry.flags, compiler_version(compiler), include_dirs, deps)

    # ---- the baseline: the original's harness ----

    def plan(self, job: Job) -> HarnessPlan:
        """The job's harness plan; InputError saying what to add when its arguments cannot be generated."""
        definition = definition_at(job.text, job.target.start_line)
        if definition is None:
            raise InputError(f"{job.target.name}: no function definition starts at line {job.target.start_line + 1}",
                             "save the file and optimize again")
        toolchain = self.project_toolchain(job.path)
        headers = declarations.project_headers(job.text, job.path.parent.resolve(), toolchain.include_dirs)
        try:
            signature = self._signature(job.text, definition, toolchain, headers)
            untyped = _untyped(signature)
        except NotGeneratable as exc:
            raise _not_harnessable(exc) from None
        if untyped is not None and not self.settings.model:
            raise untyped
        parameters = declarations.parameter_types(declarations.parameter_list(definition))  # type: ignore[arg-type]
        return HarnessPlan(signature, toolchain, headers, parameters=parameters, untyped=untyped)

    async def _model_arguments(self, job: Job, plan: HarnessPlan) -> None:
        """With a model, the argument tuples come from a generator it writes, when that passes its checks on the
        original (``model_arguments.py``); else from the type-directed generators, when they can build them."""
        if self.settings.model:
            from .model_arguments import model_arguments

            plan.generator, plan.generator_note = await model_arguments(
                job, plan.signature, plan.toolchain, self.verifier.compiler, self.settings, SEEDS)
        if plan.untyped is not None and not plan.generator:
            raise HarnessRefusal(f"{plan.untyped.message}; {plan.generator_note}", plan.untyped.hint)

    @staticmethod
    def _signature(text: str, definition: tree_sitter.Node, toolchain: Toolchain, headers: list[tuple[str, Path]]
                   ) -> Signature:
        """The function's signature knowing the project's structs and enums; ``NotGeneratable`` when it uses mutable
        globals or returns what the harness cannot compare (whether its arguments can be built is asked apart: a
        model's generator may build what the type-directed ones cannot)."""
        signature = signature_of(definition)
        # The headers it includes and, when the compile was scanned, theirs (``deps``): where its structs live.
        visible = dict.fromkeys([*(path for _line, path in headers), *toolchain.deps])
        signature = with_structs(signature, [text, *(_read(path) for path in visible)])
        check_no_mutable_globals(definition)
        check_comparable(signature)
        return signature

    async def baseline_for(self, job: Job, cases: list[TestCase]) -> Baseline:
        try:
            plan = self.plan(job)
            await self._model_arguments(job, plan)
        except HarnessRefusal as refusal:  # a member function, a template…: its project's tests and benchmarks?
            by_project = await ProjectRoute.plan(job, self._shadow(job.path), refusal, self.settings.deterministic)
            job.state["route"] = by_project
            return by_project.baseline(job, self.project_toolchain(job.path))
        # The file's inputs: the seeds, and the recorded tuples of this function (the other functions' are theirs).
        recorded = project_recording.own(cases, plan.signature.name)
        cases = [*(c for c in cases if not project_recording.is_recorded(c)), *recorded]
        shadow = self._shadow(job.path)
        route = await self._benchmark_route(job, plan, shadow)
        # Timed by the project's benchmarks, the harness only checks: one call per argument tuple is enough.
        plan.repetitions = (1,) if plan.benchmark is not None else await self._calibrate(job, plan, cases)
        job.state["plan"] = plan
        source = driver_source(job.text, plan.signature, plan.repetitions, plan.generator)
        instances = list(plan.benchmark.instances) if plan.benchmark is not None else None  # else: the seeds
        baseline = await self.verifier.baseline(source, job.path, cases, job.progress, toolchain=plan.toolchain,
                                                timed=instances)
        baseline.notes.append(route)
        if recorded:
            baseline.notes.append(f"{len(recorded)} of the inputs recorded from the project's tests and benchmarks")
        elif "recording" in job.state:
            baseline.notes.append(job.state["recording"])
        if shadow is not None:
            await self._project_tests(job, plan, baseline, shadow)
        return baseline

    def _shadow(self, path: Path) -> ShadowBuild | None:
        """speedlens's own build of the CMake project around ``path`` (None outside one, or without cmake)."""
        root = cmake.cmake_root(path)
        if root is None or shutil.which("cmake") is None:
            return None
        return ShadowBuild(root, self.settings, self.sandbox)

    async def _benchmark_route(self, job: Job, plan: HarnessPlan, shadow: ShadowBuild | None) -> str:
        """Time by the project's Google Benchmark cases calling the function when there are any (the workload the
        project itself measures); else by the generated harness. The sentence the verdicts say it in."""
        harness = "timed by the generated harness (seeded and recorded argument tuples, each one input)"
        if shadow is None or self.settings.deterministic:
            return harness
        bench = ProjectBenchmarks(shadow)
        job.progress("looking for the project's benchmarks of the function (building them in speedlens's copy)", None)
        benchmark, why = await bench.plan(job.path, job.text, plan.signature.name)
        if benchmark is None:
            return f"{harness}: {why}"
        plan.bench, plan.benchmark = bench, benchmark
        return benchmark.describe()

    async def _project_tests(self, job: Job, plan: HarnessPlan, baseline: Baseline, shadow: ShadowBuild) -> None:
        """Use the CMake project's tests (through ctest, in a shadow copy) when they pass on the original."""
        if shutil.which("ctest") is None:
            return
        tests = ProjectTests(shadow)
        job.progress("building the project's tests in speedlens's copy and running them on the original", None)
        run = await tests.run({job.path: job.text}, job.path)
        if run is None:
            return
        if run.ok:
            plan.tests = tests
        else:
            baseline.notes.append(f"the project's tests fail without any rewrite, so they are not used: {run.summary}")

    async def _calibrate(self, job: Job, plan: HarnessPlan, cases: list[TestCase]) -> tuple[int, ...]:
        """Calls per seed that make the original run ``driver.TARGET_SECONDS`` (asked of the original only)."""
        job.progress("building the harness of the original", None)
        compiler = self.verifier.compiler
        build = await compiler.build(driver_source(job.text, plan.signature, generator=plan.generator),
                                     plan.toolchain)
        if not build.ok and "speedlens cannot print this type" in build.errors:
            raise InputError(f"{plan.signature.name} returns a type the generated harness cannot print and compare",
                             "verify it through a program that calls it (a file with main and test inputs)")
        if not build.ok:
            raise InputError(f"the generated harness for {plan.signature.name} does not compile:\n{build.errors}",
                             "check that the file compiles on its own with its compile_commands.json flags")
        repetitions = []
        for slot, case in enumerate(cases):  # the seeds, then the recorded tuples: each input's slot in the table
            job.progress(f"calibrating repetitions on input {slot + 1}/{len(cases)}", None)
            with workdir() as wd:
                (wd / "calibrate.in").write_bytes(calibration_input(case.input.read_bytes()))
                result = await compiler.run(build, wd / "calibrate.in", wd)
            words = result.stdout.split() if result.ok else []
            repetitions.append(int(words[0]) if words and words[0].isdigit() else 1)
        return tuple(repetitions)

    # ---- candidates ----

    async def verify_candidate(self, job: Job, baseline: Baseline, candidate: Candidate, progress: ProgressFn
                               ) -> Verdict:
        findings = function_tamper_findings(candidate.code, job.target.text)
        if findings:
            return self._flagged(baseline, findings)
        return await self._verify_file(job, baseline, candidate, job.target.replace_in(job.text, candidate.code),
                                       progress)

    async def _verify_file(self, job: Job, baseline: Baseline, candidate: Candidate, rewritten: str,
                           progress: ProgressFn) -> Verdict:
        """The verdict for the rewritten file: its headers brought in step, then its harness judged (or, for a
        function no harness can call, its project's tests and benchmarks)."""
        by_project: ProjectRoute | None = job.state.get("route")
        if by_project is not None:
            line = self._definition_line(job, rewritten)
            return await by_project.verify(self.verifier, job, baseline, rewritten, line, progress)
        plan: HarnessPlan = job.state["plan"]
        try:
            inlined = self._with_declarations(plan, job, candidate, rewritten)
        except InputError as exc:
            return self._rejected(baseline, Status.COMPILE_ERROR, f"refused: {exc.message}")
        program = driver_source(inlined, plan.signature, plan.repetitions, plan.generator)
        edits = candidate.meta.get("header_edits", [])
        replaced = {job.path: rewritten, **{Path(e["path"]): e["text"] for e in edits}}
        timer = plan.bench.timer(plan.benchmark, replaced) if plan.bench and plan.benchmark else None
        verdict = await self.verifier.verify(baseline, program, progress, timer)
        if plan.generator_note:
            verdict.notes.append(plan.generator_note)
        if verdict.speedup is not None:
            verdict.timed_by = "harness" if timer is None else "google_benchmark"
        if plan.tests is not None and verdict.status in (Status.VERIFIED, Status.NOT_FASTER):
            progress("building and running the project's tests with the rewrite", None)
            await judge_by_tests(plan.tests, replaced, job.path, verdict, progress)
        return verdict

    async def verify_files(self, original: Path, candidate: Path, tests_dir: Path | None, progress: ProgressFn
                           ) -> Verdict:
        """`speedlens verify` of two versions of a library file: the one function they differ in, through its
        harness (``tests_dir`` does not apply: the inputs are the harness's seeds)."""
        text, new_text = _read(original), _read(candidate)
        new_targets = {t.name: t for t in self.targets(candidate, new_text)}
        changed = [t for t in self.targets(original, text) if t.name in new_targets and
                   new_targets[t.name].text != t.text]
        if len(changed) != 1:
            names = ", ".join(t.name for t in changed) or "none"
            raise InputError(f"{candidate.name} must change exactly one function of {original.name} (changed: "
                             f"{names})", "verify one function at a time")
        job = Job(original, text, changed[0], progress)
        baseline = await self.baseline_for(job, await self.inputs(job))
        rewrite = Candidate(changed[0], new_targets[changed[0].name].text, "user", f"{candidate.name}")
        findings = function_tamper_findings(rewrite.code, changed[0].text)
        if findings:
            return self._flagged(baseline, findings)
        return await self._verify_file(job, baseline, rewrite, new_text, progress)

    def _with_declarations(self, plan: HarnessPlan, job: Job, candidate: Candidate, rewritten: str) -> str:
        """The candidate file compiled against its headers with every declaration of a re-signatured function
        updated (recorded in ``candidate.meta["header_edits"]`` for the diff and --apply)."""
        definition = definition_at(rewritten, self._definition_line(job, rewritten))
        params = declarations.parameter_list(definition) if definition is not None else None
        if params is None:
            raise InputError(f"the rewrite of {job.target.name} no longer defines it where it was", "")
        if declarations.parameter_types(params) == plan.parameters:
            return rewritten
        edited: dict[Path, str] = {}
        name = plan.signature.name.split("::")[-1]
        for _line, header in plan.headers:
            original = header.read_text(encoding="utf-8")
            updated = declarations.edit_declarations(original, name, plan.parameters, cpp.text(params))
            if updated is not None:
                edited[header] = updated
                candidate.meta.setdefault("header_edits", []).append(
                    {"path": str(header), "original": original, "text": updated})
        return declarations.with_headers_inlined(rewritten, edited, plan.headers)

    def _definition_line(self, job: Job, rewritten: str) -> int:
        """Where the rewritten file defines the function: a hand-written candidate (verify) may add an #include
        above it."""
        moved = next((t for t in self.targets(job.path, rewritten) if t.name == job.target.name), job.target)
        return moved.start_line

    def _flagged(self, baseline: Baseline, findings: list[str]) -> Verdict:
        return self._rejected(baseline, Status.INCORRECT, "flagged, not verified: the candidate " + "; ".join(findings)
                              + " — a rewrite may not keep results between calls or behave differently while it is "
                              "checked or timed")

    def _rejected(self, baseline: Baseline, status: Status, detail: str) -> Verdict:
        return self.verifier.rejected(baseline, status, detail)


def _untyped(signature: Signature) -> HarnessRefusal | None:
    """Why the type-directed generators cannot build the arguments (a model's generator may), or None."""
    try:
        check_generatable(signature)
    except NotGeneratable as exc:
        return _not_harnessable(exc)
    return None


def _not_harnessable(exc: NotGeneratable) -> HarnessRefusal:
    return HarnessRefusal(str(exc), exc.hint or "verify it through a program that calls it (a file with main and "
                          "test inputs), add an overload taking generatable types (the harness builds, and records "
                          "from the project's tests, only those), or configure a model (`model`) to write an "
                          "argument generator")
