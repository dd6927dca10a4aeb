"""A local OpenAI-compatible chat server for tests: scripted answers, scripted failures, every request recorded.

It speaks just enough of `/v1/chat/completions` for litellm's real HTTP client
(``litellm.acompletion(model="openai/test", api_base=server.url, api_key="x")``), so the code under test runs the
same path it runs against a hosted model, without any network.

Script items, consumed one per request (``n`` > 1 consumes ``n`` items, one per choice):
- ``str``: the assistant's answer;
- ``Reply(...)``: an answer with a status code (429, 500, 401 ...), a delay or a finish reason;
- a callable ``f(body) -> str | Reply``: an answer computed from the request body (a dict).
When the script runs out, ``default`` answers (a str, Reply or callable); with no default the answer is a
short text without code, which a proposer must survive.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

NO_SCRIPT_LEFT = "(the test server has no scripted answer left)"


@dataclass
class Reply:
    content: str = ""
    status: int = 200
    delay_s: float = 0.0
    finish_reason: str = "stop"
    error_type: str = ""  # OpenAI error "type"/"code", e.g. "context_length_exceeded"


Scripted = str | Reply | Callable[[dict], str | Reply]


class OpenAIServer:
    """Run with ``with OpenAIServer(script) as server: ...``; ``server.url`` is the api_base."""

    def __init__(self, script: list[Scripted] | None = None, default: Scripted | None = None):
        self.script: list[Scripted] = list(script or [])
        self.default = default
        self.requests: list[dict[str, Any]] = []  # every request body, in arrival order (failed ones too), once each
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------------------
    def start(self) -> OpenAIServer:
        handler = _make_handler(self)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="openai-test-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> OpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # -- scripting -------------------------------------------------------------------------------------------
    def add(self, *items: Scripted) -> None:
        with self._lock:
            self.script.extend(items)

    def prompts(self) -> list[str]:
        """The text of every recorded request (all messages joined), for assertions on prompt content."""
        return ["\n".join(str(m.get("content", "")) for m in body.get("messages", [])) for body in self.requests]

    def _record(self, body: dict) -> None:
        with self._lock:
            self.requests.append(body)

    def _next(self, body: dict) -> Reply:
        with self._lock:
            item = self.script.pop(0) if self.script else self.default
        if item is None:
            item = NO_SCRIPT_LEFT
        if callable(item) and not isinstance(item, Reply):
            item = item(body)
        return item if isinstance(item, Reply) else Reply(content=str(item))


def _completion(body: dict, replies: list[Reply]) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-test-{int(time.time() * 1e6)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "test"),
        "choices": [
            {
                "index": i,
                "message": {"role": "assistant", "content": r.content},
                "finish_reason": r.finish_reason,
            }
            for i, r in enumerate(replies)
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def _error(reply: Reply) -> dict[str, Any]:
    kind = reply.error_type or {401: "invalid_api_key", 429: "rate_limit_exceeded"}.get(reply.status, "server_error")
    message = reply.content or f"scripted error {reply.status}"
    return {"error": {"message": message, "type": kind, "code": kind, "param": None}}


def _make_handler(server: OpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if status == 429:
                self.send_header("Retry-After", "0")
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                self._send(200, {"object": "list", "data": [{"id": "test", "object": "model"}]})
            else:
                self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b"{}"
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                return
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                self._send(400, {"error": {"message": "request body is not JSON", "type": "invalid_request"}})
                return
            server._record(body)  # once per request, however many choices it asks for
            replies = [server._next(body) for _ in range(max(1, int(body.get("n") or 1)))]
            delay = max(r.delay_s for r in replies)
            if delay:
                time.sleep(delay)
            failed = next((r for r in replies if r.status != 200), None)
            if failed is not None:
                self._send(failed.status, _error(failed))
            else:
                self._send(200, _completion(body, replies))

    return Handler
