"""C++ programs: a file with ``main`` that reads stdin and writes stdout, verified as a whole on its inputs.

A target may be the program or one of its functions; either way the candidate is the whole program with the
target's lines replaced, built and run on every input against the original.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from speedlens.analysis import cpp
from speedlens.config import Settings
from speedlens.errors import InputError, SpeedlensError
from speedlens.models import Candidate, Finding, ProgressFn, Result, Status, Target, Verdict, sort_results
from speedlens.project import cmake
from speedlens.project.compile_db import CompileEntry, entry_for, find_compile_db
from speedlens.project.shadow import project_digest
from speedlens.project.syntax_check import SyntaxCheck, SyntaxConfirmer
from speedlens.propose import ProposalRequest, Proposer
from speedlens.propose.findings import IncrementalFindings
from speedlens.sandbox.cpp import Toolchain
from speedlens.sandbox.run import Sandbox, cache_dir
from speedlens.stats.selection import guard_winners_curse
from speedlens.testcases import TestCase, discover, no_tests_hint
from speedlens.verify import Baseline, CppVerifier, describe

from .base import AdapterBase, Job
from .project_program import target_toolchain


class CppProgramAdapter(AdapterBase):
    language = "cpp"
    no_target_hint = "speedlens optimizes whole programs (a file with main) and the functions in them"

    def __init__(self, settings: Settings, sandbox: Sandbox) -> None:
        super().__init__(settings, sandbox)
        self.verifier = CppVerifier(settings, sandbox)
        self._findings = IncrementalFindings()  # per document: the editor asks after every keystroke
        self._syntax = SyntaxConfirmer()

    # ---- cheap queries ----

    def handles(self, path: Path, text: str) -> bool:
        return path.suffix.lower() in cpp.CPP_SUFFIXES

    def targets(self, path: Path, text: str) -> list[Target]:
        return cpp.find_targets(text, name=path.name)

    def whole_file(self, targets: list[Target]) -> list[Target]:
        return [t for t in targets if t.kind == "program"]  # a whole program covers its functions: verify it once

    def findings(self, path: Path, text: str, exact: bool) -> list[Finding]:
        """The rules' findings, after the syntax errors the compiler confirms (where the file has a compile
        entry; ``project.syntax_check``: tree-sitter's guesses alone are never Warnings)."""
        found = self._findings.findings(str(path), text, exact)
        guesses = [f for f in found if f.rule == "syntax"]
        if not guesses:
            return found
        entry = self.project_entry(path)
        check = SyntaxCheck.of(entry, path) if entry is not None else None
        return self._syntax.confirm(guesses, text, check, exact) + [f for f in found if f.rule != "syntax"]

    def forget(self, path: Path) -> None:
        self._findings.forget(str(path))

    def toolchain(self, path: Path) -> tuple:
        return *Toolchain.for_source(path, self.settings).fingerprint(), *self.project_key(path)

    def project_key(self, path: Path) -> tuple:
        """What a result of a file in a CMake project also depends on: the project's other files (a program links
        the project's libraries, a function is judged by its tests and benchmarks too)."""
        root = cmake.cmake_root(path)
        if root is None or shutil.which("cmake") is None:
            return ()
        return (project_digest(root, excluding=path),)

    # ---- the project ----

    def _db(self, path: Path) -> Path | None:
        """The compile_commands.json for ``path``: configured, the project's own (clangd's search), or the one of
        speedlens's own CMake build directory."""
        db = find_compile_db(path, self.settings.cpp.compile_commands or None)
        if db is None and (root := cmake.cmake_root(path)) is not None:
            db = cmake.configured_db(root, cache_dir("cmake"))
        return db

    def project_entry(self, path: Path) -> CompileEntry | None:
        """The file's compile_commands.json entry (a header borrows one), unless the settings turn them off."""
        db = self._db(path) if self.settings.cpp.use_compile_commands else None
        return entry_for(path, db) if db is not None else None

    def known_inputs(self, path: Path, text: str) -> list[TestCase]:
        try:
            cases = discover(path, self.settings)
        except SpeedlensError:
            return []
        if not cases and self.settings.model:
            from speedlens.generated_tests import existing_generated_cases

            cases = existing_generated_cases(text)
        return cases

    # ---- the job ----

    async def inputs(self, job: Job) -> list[TestCase]:
        if not cpp.has_main(job.text):
            raise InputError(
                f"{job.path.name} has no main(): speedlens verifies whole programs that read stdin and write stdout",
                "optimize the program (the file with main) that uses this code",
            )
        cases = discover(job.path, self.settings, job.tests_dir)
        if cases:
            return cases
        if not self.settings.model:  # the model writes a generator when there is one (generated_tests)
            raise InputError(f"no test inputs found for {job.path.name}", no_tests_hint(job.path))
        from speedlens.generated_tests import generate_cases

        return await generate_cases(self, job.path, job.text, job.target, job.progress)

    async def optimize(self, job: Job, cases: list[TestCase], key: str) -> list[Result]:
        baseline = await self.baseline_for(job, cases)
        results = await self._propose_and_verify(job, baseline, key)
        return guard_winners_curse(
            results, baseline.timed, seed=self.settings.timing.seed, alpha=self.settings.alpha,
            min_speedup=self.settings.min_speedup,
            describe=lambda verdict, n: describe(verdict, n, [], self.settings.min_speedup),
        )

    async def baseline_for(self, job: Job, cases: list[TestCase]) -> Baseline:
        """The original program, built and run on every input: what every candidate is judged against."""
        toolchain = await target_toolchain(job.path, self.settings, self.sandbox, job.progress, job.warnings)
        baseline = await self.verifier.baseline(job.text, job.path, cases, job.progress, toolchain=toolchain)
        from speedlens.generated_tests import check_enough, is_generated

        if is_generated(cases, job.text):
            check_enough(len(baseline.cases), job.path)
        return baseline

    async def verify_candidate(self, job: Job, baseline: Baseline, candidate: Candidate, progress: ProgressFn
                               ) -> Verdict:
        """The verdict for one candidate: the program with the target's lines replaced, against the baseline."""
        return await self.verifier.verify(baseline, job.target.replace_in(job.text, candidate.code), progress)

    def proposers(self) -> list[Proposer]:
        from speedlens.propose.rules import RulesProposer

        proposers: list[Proposer] = [RulesProposer()]
        if self.settings.model:
            from speedlens.propose.llm import LlmProposer

            proposers.append(LlmProposer(self.settings))
        return proposers

    async def _propose_and_verify(self, job: Job, baseline: Baseline, key: str) -> list[Result]:
        """Each proposer proposes; every candidate is verified; rejections go back for ``feedback_rounds``."""
        results: list[Result] = []
        tried = {job.target.text}
        for proposer in self.proposers():
            results += await self._rounds(job, proposer, baseline, key, tried)
        if not results:
            job.warnings.append(f"no candidate rewrite for {job.target.name}: " + (
                "no rewrite rule applies; configure a model (speedlens.toml: model = ...) for LLM proposals"
                if not self.settings.model else "the model proposed nothing usable"))
        return sort_results(results)

    async def _rounds(self, job: Job, proposer: Proposer, baseline: Baseline, key: str, tried: set[str]
                      ) -> list[Result]:
        """One proposer's rounds: its candidates and verdicts, each round told the verdicts of the ones before."""
        history: list[Result] = []
        for round_index in range(self.settings.feedback_rounds + 1):
            request = ProposalRequest(job.text, job.target, job.path, self.settings, round_index, list(history))
            job.progress(f"asking {proposer.name} for candidates (round {round_index + 1})", None)
            try:
                candidates = await proposer.propose(request)
            except SpeedlensError as exc:  # e.g. an LLM auth failure: go on with what the others found
                job.warnings.append(f"{proposer.name}: {exc}")
                break
            fresh = [c for c in candidates if c.code not in tried]
            tried.update(c.code for c in fresh)
            for j, candidate in enumerate(fresh):
                label = f"candidate {j + 1}/{len(fresh)} ({candidate.proposer})"

                def candidate_progress(message: str, percentage: int | None = None, label: str = label) -> None:
                    job.progress(f"{label}: {message}", percentage)

                verdict = await self.verify_candidate(job, baseline, candidate, candidate_progress)
                history.append(Result(candidate, verdict, key))
            if not fresh:
                break
        return history

    async def verify_files(self, original: Path, candidate: Path, tests_dir: Path | None, progress: ProgressFn
                           ) -> Verdict:
        """`speedlens verify`: is ``candidate`` a correct and faster replacement for ``original``?"""
        cases = discover(original, self.settings, tests_dir)
        if not cases:
            raise InputError(f"no test inputs found for {original.name}", no_tests_hint(original))
        warnings: list[str] = []
        toolchain = await target_toolchain(original, self.settings, self.sandbox, progress, warnings)
        baseline = await self.verifier.baseline(_read(original), original, cases, progress, toolchain=toolchain)
        baseline.notes += warnings
        verdict = await self.verifier.verify(baseline, _read(candidate), progress)
        if baseline.notes and verdict.status not in (Status.VERIFIED, Status.NOT_FASTER):
            verdict.detail += "; " + "; ".join(baseline.notes)  # verified ones carry the notes already
        return verdict


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path} does not exist", "check the path") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not a UTF-8 text file", "pass a C++ source file") from None
