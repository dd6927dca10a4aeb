"""Compile C++ in the sandbox (cached by content hash) and run the programs on test inputs."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from speedlens.cache import MB, BoundedDir, cache_dir, load_checked, store_checked
from speedlens.config import Settings
from speedlens.errors import InputError
from speedlens.files import content_digest
from speedlens.sandbox.run import SYSTEM_DIRS, Limits, RunResult, Sandbox, workdir

SANITIZE_FLAGS = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer", "-g"]
SANITIZER_EXIT = 86
# ASan's frames are several times larger than -O2's: a recursion that fits the default 8 MB stack in the timed
# build overflows it in the sanitizer build, which would blame the program for the sanitizer's own cost.
SANITIZER_STACK_MB = 256
SANITIZER_MARKERS = ("runtime error:", "ERROR: AddressSanitizer", "SUMMARY: UndefinedBehaviorSanitizer")
BUILD_CACHE_MB = 2048
_SHARED_LIBRARY = re.compile(r"\.so(\.\d+)*$")
SOURCE_NAME = "prog.cpp"  # the candidate's file in the compile's work dir: the only file its errors may quote


@dataclass(frozen=True)
class Toolchain:
    """The compiler and flags used for both the original and every candidate (so timing compares code only)."""

    compiler: str  # resolved path
    flags: tuple[str, ...]
    version: str
    include_dirs: tuple[Path, ...] = ()  # directories the sources may include from (-I)
    # The original's own headers (from the compiler's dependency output): the only project files a compile sees,
    # so a candidate can include what the original includes, and nothing else of the project (.env, keys…).
    deps: tuple[Path, ...] = ()
    # What the program links besides its own file (a CMake target's libraries, ``adapters.project_program``),
    # after the sources; ``link_digest`` is their content, so a rebuilt library is a new toolchain.
    link: tuple[str, ...] = ()
    link_digest: str = ""

    @classmethod
    def for_source(cls, source_path: Path, settings: Settings) -> Toolchain:
        """The toolchain for a file: config flags, or its compile_commands.json entry when there is one."""
        compiler, flags, includes = settings.cpp.compiler, list(settings.cpp.flags), [source_path.parent.resolve()]
        entry = (compile_commands_entry(source_path, settings.cpp.compile_commands)
                 if settings.cpp.use_compile_commands else None)
        if entry is not None:
            compiler, flags, extra = entry
            includes += extra
        resolved = shutil.which(compiler)
        if resolved is None:
            raise InputError(
                f"compiler '{compiler}' not found",
                "install it (e.g. apt-get install g++) or set cpp.compiler in speedlens.toml",
            )
        includes = list(dict.fromkeys(includes))
        deps = own_headers(resolved, flags, includes, source_path)
        return cls(resolved, tuple(flags), compiler_version(resolved), tuple(includes), deps)

    def shared_libraries(self) -> dict[str, Path]:
        """The project's shared libraries the program links, by every name the loader may look for (the link
        line's name and each symlink hop to the real file: ``libx.so`` → ``libx.so.1`` → ``libx.so.1.2``).

        They live in a build directory the sandbox does not show, so each build keeps copies beside its binary
        and finds them there (``$ORIGIN``)."""
        named: dict[str, Path] = {}
        for arg in self.link:
            path = Path(arg)
            if arg.startswith("-") or not _SHARED_LIBRARY.search(path.name) or system_file(path) or not path.is_file():
                continue
            while True:
                named.setdefault(path.name, path.resolve())
                if not path.is_symlink():
                    break
                path = path.parent / path.readlink()
        return named

    def fingerprint(self) -> tuple:
        """What a build's result depends on besides its source: an edited header is a new toolchain, so neither a
        cached binary nor a stored verdict of the old header is used for the new one."""
        linked = (self.link, self.link_digest) if self.link else ()
        headers = tuple(content_digest(dep) for dep in self.deps)
        return self.compiler, self.flags, self.version, headers, *linked


def system_file(path: Path) -> bool:
    """A file the sandbox shows every program anyway (it binds the system directories)."""
    return any(str(path).startswith(directory + "/") for directory in SYSTEM_DIRS)


@functools.lru_cache(maxsize=16)
def compiler_version(compiler: str) -> str:
    try:
        out = subprocess.run([compiler, "--version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.splitlines()[0] if out else "unknown"


def own_headers(compiler: str, flags: Sequence[str], include_dirs: Sequence[Path], source: Path) -> tuple[Path, ...]:
    """The project headers ``source`` includes, searched with ``flags`` and ``include_dirs`` as its compile will:
    the only project files a sandboxed compile is shown (``Toolchain.deps``)."""
    scan_flags = (*flags, *(f"-I{d}" for d in include_dirs))
    return header_dependencies(compiler, scan_flags, source.resolve(), _mtime_ns(source))


def _mtime_ns(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


@functools.lru_cache(maxsize=64)
def header_dependencies(compiler: str, flags: tuple[str, ...], source: Path, mtime_ns: int) -> tuple[Path, ...]:
    """The headers ``source`` includes from outside the system dirs, from the compiler's dependency output.

    ``-M`` rather than ``-MM``: headers found through ``-isystem`` (a vendored library) count as system headers
    for ``-MM`` but are not visible in the sandbox unless bound. Run on the user's own file (the original, which
    they compile anyway), never on a candidate; ``mtime_ns`` is part of the cache key so that an edited file is
    scanned again.
    """
    argv = [compiler, *(f for f in flags if not f.startswith(("-o", "-M"))), "-M", "-MG", str(source)]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=source.parent)
    except (OSError, subprocess.SubprocessError):
        return ()
    rule = proc.stdout.replace("\\\n", " ").partition(":")[2]
    names = [name.replace("\\ ", " ") for name in re.split(r"(?<!\\)\s+", rule) if name]
    paths = [(source.parent / name).resolve() for name in names]
    system = [Path(d).resolve() for d in SYSTEM_DIRS]
    outside = (p for p in paths if p != source and not any(d in p.parents for d in system))
    return tuple(dict.fromkeys(p for p in outside if p.is_file()))


def compile_commands_entry(source_path: Path, configured: str = "") -> tuple[str, list[str], list[Path]] | None:
    """(compiler, flags, include dirs) for ``source_path`` from its compile_commands.json (``configured``: the
    directory of one, else found as clangd finds it), if any (``speedlens.project.compile_db``)."""
    from speedlens.project.compile_db import find_entry

    entry = find_entry(source_path, configured or None)
    return (entry.compiler, list(entry.flags), list(entry.include_dirs)) if entry is not None else None


@dataclass
class Build:
    ok: bool
    binary: Path | None = None
    errors: str = ""
    sanitized: bool = False


class Compiler:
    """Sandboxed compiles, cached by (source, toolchain, sanitize) so an unchanged program is built once."""

    def __init__(self, sandbox: Sandbox, settings: Settings):
        self.sandbox = sandbox
        self.settings = settings
        self._locks: dict[str, asyncio.Lock] = {}
        self._bounds: dict[Path, BoundedDir] = {}

    def limits(self) -> Limits:
        timeout = self.settings.sandbox.compile_timeout_s
        memory = max(self.settings.sandbox.memory_mb, 2048)
        return Limits(cpu_s=timeout, wall_s=timeout, memory_mb=memory, output_mb=512, disk_mb=1024)

    def sanitizer_options(self) -> str:
        """A translation unit linked into every sanitizer build: its options, compiled in.

        Passing them through ASAN_OPTIONS would let a program tell the checking run from the timed one by its
        environment; compiled in, both runs see the same (empty) environment.
        """
        asan = (
            f"detect_leaks=0:exitcode={SANITIZER_EXIT}:hard_rss_limit_mb={self.settings.sandbox.memory_mb}:"
            "allocator_may_return_null=0:abort_on_error=0"
        )
        ubsan = f"print_stacktrace=1:halt_on_error=1:exitcode={SANITIZER_EXIT}"
        return (
            f'extern "C" const char *__asan_default_options() {{ return "{asan}"; }}\n'
            f'extern "C" const char *__ubsan_default_options() {{ return "{ubsan}"; }}\n'
        )

    async def build(self, source: str, toolchain: Toolchain, *, sanitize: bool = False) -> Build:
        options = self.sanitizer_options() if sanitize else ""
        key = hashlib.sha256(repr((source, toolchain.fingerprint(), sanitize, options)).encode()).hexdigest()[:24]
        directory = cache_dir("builds")
        bound = self._bounds.setdefault(directory, BoundedDir(directory, BUILD_CACHE_MB * MB))
        target = directory / key / "prog"
        lock = self._locks.setdefault(key, asyncio.Lock())
        libraries = toolchain.shared_libraries()
        async with lock:
            if load_checked(target) and all(load_checked(target.parent / name) for name in libraries):
                bound.touch(target.parent)
                return Build(True, target, sanitized=sanitize)
            with workdir("speedlens-cc-") as wd:
                (wd / SOURCE_NAME).write_text(source, encoding="utf-8")
                units = [SOURCE_NAME]
                if sanitize:
                    (wd / "options.cpp").write_text(options, encoding="utf-8")
                    units.append("options.cpp")
                argv = [toolchain.compiler, *toolchain.flags, *(SANITIZE_FLAGS if sanitize else [])]
                argv += [f"-I{d}" for d in toolchain.include_dirs] + [*units, "-o", "prog", *toolchain.link]
                argv += ["-Wl,-rpath,$ORIGIN"] if libraries else []
                binds = [*toolchain.deps, *_toolchain_root(toolchain.compiler)]
                result = await self.sandbox.run(argv, workdir=wd, limits=self.limits(), ro_binds=binds)
                if not result.ok or not (wd / "prog").exists():
                    return Build(False, errors=_first_errors(result), sanitized=sanitize)
                for name, library in libraries.items():  # before the binary: a stored binary has its libraries
                    store_checked(library, target.parent / name)
                store_checked(wd / "prog", target)
            bound.stored()
        return Build(True, target, sanitized=sanitize)

    async def sanitizers_work(self, toolchain: Toolchain) -> bool:
        """Whether this toolchain can build and run a sanitized program (libasan/libubsan installed)."""
        build = await self.build("int main(){return 0;}\n", toolchain, sanitize=True)
        if not build.ok:
            return False
        with workdir() as wd:
            result = await self.run(build, None, wd)
        return result.ok

    async def run(
        self, build: Build, stdin: Path | None, wd: Path, limits: Limits | None = None, wrapper: Sequence[str] = ()
    ) -> RunResult:
        """Run a built program on one input in ``wd`` (``wrapper``: a prefix such as valgrind).

        A sanitizer build gets no address-space limit (the sanitizers reserve terabytes) but the whole tree's
        resident memory is bounded: the program's limit plus room for the shadow memory.
        """
        assert build.binary is not None
        limits = limits or self.run_limits()
        if build.sanitized:
            tree = self.settings.sandbox.memory_mb + 512
            limits = Limits(limits.cpu_s * 4, limits.wall_s * 4, None, limits.output_mb, limits.nofile, limits.nproc,
                            SANITIZER_STACK_MB, tree_memory_mb=tree, disk_mb=limits.disk_mb)  # fmt: skip
        return await self.sandbox.run(
            [*wrapper, str(build.binary)], workdir=wd, stdin=stdin, limits=limits, ro_binds=[build.binary.parent]
        )

    def run_limits(self, wall_s: float | None = None) -> Limits:
        s = self.settings.sandbox
        wall = min(s.timeout_s, wall_s) if wall_s else s.timeout_s
        return Limits(cpu_s=wall, wall_s=wall, memory_mb=s.memory_mb, output_mb=s.output_mb)


def sanitizer_report(result: RunResult) -> str | None:
    """The sanitizer's complaint in a run's stderr, if any."""
    text = result.stderr.decode(errors="replace")
    if result.exit_code == SANITIZER_EXIT or any(marker in text for marker in SANITIZER_MARKERS):
        lines = [line for line in text.splitlines() if any(m in line for m in SANITIZER_MARKERS)] or text.splitlines()
        return "\n".join(lines[:3])[:600]
    return None


def sanitizer_out_of_memory(result: RunResult) -> bool:
    """ASan's own memory limits (hard_rss_limit_mb, allocator caps) read as 'out of memory', not as UB."""
    text = result.stderr.decode(errors="replace")
    return result.status == "memory" or any(
        marker in text
        for marker in ("rss limit exhausted", "allocator is out of memory", "allocation-size-too-big", "out-of-memory")
    )


def _first_errors(result: RunResult, max_lines: int = 12) -> str:
    text = redact_compiler_output(result.stderr.decode(errors="replace"))
    if result.status not in ("ok", "exit"):
        text = f"the compiler {result.describe()}\n" + text
    lines = [line for line in text.splitlines() if line.strip()]
    errors = [i for i, line in enumerate(lines) if "error" in line]
    start = max(0, errors[0] - 1) if errors else 0
    return "\n".join(lines[start : start + max_lines])


_HEADER = re.compile(r"^(?P<file>[^\s:][^:]*):(\d+:)*\s*(In |fatal error|error|warning|note|Error|Warning|At )")
_CONTEXT = ("In file included from ", "                 from ", "compilation terminated", "collect2:", "/usr/bin/ld:",
            f"{SOURCE_NAME}:(")  # fmt: skip


def redact_compiler_output(text: str, own: str = SOURCE_NAME) -> str:
    """The compiler's messages about the candidate's own file only.

    A message about another file quotes that file's lines (``#include "/etc/shadow"`` makes the compiler print
    shadow's first line as a syntax error; ``.incbin`` errors quote assembler input), and this text goes to a model.
    Kept: diagnostics about ``own`` with their quoted lines, include chains (file names only) and the linker's
    summary; each run of withheld lines becomes one marker.
    """
    kept: list[str] = []
    keep_block = withheld = 0
    for line in text.splitlines():
        header = _HEADER.match(line)
        if header:
            keep_block = header["file"] == own
        elif not (line.startswith((" ", "\t")) and keep_block):
            keep_block = 0
            if not line.startswith(_CONTEXT):
                withheld += 1
                continue
        if not keep_block and header:
            withheld += 1
            continue
        if withheld:
            kept.append(f"[{withheld} line(s) about other files withheld]")
            withheld = 0
        kept.append(line)
    if withheld:
        kept.append(f"[{withheld} line(s) about other files withheld]")
    return "\n".join(kept)


def _toolchain_root(compiler: str) -> list[Path]:
    """The compiler's installation, when it lives outside the system dirs every sandbox sees (/opt, a venv…)."""
    prefix = Path(compiler).resolve().parent.parent
    system = [Path(d) for d in SYSTEM_DIRS]
    return [] if any(prefix == d or d in prefix.parents for d in system) else [prefix]
