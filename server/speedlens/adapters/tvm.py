"""TVM prim_funcs: a Python file defining ``@T.prim_func`` functions, each searched for a faster schedule.

A prim_func is verified on random inputs the search builds itself: test folders do not enter its results' keys.
"""

from __future__ import annotations

from pathlib import Path

from speedlens.analysis import tvm
from speedlens.config import Settings
from speedlens.models import Finding, Result, Target
from speedlens.sandbox.run import Sandbox
from speedlens.testcases import TestCase

from .base import Job


class TvmAdapter:
    language = "tvm"
    no_target_hint = "define a @T.prim_func in the file"

    def __init__(self, settings: Settings, sandbox: Sandbox) -> None:
        self.settings = settings
        self.sandbox = sandbox

    def handles(self, path: Path, text: str) -> bool:
        return path.suffix.lower() == ".py" and tvm.is_tvm_script(text)

    def targets(self, path: Path, text: str) -> list[Target]:
        return tvm.find_targets(text)

    def whole_file(self, targets: list[Target]) -> list[Target]:
        return targets

    def findings(self, path: Path, text: str, exact: bool) -> list[Finding]:
        return []

    def forget(self, path: Path) -> None:
        pass

    def toolchain(self, path: Path) -> tuple:
        return ()

    def known_inputs(self, path: Path, text: str) -> list[TestCase]:
        return []  # a NAME.tests/ folder next to the file is not what the search verifies on

    async def inputs(self, job: Job) -> list[TestCase]:
        return []

    async def optimize(self, job: Job, cases: list[TestCase], key: str) -> list[Result]:
        from speedlens.propose.tvm_search import optimize_prim_func

        results = await optimize_prim_func(job.text, job.target, job.path, self.settings, job.progress,
                                           sandbox=self.sandbox)
        return [Result(r.candidate, r.verdict, key) for r in results]
