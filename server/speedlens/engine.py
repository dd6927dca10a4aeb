"""Orchestration of one optimization: targets -> jobs -> ranked results, over one adapter per kind of target.

Used alike by the CLI and the language server; knows nothing of either. The core here picks the adapter of a file
(``speedlens.adapters``), runs one job per target under the process-wide job limit, keys and caches each job's
results and ranks them; the adapters find targets, build baselines, propose and verify. Async and cancellable
(cancelling the task kills the sandboxed processes), reports progress through a callback, and keys results by a
content hash so a stale result is never offered (ARCHITECTURE.md, "Data flow of one optimize").
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from speedlens.adapters import ADAPTERS, Adapter, Job, key_context, result_key, target_key
from speedlens.analysis.cpp import has_main as cpp_has_main
from speedlens.cache import ResultStore
from speedlens.config import Settings
from speedlens.errors import InputError, SpeedlensError
from speedlens.models import Finding, ProgressFn, Result, Target, Verdict, content_hash, no_progress, sort_results
from speedlens.sandbox.limit import JOBS
from speedlens.sandbox.run import Sandbox, blocking_in_thread

log = logging.getLogger(__name__)


def best_per_target(results: Iterable[Result]) -> list[Result]:
    """The first (best) verified result of each target, in best-first order: what --apply and the quick fixes
    offer."""
    seen: set[tuple[str, int]] = set()
    best: list[Result] = []
    for result in results:
        key = (result.target.name, result.target.start_line)
        if result.verdict.verified and key not in seen:
            seen.add(key)
            best.append(result)
    return best


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
        return best_per_target(self.results)

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
    """One per workspace and settings; cheap to build, holds the sandbox, the caches and the adapters.

    Concurrent optimizations of different files may share an engine: each job's warnings and problems stay in its
    own report, and the job limit (``sandbox.jobs``) is the process's, shared by every engine.
    """

    def __init__(self, settings: Settings, *, sandbox: Sandbox | None = None, store: ResultStore | None = None):
        self.settings = settings
        self.sandbox = sandbox or Sandbox()
        self.store = store or ResultStore()
        self.adapters: list[Adapter] = [adapter_type(settings, self.sandbox) for adapter_type in ADAPTERS]

    # ---- cheap, synchronous queries (the editor calls these on every keystroke) ----

    def adapter_for(self, path: Path, text: str) -> Adapter | None:
        return next((adapter for adapter in self.adapters if adapter.handles(path, text)), None)

    def language_of(self, path: Path, text: str) -> str | None:
        adapter = self.adapter_for(path, text)
        return adapter.language if adapter else None

    def targets(self, path: Path, text: str) -> list[Target]:
        adapter = self.adapter_for(path, text)
        return adapter.targets(path, text) if adapter else []

    def findings(self, path: Path, text: str, exact: bool = False) -> list[Finding]:
        """Syntax errors, then the rules' findings; re-analyses only the definitions changed since the last call.

        ``exact``: confirmed by a parse of the whole text (the default re-parses around the edit, which C++'s
        ambiguities make exact all but very rarely; see ``propose.findings.IncrementalFindings``)."""
        adapter = self.adapter_for(path, text)
        return adapter.findings(path, text, exact) if adapter else []

    def forget(self, path: Path) -> None:
        """Drop what ``findings`` keeps about a document (it was closed)."""
        for adapter in self.adapters:
            adapter.forget(path)

    def cached_results(self, path: Path, text: str) -> list[Result]:
        """Results whose key matches ``text`` now (memory, then disk), best first: the same key an optimize of
        this text stored them under (``adapters.base``)."""
        adapter = self.adapter_for(path, text)
        targets = adapter.targets(path, text) if adapter else []
        if adapter is None or not targets:
            return []
        try:
            context = key_context(adapter.toolchain(path), adapter.known_inputs(path, text), self.settings)
        except SpeedlensError:
            return []
        text_digest = content_hash(text)
        results: list[Result] = []
        for target in targets:
            results += self.store.get(target_key(text_digest, target, context)) or []
        return sort_results(results)

    # ---- the expensive part ----

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
        adapter = self.adapter_for(path, text)
        if adapter is None:
            raise InputError(
                f"{path.name} is neither C++ (.cpp/.cc/.h…) nor TVM-script (Python with @T.prim_func)",
                "open a C++ file, or a Python file defining a @T.prim_func",
            )
        report = OptimizeReport(str(path), adapter.language, self.settings.model or "")
        found = adapter.targets(path, text)
        report.targets = targets = _selected(adapter, found, line)
        if not targets and found and line is not None:
            where = ", ".join(f"{t.name} (lines {t.start_line + 1}-{t.end_line + 1})" for t in found[:6])
            report.problems.append(InputError(f"line {line + 1} of {path.name} is not inside a target",
                                              f"give a line inside one of: {where}"))
        elif not targets:
            report.problems.append(InputError(f"{path.name} has nothing to optimize", adapter.no_target_hint))
        if warning := self.sandbox.warn_once():
            report.warnings.append(warning)
        for i, target in enumerate(targets):
            job = Job(path, text, target, _prefixed(progress, f"target {i + 1}/{len(targets)} ({target.name})"),
                      tests_dir, use_cache)
            try:
                async with JOBS.slot(self.settings.sandbox.jobs):
                    report.results += await self._run(adapter, job)
            except SpeedlensError as exc:
                report.problems.append(exc)
            finally:
                report.warnings += job.warnings
        report.results = sort_results(report.results)
        return report

    async def _run(self, adapter: Adapter, job: Job) -> list[Result]:
        """One job: its inputs, its key, then the cache or the adapter's baseline, proposals and verification."""
        cases = await adapter.inputs(job)
        # Hashing the test files (megabytes) and probing the toolchain must not stall the editor's event loop.
        key = await blocking_in_thread(result_key, adapter, job.path, job.text, job.target, cases, self.settings)
        if job.use_cache and (cached := self.store.get(key)) is not None:
            job.progress("results from cache", 100)
            return cached
        results = await adapter.optimize(job, cases, key)
        self.store.put(key, results)
        return results

    async def verify(
        self, original: Path, candidate: Path, *, tests_dir: Path | None = None, progress: ProgressFn = no_progress
    ) -> Verdict:
        """`speedlens verify`: is ``candidate`` a correct and faster replacement for ``original``?"""
        from speedlens.adapters import CppFunctionAdapter, CppProgramAdapter

        kind = CppFunctionAdapter if _is_library(original) else CppProgramAdapter
        adapter = next(a for a in self.adapters if type(a) is kind)
        async with JOBS.slot(self.settings.sandbox.jobs):
            return await adapter.verify_files(original, candidate, tests_dir, progress)


def _is_library(path: Path) -> bool:
    """A C++ file without main: verified function by function, through the harness (an unreadable one goes to the
    program adapter, which says what is wrong with it)."""
    try:
        return not cpp_has_main(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return False


def _selected(adapter: Adapter, targets: list[Target], line: int | None) -> list[Target]:
    """The innermost target containing ``line``; without a line, what the adapter optimizes of a whole file."""
    if line is None:
        return adapter.whole_file(targets)
    inner = [t for t in targets if t.start_line <= line <= t.end_line]
    return [min(inner, key=lambda t: t.end_line - t.start_line)] if inner else []


def _prefixed(progress: ProgressFn, prefix: str) -> ProgressFn:
    def target_progress(message: str, percentage: int | None = None) -> None:
        progress(f"{prefix}: {message}", percentage)

    return target_progress
