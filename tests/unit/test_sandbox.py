"""Hostile candidates: each gets a clear verdict and leaves the host untouched."""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from speedlens.cache import BoundedDir, load_checked, store_checked
from speedlens.config import Settings, apply_overrides
from speedlens.models import Status, Verdict
from speedlens.sandbox.cpp import redact_compiler_output
from speedlens.sandbox.run import Limits, RunResult, Sandbox, detect_isolation, launcher_path, workdir
from speedlens.testcases import discover
from speedlens.verify import CppVerifier
from tests.support.listeners import accepting

ORIGINAL = """
#include <iostream>
int main() { long long n; std::cin >> n; std::cout << n * 2 << "\\n"; }
"""
CORRECT_TAIL = 'long long n; std::cin >> n; std::cout << n * 2 << "\\n";'
ISOLATED = detect_isolation()


def settings() -> Settings:
    return apply_overrides(Settings(), {"sandbox": {"timeout_s": 3, "memory_mb": 256, "output_mb": 8}})


def verify(write_program, candidate: str):
    path = write_program(ORIGINAL, ["3\n", "5\n", "7\n"])
    verifier = CppVerifier(settings())

    async def run():
        baseline = await verifier.baseline(path.read_text(), path, discover(path, verifier.settings))
        return await verifier.verify(baseline, candidate)

    return asyncio.run(run())


def test_infinite_loop_times_out(write_program):
    verdict = verify(write_program, "int main() { volatile long x = 0; while (true) x++; }")
    assert verdict.status == Status.TIMEOUT
    assert "input" in verdict.detail and ("timed out" in verdict.detail or "CPU limit" in verdict.detail)


def test_memory_hog_hits_the_memory_limit(write_program):
    verdict = verify(
        write_program,
        "#include <vector>\n#include <cstdio>\nint main() { std::vector<std::vector<char>> v;"
        " for (int i = 0; i < 4096; i++) v.emplace_back(1 << 20, 'x'); std::printf(\"%zu\\n\", v.size()); }",
    )
    assert verdict.status == Status.RUNTIME_ERROR
    assert "memory" in verdict.detail


def test_fork_storm_leaves_no_survivors(write_program):
    marker = str(300 + uuid.uuid4().int % 600)  # sleep duration doubles as a marker to find survivors
    candidate = f"""
#include <iostream>
#include <unistd.h>
int main() {{
    for (int i = 0; i < 40; i++) {{
        if (fork() == 0) {{
            setsid();
            if (fork() == 0) execl("/bin/sleep", "sleep", "{marker}", (char*)nullptr);
            sleep({marker});
            _exit(0);
        }}
    }}
    {CORRECT_TAIL}
}}
"""
    verdict = verify(write_program, candidate)
    assert verdict.status in {Status.NOT_FASTER, Status.VERIFIED, Status.RUNTIME_ERROR, Status.INCORRECT}
    survivors = subprocess.run(["pgrep", "-f", f"sleep {marker}"], capture_output=True, text=True).stdout.split()
    assert survivors == [], f"processes outlived the verdict: {survivors}"


def test_huge_output_hits_the_output_limit(write_program):
    candidate = """
#include <cstdio>
#include <cstring>
int main() { static char buf[1 << 20]; std::memset(buf, 'y', sizeof buf);
  for (long i = 0; i < 10240; i++) std::fwrite(buf, 1, sizeof buf, stdout); }
"""
    verdict = verify(write_program, candidate)
    assert verdict.status == Status.RUNTIME_ERROR
    assert "output limit" in verdict.detail


@pytest.mark.skipif(not ISOLATED.filesystem, reason="filesystem isolation needs bubblewrap")
def test_canary_outside_workdir_is_untouched(write_program, tmp_path):
    canaries = [tmp_path / "canary.txt", Path("/var/tmp") / f"speedlens-canary-{uuid.uuid4().hex}"]
    for canary in canaries:
        canary.write_text("alive")
    writes = "".join(
        f'{{ FILE* f = std::fopen("{c}", "w"); if (f) {{ std::fputs("owned", f); std::fclose(f); }}'
        f' std::remove("{c}"); }}\n'
        for c in canaries
    )
    candidate = f"#include <cstdio>\n#include <iostream>\nint main() {{\n{writes}{CORRECT_TAIL}\n}}\n"
    try:
        verdict = verify(write_program, candidate)
        assert verdict.status in {Status.NOT_FASTER, Status.VERIFIED}
        assert verdict.filesystem_isolated
        for canary in canaries:
            assert canary.read_text() == "alive"
    finally:
        for canary in canaries:
            canary.unlink(missing_ok=True)


@pytest.mark.skipif(not ISOLATED.network, reason="network isolation needs bubblewrap or unshare")
def test_network_connection_never_arrives(write_program):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    candidate = f"""
#include <arpa/inet.h>
#include <iostream>
#include <sys/socket.h>
#include <unistd.h>
int main() {{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{{}}; a.sin_family = AF_INET; a.sin_port = htons({port});
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    connect(s, (sockaddr*)&a, sizeof a); write(s, "leak", 4); close(s);
    {CORRECT_TAIL}
}}
"""
    with accepting([listener]) as accepted:
        verdict = verify(write_program, candidate)
    assert verdict.network_isolated
    assert accepted == []


@pytest.mark.skipif(not ISOLATED.filesystem, reason="hiding HOME needs bubblewrap")
def test_home_directory_is_hidden(write_program):
    secret = Path.home() / f".speedlens-test-secret-{uuid.uuid4().hex}"
    secret.write_text("top secret")
    candidate = f"""
#include <fstream>
#include <iostream>
#include <string>
int main() {{
    std::ifstream f("{secret}"); std::string s;
    if (f >> s) {{ std::cout << "stolen " << s << "\\n"; return 0; }}
    {CORRECT_TAIL}
}}
"""
    try:
        verdict = verify(write_program, candidate)
    finally:
        secret.unlink()
    assert verdict.status in {Status.NOT_FASTER, Status.VERIFIED}, verdict.detail


def test_environment_is_scrubbed():
    os.environ["SPEEDLENS_TEST_TOKEN"] = "hunter2"
    try:
        with workdir() as wd:
            result = asyncio.run(Sandbox().run(["/usr/bin/env"], workdir=wd))
    finally:
        del os.environ["SPEEDLENS_TEST_TOKEN"]
    assert result.ok and b"hunter2" not in result.stdout
    assert f"HOME={wd}".encode() in result.stdout


def test_niceness_lowers_the_priority_of_everything_run():
    """The language server's background verification yields the CPU to the server (and to the user)."""
    with workdir() as wd:
        plain = asyncio.run(Sandbox().run(["/usr/bin/nice"], workdir=wd))
        lowered = asyncio.run(Sandbox(niceness=7).run(["/bin/sh", "-c", "nice; sh -c nice"], workdir=wd))
    base = int(plain.stdout)
    assert plain.ok and lowered.ok
    assert [int(x) for x in lowered.stdout.split()] == [min(base + 7, 19)] * 2  # children inherit it


def test_cancellation_kills_the_process_group():
    marker = str(700 + uuid.uuid4().int % 200)

    async def run():
        with workdir() as wd:
            task = asyncio.create_task(
                Sandbox().run(
                    ["/bin/sh", "-c", f"sleep {marker} & sleep {marker}"], workdir=wd, limits=Limits(wall_s=60)
                )
            )
            await asyncio.sleep(1.0)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(run())
    survivors = subprocess.run(["pgrep", "-f", f"sleep {marker}"], capture_output=True, text=True).stdout.split()
    assert survivors == []


def test_concurrent_runs_on_a_fresh_cache_build_the_launcher_once(tmp_path, monkeypatch):
    """The launcher is built off the event loop; parallel sandbox runs must not trip over each other's build."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "fresh-cache"))
    sandbox = Sandbox()

    async def one(i):
        work = tmp_path / f"w{i}"
        work.mkdir()
        return await sandbox.run(["/bin/echo", str(i)], workdir=work)

    async def many():
        return await asyncio.gather(*(one(i) for i in range(6)))

    results = asyncio.run(many())
    assert [r.stdout.decode().strip() for r in results] == [str(i) for i in range(6)]
    assert all(r.status == "ok" for r in results)


def test_run_batch_returns_each_jobs_output(tmp_path):
    """Timed runs are checked too: each job's stdout comes back, with its digest."""
    inputs = []
    for i in range(3):
        inputs.append(tmp_path / f"{i}.in")
        inputs[-1].write_text(f"line {i}\n")
    with workdir() as wd:
        results = asyncio.run(Sandbox().run_batch([(Path("/bin/cat"), path) for path in inputs], workdir=wd))
    assert [r.stdout for r in results] == [b"line 0\n", b"line 1\n", b"line 2\n"]
    assert results[1].stdout_sha256 == hashlib.sha256(b"line 1\n").hexdigest()


def test_run_commands_runs_each_command_with_its_arguments_in_one_sandbox():
    """Two benchmark executables' A/B turn: commands with arguments, in order, each with its own result, a failing
    one not stopping the next."""
    with workdir() as wd:
        results = asyncio.run(Sandbox().run_commands(
            [["/bin/echo", "original", "--x=1"], ["/bin/sh", "-c", "exit 3"], ["/bin/echo", "candidate"]], workdir=wd))
    assert [r.stdout for r in results] == [b"original --x=1\n", b"", b"candidate\n"]
    assert [r.status for r in results] == ["ok", "exit", "ok"] and results[1].exit_code == 3


def test_the_launcher_takes_no_program_on_its_command_line():
    """Jobs only arrive framed on its stdin, so nothing about a job shows in a process listing or /proc/*/cmdline."""
    proc = subprocess.run([str(launcher_path()), "/bin/echo", "hi"], input=b"", capture_output=True)
    assert proc.returncode == 125 and b"hi" not in proc.stdout


@pytest.mark.skipif(ISOLATED.method != "bwrap", reason="the full isolation needs bubblewrap")
def test_isolation_is_stated_truthfully():
    assert ISOLATED.filesystem and ISOLATED.network and ISOLATED.user_namespace and ISOLATED.seccomp
    summary = ISOLATED.summary()
    assert "user namespace" in summary and "seccomp" in summary and "no cgroup" in summary
    assert Verdict(Status.VERIFIED, isolation=ISOLATED.to_json()).to_json()["isolation"]["seccomp"] is True
    assert "isolation" not in Verdict(Status.VERIFIED).to_json()  # additive: absent unless said


def test_compiler_messages_about_other_files_are_withheld():
    text = (
        "In file included from prog.cpp:1:\n"
        "/secrets/.env:1:1: error: 'API_KEY' does not name a type\n"
        "    1 | API_KEY=sk-live-123\n"
        "      | ^~~~~~~\n"
        "prog.cpp:3:5: error: 'undeclared' was not declared in this scope\n"
        "    3 |     undeclared;\n"
        "      |     ^~~~~~~~~~\n"
    )
    redacted = redact_compiler_output(text)
    assert "sk-live" not in redacted and "API_KEY" not in redacted
    assert "prog.cpp:3:5: error: 'undeclared'" in redacted and "    3 |     undeclared;" in redacted
    assert "[3 line(s) about other files withheld]" in redacted


def test_a_programs_stderr_is_quoted_only_for_runtime_diagnostics():
    result = RunResult("exit", exit_code=1, stderr=b"API_KEY=sk-123\nterminate called after throwing std::bad_alloc\n")
    assert "terminate called" in result.describe() and "sk-123" not in result.describe()


def aged_entries(directory, ages):
    """Entries e0, e1… of 1000 bytes each, last used ``ages`` seconds ago."""
    for i, age in enumerate(ages):
        entry = directory / f"e{i}"
        entry.mkdir()
        (entry / "blob").write_bytes(b"x" * 1000)
        os.utime(entry, (time.time() - age, time.time() - age))


def test_bounded_dir_evicts_the_least_recently_used(tmp_path):
    bound = BoundedDir(tmp_path, max_bytes=2500, interval_s=0)
    aged_entries(tmp_path, [300, 200, 100])
    bound.touch(tmp_path / "e0")  # used just now: the oldest by creation, but not by use
    bound.stored()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e0", "e2"]


def test_bounded_dir_never_evicts_the_entry_in_use(tmp_path):
    """A project's shadow copy is the entry in use while it builds: even the oldest, it is kept; others go."""
    bound = BoundedDir(tmp_path, max_bytes=1500, interval_s=0)
    aged_entries(tmp_path, [300, 200, 100])
    bound.stored(keep=tmp_path / "e0")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e0"]


def test_a_cached_binary_that_does_not_match_its_digest_is_dropped(tmp_path):
    source = tmp_path / "built"
    source.write_bytes(b"\x7fELF program")
    target = tmp_path / "cache" / "prog"
    store_checked(source, target)
    assert load_checked(target) == target
    target.write_bytes(b"")  # a full disk, a crash mid-copy
    assert load_checked(target) is None and not target.exists()


def test_an_edited_header_is_a_new_build_and_a_new_result_key(tmp_path):
    """The build cache and the result keys both hang on ``Toolchain.fingerprint``: a program whose own header
    changed must be rebuilt (and re-verified), never served the binary or verdict of the old header."""
    from speedlens.sandbox.cpp import Compiler, Toolchain

    header = tmp_path / "value.h"
    header.write_text("constexpr int kValue = 1;\n")
    program = tmp_path / "prog.cpp"
    program.write_text('#include "value.h"\n#include <cstdio>\nint main() { std::printf("%d\\n", kValue); }\n')
    compiler = Compiler(Sandbox(), settings())

    async def output() -> tuple[tuple, str]:
        chain = Toolchain.for_source(program, settings())
        build = await compiler.build(program.read_text(), chain)
        assert build.ok, build.errors
        with workdir() as wd:
            (wd / "in").write_text("")
            result = await compiler.run(build, wd / "in", wd)
        return chain.fingerprint(), result.stdout.decode().strip()

    before = asyncio.run(output())
    header.write_text("constexpr int kValue = 2;\n")
    after = asyncio.run(output())
    assert before[1] == "1" and after[1] == "2"
    assert before[0] != after[0]
