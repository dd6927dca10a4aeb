"""The language server overrides private pygls methods (``JsonRPCProtocol._send_data``, to send JSON it encoded
already; ``_handle_cancel_notification``, so that ``$/cancelRequest`` reaches the command's task) and copies pygls's
framing: pygls is pinned to the minor version this was written against, and these
tests fail when pygls moves the method, changes its signature or the framing it writes, so an upgrade of the pin
is a deliberate review of ``speedlens.lsp.server.SpeedlensProtocol``."""

from __future__ import annotations

import inspect
import re
from importlib.metadata import version
from pathlib import Path

import pytest
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


@pytest.mark.parametrize(
    "method, parameters",
    [
        ("_send_data", ["self", "data"]),
        ("_handle_cancel_notification", ["self", "msg_id"]),
        ("structure_message", ["self", "data"]),
        ("handle_message", ["self", "message"]),
    ],
)
def test_overridden_methods_still_exist_with_the_same_signature(method, parameters):
    owner = next(c for c in LanguageServerProtocol.__mro__ if method in c.__dict__)
    assert owner is JsonRPCProtocol
    assert list(inspect.signature(getattr(JsonRPCProtocol, method)).parameters) == parameters
    assert method in SpeedlensProtocol.__dict__


def test_structuring_failures_still_raise_what_the_override_catches():
    """``structure_message`` raising JsonRpcException is how an unreadable request gets its InvalidParams answer."""
    source = inspect.getsource(JsonRPCProtocol.structure_message)
    assert "raise JsonRpcInvalidParams()" in source


def test_the_framing_the_override_copies_is_still_pyglss():
    source = inspect.getsource(JsonRPCProtocol._send_data)
    for piece in ("self.writer", "self._include_headers", "Content-Length: {len(body)}",
                  "Content-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}", "inspect.isawaitable"):
        assert piece in source, f"pygls's _send_data no longer has {piece!r}: review SpeedlensProtocol._send_data"
