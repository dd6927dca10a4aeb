"""The project's own tests as a second correctness check of a library function's rewrite.

A CMake project is copied into a speedlens-owned directory (``project_build``), configured and built there, and
its tests run through ctest, all in the sandbox: a candidate's code runs nowhere else. The original is tested first;
a project whose tests fail without any rewrite is not used as evidence (the verdict says so).

A rewrite about to be offered also runs the tests in the copy's sanitizer build (``ShadowBuild.sanitized``), the
original's sanitized tests first: a project whose tests already fail under the sanitizers does not blame the
rewrite for it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from speedlens.cache import MB, BoundedDir
from speedlens.files import write_atomically
from speedlens.models import ProgressFn, Status, Verdict
from speedlens.project import file_api
from speedlens.sandbox.sanitizers import without_addresses

from .project_build import ShadowBuild, tail

TEST_RUNS_MB = 16  # outcomes of a copy's test runs, one small JSON file per (content, compiler, build)


@dataclass
class TestRun:
    __test__ = False  # not a pytest test class

    ok: bool
    summary: str  # "12 tests pass" or the failure's first lines


class ProjectTests:
    """ctest over the shadow build of one CMake project (``project_build.ShadowBuild``)."""

    def __init__(self, shadow: ShadowBuild) -> None:
        self.shadow = shadow
        self.settings = shadow.settings
        self._sanitized: ProjectTests | None = None
        self._original_sanitized: TestRun | None = None

    async def run_sanitized(self, replaced: dict[Path, str], source: Path) -> TestRun | None:
        """The tests of a rewrite in the sanitizer build; None when they cannot count (no tests, or the original's
        own tests fail under the sanitizers, which ``original_sanitized_failure`` then says)."""
        if self._sanitized is None:
            self._sanitized = ProjectTests(self.shadow.sanitized())
            self._original_sanitized = await self._sanitized.run({}, source)
        original = self._original_sanitized
        if original is None or not original.ok:
            return None
        return await self._sanitized.run(replaced, source)

    @property
    def original_sanitized_failure(self) -> str | None:
        original = self._original_sanitized
        return original.summary if original is not None and not original.ok else None

    async def run(self, replaced: dict[Path, str], source: Path) -> TestRun | None:
        """Build the copy with ``replaced`` files and run the tests of the executables that link ``source``'s
        target (all of them when that cannot be known); None when the project has no tests.

        The outcome is remembered under the copy's content digest and compiler: the same sources built alike give
        the same tests, so a warm re-verification runs none it ran before."""
        async with self.shadow.lock:
            digest, problem = await self.shadow.prepare(replaced)
            if problem is not None:
                return TestRun(False, problem)
            runs = BoundedDir(self.shadow.workdir / "test-runs", TEST_RUNS_MB * MB)
            memo = runs.path / f"{digest}-{self.shadow.compiler_tag()}-{self.shadow.build_name}-{source.name}.json"
            try:
                known = json.loads(memo.read_text())
                runs.touch(memo)
                return TestRun(known["ok"], known["summary"]) if known else None
            except (OSError, ValueError, KeyError, TypeError):
                pass
            run = await self._built_and_tested(source)
            memo.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(memo, json.dumps(run and {"ok": run.ok, "summary": run.summary}))
            runs.stored()
            return run

    async def _built_and_tested(self, source: Path) -> TestRun | None:
        """The tests' outcome on the copy as synchronised (call under the lock)."""
        executables = self.shadow.executables(source)
        problem = await self.shadow.build(executables)
        if problem is not None:
            return TestRun(False, problem)
        return await self.ctest(executables)

    async def ctest(self, executables: list[file_api.CMakeTarget], writable: tuple[Path, ...] = ()) -> TestRun | None:
        """ctest over the copy as built (call under the lock): the tests of ``executables`` (all when none);
        ``writable``: what of the copy besides the build directory the tests may write (``run_built``)."""
        selection: list[str] = []
        if executables:
            listing = await self.shadow.run_built("ctest", "--test-dir", self.shadow.build_name, "--show-only=json-v1",
                                                 writable=writable)
            names = file_api.select_tests(listing.stdout.decode(errors="replace"), executables) if listing.ok else None
            if names == []:
                return None  # the executables linking the function have no tests
            if names:
                selection = ["-R", "^(" + "|".join(re.escape(n) for n in names) + ")$"]
        timeout = self.settings.sandbox.timeout_s * (24 if self.shadow.sanitize else 6)
        tested = await self.shadow.run_built("ctest", "--test-dir", self.shadow.build_name, "--output-on-failure",
                                             "--timeout", str(int(timeout)), *selection, writable=writable)
        text = tested.stdout.decode(errors="replace").replace(f"{self.shadow.copy_of(Path())}/", "")  # user's paths
        if "No tests were found" in text:
            return None
        summary = next((line.strip() for line in text.splitlines() if "tests passed" in line), "")
        return TestRun(True, summary) if tested.ok else TestRun(False, _failures(text) or tail(tested))


def _failures(text: str) -> str:
    """ctest's failed tests and the first failed expectation (GoogleTest) or sanitizer report of their output."""
    failed = [line.strip() for line in text.splitlines() if "(Failed)" in line or "***Failed" in line]
    expectation = [without_addresses(line.strip()) for line in text.splitlines()
                   if "Failure" in line or "Expected" in line or "ERROR: " in line or "runtime error:" in line]
    return "; ".join(failed[:3] + expectation[:2])


async def judge_by_tests(tests: ProjectTests, replaced: dict[Path, str], source: Path, verdict: Verdict,
                         progress: ProgressFn) -> None:
    """A rewrite found correct and timed must also pass the project's own tests (they know the function's
    contract; generated arguments only know its types), and a rewrite about to be offered passes them in the
    sanitizer build too (undefined behaviour the generated inputs never reach may be one a test reaches)."""
    run = await tests.run(replaced, source)
    if run is not None and not run.ok:
        verdict.status = Status.INCORRECT
        verdict.detail = f"the project's tests fail with this rewrite: {run.summary}"
        return
    if run is not None:
        verdict.detail += f"; the project's tests pass ({run.summary})"
    if verdict.status != Status.VERIFIED or not tests.settings.sanitize:
        return
    progress("building the project's tests with AddressSanitizer and UBSan and running them", None)
    sanitized = await tests.run_sanitized(replaced, source)
    if sanitized is not None and not sanitized.ok:
        verdict.status = Status.RUNTIME_ERROR
        verdict.detail = ("the project's tests fail under AddressSanitizer/UBSan with this rewrite: "
                          + sanitized.summary)
    elif sanitized is not None:
        verdict.detail += " (also under AddressSanitizer and UBSan)"
    elif tests.original_sanitized_failure:
        verdict.notes.append("the project's tests fail under the sanitizers without any rewrite, so their "
                             f"sanitizer build is not used: {tests.original_sanitized_failure}")
