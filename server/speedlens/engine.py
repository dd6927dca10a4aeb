"""Orchestration of one optimization: targets -> proposals -> verification -> statistics -> results.

Used alike by the CLI and the language server; knows nothing of either. Async and cancellable (cancelling the
task kills the sandboxed processes), reports progress through a callback, and keys results by a content hash so a
stale result is never offered.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from speedlens.cache import ResultStore
from speedlens.config import Settings
from speedlens.errors import InputError, SpeedlensError
from speedlens.models import (
    Finding,
    ProgressFn,
    Result,
    Status,
    Target,
    Verdict,
    content_hash,
    no_progress,
    sort_results,
)
from speedlens.propose import ProposalRequest, Proposer
from speedlens.sandbox.run import Sandbox, blocking_in_thread
from speedlens.stats.conformal import estimate, selection_split
from speedlens.testcases import TestCase, discover, no_tests_hint
from speedlens.verify import Baseline, CppVerifier, describe

log = logging.getLogger(__name__)

CPP_SUFFIXES = {".cpp", ".cc", ".cxx", ".c++", ".h", ".hpp", ".hh", ".hxx"}
SELECTION_MIN_INPUTS = 20  # below this, the bound is over the inputs used to pick the winner (said in detail)


@dataclass
class OptimizeReport:
    file: str
    language: str
    model: str
    results: list[Result] = field(default_factory=list)  # best first
    problems: list[SpeedlensError] = field(default_factory=list)  # blocking problems, one per failed target
    targets: list[Target] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # non-blocking: partial isolation, a proposer that failed

    @property
    def best(self) -> Result | None:
        return self.results[0] if self.results and self.results[0].verdict.verified else None

    def best_per_target(self) -> list[Result]:
        """The best verified result of each target (what --apply and the quick fixes offer)."""
        seen, best = set(), []
        for result in self.results:
            key = (result.target.name, result.target.start_line)
            if result.verdict.verified and key not in seen:
                seen.add(key)
                best.append(result)
        return best

    def to_json(self) -> dict[str, Any]:
        name = Path(self.file).name
        return {
            "file": self.file,
            "language": self.language,
            "model": self.model,
            "results": [r.to_json(name) for r in self.results],
            "problems": [str(p) for p in self.problems],
            "warnings": self.warnings,
        }


class Engine:
    """One per workspace and settings; cheap to build, holds the sandbox, the caches and the job limit."""

    def __init__(self, settings: Settings, *, sandbox: Sandbox | None = None, store: ResultStore | None = None):
        self.settings = settings
        self.sandbox = sandbox or Sandbox()
        self.verifier = CppVerifier(settings, self.sandbox)
        self.store = store or ResultStore()
        self._jobs: asyncio.Semaphore | None = None
        self._settings_fingerprint = settings.fingerprint()
        self.warnings: list[str] = []  # non-blocking problems of the last optimize (shown once to the user)
        from speedlens.propose.findings import IncrementalFindings

        self._cpp_findings = IncrementalFindings()  # per document: the editor asks after every keystroke

    # ---- cheap, synchronous queries (the editor calls these on every keystroke) ----

    def language_of(self, path: Path, text: str) -> str | None:
        suffix = path.suffix.lower()
        if suffix in CPP_SUFFIXES:
            return "cpp"
        if suffix == ".py":
            from speedlens.analysis.tvm import is_tvm_script

            return "tvm" if is_tvm_script(text) else None
        return None

    def targets(self, path: Path, text: str) -> list[Target]:
        language = self.language_of(path, text)
        if language == "cpp":
            from speedlens.analysis import cpp

            return cpp.find_targets(text, name=path.name)
        if language == "tvm":
            from speedlens.analysis import tvm

            return tvm.find_targets(text)
        return []

    def findings(self, path: Path, text: str, exact: bool = False) -> list[Finding]:
        """Syntax errors, then the rules' findings; re-analyses only the definitions changed since the last call.

        ``exact``: confirmed by a parse of the whole text (the default re-parses around the edit, which C++'s
        ambiguities make exact all but very rarely; see ``propose.findings.IncrementalFindings``)."""
        if self.language_of(path, text) != "cpp":
            return []
        return self._cpp_findings.findings(str(path), text, exact)

    def forget(self, path: Path) -> None:
        """Drop what ``findings`` keeps about a document (it was closed)."""
        self._cpp_findings.forget(str(path))

    def cached_results(self, path: Path, text: str) -> list[Result]:
        """Results whose content hash matches ``text`` now (memory, then disk), best first."""
        targets = self.targets(path, text)
        if not targets:
            return []
        try:
            context = self._key_context(path, self._cases_or_empty(path, text), targets[0].language)
        except SpeedlensError:
            return []
        text_digest = content_hash(text)
        results: list[Result] = []
        for target in targets:
            results += self.store.get(_target_key(text_digest, target, context)) or []
        return sort_results(results)

    def result_key(self, path: Path, text: str, target: Target, cases: list[TestCase]) -> str:
        """Everything that can change a verdict: the whole buffer, the target, the toolchain, inputs, settings."""
        return _target_key(content_hash(text), target, self._key_context(path, cases, target.language))

    def _key_context(self, path: Path, cases: list[TestCase], language: str) -> str:
        """The per-file part of every result key (computed once per request, not once per target)."""
        toolchain = ()
        if language == "cpp":
            from speedlens.sandbox.cpp import Toolchain

            toolchain = Toolchain.for_source(path, self.settings).fingerprint()
        tests = tuple(_fingerprint(c.input, c.expected) for c in cases)
        return content_hash(toolchain, tests, self._settings_fingerprint)

    def _cases_or_empty(self, path: Path, text: str) -> list[TestCase]:
        try:
            cases = discover(path, self.settings)
        except SpeedlensError:
            return []
        if not cases and self.settings.model:
            from speedlens.generated_tests import existing_generated_cases

            cases = existing_generated_cases(text)
        return cases

    # ---- the expensive part ----

    def _job_slots(self) -> asyncio.Semaphore:
        if self._jobs is None:
            self._jobs = asyncio.Semaphore(self.settings.sandbox.jobs)
        return self._jobs

    async def optimize(
        self,
        path: Path,
        text: str,
        *,
        line: int | None = None,
        tests_dir: Path | None = None,
        progress: ProgressFn = no_progress,
        use_cache: bool = True,
    ) -> OptimizeReport:
        """Propose, verify and rank rewrites for the file's targets (or the target containing ``line``)."""
        language = self.language_of(path, text)
        if language is None:
            raise InputError(
                f"{path.name} is neither C++ (.cpp/.cc/.h…) nor TVM-script (Python with @T.prim_func)",
                "open a C++ file, or a Python file defining a @T.prim_func",
            )
        report = OptimizeReport(str(path), language, self.settings.model or "")
        targets = self._selected_targets(path, text, language, line)
        report.targets = targets
        self.warnings = []
        if not targets:
            report.problems.append(InputError(f"{path.name} has nothing to optimize", _no_target_hint(language)))
        if warning := self.sandbox.warn_once():
            self.warnings.append(warning)
        for i, target in enumerate(targets):
            prefix = f"target {i + 1}/{len(targets)} ({target.name})"

            def target_progress(message: str, percentage: int | None = None, prefix: str = prefix) -> None:
                progress(f"{prefix}: {message}", percentage)

            try:
                async with self._job_slots():
                    if language == "tvm":
                        results = await self._optimize_tvm(path, text, target, target_progress, use_cache)
                    else:
                        results = await self._optimize_cpp(path, text, target, tests_dir, target_progress, use_cache)
            except SpeedlensError as exc:
                report.problems.append(exc)
                continue
            report.results += results
        report.results = sort_results(report.results)
        report.warnings = list(self.warnings)
        return report

    def _selected_targets(self, path: Path, text: str, language: str, line: int | None) -> list[Target]:
        targets = self.targets(path, text)
        if line is not None:
            inner = [t for t in targets if t.start_line <= line <= t.end_line]
            return [min(inner, key=lambda t: t.end_line - t.start_line)] if inner else []
        if language == "cpp":  # a whole program covers its functions: verify it once
            programs = [t for t in targets if t.kind == "program"]
            return programs or []
        return targets

    async def _optimize_cpp(
        self, path: Path, text: str, target: Target, tests_dir: Path | None, progress: ProgressFn, use_cache: bool
    ) -> list[Result]:
        from speedlens.analysis.cpp import has_main

        if not has_main(text):
            raise InputError(
                f"{path.name} has no main(): speedlens verifies whole programs that read stdin and write stdout",
                "optimize the program (the file with main) that uses this code",
            )
        cases = discover(path, self.settings, tests_dir)
        generated = not cases
        if generated:
            cases = await self._generated_cases(path, text, target, progress)
        # Hashing the test files (megabytes) and probing the toolchain must not stall the editor's event loop.
        key = await blocking_in_thread(self.result_key, path, text, target, cases)
        if use_cache and (cached := self.store.get(key)) is not None:
            progress("results from cache", 100)
            return cached
        baseline = await self.verifier.baseline(text, path, cases, progress)
        if generated:
            from speedlens.generated_tests import check_enough

            check_enough(len(baseline.cases), path)
        results = await self._propose_and_verify(path, text, target, baseline, progress, key)
        results = self._guard_winners_curse(results, baseline)
        self.store.put(key, results)
        return results

    async def _generated_cases(self, path: Path, text: str, target: Target, progress: ProgressFn) -> list[TestCase]:
        """No inputs on disk: ask the model for a generator (LLM issue); otherwise say how to add inputs."""
        if not self.settings.model:
            raise InputError(f"no test inputs found for {path.name}", no_tests_hint(path))
        from speedlens.generated_tests import generate_cases

        return await generate_cases(self, path, text, target, progress)

    def proposers(self) -> list[Proposer]:
        from speedlens.propose.rules import RulesProposer

        proposers: list[Proposer] = [RulesProposer()]
        if self.settings.model:
            from speedlens.propose.llm import LlmProposer

            proposers.append(LlmProposer(self.settings))
        return proposers

    async def _propose_and_verify(
        self, path: Path, text: str, target: Target, baseline: Baseline, progress: ProgressFn, key: str
    ) -> list[Result]:
        """Each proposer proposes; every candidate is verified; rejections go back for ``feedback_rounds``."""
        results: list[Result] = []
        tried = {target.text}
        for proposer in self.proposers():
            history: list[Result] = []
            for round_index in range(self.settings.feedback_rounds + 1):
                request = ProposalRequest(text, target, path, self.settings, round_index, list(history))
                progress(f"asking {proposer.name} for candidates (round {round_index + 1})", None)
                try:
                    candidates = await proposer.propose(request)
                except SpeedlensError as exc:  # e.g. an LLM auth failure: go on with what the others found
                    self.warnings.append(f"{proposer.name}: {exc}")
                    break
                fresh = [c for c in candidates if c.code not in tried]
                tried.update(c.code for c in fresh)
                for j, candidate in enumerate(fresh):
                    label = f"candidate {j + 1}/{len(fresh)} ({candidate.proposer})"

                    def candidate_progress(message: str, percentage: int | None = None, label: str = label) -> None:
                        progress(f"{label}: {message}", percentage)

                    verdict = await self.verifier.verify(baseline, target.replace_in(text, candidate.code), candidate_progress)
                    history.append(Result(candidate, verdict, key))
                if not fresh:
                    break
            results += history
        if not results:
            self.warnings.append(f"no candidate rewrite for {target.name}: " + (
                "no rewrite rule applies; configure a model (speedlens.toml: model = ...) for LLM proposals"
                if not self.settings.model else "the model proposed nothing usable"))
        return sort_results(results)

    def _guard_winners_curse(self, results: list[Result], baseline: Baseline) -> list[Result]:
        """Choosing the best of several candidates inflates its number: report the winner on held-out inputs."""
        verified = [r for r in results if r.verdict.verified]
        if len(verified) < 2:
            return results
        n_timed = len(baseline.timed)
        if n_timed < SELECTION_MIN_INPUTS:
            for r in verified:
                r.verdict.detail += (
                    f"; chosen as the best of {len(verified)} verified candidates on the same {n_timed} inputs the "
                    f"bound is computed on (≥{SELECTION_MIN_INPUTS} timed inputs allow a held-out bound)"
                )
            return results
        select, report = selection_split(baseline.timed, self.settings.timing.seed)
        winner = max(verified, key=lambda r: _speedup_on(r.verdict, select))
        _rebound(winner.verdict, report, self.settings)
        winner.verdict.detail += (
            f"; picked among {len(verified)} verified candidates on {len(select)} inputs, bound reported on the "
            f"other {len(report)} (held out against the winner's curse)"
        )
        rest = [r for r in results if r is not winner]
        return [winner, *rest]

    async def _optimize_tvm(
        self, path: Path, text: str, target: Target, progress: ProgressFn, use_cache: bool
    ) -> list[Result]:
        from speedlens.propose.tvm_search import optimize_prim_func

        key = self.result_key(path, text, target, [])
        if use_cache and (cached := self.store.get(key)) is not None:
            return cached
        results = await optimize_prim_func(text, target, path, self.settings, progress, sandbox=self.sandbox)
        results = [Result(r.candidate, r.verdict, key) for r in results]
        self.store.put(key, results)
        return results

    async def verify(
        self, original: Path, candidate: Path, *, tests_dir: Path | None = None, progress: ProgressFn = no_progress
    ) -> Verdict:
        """`speedlens verify`: is ``candidate`` a correct and faster replacement for ``original``?"""
        cases = discover(original, self.settings, tests_dir)
        if not cases:
            raise InputError(f"no test inputs found for {original.name}", no_tests_hint(original))
        async with self._job_slots():
            baseline = await self.verifier.baseline(_read(original), original, cases, progress)
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


def _no_target_hint(language: str) -> str:
    if language == "tvm":
        return "define a @T.prim_func in the file"
    return "speedlens optimizes whole programs (a file with main) and the functions in them"


@functools.lru_cache(maxsize=4096)
def _fingerprint_cached(path: str, mtime_ns: int, size: int) -> str:
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def _fingerprint(*paths: Path | None) -> tuple:
    """Content digests of test files, memoised on (path, mtime, size) so hints stay cheap."""
    out = []
    for path in paths:
        if path is None:
            continue
        try:
            st = path.stat()
        except OSError:
            out.append((str(path), "missing"))
            continue
        out.append((path.name, _fingerprint_cached(str(path), st.st_mtime_ns, st.st_size)))
    return tuple(out)


def _target_key(text_digest: str, target: Target, context: str) -> str:
    return content_hash(text_digest, target.name, target.start_line, target.end_line, context)


def _speedup_on(verdict: Verdict, names: list[str]) -> float:
    chosen = [m for m in verdict.per_input if m.timed and m.name in names]
    return sum(m.original for m in chosen) / max(sum(m.candidate for m in chosen), 1e-12) if chosen else 0.0


def _rebound(verdict: Verdict, names: list[str], settings: Settings) -> None:
    """Recompute a verdict's numbers over the held-out inputs only."""
    chosen = [m for m in verdict.per_input if m.timed and m.name in names]
    est = estimate([([m.original], [m.candidate]) for m in chosen], settings.alpha, True)
    verdict.speedup, verdict.speedup_lower, verdict.speedup_upper = est.speedup, est.lower, est.upper
    verdict.bound_level = est.level if est.level == "input" else verdict.bound_level
    verdict.n_timed = len(chosen)
    verdict.original_seconds = sum(m.original for m in chosen)
    verdict.candidate_seconds = sum(m.candidate for m in chosen)
    if est.lower is None or est.lower < settings.min_speedup:
        verdict.status = Status.NOT_FASTER
    verdict.detail = describe(verdict, est.n, [], settings.min_speedup)
