"""The RPC runner: a real TVM tracker and two rpc_servers on 127.0.0.1, a search and verifications measured there.

The servers' logs show which libraries they loaded, so the tests see that the measurement happened on a device of
the tracker, not in the local worker.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from speedlens.analysis.tvm import find_targets
from speedlens.config import Settings
from speedlens.models import Status
from speedlens.propose.tvm_search import optimize_prim_func
from speedlens.sandbox.tvm_rpc import PlanError, read_plain
from tests.support.programs import GEMM_128

pytest.importorskip("tvm", reason="TVM tests need the tvm extra: pip install 'speedlens[tvm]'")
pytest.importorskip("tornado", reason="TVM's RPC tracker needs tornado: pip install 'speedlens[tvm]'")

pytestmark = pytest.mark.tvm

KEY = "speedlens-test"
WRONG = GEMM_128.replace("A[vi, vk] * B[vk, vj]", "A[vi, vk] * B[vj, vk]")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(args: list[str], log: Path) -> subprocess.Popen:
    """A TVM RPC process in its own session, so the whole group (rpc_server forks workers) can be ended."""
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", *args], stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip


def wait_for_servers(port: int, count: int, timeout_s: float = 60) -> None:
    from tvm import rpc

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            queue = rpc.connect_tracker("127.0.0.1", port).summary()["queue_info"]
            if queue.get(KEY, {}).get("free", 0) >= count:
                return
        except Exception:  # noqa: BLE001 - the tracker is still starting
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{count} rpc_servers did not register with the tracker in {timeout_s} s")


@pytest.fixture(scope="module")
def tracker(tmp_path_factory):
    """``(port, server logs)``: a tracker and two rpc_servers registered under KEY, ended after the module."""
    logs = tmp_path_factory.mktemp("rpc")
    port = free_port()
    procs = [start(["tvm.exec.rpc_tracker", "--host", "127.0.0.1", "--port", str(port), "--port-end",
                    str(port + 1)], logs / "tracker.log")]  # fmt: skip
    try:
        time.sleep(1)
        for n in range(2):
            procs.append(start(["tvm.exec.rpc_server", "--host", "127.0.0.1", "--port", str(free_port()),
                                "--port-end", "65535", "--tracker", f"127.0.0.1:{port}", "--key", KEY],
                               logs / f"server{n}.log"))  # fmt: skip
        wait_for_servers(port, 2)
        yield port, [logs / "server0.log", logs / "server1.log"]
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)


def gemm_settings(tmp_path: Path, runner: str) -> tuple[Path, object, Settings]:
    path = tmp_path / "gemm.py"
    path.write_text(GEMM_128)
    [target] = find_targets(GEMM_128)
    settings = Settings()
    settings.tvm.runner = runner
    settings.tvm.trials = 4
    return path, target, settings


def loaded(logs: list[Path]) -> str:
    return "".join(log.read_text(errors="replace") for log in logs)


def test_search_and_verification_are_measured_on_the_trackers_device(tracker, tmp_path):
    port, logs = tracker
    path, target, settings = gemm_settings(tmp_path, f"rpc://127.0.0.1:{port}/{KEY}")
    results = asyncio.run(optimize_prim_func(GEMM_128, target, path, settings, lambda *_: None))
    best = results[0]
    assert best.verdict.status == Status.VERIFIED, best.verdict.detail
    assert best.verdict.samples == 4 and best.verdict.per_input[0].repetitions == settings.tvm.repeats
    assert f"on {KEY} via 127.0.0.1:{port} (TVM RPC)" in best.verdict.detail
    # The devices loaded the original and the candidates the worker linked.
    assert "load_module" in loaded(logs) and "baseline.so" in loaded(logs)


def test_a_wrong_candidate_is_caught_on_the_device(tracker, tmp_path):
    from speedlens.sandbox.tvm import verify_prim_func

    port, _ = tracker
    path, target, settings = gemm_settings(tmp_path, f"rpc://127.0.0.1:{port}/{KEY}")
    [wrong] = find_targets(WRONG)
    verdict = asyncio.run(verify_prim_func(GEMM_128, target, wrong.text, path, settings))
    assert verdict.status == Status.INCORRECT, verdict.detail
    assert "wrong result: buffer C" in verdict.detail


@pytest.mark.parametrize("which", ["no tracker", "unknown key"])
def test_an_unusable_tracker_is_an_error_that_says_which(tracker, tmp_path, which):
    port, _ = tracker
    runner = f"rpc://127.0.0.1:{free_port()}/{KEY}" if which == "no tracker" else f"rpc://127.0.0.1:{port}/nope"
    path, target, settings = gemm_settings(tmp_path, runner)
    results = asyncio.run(optimize_prim_func(GEMM_128, target, path, settings, lambda *_: None))
    [result] = results
    assert result.verdict.status == Status.RUNTIME_ERROR
    expected = "could not reach the RPC tracker" if which == "no tracker" else f"key 'nope' (keys it has: {KEY})"
    assert expected in result.verdict.detail


def test_the_runner_never_follows_a_link_the_worker_left(tmp_path):
    """The worker writes the export folder; a symlink there must not make the runner upload a host file."""
    secret = tmp_path / "secret"
    secret.write_bytes(b"host data")
    export = tmp_path / "export"
    export.mkdir()
    (export / "baseline.so").symlink_to(secret)
    with pytest.raises(PlanError, match="not a plain file"):
        read_plain(export, "baseline.so")
    (export / "0.so").write_bytes(b"\x7fELF")
    assert read_plain(export, "0.so") == b"\x7fELF"
