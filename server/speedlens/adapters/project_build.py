"""speedlens's own build of a CMake project: a shadow copy (``project.shadow``) configured and built under the cache,
every step in the sandbox, so a candidate's code runs nowhere else and the user's tree and build directory are
only read. Shared by the project's tests (``project_tests``) and its benchmarks (``project_benchmarks``).

Builds only compile a candidate; its code runs in ``run_built`` (ctest), where the rest of the copy is read-only
and its own build directory is checked afterwards (GoogleTest's discovery is moved from the build to ctest's run
for that: ``gtest_discover_tests`` runs each test executable right after linking it by default).

``sanitized()`` is the same copy built a second time, in its own build directory, with AddressSanitizer and UBSan:
their options compiled in (the translation unit whole programs get, so no ASAN_OPTIONS in the environment tells
the runs apart) and the larger stack sanitizer frames need. ``recording()`` is a third, where a file's functions
are wrapped to record the arguments the tests and benchmarks pass them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import os
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

from speedlens.cache import MB, BoundedDir
from speedlens.config import Settings
from speedlens.project import file_api, shadow
from speedlens.sandbox.cpp import SANITIZE_FLAGS, SANITIZER_STACK_MB, Compiler, compiler_version
from speedlens.sandbox.run import Limits, RunResult, Sandbox, blocking_in_thread, cache_dir

log = logging.getLogger(__name__)

SHADOW_CACHE_MB = 8192  # every project's copy, build directories and executables, least recently used evicted
BINARIES_MB = 1024  # a copy's kept executables (per build directory)
CCACHE_MAX_SIZE = "2G"  # a copy's ccache (its own directory, so its size is bounded by ccache itself)
ORIGIN = "$ORIGIN"  # the loader's name for the executable's own directory
# GoogleTest's and Catch2's tests are listed when ctest runs (in ``run_built``), not by running each executable
# right after linking it; the lists they write then (``<target>[N]_tests.cmake``, scripts ctest includes) are
# removed before each run, so each run lists the executables as built rather than a list a test left behind.
TESTS_DISCOVERED_WHEN_RUN = ("-DCMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE=PRE_TEST",
                             "-DCMAKE_CATCH_DISCOVER_TESTS_DISCOVERY_MODE=PRE_TEST")  # fmt: skip
DISCOVERED_TESTS = re.compile(r"_tests(-\w+)?\.cmake$")  # "-<CONFIG>" with a multi-config generator
CTEST_OWN_FILES = "Testing"  # what ctest itself writes into a build directory: its logs

# One lock per shadow copy, for the whole process: jobs of two functions of one file share the copy, and a sync
# of one must not happen between the other's build and its run.
_LOCKS: dict[Path, asyncio.Lock] = {}


class ShadowBuild:
    """The shadow copy of one CMake project, its build directory, and the executables built from it."""

    def __init__(self, root: Path, settings: Settings, sandbox: Sandbox, *, sanitize: bool = False,
                 build_name: str | None = None) -> None:
        self.root = root.resolve()
        self.settings = settings
        self.sandbox = sandbox
        self.sanitize = sanitize
        copies = cache_dir("shadow")
        self.workdir = shadow.shadow_dir(self.root, copies)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._copies = BoundedDir(copies, SHADOW_CACHE_MB * MB)
        self._copies.touch(self.workdir)
        self.build_name = build_name or ("build-sanitize" if sanitize else "build")
        self.build_dir = self.workdir / self.build_name
        self.lock = _LOCKS.setdefault(self.workdir, asyncio.Lock())
        self._binaries = BoundedDir(self.workdir / "binaries" / self.build_name, BINARIES_MB * MB)

    def sanitized(self) -> ShadowBuild:
        """The same copy built with AddressSanitizer and UBSan (same lock: one copy of the sources)."""
        return ShadowBuild(self.root, self.settings, self.sandbox, sanitize=True)

    def recording(self) -> ShadowBuild:
        """The same copy built in its own directory with a file's functions wrapped to record their arguments
        (``project_recording``): the normal build's objects stay as they are."""
        return ShadowBuild(self.root, self.settings, self.sandbox, build_name="build-record")

    def limits(self) -> Limits:
        timeout = self.settings.sandbox.compile_timeout_s
        return Limits(cpu_s=timeout * 4, wall_s=timeout * 2, memory_mb=None, output_mb=512, nofile=1024, nproc=2048,
                      stack_mb=SANITIZER_STACK_MB if self.sanitize else None)

    async def step(self, *argv: str, read_only: Sequence[Path] = ()) -> RunResult:
        """One command in the copy's directory, in the sandbox (ccache's directory inside the copy)."""
        env = {"CCACHE_DIR": str(self.workdir / ".ccache"), "CCACHE_MAXSIZE": CCACHE_MAX_SIZE}
        return await self.sandbox.run(list(argv), workdir=self.workdir, limits=self.limits(), env=env,
                                      read_only=read_only)  # fmt: skip

    async def run_built(self, *argv: str, writable: tuple[Path, ...] = ()) -> RunResult:
        """A command that runs what this build directory built, a candidate's code among it (ctest).

        Everything else of the copy is read-only to it: the synchronised sources, ccache, the kept executables the
        benchmarks time, the remembered test outcomes and the other build directories, so a rewrite's tests cannot
        slow down the original's kept benchmark or plant a passing outcome. Its own build directory stays writable
        (tests write files there) but is compared before and after: when the run changed anything the build had
        made (an object file with a newer time would be linked into the next build as it is), the directory is
        deleted and the next build configures and builds it again (from ccache). ``writable``: entries of the copy
        the run may write too (where the recording build's wrappers of the original write the arguments).
        """
        mine = {self.build_dir, *writable}
        others = await blocking_in_thread(lambda: [p for p in self.workdir.iterdir() if p not in mine])
        before = await blocking_in_thread(build_state, self.build_dir, True)
        result = await self.step(*argv, read_only=others)
        if await blocking_in_thread(build_state, self.build_dir) != before:
            log.warning("a test run changed the build directory %s: it is built again", self.build_dir)
            await blocking_in_thread(functools.partial(shutil.rmtree, self.build_dir, ignore_errors=True))
        return result

    async def prepare(self, replaced: dict[Path, str]) -> tuple[str, str | None]:
        """Synchronise the copy with ``replaced`` files and configure it when needed (call under ``lock``): the
        content digest of the copy, and CMake's error when it does not configure."""
        digest = await blocking_in_thread(shadow.synchronise, self.root, self.workdir / "src", replaced)
        if not (self.build_dir / "CMakeCache.txt").is_file() or not file_api.read_targets(self.build_dir):
            file_api.write_query(self.build_dir)
            launcher = ["-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"] if shutil.which("ccache") else []
            flags = await self._sanitizer_flags() if self.sanitize else ["-DCMAKE_BUILD_TYPE=Release"]
            if isinstance(flags, str):
                return digest, flags
            # A kept executable finds the project's shared libraries kept beside it (``store``); the build tree's
            # own run path still comes first for ctest, and is not there where kept executables run.
            configured = await self.step("cmake", "-S", "src", "-B", self.build_name, *flags, *launcher,
                                         f"-DCMAKE_BUILD_RPATH={ORIGIN}", *TESTS_DISCOVERED_WHEN_RUN)
            if not configured.ok:
                return digest, "the project does not configure: " + tail(configured)
        return digest, None

    async def _sanitizer_flags(self) -> list[str] | str:
        """CMake cache entries of the sanitizer build (or why there is none): the options translation unit is
        compiled once, in the sandbox, into the copy's directory and linked into every executable."""
        (self.workdir / "sanitizer_options.cpp").write_text(Compiler(self.sandbox, self.settings).sanitizer_options())
        compiled = await self.step(self.settings.cpp.compiler, "-c", "-O1", "-o", "sanitizer_options.o",
                                   "sanitizer_options.cpp")
        if not compiled.ok:
            return "the sanitizer options do not compile: " + first_error(compiled)
        compile_flags = " ".join([*SANITIZE_FLAGS, "-O1"])
        link_flags = f"{SANITIZE_FLAGS[0]} {self.workdir / 'sanitizer_options.o'}"
        return ["-DCMAKE_BUILD_TYPE=", f"-DCMAKE_CXX_FLAGS={compile_flags}", f"-DCMAKE_C_FLAGS={compile_flags}",
                f"-DCMAKE_EXE_LINKER_FLAGS={link_flags}", f"-DCMAKE_SHARED_LINKER_FLAGS={link_flags}"]

    async def build(self, targets: list[file_api.CMakeTarget]) -> str | None:
        """Build ``targets`` (everything when none is named); the compiler's first error, or None."""
        names = [arg for t in targets for arg in ("--target", t.name)]
        built = await self.step("cmake", "--build", self.build_name, "-j2", *names)
        self._copies.touch(self.workdir)
        self._copies.stored(keep=self.workdir)  # other projects' copies make room, least recently used first
        return None if built.ok else "the project does not build: " + first_error(built)

    def targets(self) -> list[file_api.CMakeTarget]:
        return file_api.read_targets(self.build_dir)

    def executables(self, source: Path) -> list[file_api.CMakeTarget]:
        """The executables linking the target that compiles ``source`` (its copy), [] when unknown."""
        targets = self.targets()
        return file_api.dependent_executables(targets, file_api.owners(targets, self.copy_of(source)))

    def copy_of(self, path: Path) -> Path:
        """Where the copy holds the project's ``path`` (absolute, or relative to the project's root)."""
        return self.workdir / "src" / (path.resolve().relative_to(self.root) if path.is_absolute() else path)

    def stored(self, digest: str, target: file_api.CMakeTarget) -> Path:
        """Where the executable built from the copy with content ``digest`` is kept: a build is content-addressed
        (and compiler-addressed: an upgraded compiler builds anew), so the original's executable is built once and
        a warm re-verification only builds the candidates'."""
        return self._binaries.path / f"{digest}-{self.compiler_tag()}" / target.name

    def kept(self, digest: str, target: file_api.CMakeTarget) -> Path | None:
        """The kept executable of ``target`` built from ``digest``, marked used; None when there is none."""
        kept = self.stored(digest, target)
        if not kept.is_file():
            return None
        self._binaries.touch(kept.parent)
        return kept

    def compiler_tag(self) -> str:
        """A short name of the compiler the configured copy builds with (its version line included)."""
        compiler = ""
        try:
            for line in (self.build_dir / "CMakeCache.txt").read_text(errors="replace").splitlines():
                if line.startswith("CMAKE_CXX_COMPILER:"):
                    compiler = line.split("=", 1)[1]
        except OSError:
            pass
        version = compiler_version(compiler) if compiler else "unknown"
        return hashlib.sha256(f"{compiler}\0{version}".encode()).hexdigest()[:8]

    def keeps_shared_libraries(self) -> bool:
        """Whether executables of this build find the project's shared libraries beside them (configured so by
        this version of speedlens; a copy configured before is not)."""
        try:
            return f"CMAKE_BUILD_RPATH:UNINITIALIZED={ORIGIN}" in (self.build_dir / "CMakeCache.txt").read_text()
        except OSError:
            return False

    def store(self, digest: str, target: file_api.CMakeTarget) -> Path | None:
        """Copy the freshly built ``target`` to its content-addressed place, with the project's shared libraries
        it loads (so a kept executable runs the libraries it was built with, not the last ones built); None when
        CMake built no artifact."""
        artifact = next((a for a in target.artifacts if a.is_file()), None)
        if artifact is None:
            return None
        kept = self.stored(digest, target)
        kept.parent.mkdir(parents=True, exist_ok=True)
        for library in file_api.shared_libraries(self.targets(), target):
            for name, path in _loader_names(library).items():
                shutil.copy2(path, kept.parent / name)
        partial = kept.with_suffix(".partial")
        shutil.copy2(artifact, partial)
        partial.replace(kept)  # last: a kept executable has its libraries
        self._binaries.stored()
        return kept


def _loader_names(library: file_api.CMakeTarget) -> dict[str, Path]:
    """Every name the loader may look a library up by (``libx.so`` → ``libx.so.1`` → ``libx.so.1.2``): the real
    file behind each."""
    names: dict[str, Path] = {}
    for artifact in library.artifacts:
        path = artifact
        while path.exists():
            names.setdefault(path.name, path.resolve())
            if not path.is_symlink():
                break
            path = path.parent / path.readlink()
    return names


def tail(result: RunResult, lines: int = 6) -> str:
    text = (result.stdout + result.stderr).decode(errors="replace").strip().splitlines()
    return "\n".join(text[-lines:])


def first_error(result: RunResult) -> str:
    text = (result.stdout + result.stderr).decode(errors="replace").splitlines()
    return next((line.strip() for line in text if "error" in line), tail(result))


def build_state(build_dir: Path, forget_test_lists: bool = False) -> frozenset[tuple[str, int, int, int, int]]:
    """Every file of a build directory but ctest's own logs and the discovered test lists, with what any write
    changes (size, inode, modification and status-change times: a program can set the first time back, not the
    second), and every directory by name (their times change with the lists); ``forget_test_lists`` removes those
    lists first."""
    state: set[tuple[str, int, int, int, int]] = set()
    for directory, dirs, files in os.walk(build_dir):
        if Path(directory) == build_dir and CTEST_OWN_FILES in dirs:
            dirs.remove(CTEST_OWN_FILES)
        state.update((os.path.join(directory, name), 0, 0, 0, 0) for name in dirs)
        for name in files:
            path = os.path.join(directory, name)
            if DISCOVERED_TESTS.search(name):
                if forget_test_lists:
                    with contextlib.suppress(OSError):
                        os.unlink(path)
                continue
            try:
                st = os.lstat(path)
            except OSError:
                continue
            state.add((path, st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns))
    return frozenset(state)
