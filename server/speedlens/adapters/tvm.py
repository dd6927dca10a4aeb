"""TVM prim_funcs: a Python file defining ``@T.prim_func`` functions, each searched for a faster schedule.

A prim_func is verified on random inputs the search builds itself: test folders do not enter its results' keys.
"""

from __future__ import annotations

from pathlib import Path

from speedlens.analysis import tvm
from speedlens.models import Result, Target
from speedlens.testcases import TestCase

from .base import AdapterBase, Job


class TvmAdapter(AdapterBase):
    """No findings, no toolchain in the key (the search's own), no test folder: a NAME.tests/ folder next to the
    file is not what the search verifies on."""

    language = "tvm"
    no_target_hint = "define a @T.prim_func in the file"

    def handles(self, path: Path, text: str) -> bool:
        return path.suffix.lower() == ".py" and tvm.is_tvm_script(text)

    def targets(self, path: Path, text: str) -> list[Target]:
        return tvm.find_targets(text)

    def whole_file(self, targets: list[Target]) -> list[Target]:
        return targets

    async def optimize(self, job: Job, cases: list[TestCase], key: str) -> list[Result]:
        from speedlens.propose.tvm_search import optimize_prim_func

        results = await optimize_prim_func(job.text, job.target, job.path, self.settings, job.progress,
                                           sandbox=self.sandbox)
        return [Result(r.candidate, r.verdict, key) for r in results]
