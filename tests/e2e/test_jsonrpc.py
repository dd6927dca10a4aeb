"""Every request gets an answer that follows JSON-RPC 2.0 and LSP, whatever a client sends: malformed JSON,
params of the wrong shape, no envelope, requests before ``initialize``. Talks raw bytes to a real server."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.timeout(120)]


class RawClient:
    """Frames and reads LSP messages by hand, so the client can send what no library would."""

    def __init__(self, cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "speedlens", "serve"], cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env={**os.environ, "XDG_CACHE_HOME": str(cwd / "cache")},
        )
        self.buffer = b""

    def send_bytes(self, body: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def send(self, message: dict[str, Any]) -> None:
        self.send_bytes(json.dumps(message).encode())

    def request(self, msg_id: Any, method: str, params: Any = None) -> dict[str, Any]:
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self.response(msg_id)

    def response(self, msg_id: Any, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self._next(deadline)
            if message is not None and "method" not in message and message.get("id") == msg_id:
                return message
        raise AssertionError(f"no response with id {msg_id!r} within {timeout}s")

    def _next(self, deadline: float) -> dict[str, Any] | None:
        assert self.proc.stdout is not None
        while b"\r\n\r\n" not in self.buffer or len(self.buffer) < self._frame_end():
            ready, _, _ = select.select([self.proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                return None
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise AssertionError("the server closed its output")
            self.buffer += chunk
        end = self._frame_end()
        _, body = self.buffer[:end].split(b"\r\n\r\n", 1)
        self.buffer = self.buffer[end:]
        return json.loads(body)

    def _frame_end(self) -> int:
        if b"\r\n\r\n" not in self.buffer:
            return 1 << 62
        header, _ = self.buffer.split(b"\r\n\r\n", 1)
        lines = header.split(b"\r\n")
        length = next(int(line.split(b":")[1]) for line in lines if line.lower().startswith(b"content-length"))
        return len(header) + 4 + length

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


@pytest.fixture
def raw(tmp_path):
    client = RawClient(tmp_path)
    yield client
    client.close()


def initialize(client: RawClient, root: Path) -> None:
    answer = client.request(1, "initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {}})
    assert "capabilities" in answer["result"]
    client.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})


def test_a_request_before_initialize_is_refused_not_processed(raw, tmp_path):
    answer = raw.request(7, "workspace/executeCommand", {"command": "speedlens.optimizeFile", "arguments": []})
    assert answer["error"]["code"] == -32002 and "before initialize" in answer["error"]["message"]
    initialize(raw, tmp_path)  # and the server starts normally afterwards
    assert raw.request(8, "shutdown")["result"] is None


def test_malformed_json_gets_a_parse_error_and_the_server_goes_on(raw, tmp_path):
    initialize(raw, tmp_path)
    raw.send_bytes(b'{"jsonrpc": "2.0", "id": 5, "method": "shutdown"')  # cut short
    answer = raw.response(None)
    assert answer["error"]["code"] == -32700
    assert raw.request(6, "shutdown")["result"] is None


@pytest.mark.parametrize(
    "method, params",
    [
        ("workspace/executeCommand", None),  # no params at all
        ("textDocument/inlayHint", {"textDocument": {"uri": "file:///x.cpp"}}),  # no range
        ("textDocument/codeAction", {"textDocument": {"uri": "file:///x.cpp"}, "range": "everywhere"}),
    ],
)
def test_params_of_the_wrong_shape_get_invalid_params(raw, tmp_path, method, params):
    initialize(raw, tmp_path)
    answer = raw.request(11, method, params)
    assert answer["error"]["code"] == -32602 and method in answer["error"]["message"]
    assert raw.request(12, "shutdown")["result"] is None


def test_a_message_without_the_jsonrpc_envelope_is_an_invalid_request(raw, tmp_path):
    initialize(raw, tmp_path)
    raw.send({"id": 21, "method": "shutdown"})
    assert raw.response(21)["error"]["code"] == -32600
    assert raw.request(22, "shutdown")["result"] is None
