"""Shared fixtures: an isolated cache per test session, and small C++ programs with test inputs on disk."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
sys.path.insert(0, str(ROOT))  # tests.support.* helpers
pytest_plugins = ["tests.support.fixtures"]  # openai_server, isolated_cache

# Results, builds and the retrieval index go to a fresh cache, never the developer's.
_CACHE = tempfile.mkdtemp(prefix="speedlens-test-cache-")
os.environ["XDG_CACHE_HOME"] = _CACHE
os.environ.setdefault("OPENAI_API_KEY", "test-key-not-used")


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_CACHE, ignore_errors=True)


def needs(tool: str):
    """Skip (with the reason) where a tool a user would install is absent."""
    return pytest.mark.skipif(shutil.which(tool) is None, reason=f"{tool} is not installed on this machine")


@pytest.fixture
def write_program(tmp_path):
    """write_program(source, inputs, name="prog", outputs=None) -> path of NAME.cpp with NAME.tests/*.in."""

    def write(source: str, inputs: list[str], name: str = "prog", outputs: list[str] | None = None) -> Path:
        path = tmp_path / f"{name}.cpp"
        path.write_text(source)
        tests = tmp_path / f"{name}.tests"
        tests.mkdir(exist_ok=True)
        for i, data in enumerate(inputs):
            (tests / f"{i + 1}.in").write_text(data)
            if outputs is not None:
                (tests / f"{i + 1}.out").write_text(outputs[i])
        return path

    return write
