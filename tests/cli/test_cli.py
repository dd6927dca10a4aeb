"""The CLI contract (ARCHITECTURE.md, "Contracts: CLI"): JSON shapes, exit codes, clear errors, atomic --apply."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

# Answers q "how many values are below x" queries; the sorted list is passed by value (copied) per query.
SLOW = """
#include <algorithm>
#include <iostream>
#include <vector>
using namespace std;
int countBelow(vector<int> sorted, int x) {
    return lower_bound(sorted.begin(), sorted.end(), x) - sorted.begin();
}
int main() {
    int n, q;
    cin >> n >> q;
    vector<int> a(n);
    for (auto& x : a) cin >> x;
    sort(a.begin(), a.end());
    long long total = 0;
    for (int i = 0; i < q; i++) {
        int x; cin >> x;
        total += countBelow(a, x);
    }
    cout << total << "\\n";
}
"""
FAST = SLOW.replace("int countBelow(vector<int> sorted", "int countBelow(const vector<int>& sorted")
WRONG = FAST.replace("total += countBelow(a, x);", "total += countBelow(a, x + 1);")


def inputs(count: int = 10) -> list[str]:
    rng = random.Random(11)
    out = []
    for k in range(count):
        n = q = 6000 + 500 * k
        values = " ".join(str(rng.randint(0, 10**6)) for _ in range(n))
        queries = " ".join(str(rng.randint(0, 10**6)) for _ in range(q))
        out.append(f"{n} {q}\n{values}\n{queries}\n")
    return out


def speedlens(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "speedlens", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=600,
    )


@pytest.fixture
def slow_program(write_program):
    return write_program(SLOW, inputs(), name="queries")


def test_version():
    result = speedlens("--version")
    assert result.returncode == 0 and result.stdout.startswith("speedlens ")


def test_verify_json_verified(slow_program):
    fast = slow_program.with_name("fast.cpp")
    fast.write_text(FAST)
    result = speedlens("verify", str(slow_program), str(fast), "--json")
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["status"] == "verified" and verdict["speedup_lower"] > 1
    for key in (
        "speedup", "speedup_upper", "alpha", "bound_level", "n_inputs", "inputs_passed", "n_timed",
        "correct_confidence", "metric", "original_seconds", "candidate_seconds", "network_isolated",
        "filesystem_isolated", "detail",
    ):  # fmt: skip
        assert key in verdict
    assert verdict["inputs_passed"] == verdict["n_inputs"] == 10 and verdict["metric"] == "cpu_time"


def test_verify_json_incorrect(slow_program):
    wrong = slow_program.with_name("wrong.cpp")
    wrong.write_text(WRONG)
    result = speedlens("verify", str(slow_program), str(wrong), "--json")
    assert result.returncode == 1
    verdict = json.loads(result.stdout)
    assert verdict["status"] == "incorrect" and "first difference" in verdict["detail"]


def test_optimize_json_and_apply(slow_program):
    before = slow_program.read_text()
    result = speedlens("optimize", str(slow_program), "--json", "--apply")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["language"] == "cpp" and report["model"] == "" and report["file"].endswith("queries.cpp")
    best = report["results"][0]
    assert best["status"] == "verified" and best["proposer"].startswith("rules:")
    assert best["target"]["kind"] == "program" and best["diff"].startswith("--- a/queries.cpp")
    after = slow_program.read_text()
    assert after != before and "const vector<int>& sorted" in after
    assert not [p for p in slow_program.parent.iterdir() if p.name.endswith(".tmp")]
    # the applied file is itself a valid program that verifies against the original's outputs
    assert speedlens("verify", str(slow_program), str(slow_program), "--json").returncode in (0, 1)


def test_optimize_without_apply_leaves_the_file_alone(slow_program):
    before = slow_program.read_bytes()
    speedlens("optimize", str(slow_program), "--json")
    assert slow_program.read_bytes() == before


@pytest.mark.parametrize(
    "case, words",
    [
        ("missing", "does not exist"),
        ("not_cpp", "is not C++"),
        ("no_tests", "no test inputs found"),
        ("no_compile", "does not compile"),
        ("no_compiler", "compiler 'no-such-compiler++' not found"),
        ("bad_toml", "not valid TOML"),
        ("unknown_key", "unknown setting"),
    ],
)
def test_bad_input_exits_2_with_one_clear_message(tmp_path, write_program, case, words):
    program = write_program(SLOW, inputs(2), name="p")
    other = tmp_path / "other.cpp"
    other.write_text(FAST)
    args = ["verify", str(program), str(other)]
    if case == "missing":
        args = ["verify", str(tmp_path / "nope.cpp"), str(other)]
    elif case == "not_cpp":
        (tmp_path / "notes.txt").write_text("hello")
        args = ["verify", str(tmp_path / "notes.txt"), str(other)]
    elif case == "no_tests":
        lonely = tmp_path / "lonely.cpp"
        lonely.write_text(SLOW)
        args = ["optimize", str(lonely)]
    elif case == "no_compile":
        program.write_text(SLOW.replace("int main", "int mian(){}\nint main") + "this is not C++\n")
    elif case == "no_compiler":
        (tmp_path / "speedlens.toml").write_text('[cpp]\ncompiler = "no-such-compiler++"\n')
    elif case == "bad_toml":
        (tmp_path / "speedlens.toml").write_text("alpha = = 0.1\n")
    elif case == "unknown_key":
        (tmp_path / "speedlens.toml").write_text("alpah = 0.1\n")
    result = speedlens(*args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert words in result.stderr
    assert "fix:" in result.stderr
    assert "Traceback" not in result.stderr


def test_usage_error_exits_2():
    result = speedlens("verify", "only-one-arg.cpp")
    assert result.returncode == 2 and "fix:" in result.stderr


def test_usage_error_hint_names_the_program_once():
    result = speedlens("verify", "only-one-arg.cpp")
    assert "see `speedlens verify --help`" in result.stderr
    assert "speedlens speedlens" not in speedlens("no-such-command").stderr


def test_serve_accepts_the_stdio_flag_that_lsp_clients_append():
    """vscode-languageclient (TransportKind.stdio) starts `speedlens serve --stdio`: it must answer initialize."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                       "params": {"processId": None, "rootUri": None, "capabilities": {}}})
    message = f"Content-Length: {len(body)}\r\n\r\n{body}".encode()
    proc = subprocess.run([sys.executable, "-m", "speedlens", "serve", "--stdio", "--clientProcessId=1"],
                          input=message, capture_output=True, timeout=120)
    assert b'"id": 1' in proc.stdout or b'"id":1' in proc.stdout, proc.stderr[-2000:]
    assert b"capabilities" in proc.stdout


@pytest.mark.parametrize("flag", ["--pipe=/tmp/speedlens.sock", "--socket=5007", "--node-ipc"])
def test_serve_rejects_unsupported_transports_clearly(flag):
    result = speedlens("serve", flag)
    assert result.returncode == 2
    assert "does not support" in result.stderr and "fix:" in result.stderr and "Traceback" not in result.stderr


def _no_traceback_exit_2(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "fix:" in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.mark.parametrize(
    "content, words",
    [
        (b"\x7fELF\x02\x01\x01\x00\x00\x00binary", ["binary file"]),
        ("int main() { return 0; } // caf\xe9\n".encode("latin-1"), ["not UTF-8", "line 1"]),
    ],
)
def test_optimize_on_a_binary_or_non_utf8_file_is_a_clear_error(tmp_path, content, words):
    source = tmp_path / "weird.cpp"
    source.write_bytes(content)
    _no_traceback_exit_2(speedlens("optimize", str(source)), *words)
    _no_traceback_exit_2(speedlens("verify", str(source), str(source)), *words)
    assert source.read_bytes() == content


@pytest.mark.parametrize(
    "toml, words",
    [
        ("[sandbox]\ntimeout_s = nan\n", "sandbox.timeout_s must be between"),
        ("[sandbox]\ntimeout_s = inf\n", "sandbox.timeout_s must be between"),
        ("[sandbox]\noutput_mb = -1\n", "sandbox.output_mb must be between"),
        ("[sandbox]\nmemory_mb = 100.5\n", "'sandbox.memory_mb' must be a whole number"),
        ("min_speedup = nan\n", "min_speedup must be between"),
        ("[timing]\nmin_repetitions = -3\n", "timing.min_repetitions must be between"),
        ("[timing]\nmin_repetitions = 9\nmax_repetitions = 4\n", "below timing.min_repetitions"),
    ],
)
def test_invalid_settings_are_refused_before_anything_runs(tmp_path, write_program, toml, words):
    program = write_program(SLOW, inputs(2), name="p")
    (program.parent / "speedlens.toml").write_text(toml)
    _no_traceback_exit_2(speedlens("optimize", str(program)), words)


def test_apply_refuses_a_read_only_file_before_running(slow_program):
    before = slow_program.read_bytes()
    slow_program.chmod(0o444)
    try:
        result = speedlens("optimize", str(slow_program), "--apply")
    finally:
        slow_program.chmod(0o644)
    _no_traceback_exit_2(result, "read-only")
    assert slow_program.read_bytes() == before


def test_unwritable_cache_directory_is_a_clear_error(slow_program, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    result = speedlens("optimize", str(slow_program), env={"XDG_CACHE_HOME": str(blocker)})
    _no_traceback_exit_2(result, "cache directory", "XDG_CACHE_HOME")


@pytest.mark.parametrize("line", ["0", "-3", "x"])
def test_bad_line_numbers_are_usage_errors(slow_program, line):
    result = speedlens("optimize", str(slow_program), "--line", line)
    assert result.returncode == 2 and "Traceback" not in result.stderr and "line" in result.stderr


def test_a_line_between_functions_names_the_functions_it_could_mean(tmp_path):
    library = tmp_path / "lib.cpp"
    library.write_text("int twice(int x) {\n    return 2 * x;\n}\n\nint thrice(int x) {\n    return 3 * x;\n}\n")
    result = speedlens("optimize", str(library), "--line", "4")
    _no_traceback_exit_2(result, "line 4 of lib.cpp is not inside a target", "twice (lines 1-3), thrice (lines 5-7)")
