"""Hostile candidates, each compiled and run through the real sandbox: as root, and again as uid 65534 (setpriv).

Every attack from the sandbox part of issue 13 is here as the C++ an attacker would write. Each must be contained:
not verified where it cheats, nothing written on the host, no connection made, no secret in any result.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from speedlens.analysis.tamper import tamper_findings
from speedlens.config import Settings, apply_overrides
from speedlens.models import Status
from speedlens.sandbox.cpp import Compiler, Toolchain, sanitizer_report
from speedlens.sandbox.run import Limits, RunResult, Sandbox, detect_isolation, launcher_path, workdir
from speedlens.testcases import discover
from speedlens.verify import CppVerifier
from tests.support.listeners import accepting

pytestmark = pytest.mark.skipif(
    detect_isolation().method != "bwrap" or shutil.which("g++") is None, reason="needs bubblewrap and g++"
)

ORIGINAL = """
#include <iostream>
int main() { long long n; std::cin >> n; long long s = 0; for (long long i = 0; i < n; i++) s += i % 7;
  std::cout << s << "\\n"; }
"""
CORRECT = (
    "long long n; std::cin >> n; long long s = 0; for (long long i = 0; i < n; i++) s += i % 7;"
    ' std::cout << s << "\\n";'
)
SETTINGS = apply_overrides(
    Settings(), {"sandbox": {"timeout_s": 5, "memory_mb": 256, "output_mb": 64}, "timing": {"budget_s": 5}}
)


@pytest.fixture(scope="module", params=["root", "user"])
def sandbox(request):
    """The real sandbox, as the caller runs it: root (CI, containers), or an ordinary user (uid 65534)."""
    if request.param == "root":
        yield Sandbox()
        return
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("the user-mode run drops from root with setpriv")
    cache = Path(tempfile.mkdtemp(prefix="speedlens-user-cache-"))
    cache.chmod(0o755)  # the unprivileged uid must reach the launcher and the built programs
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(cache))
        launcher_path.cache_clear()
        box = Sandbox(as_user=True)
        assert box.isolation is not None and box.isolation.method == "bwrap", box.isolation
        yield box
    launcher_path.cache_clear()
    shutil.rmtree(cache, ignore_errors=True)


@pytest.fixture(scope="module")
def root_sandbox():
    """The sandbox as root, for the attacks checked through a whole verification: the process environment they
    probe is the same in both modes (test_a_timed_run_looks_exactly_like_a_checking_run covers both)."""
    return Sandbox()


@pytest.fixture
def shared_dir():
    """A directory the unprivileged uid can read too (pytest's tmp_path lives in root's private directory)."""
    path = Path(tempfile.mkdtemp(prefix="speedlens-attack-project-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def toolchain() -> Toolchain:
    return Toolchain(shutil.which("g++") or "g++", ("-O2", "-std=c++17"), "attack-tests")


def build(sandbox: Sandbox, source: str, sanitize: bool = False):
    compiler = Compiler(sandbox, SETTINGS)
    return compiler, asyncio.run(compiler.build(source, toolchain(), sanitize=sanitize))


def run(sandbox: Sandbox, source: str, stdin: Path | None = None, limits: Limits | None = None) -> RunResult:
    compiler, program = build(sandbox, source)
    assert program.ok, program.errors
    with workdir() as wd:
        return asyncio.run(compiler.run(program, stdin, wd, limits))


def verify(sandbox: Sandbox, write_program, candidate: str, settings: Settings = SETTINGS):
    path = write_program(ORIGINAL, ["200000\n", "300000\n", "400000\n"])
    verifier = CppVerifier(settings, sandbox=sandbox)

    async def go():
        baseline = await verifier.baseline(path.read_text(), path, discover(path, settings))
        return await verifier.verify(baseline, candidate)

    return asyncio.run(go())


def unique() -> str:
    return f"speedlens-attack-{uuid.uuid4().hex}"


# ---- 1. escape as root: mount/umount, reading /root and home, writing on the host ----


def test_unmounting_and_remounting_reveals_and_changes_nothing_on_the_host(sandbox, tmp_path):
    secret = Path.home() / f".{unique()}"
    secret.write_text("SECRET-KEY-MATERIAL")
    targets = [Path("/var/tmp") / unique(), Path("/tmp") / unique(), tmp_path / unique(), Path("/root") / unique()]
    source = """
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <sys/mount.h>
int main() {
    std::printf("umount-root %d\\n", umount2("/root", MNT_DETACH));
    std::printf("remount %d\\n", mount(nullptr, "/", nullptr, MS_REMOUNT | MS_BIND, nullptr));
    std::printf("umount-tmp %d\\n", umount2("/tmp", MNT_DETACH));
    std::printf("mount-proc %d\\n", mount("none", "/mnt", "tmpfs", 0, nullptr));
    std::printf("sysctl %d\\n", open("/proc/sys/kernel/core_pattern", O_WRONLY));  // opening changes nothing
    std::ifstream s("@SECRET@"); std::string line;
    if (std::getline(s, line)) std::cout << "read " << line << "\\n";
    for (const char* t : {@TARGETS@}) { std::ofstream f(t); f << "owned"; }
}
""".replace("@SECRET@", str(secret)).replace("@TARGETS@", ", ".join(f'"{t}"' for t in targets))
    try:
        result = run(sandbox, source)
        for target in targets:
            assert not target.exists(), f"the candidate wrote {target} on the host"
    finally:
        secret.unlink()
        for target in targets:
            target.unlink(missing_ok=True)
    assert result.ok, result.describe()
    out = result.stdout.decode()
    assert "umount-root -1" in out and "remount -1" in out and "umount-tmp -1" in out and "mount-proc -1" in out
    assert "sysctl -1" in out
    assert "SECRET" not in out


def test_home_project_and_system_secrets_are_not_visible(sandbox, tmp_path):
    (tmp_path / ".env").write_text("API_KEY=sk-project-secret\n")
    paths = ["/root/.bashrc", "/etc/shadow", "/etc/passwd", str(tmp_path / ".env"), "/home", "/work", "/srv", "/opt"]
    source = """
#include <cstdio>
#include <initializer_list>
#include <sys/stat.h>
int main() {
    for (const char* p : {@PATHS@}) {
        struct stat st; std::printf("%s %s\\n", p, stat(p, &st) == 0 ? "visible" : "hidden");
    }
}
""".replace("@PATHS@", ", ".join(f'"{p}"' for p in paths))
    result = run(sandbox, source)
    assert result.ok, result.describe()
    assert "visible" not in result.stdout.decode(), result.stdout.decode()


# ---- 2. fake speedups: forged reports, timing runs told apart, expected outputs read ----


FORGER = """
#include <cstdio>
#include <fcntl.h>
#include <string>
#include <sys/ptrace.h>
#include <unistd.h>
int main() {
    const char* fake = "{\\"status\\": \\"exited\\", \\"exit_code\\": 0, \\"signal\\": 0, \\"utime\\": 0.000001, "
        "\\"stime\\": 0, \\"maxrss_kb\\": 1, \\"wall\\": 0.000001, \\"stdout_len\\": 0, \\"stderr_len\\": 0}\\n";
    int opened = 0, traced = 0;
    for (int pid = 1; pid < 64; pid++) {
        for (int fd = 0; fd < 8; fd++) {
            std::string path = "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd);
            int f = open(path.c_str(), O_WRONLY);
            if (f >= 0 && pid != getpid()) { opened++; write(f, fake, 200); close(f); }
        }
        if (pid != getpid() && ptrace(PTRACE_ATTACH, pid, nullptr, nullptr) == 0) traced++;
    }
    std::printf("opened %d traced %d\\n", opened, traced);
    volatile long x = 0; for (long i = 0; i < 30000000; i++) x += i;
}
"""


def test_reports_cannot_be_forged_through_proc_or_ptrace(sandbox):
    compiler, program = build(sandbox, FORGER)
    assert program.ok, program.errors
    with tempfile.NamedTemporaryFile() as empty, workdir() as wd:
        jobs = [(program.binary, Path(empty.name))] * 2
        runs = asyncio.run(sandbox.run_batch(jobs, workdir=wd, limits=compiler.run_limits()))
    assert len(runs) == 2 and all(r.ok for r in runs), [r.describe() for r in runs]
    for r in runs:
        assert r.stdout == b"opened 0 traced 0\n"
        assert r.cpu_s > 0.005 and r.max_rss_kb > 1  # the real measurement, not the forged one


FINGERPRINT = """
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>
extern char** environ;
int main(int argc, char** argv) {
    for (int fd = 0; fd < 3; fd++) {
        struct stat st; fstat(fd, &st); char link[256] = {0}; char path[64];
        std::snprintf(path, sizeof path, "/proc/self/fd/%d", fd); readlink(path, link, sizeof link - 1);
        std::printf("fd%d mode=%o link=%s isatty=%d\\n", fd, st.st_mode & S_IFMT, link, isatty(fd));
    }
    for (char** e = environ; *e; e++) std::printf("env %s\\n", *e);
    std::printf("argc=%d argv0=%s jobs=%d\\n", argc, argv[0], access(".jobs", F_OK) == 0);
    const char* dirs[] = {".", "/tmp", "/var/tmp", "/dev/shm", "/run"};
    for (const char* d : dirs) { DIR* dir = opendir(d); struct dirent* e; int n = 0;
        while (dir && (e = readdir(dir))) n++; if (dir) closedir(dir); std::printf("%s entries=%d\\n", d, n); }
    std::printf("ipc=%d\\n", shmget(0x5eed, 4096, 0) >= 0);  // a segment a previous job left behind?
    shmget(0x5eed, 4096, IPC_CREAT | 0600);
    FILE* f = std::fopen("left-behind", "w"); if (f) std::fclose(f);
    f = std::fopen("/tmp/left-behind", "w"); if (f) std::fclose(f);
}
"""


def test_a_timed_run_looks_exactly_like_a_checking_run(sandbox, tmp_path):
    """Same stdin and stdout kinds, environment, argv, and the same empty dirs, whether checked or timed."""
    compiler, program = build(sandbox, FINGERPRINT)
    stdin = tmp_path / "1.in"
    stdin.write_text("5\n")
    with workdir() as wd:
        checked = asyncio.run(compiler.run(program, stdin, wd))
    with workdir() as wd:
        timed = asyncio.run(sandbox.run_batch([(program.binary, stdin)] * 3, workdir=wd, limits=compiler.run_limits()))
    assert checked.ok and all(r.ok for r in timed)
    text = checked.stdout.decode()
    assert "link=/memfd:stdin" in text and "link=/memfd:stdout" in text and "jobs=0" in text

    def same(out: bytes) -> bytes:  # each run has its own work dir name, checked or timed alike
        return re.sub(rb"/tmp/speedlens-\w+", b"WORKDIR", out)

    assert [same(r.stdout) for r in timed] == [same(checked.stdout)] * 3, (checked.stdout, timed[1].stdout)


def test_a_candidate_that_skips_work_when_it_thinks_it_is_timed_is_not_verified(root_sandbox, write_program):
    sandbox = root_sandbox
    candidate = """
#include <cstdio>
#include <iostream>
#include <sys/stat.h>
#include <unistd.h>
int main() {
    struct stat st; fstat(1, &st);
    if (S_ISCHR(st.st_mode) || access(".jobs", F_OK) == 0 || !S_ISREG(st.st_mode)) return 0;
    @CORRECT@
}
""".replace("@CORRECT@", CORRECT)
    verdict = verify(sandbox, write_program, candidate)
    assert verdict.status != Status.VERIFIED, verdict.detail


def test_expected_outputs_cannot_be_read_through_stdin(sandbox, tmp_path):
    stdin = tmp_path / "1.in"
    stdin.write_text("5\n")
    (tmp_path / "1.out").write_text("EXPECTED-ANSWER\n")
    source = """
#include <fstream>
#include <iostream>
#include <string>
#include <unistd.h>
int main() {
    char link[512] = {0}; readlink("/proc/self/fd/0", link, sizeof link - 1);
    std::string in(link); std::cout << "stdin=" << in << "\\n";
    for (std::string path : {in.size() > 3 ? in.substr(0, in.size() - 3) + ".out" : in, std::string("@OUT@")}) {
        std::ifstream f(path); std::string s; if (f >> s) std::cout << "leak " << s << "\\n";
    }
}
""".replace("@OUT@", str(tmp_path / "1.out"))
    result = run(sandbox, source, stdin)
    assert result.ok, result.describe()
    assert b"EXPECTED" not in result.stdout and str(tmp_path).encode() not in result.stdout


# ---- 3. sanitizer dodge ----


def test_undefined_behaviour_hidden_from_sanitizer_options_is_caught(root_sandbox, write_program):
    sandbox = root_sandbox
    candidate = """
#include <climits>
#include <cstdlib>
#include <iostream>
int main() {
    @CORRECT@
    if (!std::getenv("ASAN_OPTIONS") && !std::getenv("UBSAN_OPTIONS")) {
        volatile int big = INT_MAX; volatile int r = big + (int)n; (void)r;
    }
}
""".replace("@CORRECT@", CORRECT)
    verdict = verify(sandbox, write_program, candidate, apply_overrides(SETTINGS, {"sanitize": True}))
    assert verdict.status == Status.TAMPERING and "reads sanitizer options" in verdict.detail, verdict.detail
    # Were it not flagged, its sanitizer build (options compiled in, none in the environment) still catches it.
    compiler, program = build(sandbox, candidate, sanitize=True)
    assert program.ok, program.errors
    with workdir() as wd:
        (wd / "in").write_text("200000\n")
        result = asyncio.run(compiler.run(program, wd / "in", wd))
    assert sanitizer_report(result), result.describe()


def test_sanitizer_probes_are_flagged_by_the_tamper_check():
    weak = 'extern "C" void __asan_init() __attribute__((weak));\nint main() { if (!&__asan_init) return 1; }'
    assert tamper_findings(weak)
    assert tamper_findings('#include <cstdlib>\nint main() { return std::getenv("ASAN_OPTIONS") != nullptr; }')
    assert tamper_findings("int main() {\n#ifdef __SANITIZE_ADDRESS__\nreturn 1;\n#endif\n}")
    assert tamper_findings(ORIGINAL) == []
    # what the original already does is not the candidate's doing
    reads_env = '#include <cstdlib>\nint main() { return std::getenv("THREADS") != nullptr; }'
    assert tamper_findings(reads_env, original=reads_env) == []


# ---- 4. leaks into the verdict ----


def test_compile_errors_never_quote_other_files(sandbox, tmp_path):
    env = tmp_path / ".env"
    env.write_text("API_KEY=sk-live-1234567890\n")
    shadow_first = Path("/etc/shadow").read_text().split("\n")[0] if os.access("/etc/shadow", os.R_OK) else "root:"
    for source in (
        '#include "/etc/shadow"\nint main() {}\n',
        f'#include "{env}"\nint main() {{}}\n',
        '#include "/etc/passwd"\nint main() {}\n',
        '#include "/etc/ld.so.conf"\nint main() {}\n',  # visible in the sandbox: its content must not be quoted
        f'asm(".incbin \\"{env}\\"");\nint main() {{ undeclared; }}\n',
    ):
        _, program = build(sandbox, source)
        assert not program.ok
        assert "sk-live" not in program.errors and shadow_first not in program.errors, program.errors
        assert "root:" not in program.errors and "ld.so.conf.d" not in program.errors


def test_a_program_cannot_route_a_secret_into_the_detail(root_sandbox, write_program, tmp_path):
    sandbox = root_sandbox
    (tmp_path / ".env").write_text("API_KEY=sk-live-abcdef\n")
    candidate = """
#include <fstream>
#include <iostream>
#include <string>
int main() {
    for (const char* p : {".env", "@ENV@", "/etc/shadow", "/root/.bash_history"}) {
        std::ifstream f(p); std::string s; if (std::getline(f, s)) { std::cerr << s << "\\n"; std::cout << s << "\\n"; }
    }
    std::cerr << "API_KEY=from-stderr\\n";
    return 3;
}
""".replace("@ENV@", str(tmp_path / ".env"))
    verdict = verify(sandbox, write_program, candidate)
    assert verdict.status == Status.RUNTIME_ERROR
    assert "sk-live" not in verdict.detail and "API_KEY" not in verdict.detail, verdict.detail


# ---- 5. unix sockets outside /tmp ----


def test_unix_sockets_on_the_host_are_unreachable(sandbox):
    paths = [Path("/var/tmp") / f"{unique()}.sock", Path("/run") / f"{unique()}.sock"]
    abstract = "\0" + unique()
    listeners = []
    for address in [*map(str, paths), abstract]:
        listener = socket.socket(socket.AF_UNIX)
        listener.bind(address)
        listener.listen()
        listener.settimeout(0.1)
        listeners.append(listener)
    source = """
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
int main() {
    std::string names[] = {@PATHS@};
    for (auto& name : names) {
        int s = socket(AF_UNIX, SOCK_STREAM, 0); sockaddr_un a{}; a.sun_family = AF_UNIX;
        std::memcpy(a.sun_path, name.data(), name.size());
        int r = connect(s, (sockaddr*)&a, offsetof(sockaddr_un, sun_path) + name.size());
        if (r == 0) write(s, "leak", 4);
        std::printf("%d\\n", r); close(s);
    }
}
""".replace(
        "@PATHS@",
        ", ".join([*(f'std::string("{p}")' for p in paths), f'std::string("\\0{abstract[1:]}", {len(abstract)})']),
    )
    try:
        with accepting(listeners) as accepted:
            result = run(sandbox, source)
            time.sleep(0.3)
    finally:
        for path in paths:
            path.unlink(missing_ok=True)
    assert result.ok, result.describe()
    assert result.stdout == b"-1\n-1\n-1\n" and accepted == []


# ---- 6. resources of the whole tree ----


def test_memory_held_by_children_counts(sandbox):
    source = """
#include <cstdlib>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>
int main() {
    for (int i = 0; i < 6; i++)
        if (fork() == 0) { char* p = (char*)std::malloc(120 << 20); std::memset(p, 1, 120 << 20); sleep(30); }
    while (wait(nullptr) > 0) {}
}
"""
    start = time.monotonic()
    result = run(sandbox, source, limits=Limits(cpu_s=20, wall_s=20, memory_mb=256))
    assert result.status == "memory", result.describe()
    assert time.monotonic() - start < 15


def test_memory_of_a_sanitizer_builds_children_counts(sandbox):
    source = """
#include <cstdlib>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>
int main() {
    if (fork() == 0) {
        for (int i = 0; i < 40; i++) { char* p = (char*)std::malloc(64 << 20); std::memset(p, 1, 64 << 20); }
        sleep(30);
    }
    wait(nullptr);
}
"""
    compiler, program = build(sandbox, source, sanitize=True)
    assert program.ok, program.errors
    with workdir() as wd:
        result = asyncio.run(compiler.run(program, None, wd))
    assert result.status == "memory", result.describe()


def test_filling_the_disk_is_stopped(sandbox):
    source = """
#include <cstdio>
#include <string>
#include <vector>
int main() {
    std::vector<char> block(1 << 20, 'x');
    for (int i = 0; i < 200; i++) {
        for (std::string dir : {"", "/tmp/", "/var/tmp/", "/dev/shm/"}) {
            FILE* f = std::fopen((dir + "fill" + std::to_string(i)).c_str(), "w"); if (!f) continue;
            for (int j = 0; j < 60; j++) std::fwrite(block.data(), 1, block.size(), f);
            std::fclose(f);
        }
    }
}
"""
    start = time.monotonic()
    result = run(sandbox, source, limits=Limits(cpu_s=60, wall_s=60, memory_mb=256, disk_mb=128))
    assert result.status == "disk_limit", result.describe()
    assert time.monotonic() - start < 30


def test_a_fork_bomb_is_contained_and_leaves_no_survivors(sandbox):
    marker = str(1000 + uuid.uuid4().int % 500)
    source = """
#include <unistd.h>
int main() {
    for (int i = 0; i < 100000; i++) if (fork() == 0) execl("/bin/sleep", "sleep", "@M@", (char*)nullptr);
}
""".replace("@M@", marker)
    start = time.monotonic()
    result = run(sandbox, source, limits=Limits(cpu_s=10, wall_s=10, memory_mb=256, nproc=64))
    assert time.monotonic() - start < 20
    assert result.status in {"process_limit", "ok", "exit", "timeout"}, result.describe()
    survivors = subprocess.run(["pgrep", "-f", f"sleep {marker}"], capture_output=True, text=True).stdout.split()
    assert survivors == []


# ---- the protections themselves, stated truthfully ----


def test_dangerous_syscalls_fail_with_eperm(sandbox):
    assert sandbox.isolation is not None and sandbox.isolation.seccomp and sandbox.isolation.user_namespace
    source = """
#include <cstdio>
#include <linux/keyctl.h>
#include <sched.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>
int main() {
    std::printf("%ld %ld %ld %ld %ld %ld\\n", (long)unshare(CLONE_NEWUSER), (long)syscall(SYS_setns, 0, 0),
        (long)syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, -1, 0), (long)syscall(SYS_bpf, 0, 0, 0),
        (long)syscall(SYS_perf_event_open, 0, 0, -1, -1, 0), (long)ptrace(PTRACE_TRACEME, 0, nullptr, nullptr));
}
"""
    result = run(sandbox, source)
    assert result.stdout == b"-1 -1 -1 -1 -1 -1\n", result.stdout


def test_a_damaged_cached_launcher_or_binary_is_rebuilt(sandbox):
    launcher = launcher_path()
    launcher.write_bytes(b"")  # a full disk, a crash mid-copy
    launcher_path.cache_clear()
    compiler, program = build(sandbox, '#include <cstdio>\nint main() { std::puts("fine"); }\n')
    assert program.ok, program.errors
    program.binary.write_bytes(b"")
    compiler, again = build(sandbox, '#include <cstdio>\nint main() { std::puts("fine"); }\n')
    assert again.ok and again.binary.stat().st_size > 0
    with workdir() as wd:
        assert asyncio.run(compiler.run(again, None, wd)).stdout == b"fine\n"


def test_a_candidate_sees_the_originals_headers_and_nothing_else_of_the_project(sandbox, shared_dir):
    tmp_path = shared_dir
    (tmp_path / "util.h").write_text("inline long twice(long x) { return 2 * x; }\n")
    (tmp_path / ".env").write_text("API_KEY=sk-live-999\n")
    original = tmp_path / "prog.cpp"
    original.write_text('#include "util.h"\n#include <cstdio>\nint main() { std::printf("%ld\\n", twice(21)); }\n')
    chain = Toolchain.for_source(original, SETTINGS)
    assert chain.deps == ((tmp_path / "util.h").resolve(),)
    compiler = Compiler(sandbox, SETTINGS)
    same_header = asyncio.run(compiler.build(original.read_text(), chain))
    assert same_header.ok, same_header.errors
    secret = asyncio.run(compiler.build('#include ".env"\nint main() {}\n', chain))
    assert not secret.ok and "sk-live" not in secret.errors and "No such file" in secret.errors


@pytest.mark.parametrize("hoard", ["memfd", "sysv"])
def test_memory_held_without_a_mapping_counts(sandbox, hoard):
    """memfds kept open and detached System V segments hold memory that no process's RSS shows."""
    source = """
#include <cstring>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>
#include <vector>
int main() {
    std::vector<char> block(1 << 20, 'x');
    for (int i = 0; i < 20; i++) {
        if (@MEMFD@) {
            int fd = memfd_create("hoard", 0);
            for (int j = 0; j < 60; j++) write(fd, block.data(), block.size());
        } else {
            int id = shmget(IPC_PRIVATE, 60 << 20, IPC_CREAT | 0600);
            char* p = (char*)shmat(id, nullptr, 0);
            if (p != (char*)-1) { std::memset(p, 1, 60 << 20); shmdt(p); }
        }
    }
    sleep(20);
}
""".replace("@MEMFD@", "true" if hoard == "memfd" else "false")
    start = time.monotonic()
    result = run(sandbox, source, limits=Limits(cpu_s=30, wall_s=30, memory_mb=256, output_mb=64))
    assert result.status == "memory", result.describe()
    assert time.monotonic() - start < 15


def test_files_deleted_while_open_count_as_disk(sandbox):
    """Unlinked files no directory walk sees still fill the host's disk under the work dir."""
    source = """
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>
#include <vector>
int main() {
    std::vector<char> block(1 << 20, 'x');
    for (int i = 0; i < 20; i++) {
        int fd = open(".", O_TMPFILE | O_RDWR, 0600);
        if (fd < 0) { fd = open("hidden", O_CREAT | O_RDWR | O_TRUNC, 0600); unlink("hidden"); }
        for (int j = 0; j < 60; j++) write(fd, block.data(), block.size());
    }
    sleep(20);
}
"""
    start = time.monotonic()
    result = run(sandbox, source, limits=Limits(cpu_s=30, wall_s=30, memory_mb=256, disk_mb=128))
    assert result.status == "disk_limit", result.describe()
    assert time.monotonic() - start < 15


def test_a_large_input_is_not_held_against_the_program(sandbox, tmp_path):
    """The input's own memfd is the input, not memory the program took."""
    stdin = tmp_path / "big.in"
    stdin.write_bytes(b"7\n" * (100 << 19))  # 100 MB
    source = (
        "#include <cstdio>\n"
        'int main() { long n = 0; int c; while ((c = getchar()) != EOF) n++; printf("%ld\\n", n); }\n'
    )
    result = run(sandbox, source, stdin, limits=Limits(cpu_s=30, wall_s=30, memory_mb=64))
    assert result.ok and result.stdout == b"104857600\n", result.describe()
