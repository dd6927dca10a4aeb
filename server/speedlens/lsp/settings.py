"""Editor configuration for the language server, layered like esbonio's sources.

Sources, as esbonio reads them: ``initializationOptions`` (what the client was started with), the
``workspace/configuration`` section ``speedlens`` (the editor's live settings, re-read on
``workspace/didChangeConfiguration``), and ``speedlens.toml`` found beside the file (via config.load_settings).
Editor settings override speedlens.toml (ARCHITECTURE.md, "Settings"). Between the two editor sources the live
section wins: a client such as the VS Code extension sends its settings as initializationOptions at start, and a
later change of a setting must take effect without a restart. Keys may be camelCase or snake_case, flat or nested
(``cpp.compiler`` / ``{"cpp": {...}}``).
Keys that only the client understands (``serverPath``, ``trace`` ...) are ignored, not errors.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from speedlens.config import CONFIG_FILE, Settings, _snake, find_config, load_settings

if TYPE_CHECKING:  # pragma: no cover
    from pygls.lsp.server import LanguageServer

log = logging.getLogger("speedlens.lsp")

SECTION = "speedlens"
# Verification compiles and times programs on the same cores the editor's requests are answered on; at this
# nice(1) increment the server's own work preempts it, which keeps typing fluent (bench/lsp_latency.py).
BACKGROUND_NICENESS = 10
_KNOWN = {f.name for f in dataclasses.fields(Settings)} - {"root"}


def _unwrap(data: Any) -> dict[str, Any]:
    """Accept ``{"speedlens": {...}}`` or the bare section; anything else is empty."""
    if not isinstance(data, dict):
        return {}
    if SECTION in data and isinstance(data[SECTION], dict):
        data = data[SECTION]
    return _expand_dotted(data)


def _expand_dotted(data: dict[str, Any]) -> dict[str, Any]:
    """``{"cpp.compiler": "clang++"}`` -> ``{"cpp": {"compiler": "clang++"}}`` (VS Code flattens like that)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            value = _expand_dotted(value)
        parts = str(key).split(".")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            if isinstance(node.get(parts[-1]), dict) and isinstance(value, dict):
                node[parts[-1]] = _merge(node[parts[-1]], value)
            else:
                node[parts[-1]] = value
    return out


def _merge(low: dict[str, Any], high: dict[str, Any]) -> dict[str, Any]:
    out = dict(low)
    for key, value in high.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _known_only(data: dict[str, Any]) -> dict[str, Any]:
    kept = {}
    for key, value in data.items():
        if _snake(str(key)) in _KNOWN:
            kept[key] = value
        else:
            log.debug("ignoring client-side setting %r", key)
    return kept


class SettingsManager:
    """Holds the editor's settings and hands out one Engine per (speedlens.toml, settings) combination."""

    def __init__(self) -> None:
        self.init_options: dict[str, Any] = {}
        self.client_settings: dict[str, Any] = {}
        self._engines: dict[tuple, Any] = {}
        self.generation = 0  # bumped whenever the settings may have changed

    # -- sources -------------------------------------------------------------------------------------
    def set_initialization_options(self, options: Any) -> None:
        new = _known_only(_unwrap(options))
        if new != self.init_options:
            self.init_options = new
            self.invalidate()

    def set_client_settings(self, settings: Any) -> None:
        new = _known_only(_unwrap(settings))
        if new != self.client_settings:
            self.client_settings = new
            self.invalidate()

    async def pull(self, ls: LanguageServer) -> None:
        """Ask the client for the ``speedlens`` section, if it supports ``workspace/configuration``."""
        caps = ls.client_capabilities
        if not (caps and caps.workspace and caps.workspace.configuration):
            return
        try:
            result = await ls.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
            )
        except (JsonRpcException, OSError, RuntimeError) as exc:  # an error answer, or a gone client: keep what we have
            log.info("workspace/configuration failed: %s", exc)
            return
        if result:
            self.set_client_settings(result[0] or {})

    def invalidate(self) -> None:
        self._engines.clear()
        self.generation += 1

    # -- resolved ------------------------------------------------------------------------------------
    def overrides(self) -> dict[str, Any]:
        return _merge(self.init_options, self.client_settings)

    def settings_for(self, path: Path) -> Settings:
        """Settings for ``path``; raises speedlens.errors.ConfigError on malformed settings."""
        return load_settings(path, self.overrides() or None)

    def engine_for(self, path: Path):
        """The Engine for ``path`` (cached while speedlens.toml and the editor settings are unchanged)."""
        from speedlens.engine import Engine
        from speedlens.sandbox.run import Sandbox

        config = find_config(path)
        try:
            stamp = config.stat().st_mtime_ns if config else None
        except OSError:
            stamp = None
        key = (str(config.parent if config else path.parent), stamp,
               json.dumps(self.overrides(), sort_keys=True, default=str))
        engine = self._engines.get(key)
        if engine is None:
            engine = Engine(self.settings_for(path), sandbox=Sandbox(niceness=BACKGROUND_NICENESS))
            if len(self._engines) > 64:
                self._engines.clear()
            self._engines[key] = engine
        return engine

    @staticmethod
    def is_config_file(path: Path) -> bool:
        return path.name == CONFIG_FILE
