"""`speedlens optimize --model ... --api-base ...` end to end against the local scripted OpenAI-compatible server:
a faster correct rewrite is verified with a bound, a wrong one is rejected and fed back exactly once, and an
unchanged program costs no second request."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.openai_server import OpenAIServer

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = "stock_streaks"  # O(n^2) LIS in the original, patience sorting in samples/cpp/fast/
FAST = (ROOT / "samples/cpp/fast" / f"{SAMPLE}.cpp").read_text()
WRONG = FAST.replace("t.key++;", "t.key += 2;")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is not installed on this machine"),
]


def answer(code: str) -> str:
    return f"The quadratic loop is the bottleneck; patience sorting makes it O(n log n).\n```cpp\n{code}```\n"


@pytest.fixture
def workspace(tmp_path):
    """The sample copied out (the test never touches the repository) with small, quick settings."""
    shutil.copy(ROOT / "samples/cpp" / f"{SAMPLE}.cpp", tmp_path)
    shutil.copytree(ROOT / "samples/cpp" / f"{SAMPLE}.tests", tmp_path / f"{SAMPLE}.tests")
    # One sample, one feedback round; a short timing budget (the sanitizer build is the sandbox tests' business).
    (tmp_path / "speedlens.toml").write_text(
        "candidates = 1\nfeedback_rounds = 1\nsanitize = false\n"
        "[timing]\nbudget_s = 10\nmin_repetitions = 3\nmax_repetitions = 10\n"
    )
    return tmp_path


def optimize(workspace: Path, server: OpenAIServer) -> tuple[int, dict, str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(workspace / "cache"), "OPENAI_API_KEY": "sk-test",
           "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    proc = subprocess.run(
        [sys.executable, "-m", "speedlens", "optimize", str(workspace / f"{SAMPLE}.cpp"),
         "--model", "openai/test", "--api-base", server.url, "--json"],
        capture_output=True, text=True, env=env, timeout=900, cwd=workspace,
    )
    assert proc.stdout.strip(), proc.stderr
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def llm_results(report: dict) -> list[dict]:
    return [r for r in report["results"] if r["proposer"] == "llm:openai/test"]


def test_llm_rewrite_verified_then_cached(workspace):
    with OpenAIServer([answer(FAST)]) as server:
        code, report, stderr = optimize(workspace, server)
        assert code == 0, stderr
        assert len(server.requests) == 1  # verified at once: no feedback round
        assert "# slower version:" in server.prompts()[0]
        best = llm_results(report)[0]
        assert best["status"] == "verified", best["detail"]
        assert best["speedup_lower"] >= 1.1 and best["alpha"] == 0.1 and best["n_inputs"] >= 10
        assert "lower_bound" in best["diff"] and best["identical_samples"] == 0
        assert "DEBUG" not in stderr and "bm25s" not in stderr  # no library logging without -v

        code, again, stderr = optimize(workspace, server)  # unchanged program: no new request
        assert code == 0, stderr
        assert len(server.requests) == 1
        assert llm_results(again)[0]["status"] == "verified"


def test_wrong_rewrite_rejected_and_fed_back_once(workspace):
    with OpenAIServer([answer(WRONG), answer(FAST)]) as server:
        code, report, stderr = optimize(workspace, server)
        assert len(server.requests) == 2, server.prompts()  # the first answer + exactly one feedback request
        feedback = server.requests[1]["messages"]
        assert feedback[-2]["role"] == "assistant" and "t.key += 2" in feedback[-2]["content"]
        assert "wrong answer" in feedback[-1]["content"]
        statuses = {r["status"] for r in llm_results(report)}
        assert statuses == {"incorrect", "verified"}, report
        assert code == 0, stderr
