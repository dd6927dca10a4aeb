"""The project's own tests as a second correctness check of a library function's rewrite.

A CMake project is copied into a speedlens-owned directory (``project.shadow``), configured and built there, and
its tests run through ctest, all in the sandbox: a candidate's code runs nowhere else. The original is tested first;
a project whose tests fail without any rewrite is not used as evidence (the verdict says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from speedlens.config import Settings
from speedlens.project import file_api, shadow
from speedlens.sandbox.run import Limits, RunResult, Sandbox, cache_dir


@dataclass
class TestRun:
    __test__ = False  # not a pytest test class

    ok: bool
    summary: str  # "12 tests pass" or the failure's first lines


class ProjectTests:
    """ctest over a shadow copy of one CMake project (one per job: the copy is shared, runs are sequential)."""

    def __init__(self, root: Path, settings: Settings, sandbox: Sandbox) -> None:
        self.root = root.resolve()
        self.settings = settings
        self.sandbox = sandbox
        self.workdir = shadow.shadow_dir(self.root, cache_dir("shadow"))
        self.workdir.mkdir(parents=True, exist_ok=True)

    def _limits(self) -> Limits:
        timeout = self.settings.sandbox.compile_timeout_s
        return Limits(cpu_s=timeout * 4, wall_s=timeout * 2, memory_mb=None, output_mb=512, nofile=1024, nproc=2048)

    async def _step(self, *argv: str) -> RunResult:
        env = {"CCACHE_DIR": str(self.workdir / ".ccache")}
        return await self.sandbox.run(list(argv), workdir=self.workdir, limits=self._limits(), env=env)

    async def run(self, replaced: dict[Path, str], source: Path) -> TestRun | None:
        """Build the copy with ``replaced`` files and run the tests of the executables that link ``source``'s
        target (all of them when that cannot be known); None when the project has no tests."""
        shadow.synchronise(self.root, self.workdir / "src", replaced)
        build = self.workdir / "build"
        if not (build / "CMakeCache.txt").is_file() or not file_api.read_targets(build):
            file_api.write_query(build)
            configured = await self._step("cmake", "-S", "src", "-B", "build", "-DCMAKE_BUILD_TYPE=Release")
            if not configured.ok:
                return TestRun(False, "the project does not configure: " + _tail(configured))
        executables = self._executables(source)
        targets = [arg for e in executables for arg in ("--target", e.name)]
        built = await self._step("cmake", "--build", "build", "-j2", *targets)
        if not built.ok:
            return TestRun(False, "the project does not build: " + _first_error(built))
        return await self._ctest(executables)

    def _executables(self, source: Path) -> list[file_api.CMakeTarget]:
        """The executables linking the target that compiles ``source`` (its copy), [] when unknown."""
        targets = file_api.read_targets(self.workdir / "build")
        copy = self.workdir / "src" / source.resolve().relative_to(self.root)
        return file_api.dependent_executables(targets, file_api.owners(targets, copy))

    async def _ctest(self, executables: list[file_api.CMakeTarget]) -> TestRun | None:
        selection: list[str] = []
        if executables:
            listing = await self._step("ctest", "--test-dir", "build", "--show-only=json-v1")
            names = file_api.select_tests(listing.stdout.decode(errors="replace"), executables) if listing.ok else None
            if names == []:
                return None  # the executables linking the function have no tests
            if names:
                selection = ["-R", "^(" + "|".join(re.escape(n) for n in names) + ")$"]
        tested = await self._step("ctest", "--test-dir", "build", "--output-on-failure", "--timeout",
                                  str(int(self.settings.sandbox.timeout_s * 6)), *selection)
        text = tested.stdout.decode(errors="replace")
        if "No tests were found" in text:
            return None
        summary = next((line.strip() for line in text.splitlines() if "tests passed" in line), "")
        return TestRun(True, summary) if tested.ok else TestRun(False, _failures(text) or _tail(tested))


def _tail(result: RunResult, lines: int = 6) -> str:
    text = (result.stdout + result.stderr).decode(errors="replace").strip().splitlines()
    return "\n".join(text[-lines:])


def _first_error(result: RunResult) -> str:
    text = (result.stdout + result.stderr).decode(errors="replace").splitlines()
    return next((line.strip() for line in text if "error" in line), _tail(result))


def _failures(text: str) -> str:
    """ctest's failed tests and the first failed expectation of GoogleTest's output."""
    failed = [line.strip() for line in text.splitlines() if "(Failed)" in line or "***Failed" in line]
    expectation = [line.strip() for line in text.splitlines() if "Failure" in line or "Expected" in line]
    return "; ".join(failed[:3] + expectation[:2])
