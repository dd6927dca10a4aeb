"""The project's own tests as a second correctness check of a library function's rewrite.

A CMake project is copied into a speedlens-owned directory (``project_build``), configured and built there, and
its tests run through ctest, all in the sandbox: a candidate's code runs nowhere else. The original is tested first;
a project whose tests fail without any rewrite is not used as evidence (the verdict says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from speedlens.project import file_api

from .project_build import ShadowBuild, first_error, tail


@dataclass
class TestRun:
    __test__ = False  # not a pytest test class

    ok: bool
    summary: str  # "12 tests pass" or the failure's first lines


class ProjectTests(ShadowBuild):
    """ctest over a shadow copy of one CMake project (one per job: the copy is shared, runs are sequential)."""

    async def run(self, replaced: dict[Path, str], source: Path) -> TestRun | None:
        """Build the copy with ``replaced`` files and run the tests of the executables that link ``source``'s
        target (all of them when that cannot be known); None when the project has no tests."""
        failed = await self.prepare(replaced)
        if failed is not None:
            return TestRun(False, "the project does not configure: " + tail(failed))
        executables = self._executables(source)
        built = await self.build([e.name for e in executables])
        if not built.ok:
            return TestRun(False, "the project does not build: " + first_error(built))
        return await self._ctest(executables)

    def _executables(self, source: Path) -> list[file_api.CMakeTarget]:
        """The executables linking the target that compiles ``source`` (its copy), [] when unknown."""
        targets = self.targets()
        return file_api.dependent_executables(targets, file_api.owners(targets, self.copy_of(source)))

    async def _ctest(self, executables: list[file_api.CMakeTarget]) -> TestRun | None:
        selection: list[str] = []
        if executables:
            listing = await self.step("ctest", "--test-dir", "build", "--show-only=json-v1")
            names = file_api.select_tests(listing.stdout.decode(errors="replace"), executables) if listing.ok else None
            if names == []:
                return None  # the executables linking the function have no tests
            if names:
                selection = ["-R", "^(" + "|".join(re.escape(n) for n in names) + ")$"]
        tested = await self.step("ctest", "--test-dir", "build", "--output-on-failure", "--timeout",
                                  str(int(self.settings.sandbox.timeout_s * 6)), *selection)
        text = tested.stdout.decode(errors="replace")
        if "No tests were found" in text:
            return None
        summary = next((line.strip() for line in text.splitlines() if "tests passed" in line), "")
        return TestRun(True, summary) if tested.ok else TestRun(False, _failures(text) or tail(tested))


def _failures(text: str) -> str:
    """ctest's failed tests and the first failed expectation of GoogleTest's output."""
    failed = [line.strip() for line in text.splitlines() if "(Failed)" in line or "***Failed" in line]
    expectation = [line.strip() for line in text.splitlines() if "Failure" in line or "Expected" in line]
    return "; ".join(failed[:3] + expectation[:2])
