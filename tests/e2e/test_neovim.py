"""Headless Neovim as a real LSP client with the README's 0.7 snippet: progress and result shown, quick fix, write."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from speedlens.models import Target

from tests.e2e.conftest import SERVER_COMMAND, SLOW_CIN, server_env, write_sample

SCRIPT = Path(__file__).parent / "nvim" / "optimize_and_apply.lua"

pytestmark = [
    pytest.mark.skipif(shutil.which("nvim") is None, reason="nvim (Neovim) is not installed on this machine"),
    pytest.mark.timeout(240),
]


def test_neovim_applies_verified_rewrite(tmp_path):
    path = write_sample(tmp_path / "project")
    result_file = tmp_path / "result.json"
    env = {**server_env(tmp_path), "SPEEDLENS_FILE": str(path), "SPEEDLENS_CMD": json.dumps(SERVER_COMMAND),
           "SPEEDLENS_RESULT": str(result_file), "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_DATA_HOME": str(tmp_path / "data")}
    proc = subprocess.run(["nvim", "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", f"luafile {SCRIPT}"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=220)
    assert result_file.exists(), f"nvim wrote no result (rc={proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    summary = json.loads(result_file.read_text())
    assert summary["ok"], f"{summary}\n{proc.stderr}"
    assert summary["action"].startswith("Apply verified "), summary

    best = next(r for r in summary["optimize"]["results"] if r["status"] == "verified")
    target = Target(best["target"], "program", "cpp", best["startLine"], best["endLine"], "")
    written = path.read_text()
    assert written != SLOW_CIN
    assert written == target.replace_in(SLOW_CIN, best["code"])
    assert "sync_with_stdio(false)" in written
