"""The project's own tests as a second correctness check of a library function's rewrite.

A CMake project is copied into a speedlens-owned directory (``project.shadow``), configured and built there, and
its tests run through ctest, all in the sandbox: a candidate's code runs nowhere else. The original is tested first;
a project whose tests fail without any rewrite is not used as evidence (the verdict says so).

A second build directory holds the project built with AddressSanitizer and UBSan, the sanitizer options compiled in
(the same translation unit as whole programs get: no ASAN_OPTIONS in the environment to tell the runs apart). It is
built only for a rewrite that passed everything else, and the original's sanitized tests run first: a project whose
tests already fail under the sanitizers does not blame the rewrite for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from speedlens.config import Settings
from speedlens.project import file_api, shadow
from speedlens.sandbox.cpp import SANITIZE_FLAGS, SANITIZER_STACK_MB, Compiler
from speedlens.sandbox.run import Limits, RunResult, Sandbox, cache_dir
from speedlens.sandbox.sanitizers import without_addresses

BUILD_DIRS = {False: "build", True: "build-sanitize"}


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

        self._original_sanitized: TestRun | None | bool = False  # False: not run yet

    def _limits(self, sanitize: bool = False) -> Limits:
        timeout = self.settings.sandbox.compile_timeout_s
        return Limits(cpu_s=timeout * 4, wall_s=timeout * 2, memory_mb=None, output_mb=512, nofile=1024, nproc=2048,
                      stack_mb=SANITIZER_STACK_MB if sanitize else None)

    async def _step(self, *argv: str, sanitize: bool = False) -> RunResult:
        env = {"CCACHE_DIR": str(self.workdir / ".ccache")}
        return await self.sandbox.run(list(argv), workdir=self.workdir, limits=self._limits(sanitize), env=env)

    async def run(self, replaced: dict[Path, str], source: Path, *, sanitize: bool = False) -> TestRun | None:
        """Build the copy with ``replaced`` files and run the tests of the executables that link ``source``'s
        target (all of them when that cannot be known); None when the project has no tests. With ``sanitize``, in
        the AddressSanitizer + UBSan build."""
        shadow.synchronise(self.root, self.workdir / "src", replaced)
        name = BUILD_DIRS[sanitize]
        build = self.workdir / name
        if not (build / "CMakeCache.txt").is_file() or not file_api.read_targets(build):
            file_api.write_query(build)
            flags = await self._sanitizer_flags() if sanitize else ["-DCMAKE_BUILD_TYPE=Release"]
            if isinstance(flags, TestRun):
                return flags
            configured = await self._step("cmake", "-S", "src", "-B", name, *flags, sanitize=sanitize)
            if not configured.ok:
                return TestRun(False, "the project does not configure: " + _tail(configured))
        executables = self._executables(build, source)
        targets = [arg for e in executables for arg in ("--target", e.name)]
        built = await self._step("cmake", "--build", name, "-j2", *targets, sanitize=sanitize)
        if not built.ok:
            return TestRun(False, "the project does not build: " + _first_error(built))
        return await self._ctest(name, executables, sanitize)

    async def run_sanitized(self, replaced: dict[Path, str], source: Path) -> TestRun | None:
        """The tests of a rewrite in the sanitizer build; None when they cannot count (no tests, or the original's
        own tests fail under the sanitizers, which ``original_sanitized_failure`` then says)."""
        if self._original_sanitized is False:
            self._original_sanitized = await self.run({}, source, sanitize=True)
        original = self._original_sanitized
        if not isinstance(original, TestRun) or not original.ok:
            return None
        return await self.run(replaced, source, sanitize=True)

    @property
    def original_sanitized_failure(self) -> str | None:
        original = self._original_sanitized
        return original.summary if isinstance(original, TestRun) and not original.ok else None

    async def _sanitizer_flags(self) -> list[str] | TestRun:
        """CMake cache entries of the sanitizer build; the options translation unit is compiled once, in the
        sandbox, into the copy's directory and linked into every executable."""
        options = self.workdir / "sanitizer_options.cpp"
        options.write_text(Compiler(self.sandbox, self.settings).sanitizer_options())
        compiled = await self._step(self.settings.cpp.compiler, "-c", "-O1", "-o", "sanitizer_options.o",
                                    "sanitizer_options.cpp")
        if not compiled.ok:
            return TestRun(False, "the sanitizer options do not compile: " + _first_error(compiled))
        compile_flags = " ".join(SANITIZE_FLAGS + ["-O1"])
        link_flags = f"{SANITIZE_FLAGS[0]} {self.workdir / 'sanitizer_options.o'}"
        return ["-DCMAKE_BUILD_TYPE=", f"-DCMAKE_CXX_FLAGS={compile_flags}", f"-DCMAKE_C_FLAGS={compile_flags}",
                f"-DCMAKE_EXE_LINKER_FLAGS={link_flags}", f"-DCMAKE_SHARED_LINKER_FLAGS={link_flags}"]

    def _executables(self, build: Path, source: Path) -> list[file_api.CMakeTarget]:
        """The executables linking the target that compiles ``source`` (its copy), [] when unknown."""
        targets = file_api.read_targets(build)
        copy = self.workdir / "src" / source.resolve().relative_to(self.root)
        return file_api.dependent_executables(targets, file_api.owners(targets, copy))

    async def _ctest(self, name: str, executables: list[file_api.CMakeTarget], sanitize: bool) -> TestRun | None:
        selection: list[str] = []
        if executables:
            listing = await self._step("ctest", "--test-dir", name, "--show-only=json-v1")
            names = file_api.select_tests(listing.stdout.decode(errors="replace"), executables) if listing.ok else None
            if names == []:
                return None  # the executables linking the function have no tests
            if names:
                selection = ["-R", "^(" + "|".join(re.escape(n) for n in names) + ")$"]
        timeout = self.settings.sandbox.timeout_s * (24 if sanitize else 6)
        tested = await self._step("ctest", "--test-dir", name, "--output-on-failure", "--timeout", str(int(timeout)),
                                  *selection, sanitize=sanitize)
        text = tested.stdout.decode(errors="replace").replace(f"{self.workdir / 'src'}/", "")  # the user's paths
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
    """ctest's failed tests and the first failed expectation (GoogleTest) or sanitizer report of their output."""
    failed = [line.strip() for line in text.splitlines() if "(Failed)" in line or "***Failed" in line]
    expectation = [without_addresses(line.strip()) for line in text.splitlines()
                   if "Failure" in line or "Expected" in line or "ERROR: " in line or "runtime error:" in line]
    return "; ".join(failed[:3] + expectation[:2])
