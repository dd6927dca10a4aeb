"""Compile C++ in the sandbox (cached by content hash) and run the programs on test inputs."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from speedlens.config import Settings
from speedlens.errors import InputError
from speedlens.sandbox.run import Limits, RunResult, Sandbox, cache_dir, workdir

SANITIZE_FLAGS = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer", "-g"]
SANITIZER_EXIT = 86
SANITIZER_MARKERS = ("runtime error:", "ERROR: AddressSanitizer", "SUMMARY: UndefinedBehaviorSanitizer")


@dataclass(frozen=True)
class Toolchain:
    """The compiler and flags used for both the original and every candidate (so timing compares code only)."""

    compiler: str  # resolved path
    flags: tuple[str, ...]
    version: str
    include_dirs: tuple[Path, ...] = ()  # directories the sources may include from (made visible in the sandbox)

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
        return cls(resolved, tuple(flags), compiler_version(resolved), tuple(dict.fromkeys(includes)))

    def fingerprint(self) -> tuple:
        return self.compiler, self.flags, self.version


@functools.lru_cache(maxsize=16)
def compiler_version(compiler: str) -> str:
    try:
        out = subprocess.run([compiler, "--version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.splitlines()[0] if out else "unknown"


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

    def limits(self) -> Limits:
        timeout = self.settings.sandbox.compile_timeout_s
        return Limits(cpu_s=timeout, wall_s=timeout, memory_mb=max(self.settings.sandbox.memory_mb, 2048), output_mb=512)

    async def build(self, source: str, toolchain: Toolchain, *, sanitize: bool = False) -> Build:
        key = hashlib.sha256(repr((source, toolchain.fingerprint(), sanitize)).encode()).hexdigest()[:24]
        target = cache_dir("builds") / key / "prog"
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            if target.exists():
                return Build(True, target, sanitized=sanitize)
            with workdir("speedlens-cc-") as wd:
                (wd / "prog.cpp").write_text(source, encoding="utf-8")
                argv = [toolchain.compiler, *toolchain.flags, *(SANITIZE_FLAGS if sanitize else [])]
                argv += [f"-I{d}" for d in toolchain.include_dirs] + ["prog.cpp", "-o", "prog"]
                result = await self.sandbox.run(
                    argv, workdir=wd, limits=self.limits(), ro_binds=list(toolchain.include_dirs)
                )
                if not result.ok or not (wd / "prog").exists():
                    return Build(False, errors=_first_errors(result), sanitized=sanitize)
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_name(f"prog.tmp{os.getpid()}")
                shutil.copy2(wd / "prog", tmp)
                tmp.replace(target)
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
        self, build: Build, stdin: Path | None, wd: Path, limits: Limits | None = None, wrapper: list[str] = ()
    ) -> RunResult:
        """Run a built program on one input in ``wd`` (``wrapper``: a prefix such as valgrind)."""
        assert build.binary is not None
        limits = limits or self.run_limits()
        env = {}
        if build.sanitized:
            limits = Limits(limits.cpu_s * 4, limits.wall_s * 4, None, limits.output_mb, limits.nofile, limits.nproc)
            rss = self.settings.sandbox.memory_mb
            env = {
                "ASAN_OPTIONS": f"detect_leaks=0:exitcode={SANITIZER_EXIT}:hard_rss_limit_mb={rss}:"
                "allocator_may_return_null=0:abort_on_error=0",
                "UBSAN_OPTIONS": f"print_stacktrace=1:halt_on_error=1:exitcode={SANITIZER_EXIT}",
            }
        return await self.sandbox.run(
            [*wrapper, str(build.binary)], workdir=wd, stdin=stdin, limits=limits, env=env, ro_binds=[build.binary.parent]
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
        marker in text for marker in ("rss limit exhausted", "allocator is out of memory", "allocation-size-too-big", "out-of-memory")
    )


def _first_errors(result: RunResult, max_lines: int = 12) -> str:
    text = result.stderr.decode(errors="replace")
    if result.status not in ("ok", "exit"):
        text = f"the compiler {result.describe()}\n" + text
    lines = [line for line in text.splitlines() if line.strip()]
    errors = [i for i, line in enumerate(lines) if "error" in line]
    start = max(0, errors[0] - 1) if errors else 0
    return "\n".join(lines[start : start + max_lines])
