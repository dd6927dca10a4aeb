"""Run one untrusted command: fresh work dir, scrubbed environment, resource limits, isolation, exact CPU time.

Layers, outermost first:
- the isolation layer: bubblewrap (read-only root, home hidden, only the work dir writable, no network, own pid
  namespace) where installed, else ``unshare`` (network and pid namespaces only), else nothing — and the verdict
  says which (``network_isolated`` / ``filesystem_isolated``);
- the launcher (launcher.c, built once per machine): rlimits, wall timeout, wait4() rusage of the program alone,
  and a subreaper that kills every descendant before returning;
- this module: a backstop wall timeout that kills the whole process group, and cancellation that does the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import platformdirs

from speedlens.errors import InputError

log = logging.getLogger(__name__)

SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
SIGXCPU = int(signal.SIGXCPU)
SIGXFSZ = int(signal.SIGXFSZ)


@dataclass(frozen=True)
class Limits:
    cpu_s: float = 10.0
    wall_s: float = 20.0
    memory_mb: int | None = 2048  # address-space limit; None = none (sanitizers and TVM reserve huge ranges)
    output_mb: int = 64  # largest file the program may write, its stdout included
    nofile: int = 256
    nproc: int = 512
    stack_mb: int | None = None  # main-thread stack (RLIMIT_STACK); None = inherit (sanitizer frames need more)


@dataclass
class RunResult:
    status: str  # "ok" | "exit" | "signal" | "timeout" | "cpu_limit" | "memory" | "output_limit" | "error"
    exit_code: int | None = None
    signal: int | None = None
    cpu_s: float = 0.0  # user + system CPU of the program (from wait4)
    wall_s: float = 0.0
    max_rss_kb: int = 0
    stdout: bytes = b""
    stderr: bytes = b""
    stdout_truncated: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def describe(self, limits: Limits | None = None) -> str:
        """A short human reason for a failed run."""
        tail = self.stderr.decode(errors="replace").strip()[-400:]
        reason = {
            "ok": "ran fine",
            "exit": f"exited with code {self.exit_code}",
            "signal": f"killed by signal {self.signal} ({_signal_name(self.signal)})",
            "timeout": f"timed out after {limits.wall_s:g} s wall" if limits else "timed out",
            "cpu_limit": f"exceeded the CPU limit ({limits.cpu_s:g} s)" if limits else "exceeded the CPU limit",
            "memory": f"exceeded the memory limit ({limits.memory_mb} MB)" if limits else "ran out of memory",
            "output_limit": f"wrote more than the output limit ({limits.output_mb} MB)"
            if limits
            else "wrote too much output",
            "error": "could not be run",
        }[self.status]
        return f"{reason}: {tail}" if tail and self.status != "ok" else reason


def _signal_name(number: int | None) -> str:
    try:
        return signal.Signals(number).name if number else "?"
    except ValueError:
        return "?"


@dataclass(frozen=True)
class Isolation:
    method: str  # "bwrap" | "unshare" | "none"
    network: bool
    filesystem: bool
    missing: str = ""  # what to install for full isolation


@functools.lru_cache(maxsize=1)
def detect_isolation() -> Isolation:
    """Probe once which isolation works on this machine (a tool can be installed yet unusable)."""
    probe_dir = Path(tempfile.mkdtemp(prefix="speedlens-probe-"))
    try:
        bwrap = shutil.which("bwrap")
        if bwrap and _probe([*_bwrap_prefix(bwrap, probe_dir, []), "/bin/true"], probe_dir):
            return Isolation("bwrap", network=True, filesystem=True)
        unshare = shutil.which("unshare")
        if unshare and _probe([*_unshare_prefix(unshare), "/bin/true"], probe_dir):
            return Isolation("unshare", network=True, filesystem=False, missing="bubblewrap")
        return Isolation("none", network=False, filesystem=False, missing="bubblewrap (or util-linux unshare)")
    finally:
        shutil.rmtree(probe_dir, ignore_errors=True)


def _probe(argv: list[str], cwd: Path) -> bool:
    try:
        return subprocess.run(argv, cwd=cwd, capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _bwrap_prefix(bwrap: str, workdir: Path, ro_binds: list[Path]) -> list[str]:
    argv = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    for hidden in _hidden_dirs():
        argv += ["--tmpfs", str(hidden)]
    for path in ro_binds:
        argv += ["--ro-bind", str(path), str(path)]
    argv += [
        "--bind", str(workdir), str(workdir),
        "--chdir", str(workdir),
        "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
        "--die-with-parent", "--new-session",
    ]  # fmt: skip
    return argv


def _unshare_prefix(unshare: str) -> list[str]:
    argv = [unshare, "--net", "--pid", "--fork", "--kill-child"]
    if os.geteuid() != 0:
        argv.insert(1, "--map-root-user")
    return argv


@functools.lru_cache(maxsize=1)
def _hidden_dirs() -> tuple[Path, ...]:
    """The user's home (and /home): what untrusted code must never read."""
    dirs = {Path.home().resolve()}
    if Path("/home").is_dir():
        dirs.add(Path("/home"))
    return tuple(sorted(d for d in dirs if d.is_dir() and d != Path("/")))


def cache_dir(*parts: str) -> Path:
    """speedlens's cache directory (XDG_CACHE_HOME respected), created on demand."""
    path = Path(platformdirs.user_cache_dir("speedlens")).joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


async def blocking_in_thread(func, *args):
    """``func(*args)`` in a worker thread, so the event loop stays responsive.

    Unlike a bare ``asyncio.to_thread``, cancelling the caller waits for the call to end before re-raising: it may
    own a child process (a compiler), and a cancelled job must leave no process behind.
    """
    call = asyncio.ensure_future(asyncio.to_thread(func, *args))
    try:
        return await asyncio.shield(call)
    except asyncio.CancelledError:
        await asyncio.wait([call])
        raise


_LAUNCHER_BUILD = threading.Lock()


@functools.lru_cache(maxsize=1)
def launcher_path() -> Path:
    """The launcher binary, compiled once per machine from the packaged C source."""
    source = resources.files("speedlens.sandbox").joinpath("launcher.c").read_bytes()
    key = hashlib.sha256(source).hexdigest()[:16]
    target = cache_dir("launcher") / key / "speedlens-launcher"
    if target.exists():
        return target
    with _LAUNCHER_BUILD:  # concurrent sandbox runs (threads) build it once; other processes race harmlessly
        if not target.exists():
            _build_launcher(source, target)
    return target


def _build_launcher(source: bytes, target: Path) -> None:
    compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if compiler is None:
        raise InputError("no C compiler found to build the sandbox launcher", "install gcc (apt-get install gcc)")
    target.parent.mkdir(parents=True, exist_ok=True)
    src = target.parent / f"launcher.{os.getpid()}.c"  # per process: another may be building it right now
    src.write_bytes(source)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    proc = subprocess.run([compiler, "-O2", "-o", str(tmp), str(src)], capture_output=True, text=True)
    src.unlink(missing_ok=True)
    if proc.returncode != 0:
        raise InputError(f"could not build the sandbox launcher: {proc.stderr[:500]}", "check your C compiler")
    tmp.replace(target)


@contextlib.contextmanager
def workdir(prefix: str = "speedlens-"):
    """A fresh temporary directory, removed afterwards whatever happens."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@dataclass
class Sandbox:
    """Runs commands isolated; one instance per engine (isolation is probed once per process)."""

    isolation: Isolation = field(default_factory=detect_isolation)
    # Scheduling priority of everything run (nice(1) increment): the language server runs its background
    # verification at a lower priority than itself, so typing is answered at once while both cores compile.
    niceness: int = 0
    _warned: bool = False

    @property
    def network_isolated(self) -> bool:
        return self.isolation.network

    @property
    def filesystem_isolated(self) -> bool:
        return self.isolation.filesystem

    def warn_once(self) -> str | None:
        """The one-time warning when isolation is incomplete (None when complete or already said)."""
        if self.isolation.method == "bwrap" or self._warned:
            return None
        self._warned = True
        message = (
            f"sandbox isolation is partial ({self.isolation.method}): network isolated={self.isolation.network}, "
            f"filesystem isolated={self.isolation.filesystem}; install {self.isolation.missing} for full isolation"
        )
        log.warning(message)
        return message

    def command(
        self,
        launcher: Path,
        argv: list[str],
        workdir: Path,
        limits: Limits,
        stdin: Path | None,
        ro_binds: list[Path],
        jobfile: Path | None = None,
    ) -> list[str]:
        """The full command line: isolation prefix + launcher with limits + the program (or a job list)."""
        binds = [launcher.parent, *ro_binds]
        if self.isolation.method == "bwrap":
            prefix = _bwrap_prefix(shutil.which("bwrap") or "bwrap", workdir, binds)
        elif self.isolation.method == "unshare":
            prefix = _unshare_prefix(shutil.which("unshare") or "unshare")
        else:
            prefix = []
        if self.niceness > 0:
            prefix = [shutil.which("nice") or "nice", "-n", str(self.niceness), *prefix]
        opts = [
            "-o", str(workdir / ".stdout"), "-e", str(workdir / ".stderr"),
            "-c", str(max(1, int(limits.cpu_s + 0.999))),
            "-f", str(limits.output_mb), "-n", str(limits.nofile), "-p", str(limits.nproc),
            "-w", str(int(limits.wall_s * 1000)),
        ]  # fmt: skip
        if limits.memory_mb:
            opts += ["-m", str(limits.memory_mb)]
        if limits.stack_mb:
            opts += ["-s", str(limits.stack_mb)]
        if stdin is not None:
            opts += ["-i", str(stdin)]
        if jobfile is not None:
            return [*prefix, str(launcher), *opts, "-j", str(jobfile)]
        return [*prefix, str(launcher), *opts, "--", *argv]

    async def run(
        self,
        argv: list[str],
        *,
        workdir: Path,
        stdin: Path | None = None,
        limits: Limits = Limits(),
        env: dict[str, str] | None = None,
        ro_binds: list[Path] | tuple[Path, ...] = (),
    ) -> RunResult:
        """Run ``argv`` in ``workdir`` (which must exist); never raises for the program's own failures."""
        full_env = {**_scrubbed_env(workdir), **(env or {})}
        stdin = stdin.resolve() if stdin is not None else None
        ro_binds = [Path(p).resolve() for p in ro_binds]
        if stdin is not None and self.isolation.method == "bwrap" and not _inside(stdin, workdir):
            ro_binds = [*ro_binds, stdin.parent]
        launcher = await blocking_in_thread(launcher_path)  # built once per machine, never on the event loop
        cmd = self.command(launcher, argv, workdir, limits, stdin, ro_binds)
        reports, err = await self._launch(cmd, workdir, full_env, limits.wall_s + 10)
        stdout, truncated = _read_capped(workdir / ".stdout", limits.output_mb << 20)
        stderr, _ = _read_capped(workdir / ".stderr", 64 << 10)
        if not reports:
            return RunResult("error", stderr=err[-2000:] + stderr) if err is not None else _TIMED_OUT
        return _result(reports[0], limits, stdout, stderr, truncated)

    async def run_batch(
        self,
        jobs: list[tuple[Path, Path]],
        *,
        workdir: Path,
        limits: Limits = Limits(),
        ro_binds: list[Path] | tuple[Path, ...] = (),
    ) -> list[RunResult]:
        """Run (program, stdin) jobs in order inside ONE sandbox, output discarded: for timing rounds.

        Each job gets the same limits and its own report; the isolation layer starts once for all of them.
        """
        env = _scrubbed_env(workdir)
        jobfile = workdir / ".jobs"
        jobfile.write_text("".join(f"{stdin.resolve()}\t{program.resolve()}\n" for program, stdin in jobs))
        binds = {Path(p).resolve() for p in ro_binds}
        binds |= {program.resolve().parent for program, _ in jobs} | {stdin.resolve().parent for _, stdin in jobs}
        binds = {b for b in binds if not _inside(b, workdir)}
        launcher = await blocking_in_thread(launcher_path)
        cmd = self.command(launcher, [], workdir, limits, None, sorted(binds), jobfile=jobfile)
        reports, err = await self._launch(cmd, workdir, env, limits.wall_s * len(jobs) + 10)
        stderr, _ = _read_capped(workdir / ".stderr", 64 << 10)
        results = [_result(r, limits, b"", stderr, False) for r in reports]
        missing = RunResult("error", stderr=(err or b"the sandbox stopped")[-2000:])
        return results + [missing] * (len(jobs) - len(results))

    async def _launch(
        self, cmd: list[str], workdir: Path, env: dict[str, str], timeout: float
    ) -> tuple[list[dict], bytes | None]:
        """Start the launcher, wait (killing everything on timeout or cancellation), parse its report lines."""
        proc = await asyncio.create_subprocess_exec(
            *cmd,
            cwd=workdir,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
        try:
            out, err = await asyncio.wait_for(proc.communicate(), timeout=timeout)
        except asyncio.TimeoutError:
            await _kill_group(proc)
            return [], None
        except asyncio.CancelledError:
            await asyncio.shield(_kill_group(proc))
            raise
        reports = []
        for line in out.decode(errors="replace").splitlines():
            try:
                reports.append(json.loads(line))
            except ValueError:
                continue
        return reports, err + out if not reports else err


def _scrubbed_env(workdir: Path) -> dict[str, str]:
    """Nothing of the user's environment (tokens, paths) reaches untrusted code; HOME is the work dir."""
    return {"PATH": SAFE_PATH, "HOME": str(workdir), "TMPDIR": str(workdir), "LANG": "C.UTF-8"}


_TIMED_OUT = RunResult("timeout", stderr=b"the sandbox stopped answering")


def _inside(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory.resolve())
        return True
    except ValueError:
        return False


async def _kill_group(proc: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()
    await proc.wait()


def _read_capped(path: Path, limit: int) -> tuple[bytes, bool]:
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError:
        return b"", False
    return data[:limit], len(data) > limit


def _result(report: dict, limits: Limits, stdout: bytes, stderr: bytes, truncated: bool) -> RunResult:
    if report.get("status") == "error":
        return RunResult("error", stderr=report.get("error", "").encode())
    result = RunResult(
        status="ok",
        exit_code=report["exit_code"] if report["exit_code"] >= 0 else None,
        signal=report["signal"] or None,
        cpu_s=report["utime"] + report["stime"],
        wall_s=report["wall"],
        max_rss_kb=report["maxrss_kb"],
        stdout=stdout,
        stderr=stderr,
        stdout_truncated=truncated,
    )
    result.status = _classify(report, result, limits)
    return result


def _classify(report: dict, result: RunResult, limits: Limits) -> str:
    if report["status"] == "timeout":
        return "timeout"
    if report["status"] == "signaled":
        sig = report["signal"]
        if sig == SIGXCPU or (sig == signal.SIGKILL and result.cpu_s >= limits.cpu_s):
            return "cpu_limit"
        if sig == SIGXFSZ:
            return "output_limit"
        if _out_of_memory(result, limits):
            return "memory"
        return "signal"
    if report["exit_code"] != 0:
        return "memory" if _out_of_memory(result, limits) else "exit"
    return "ok"


def _out_of_memory(result: RunResult, limits: Limits) -> bool:
    text = result.stderr.decode(errors="replace")
    near_limit = bool(limits.memory_mb) and result.max_rss_kb > 0.8 * (limits.memory_mb or 0) * 1024
    return "bad_alloc" in text or "out of memory" in text.lower() or "hard_rss_limit" in text or near_limit
