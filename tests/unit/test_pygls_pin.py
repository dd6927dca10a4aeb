"""The language server overrides a private pygls method (``JsonRPCProtocol._send_data``, to send JSON it encoded
already) and copies pygls's framing: pygls is pinned to the minor version this was written against, and these
tests fail when pygls moves the method, changes its signature or the framing it writes, so an upgrade of the pin
is a deliberate review of ``speedlens.lsp.server.SpeedlensProtocol``."""

from __future__ import annotations

import inspect
import re
from importlib.metadata import version
from pathlib import Path

from pygls.protocol import JsonRPCProtocol, LanguageServerProtocol
from speedlens.lsp.server import SpeedlensProtocol

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def pinned_pygls() -> tuple[str, str]:
    match = re.search(r'"pygls>=(\d+\.\d+),<(\d+\.\d+)"', PYPROJECT.read_text(encoding="utf-8"))
    assert match, "pyproject.toml pins pygls to one minor version (pygls>=X.Y,<X.Y+1)"
    return match.group(1), match.group(2)


def test_pin_is_one_minor_version_and_the_installed_pygls_is_in_it():
    low, high = pinned_pygls()
    major, minor = map(int, low.split("."))
    assert high == f"{major}.{minor + 1}"
    assert ".".join(version("pygls").split(".")[:2]) == low


def test_overridden_private_method_still_exists_with_the_same_signature():
    owner = next(c for c in LanguageServerProtocol.__mro__ if "_send_data" in c.__dict__)
    assert owner is JsonRPCProtocol
    assert list(inspect.signature(JsonRPCProtocol._send_data).parameters) == ["self", "data"]
    assert "_send_data" in SpeedlensProtocol.__dict__


def test_the_framing_the_override_copies_is_still_pyglss():
    source = inspect.getsource(JsonRPCProtocol._send_data)
    for piece in ("self.writer", "self._include_headers", "Content-Length: {len(body)}",
                  "Content-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}", "inspect.isawaitable"):
        assert piece in source, f"pygls's _send_data no longer has {piece!r}: review SpeedlensProtocol._send_data"
