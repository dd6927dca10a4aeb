"""Pytest fixtures shared by the LLM tests; tests/conftest.py loads them as a plugin (``pytest_plugins``)."""

from __future__ import annotations

import pytest

from tests.support.openai_server import OpenAIServer


@pytest.fixture
def isolated_cache(tmp_path, monkeypatch):
    """Point speedlens's caches (platformdirs honours XDG_CACHE_HOME) at a fresh directory, memory caches too."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    try:
        from speedlens.propose import llm
    except ImportError:  # pragma: no cover - the module is optional for tests that only need the directory
        llm = None
    if llm is not None:
        llm.clear_memory_cache()
    yield cache
    if llm is not None:
        llm.clear_memory_cache()


@pytest.fixture
def openai_server(monkeypatch, isolated_cache):
    """A started local OpenAI-compatible server (empty script: call ``server.add(...)``); any API key works."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    with OpenAIServer() as server:
        yield server
