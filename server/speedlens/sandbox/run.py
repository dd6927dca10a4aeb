"""Run untrusted commands: fresh work dir, scrubbed environment, resource limits, isolation, exact CPU time.

Layers, outermost first:
- the isolation layer: bubblewrap where installed — a user namespace in which programs run as uid 65534 with no
  capabilities (also when speedlens runs as root), no network, own pid/ipc/uts namespaces, and a minimal
  read-only view of the host (toolchain and system libraries, the sources' own headers, the launcher and the
  programs to run) with private size-limited tmpfs for /tmp, /var/tmp, /run and /dev/shm; else ``unshare``
  (network and pid namespaces only), else nothing. ``Isolation`` says truthfully which protections hold;
- the launcher (launcher.c, built once per machine and checked by hash): jobs on its stdin, reports on its stdout,
  neither reachable by the program; rlimits, a seccomp filter, a watch on the whole tree's memory, processes and
  disk, a wall timeout, wait4() rusage of the program alone, and a subreaper that kills every descendant;
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
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from speedlens.cache import cache_dir, load_checked, store_checked
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
    nproc: int = 512  # processes of the whole tree
    stack_mb: int | None = None  # main-thread stack (RLIMIT_STACK); None = inherit (sanitizer frames need more)
    tree_memory_mb: int | None = None  # resident memory of the whole tree; None = memory_mb (none when that is None)
    disk_mb: int = 256  # bytes the tree may leave in its work dir and private tmpfs dirs together

    def tree_memory(self) -> int:
        return self.tree_memory_mb or self.memory_mb or 0


@dataclass
class RunResult:
    # "ok" | "exit" | "signal" | "timeout" | "cpu_limit" | "memory" | "output_limit" | "disk_limit"
    # | "process_limit" | "error"
    status: str
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

    @property
    def stdout_sha256(self) -> str:
        """A digest of the whole output, so a timed run can be checked against the oracle cheaply."""
        return hashlib.sha256(self.stdout).hexdigest()

    def describe(self, limits: Limits | None = None) -> str:
        """A short human reason for a failed run.

        Of the program's stderr only recognisable runtime diagnostics are quoted: whatever else it printed goes
        to a model in feedback rounds, and an untrusted program must not be able to route file contents there.
        """
        reason = {
            "ok": "ran fine",
            "exit": f"exited with code {self.exit_code}",
            "signal": f"killed by signal {self.signal} ({_signal_name(self.signal)})",
            "timeout": f"timed out after {limits.wall_s:g} s wall" if limits else "timed out",
            "cpu_limit": f"exceeded the CPU limit ({limits.cpu_s:g} s)" if limits else "exceeded the CPU limit",
            "memory": f"exceeded the memory limit ({limits.tree_memory() or limits.memory_mb} MB)"
            if limits
            else "ran out of memory",
            "output_limit": f"wrote more than the output limit ({limits.output_mb} MB)"
            if limits
            else "wrote too much output",
            "disk_limit": f"wrote more than the disk limit ({limits.disk_mb} MB)" if limits else "filled the disk",
            "process_limit": f"started more than {limits.nproc} processes" if limits else "started too many processes",
            "error": "could not be run",
        }[self.status]
        tail = diagnostic_tail(self.stderr)
        return f"{reason}: {tail}" if tail and self.status != "ok" else reason


# Lines of a program's stderr that say why it failed (runtime, libstdc++, assert, sanitizers, the launcher).
_DIAGNOSTICS = ("terminate called", "what():", "Assertion", "runtime error", "Sanitizer", "speedlens launcher:",
                "bad_alloc", "Segmentation", "Aborted", "internal compiler error", "Killed signal")  # fmt: skip


def diagnostic_tail(stderr: bytes, max_lines: int = 3) -> str:
    """The last few recognisable diagnostic lines of ``stderr``, each cut short; nothing else it holds."""
    lines = [line.strip()[:200] for line in stderr.decode(errors="replace").splitlines()]
    return "\n".join([line for line in lines if any(d in line for d in _DIAGNOSTICS)][-max_lines:])


def _signal_name(number: int | None) -> str:
    try:
        return signal.Signals(number).name if number else "?"
    except ValueError:
        return "?"


SANDBOX_UID = 65534  # "nobody": the uid programs run as, inside the user namespace and with Sandbox(as_user=True)

# What a compiler and a program need from the host, read-only; nothing else (no home, no /root, no /var, no /srv).
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32", "/etc/alternatives")
SYSTEM_FILES = (
    "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/nsswitch.conf",
    "/etc/os-release", "/etc/debian_version", "/etc/gai.conf",
)  # fmt: skip
# Kernel settings under the fresh /proc, made read-only: started by root, the program's uid maps to root outside
# the user namespace, and files such as /proc/sys/kernel/core_pattern check only that uid, not a capability.
PROC_READONLY = ("sys", "sysrq-trigger", "irq", "bus", "fs", "acpi", "driver", "tty", "mtrr")
# Private, size-limited tmpfs: sockets living under these on the host (docker, ssh-agent, X) are unreachable.
PRIVATE_DIRS = ("/tmp", "/var/tmp", "/run", "/dev/shm")

# bubblewrap options whose support is probed (older versions lack some); each missing one is named in the notes.
_BWRAP_OPTIONS = ("--unshare-user", "--disable-userns", "--cap-drop", "--as-pid-1", "--size", "--unshare-cgroup-try")


@dataclass(frozen=True)
class Isolation:
    """What the sandbox actually achieved on this machine, probed once (a tool can be installed yet unusable)."""

    method: str  # "bwrap" | "unshare" | "none"
    network: bool
    filesystem: bool  # a minimal read-only view of the host: toolchain and system libraries only, no home
    missing: str = ""  # what to install for full isolation
    user_namespace: bool = False  # programs run as an unprivileged uid with no capabilities, even when we are root
    seccomp: bool = False  # mount, ptrace, keyctl, bpf, perf, unshare… fail with EPERM
    notes: tuple[str, ...] = ()  # protections that are unavailable here, in words

    def summary(self) -> str:
        """One line for logs and verdicts: what holds and what does not."""
        held = [self.method]
        held += ["user namespace (uid 65534, no capabilities)"] if self.user_namespace else []
        held += ["seccomp"] if self.seccomp else []
        held += ["no network"] if self.network else ["network reachable"]
        held += ["minimal read-only filesystem"] if self.filesystem else ["host filesystem visible"]
        return ", ".join(held) + ("; " + "; ".join(self.notes) if self.notes else "")

    def to_json(self) -> dict:
        return {
            "method": self.method, "network": self.network, "filesystem": self.filesystem,
            "user_namespace": self.user_namespace, "seccomp": self.seccomp, "notes": list(self.notes),
        }  # fmt: skip


@functools.lru_cache(maxsize=2)
def detect_isolation(as_user: bool = False) -> Isolation:
    """Probe once per mode which isolation works, by running the real launcher under each candidate prefix."""
    probe_dir = Path(tempfile.mkdtemp(prefix="speedlens-probe-"))
    try:
        _hand_over(probe_dir, as_user)
        user = _as_user_prefix() if as_user else []
        launcher = launcher_path()
        notes = ["no cgroup: the launcher watches the process tree's memory every 20 ms and kills it over the limit"]
        bwrap = shutil.which("bwrap")
        if bwrap:
            options = _bwrap_options(bwrap)
            hello = _probe(
                [*user, *_bwrap_prefix(bwrap, options, probe_dir, [launcher.parent]), str(launcher)], probe_dir
            )
            if hello is not None:
                notes += [f"bubblewrap lacks {o}" for o in _BWRAP_OPTIONS if o not in options]
                notes += [] if hello.get("seccomp") else ["no seccomp filter (unsupported architecture or kernel)"]
                return Isolation(
                    "bwrap", network=True, filesystem=True, user_namespace="--unshare-user" in options,
                    seccomp=bool(hello.get("seccomp")), notes=tuple(notes),
                )  # fmt: skip
        unshare = shutil.which("unshare")
        if unshare:
            hello = _probe([*user, *_unshare_prefix(unshare), str(launcher)], probe_dir)
            if hello is not None:
                notes.append("without bubblewrap the host filesystem is visible and programs keep the caller's uid")
                return Isolation(
                    "unshare", network=True, filesystem=False, missing="bubblewrap",
                    seccomp=bool(hello.get("seccomp")), notes=tuple(notes),
                )  # fmt: skip
        hello = _probe([*user, str(launcher)], probe_dir) or {}
        notes.append("no namespaces: network and host filesystem are reachable")
        if user and not _reachable_by_others(launcher):
            notes.append(f"uid {SANDBOX_UID} cannot reach {launcher}: make speedlens's cache dir readable by it")
        return Isolation(
            "none", network=False, filesystem=False, missing="bubblewrap (or util-linux unshare)",
            seccomp=bool(hello.get("seccomp")), notes=tuple(notes),
        )  # fmt: skip
    finally:
        shutil.rmtree(probe_dir, ignore_errors=True)


def _probe(argv: list[str], cwd: Path) -> dict | None:
    """The launcher's hello line when started under ``argv`` with an empty job list, else None."""
    header = _header(Limits(), [cwd])
    try:
        proc = subprocess.run(argv, cwd=cwd, input=header, capture_output=True, timeout=20, env=_scrubbed_env(cwd))
    except (OSError, subprocess.SubprocessError):
        return None
    first = proc.stdout.split(b"\n", 1)[0]
    try:
        hello = json.loads(first)
    except ValueError:
        return None
    return hello if proc.returncode == 0 and hello.get("launcher") == 1 else None


@functools.lru_cache(maxsize=4)
def _bwrap_options(bwrap: str) -> frozenset[str]:
    try:
        text = subprocess.run([bwrap, "--help"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(o for o in _BWRAP_OPTIONS if f"{o} " in text or f"{o}\n" in text)


def _bwrap_prefix(
    bwrap: str, options: frozenset[str], workdir: Path, ro_binds: list[Path], disk_mb: int = 256,
    read_only: Sequence[Path] = (),
) -> list[str]:
    """bubblewrap with only the system dirs, ``ro_binds`` and the work dir visible (``read_only``: paths inside it
    mounted read-only over it); as root, the same as a user."""
    argv = [bwrap]
    for name in SYSTEM_DIRS + SYSTEM_FILES:
        path = Path(name)
        if path.is_symlink():  # merged /usr: /bin -> usr/bin
            argv += ["--symlink", os.readlink(path), name]
        elif path.exists():
            argv += ["--ro-bind", name, name]
    argv += ["--dev", "/dev", "--proc", "/proc"]
    for name in PROC_READONLY:
        if os.path.exists(f"/proc/{name}"):
            argv += ["--ro-bind", f"/proc/{name}", f"/proc/{name}"]
    for name in PRIVATE_DIRS:
        argv += (["--size", str(disk_mb << 20)] if "--size" in options else []) + ["--tmpfs", name]
    for path in ro_binds:
        if not _inside(path, workdir):
            argv += ["--ro-bind", str(path), str(path)]
    argv += ["--bind", str(workdir), str(workdir), "--chdir", str(workdir)]
    for path in read_only:
        argv += ["--ro-bind", str(path), str(path)]
    if "--unshare-user" in options:
        argv += ["--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID)]
        argv += ["--disable-userns"] if "--disable-userns" in options else []
    argv += ["--cap-drop", "ALL"] if "--cap-drop" in options else []
    argv += ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts"]
    argv += ["--unshare-cgroup-try"] if "--unshare-cgroup-try" in options else []
    argv += ["--as-pid-1"] if "--as-pid-1" in options else []
    return argv + ["--die-with-parent", "--new-session"]


def _unshare_prefix(unshare: str) -> list[str]:
    argv = [unshare, "--net", "--pid", "--fork", "--kill-child"]
    if os.geteuid() != 0:
        argv.insert(1, "--map-root-user")
    return argv


def _as_user_prefix() -> list[str]:
    """Drop from root to the sandbox uid before anything starts (``Sandbox(as_user=True)``)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv") or "setpriv"
    return [setpriv, "--reuid", str(SANDBOX_UID), "--regid", str(SANDBOX_UID), "--clear-groups"]


def _reachable_by_others(path: Path) -> bool:
    """Whether a uid that owns nothing on the way (the sandbox uid) can open ``path``."""
    return all(p.stat().st_mode & 0o001 for p in path.parents) and bool(path.stat().st_mode & 0o004)


def _hand_over(directory: Path, as_user: bool) -> None:
    """Let the unprivileged sandbox uid write its work dir (as_user mode, where we are root and it is not)."""
    if as_user and os.geteuid() == 0:
        os.chown(directory, SANDBOX_UID, SANDBOX_UID)


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
    """The launcher binary, compiled once per machine from the packaged C source.

    Its sha256 is stored beside it and checked on first use in each process (and again when it fails to start):
    a truncated or altered binary is rebuilt, instead of failing every run and being reported as "the original
    does not compile".
    """
    source = resources.files("speedlens.sandbox").joinpath("launcher.c").read_bytes()
    key = hashlib.sha256(source).hexdigest()[:16]
    target = cache_dir("launcher") / key / "speedlens-launcher"
    if load_checked(target):
        return target
    with _LAUNCHER_BUILD:  # concurrent sandbox runs (threads) build it once; other processes race harmlessly
        if not load_checked(target):
            _build_launcher(source, target)
    return target


def _build_launcher(source: bytes, target: Path) -> None:
    compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if compiler is None:
        raise InputError("no C compiler found to build the sandbox launcher", "install gcc (apt-get install gcc)")
    target.parent.mkdir(parents=True, exist_ok=True)
    src = target.parent / f"launcher.{os.getpid()}.c"  # per process: another may be building it right now
    src.write_bytes(source)
    tmp = target.with_name(f"{target.name}.build{os.getpid()}")
    proc = subprocess.run([compiler, "-O2", "-o", str(tmp), str(src)], capture_output=True, text=True)
    src.unlink(missing_ok=True)
    if proc.returncode != 0:
        raise InputError(f"could not build the sandbox launcher: {proc.stderr[:500]}", "check your C compiler")
    store_checked(tmp, target)
    tmp.unlink(missing_ok=True)


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
    """Runs commands isolated; one instance per engine (isolation is probed once per process and mode)."""

    isolation: Isolation | None = None  # None: probed for this mode
    # Scheduling priority of everything run (nice(1) increment): the language server runs its background
    # verification at a lower priority than itself, so typing is answered at once while both cores compile.
    niceness: int = 0
    # Started as root, drop to uid 65534 before the isolation layer (setpriv): the sandbox as an ordinary user.
    as_user: bool = False
    _warned: bool = False

    def __post_init__(self) -> None:
        if self.isolation is None:
            self.isolation = detect_isolation(self.as_user)

    @property
    def _isolation(self) -> Isolation:
        assert self.isolation is not None
        return self.isolation

    @property
    def network_isolated(self) -> bool:
        return self._isolation.network

    @property
    def filesystem_isolated(self) -> bool:
        return self._isolation.filesystem

    def warn_once(self) -> str | None:
        """The one-time warning when isolation is incomplete (None when complete or already said)."""
        iso = self._isolation
        if (iso.method == "bwrap" and iso.user_namespace and iso.seccomp) or self._warned:
            return None
        self._warned = True
        message = f"sandbox isolation is partial: {iso.summary()}"
        if iso.missing:
            message += f"; install {iso.missing} for full isolation"
        log.warning(message)
        return message

    def command(
        self, launcher: Path, workdir: Path, limits: Limits, ro_binds: list[Path], read_only: Sequence[Path] = ()
    ) -> list[str]:
        """The full command line: priority, uid drop, isolation prefix, then the launcher (jobs go to its stdin)."""
        binds = [launcher.parent, *ro_binds]
        method = self._isolation.method
        if method == "bwrap":
            bwrap = shutil.which("bwrap") or "bwrap"
            prefix = _bwrap_prefix(bwrap, _bwrap_options(bwrap), workdir, binds, limits.disk_mb, read_only)
        elif method == "unshare":
            prefix = _unshare_prefix(shutil.which("unshare") or "unshare")
        else:
            prefix = []
        if self.as_user:
            prefix = [*_as_user_prefix(), *prefix]
        if self.niceness > 0:
            prefix = [shutil.which("nice") or "nice", "-n", str(self.niceness), *prefix]
        return [*prefix, str(launcher)]

    def watched_dirs(self, workdir: Path) -> list[Path]:
        """Where the tree's disk use is counted and what is emptied between jobs: never the host's /tmp."""
        private = [Path(d) for d in PRIVATE_DIRS] if self._isolation.method == "bwrap" else []
        return [workdir, *private]

    async def run(
        self,
        argv: list[str],
        *,
        workdir: Path,
        stdin: Path | None = None,
        limits: Limits = Limits(),
        env: dict[str, str] | None = None,
        ro_binds: list[Path] | tuple[Path, ...] = (),
        read_only: Sequence[Path] = (),
    ) -> RunResult:
        """Run ``argv`` in ``workdir`` (which must exist); never raises for the program's own failures.

        ``stdin`` is read here and handed over as content: the program never learns its path. ``read_only``: paths
        inside ``workdir`` the program may read but not change (bubblewrap only; the other isolation methods are
        partial and say so).
        """
        content = await blocking_in_thread(stdin.read_bytes) if stdin is not None else b""
        results = await self._jobs([(list(argv), content)], workdir, limits, env, ro_binds, limits.wall_s + 10,
                                   read_only)  # fmt: skip
        return results[0]

    async def run_batch(
        self,
        jobs: list[tuple[Path, Path]],
        *,
        workdir: Path,
        limits: Limits = Limits(),
        ro_binds: list[Path] | tuple[Path, ...] = (),
    ) -> list[RunResult]:
        """Run (program, stdin) jobs in order inside ONE sandbox: for timing rounds.

        Each job is set up exactly like a ``run`` (same stdin and stdout kinds, an emptied work dir, no job list
        on disk), gets the same limits and its own report, and its stdout comes back so that every timed run can
        be checked; the isolation layer starts once for all of them.
        """
        framed = await blocking_in_thread(lambda: [([str(p.resolve())], i.read_bytes()) for p, i in jobs])
        binds = [*ro_binds, *{Path(argv[0]).parent for argv, _ in framed}]
        return await self._jobs(framed, workdir, limits, None, binds, limits.wall_s * len(jobs) + 10)

    async def run_commands(
        self,
        commands: list[list[str]],
        *,
        workdir: Path,
        limits: Limits = Limits(),
        ro_binds: list[Path] | tuple[Path, ...] = (),
    ) -> list[RunResult]:
        """Run commands (no stdin) in order inside ONE sandbox, each set up like a ``run_batch`` job: the A/B turns
        of two benchmark executables, whose start-up would otherwise be the sandbox's twice per round."""
        binds = [*ro_binds, *{Path(argv[0]).parent for argv in commands}]  # absolute: resolved in _jobs
        timeout = limits.wall_s * len(commands) + 10
        return await self._jobs([(list(argv), b"") for argv in commands], workdir, limits, None, binds, timeout)

    async def _jobs(
        self,
        jobs: list[tuple[list[str], bytes]],
        workdir: Path,
        limits: Limits,
        env: dict[str, str] | None,
        ro_binds: list[Path] | tuple[Path, ...],
        timeout: float,
        read_only: Sequence[Path] = (),
    ) -> list[RunResult]:
        full_env = {**_scrubbed_env(workdir), **(env or {})}
        binds = await blocking_in_thread(lambda: sorted({Path(p).resolve() for p in ro_binds}))
        _hand_over(workdir, self.as_user)
        header = _header(limits, self.watched_dirs(workdir), self._isolation.method == "bwrap")
        request = header + b"".join(_job(argv, data) for argv, data in jobs)
        for attempt in range(2):
            launcher = await blocking_in_thread(launcher_path)  # built once per machine, never on the event loop
            cmd = self.command(launcher, workdir, limits, binds, read_only)
            out, err = await self._launch(cmd, workdir, full_env, request, timeout)
            if out is None:
                return [_TIMED_OUT] * len(jobs)
            reports = _parse_reports(out)
            if reports is not None or attempt or load_checked(launcher):
                break
            launcher_path.cache_clear()  # the cached launcher was damaged after this process checked it
        results = [_result(r, limits, o, e) for r, o, e in reports or []]
        missing = RunResult("error", stderr=(err or b"the sandbox stopped")[-2000:])
        return results + [missing] * (len(jobs) - len(results))

    async def _launch(
        self, cmd: list[str], workdir: Path, env: dict[str, str], request: bytes, timeout: float
    ) -> tuple[bytes | None, bytes]:
        """Start the launcher, feed it the jobs, wait (killing everything on timeout or cancellation)."""
        return await communicate(cmd, workdir, env, request, timeout)


async def communicate(
    cmd: list[str], cwd: Path, env: dict[str, str], stdin: bytes, timeout: float
) -> tuple[bytes | None, bytes]:
    """Run ``cmd`` in its own process group, feed it ``stdin``: (stdout, stderr), or (None, b"") on timeout.

    A timeout or a cancellation kills the whole group, so no descendant outlives the call.
    """
    proc = await asyncio.create_subprocess_exec(
        *cmd,
        cwd=cwd,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(stdin), timeout=timeout)
    except asyncio.TimeoutError:
        await _kill_group(proc)
        return None, b""
    except asyncio.CancelledError:
        await asyncio.shield(_kill_group(proc))
        raise
    return out, err


def _header(limits: Limits, watched: list[Path], private_ipc: bool = False) -> bytes:
    """The launcher's first lines: the limits every job gets, and the directories it watches and empties.

    ``private_ipc``: the sandbox has its own IPC namespace, so the launcher may remove every System V IPC object
    between jobs (never on the host's, where they belong to other programs).
    """
    numbers = [
        max(1, int(limits.cpu_s + 0.999)), limits.memory_mb or 0, limits.output_mb, limits.nofile, limits.nproc,
        int(limits.wall_s * 1000), limits.stack_mb or 0, limits.tree_memory(), limits.disk_mb, private_ipc,
        len(watched),
    ]  # fmt: skip
    lines = ["SPEEDLENS1 " + " ".join(str(int(n)) for n in numbers), *map(str, watched)]
    return ("\n".join(lines) + "\n").encode()


def _job(argv: list[str], stdin: bytes) -> bytes:
    args = b"".join(os.fsencode(a) + b"\0" for a in argv)
    return f"JOB {len(argv)} {len(args)} {len(stdin)}\n".encode() + args + stdin


def _parse_reports(out: bytes) -> list[tuple[dict, bytes, bytes]] | None:
    """(report, stdout, stderr) per finished job; None when the launcher never said hello (it could not start)."""
    line, _, rest = out.partition(b"\n")
    try:
        if json.loads(line).get("launcher") != 1:
            return None
    except ValueError:
        return None
    reports = []
    while rest:
        line, _, rest = rest.partition(b"\n")
        try:
            report = json.loads(line)
        except ValueError:
            break
        n_out, n_err = int(report.get("stdout_len", 0)), int(report.get("stderr_len", 0))
        reports.append((report, rest[:n_out], rest[n_out : n_out + n_err]))
        rest = rest[n_out + n_err :]
    return reports


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


def _result(report: dict, limits: Limits, stdout: bytes, stderr: bytes) -> RunResult:
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
        stdout_truncated=bool(report.get("stdout_truncated")),
    )
    result.status = _classify(report, result, limits)
    return result


def _classify(report: dict, result: RunResult, limits: Limits) -> str:
    if report["status"] in ("timeout", "memory", "disk_limit", "process_limit"):
        return report["status"]
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
