"""What the engine asks of one kind of target (a C++ program, a TVM prim_func), and the one result key.

The engine core (``speedlens.engine``) picks the first adapter that handles a file and runs one ``Job`` per
target through it. An adapter finds its targets, says which inputs a result depends on, builds its baseline,
proposes and verifies; the core keys, caches, limits and ranks. Results are keyed here and only here
(``result_key``), so what an optimize stores is what the editor's lookup finds (ARCHITECTURE.md, "Result keys").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from speedlens.config import Settings
from speedlens.files import content_digest
from speedlens.models import Finding, ProgressFn, Result, Target, content_hash, no_progress
from speedlens.sandbox.run import Sandbox
from speedlens.testcases import TestCase


@dataclass
class Job:
    """One target's optimization: its inputs, and what it reports besides results (its own, never shared with a
    concurrent job of the same engine)."""

    path: Path
    text: str
    target: Target
    progress: ProgressFn = no_progress
    tests_dir: Path | None = None  # the CLI's --tests; else the inputs are discovered next to the file
    use_cache: bool = True
    warnings: list[str] = field(default_factory=list)  # non-blocking: a proposer that failed, nothing to propose
    state: dict[str, Any] = field(default_factory=dict)  # the adapter's own, for this job only (a harness plan)


class Adapter(Protocol):
    """One kind of target. Built per engine, with the engine's settings and sandbox."""

    language: str  # "cpp" | "tvm": the report's language and the targets' ``Target.language``
    no_target_hint: str  # what to do when the file has nothing this adapter optimizes

    def handles(self, path: Path, text: str) -> bool:
        """Whether this adapter optimizes the file (cheap: asked on every keystroke)."""
        ...

    def targets(self, path: Path, text: str) -> list[Target]:
        """Every target of the file, in source order."""
        ...

    def whole_file(self, targets: list[Target]) -> list[Target]:
        """The targets an optimize of the whole file runs (a program covers its functions)."""
        ...

    def findings(self, path: Path, text: str, exact: bool) -> list[Finding]:
        """Static findings shown as diagnostics (syntax errors first)."""
        ...

    def forget(self, path: Path) -> None:
        """Drop what ``findings`` keeps about a closed document."""
        ...

    def toolchain(self, path: Path) -> tuple:
        """The fingerprint of what builds and runs the file's code (part of every result key)."""
        ...

    def known_inputs(self, path: Path, text: str) -> list[TestCase]:
        """The inputs a result of this file depends on, as far as they are known without running anything: the
        key the editor looks cached results up by (``inputs`` of a job of the same text must agree)."""
        ...

    async def inputs(self, job: Job) -> list[TestCase]:
        """The inputs the job verifies on (may generate them); what its results are keyed by."""
        ...

    async def optimize(self, job: Job, cases: list[TestCase], key: str) -> list[Result]:
        """Build the baseline, propose, verify: the job's results, best first, each carrying ``key``."""
        ...


class AdapterBase:
    """What most adapters share: the engine's settings and sandbox; no findings, no toolchain and no inputs of
    their own unless they say otherwise."""

    def __init__(self, settings: Settings, sandbox: Sandbox) -> None:
        self.settings = settings
        self.sandbox = sandbox

    def findings(self, path: Path, text: str, exact: bool) -> list[Finding]:
        return []

    def forget(self, path: Path) -> None:
        pass

    def toolchain(self, path: Path) -> tuple:
        return ()

    def known_inputs(self, path: Path, text: str) -> list[TestCase]:
        return []

    async def inputs(self, job: Job) -> list[TestCase]:
        return []


# ---- the one result key ----


def key_context(toolchain: tuple, cases: list[TestCase], settings: Settings) -> str:
    """The per-file part of every result key (computed once per file, not once per target)."""
    tests = tuple(_fingerprint(c.input, c.expected) for c in cases)
    return content_hash(toolchain, tests, settings.fingerprint())


def target_key(text_digest: str, target: Target, context: str) -> str:
    """Everything that can change a verdict: the whole buffer, the target, and the file's ``key_context``."""
    return content_hash(text_digest, target.name, target.start_line, target.end_line, context)


def result_key(adapter: Adapter, path: Path, text: str, target: Target, cases: list[TestCase],
               settings: Settings) -> str:
    return target_key(content_hash(text), target, key_context(adapter.toolchain(path), cases, settings))


def _fingerprint(*paths: Path | None) -> tuple:
    """Content digests of test files (``files.content_digest``: memoised, so the editor's lookups stay cheap)."""
    return tuple((path.name, content_digest(path)) for path in paths if path is not None)

