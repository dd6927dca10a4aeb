"""The speedlens language server: ``create_server()`` builds it, ``serve()`` runs it (stdio or TCP).

The server only holds editor state (documents, jobs, settings); every answer comes from speedlens.engine through
the thin handlers in ``speedlens.lsp.features``.
"""

from __future__ import annotations

import asyncio
import faulthandler
import gc
import inspect
import json
import logging
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol

from speedlens import __version__
from speedlens.errors import SpeedlensError
from speedlens.lsp.diagnostics import Diagnostics
from speedlens.lsp.documents import ResultsView
from speedlens.lsp.jobs import Jobs
from speedlens.lsp.log import LspLogHandler
from speedlens.lsp.settings import SettingsManager

log = logging.getLogger("speedlens.lsp")


class Encoded(str):
    """JSON text, sent as it is: a message, or a handler's result."""


# JSON-RPC 2.0 and LSP error codes (https://www.jsonrpc.org/specification#error_object, LSP "ErrorCodes").
PARSE_ERROR, INVALID_REQUEST, INVALID_PARAMS, SERVER_NOT_INITIALIZED = -32700, -32600, -32602, -32002


@dataclass(frozen=True)
class Unreadable:
    """A request whose envelope or params could not be read: it still gets an answer, an error with its id."""

    id: Any
    method: str
    code: int
    reason: str


class SpeedlensProtocol(LanguageServerProtocol):
    """Sends JSON text that is encoded already (``Encoded``) as it is: a keystroke's diagnostics are hundreds of
    unchanged ones, and encoding them anew each time (attrs to dicts, then JSON) took longer than analysing the
    edit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initialize_seen = False
        self._request_tasks: dict[Any, set[asyncio.Task]] = {}

    # -- every request answered, per JSON-RPC and LSP --------------------------------------------------------
    def structure_message(self, data: dict[str, Any]) -> Any:
        """pygls drops a request whose params do not fit the method's type (the client waits forever): keep
        its id so that ``handle_message`` answers it with InvalidParams."""
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if "id" in data and "method" in data:
                return Unreadable(data["id"], str(data["method"]), INVALID_PARAMS, f"invalid params: {exc.message}")
            raise

    def handle_message(self, message: Any) -> None:
        if isinstance(message, Unreadable):
            self.send_error(message.id, message.code, f"{message.method}: {message.reason}")
            return
        if isinstance(message, dict):  # valid JSON but no JSON-RPC 2.0 envelope
            if message.get("id") is not None:
                self.send_error(message["id"], INVALID_REQUEST, "not a JSON-RPC 2.0 message (no \"jsonrpc\")")
            return
        method = getattr(message, "method", None)
        if not self.initialize_seen and method not in (types.INITIALIZE, types.EXIT):
            if getattr(message, "id", None) is not None and method is not None:  # a request: refuse it
                self.send_error(message.id, SERVER_NOT_INITIALIZED, f"{method} before initialize")
            return  # notifications before initialize are dropped, as the LSP specification says
        if method == types.INITIALIZE:
            self.initialize_seen = True
        super().handle_message(message)

    def send_error(self, msg_id: Any, code: int, message: str) -> None:
        body = json.dumps({"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}})
        self._send_data(Encoded(body))

    # -- $/cancelRequest reaches the work, not only pygls's outer future ------------------------------------
    def follow_cancellation(self) -> Callable[[], None]:
        """Tie the running task to the request being handled, so ``$/cancelRequest`` cancels it.

        pygls runs ``workspace/executeCommand`` as a generator whose inner handler task is not the future that
        a cancel reaches: the client got -32800 while the job ran on. Returns the function that unties it.
        """
        request_id, task = self.msg_id, asyncio.current_task()
        if request_id is None or task is None:
            return lambda: None
        self._request_tasks.setdefault(request_id, set()).add(task)
        return lambda: self._request_tasks.get(request_id, set()).discard(task)

    def _handle_cancel_notification(self, msg_id: Any) -> None:
        super()._handle_cancel_notification(msg_id)
        for task in self._request_tasks.pop(msg_id, set()):
            task.cancel()

    def notify_encoded(self, method: str, params_json: str) -> None:
        self._send_data(Encoded(f'{{"jsonrpc": "2.0", "method": {json.dumps(method)}, "params": {params_json}}}'))

    def _send_data(self, data: Any) -> None:
        result = getattr(data, "result", None)
        if isinstance(result, Encoded):  # a response whose result a handler encoded
            data = Encoded(f'{{"jsonrpc": "2.0", "id": {json.dumps(data.id)}, "result": {result}}}')
        if not isinstance(data, Encoded):
            return super()._send_data(data)
        if self.writer is None:  # pragma: no cover - no transport yet
            return None
        # pygls's own framing: a Content-Length header when talking over a stream; the body is ASCII.
        header = f"Content-Length: {len(data)}\r\nContent-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n"
        written = self.writer.write(((header if self._include_headers else "") + data).encode(self.CHARSET))
        if inspect.isawaitable(written):
            asyncio.ensure_future(written)
        return None


class SpeedlensServer(LanguageServer):
    protocol: SpeedlensProtocol

    def __init__(self) -> None:
        super().__init__("speedlens", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                         protocol_cls=SpeedlensProtocol)
        self.settings_manager = SettingsManager()
        self.diagnostics = Diagnostics(self)
        self.results_view = ResultsView(self)
        self.jobs = Jobs(self)
        self._shown: set[str] = set()
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="speedlens-analysis")

    async def in_thread(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run a synchronous engine call off the event loop, so requests keep flowing meanwhile."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def publish_encoded_diagnostics(self, uri: str, version: int | None, diagnostics: list[str]) -> None:
        """``textDocument/publishDiagnostics`` with diagnostics that are JSON text already
        (``convert.diagnostic_json``)."""
        params = f'{{"uri": {json.dumps(uri)}, "diagnostics": [{", ".join(diagnostics)}]'
        params += f', "version": {version}}}' if version is not None else "}"
        self.protocol.notify_encoded(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, params)

    @staticmethod
    def encoded_full_report(result_id: str, diagnostics: list[str]) -> Encoded:
        """A ``textDocument/diagnostic`` result of kind "full", from diagnostics that are JSON text already."""
        return Encoded(f'{{"kind": "full", "resultId": {json.dumps(result_id)}, "items": [{", ".join(diagnostics)}]}}')

    def show_once(self, error: Exception, kind: types.MessageType = types.MessageType.Warning) -> None:
        """Show a user-facing failure with ``window/showMessage``, once per distinct message."""
        text = str(error)
        if text in self._shown:
            return
        self._shown.add(text)
        log.warning("%s", text)
        try:
            self.window_show_message(types.ShowMessageParams(type=kind, message=text))
        except (OSError, RuntimeError) as exc:  # pragma: no cover - the client is gone
            log.debug("could not show a message: %s", exc)

    def refresh_views(self) -> None:
        """Ask the client to re-request inlay hints and code lenses, where it supports the refresh requests."""
        caps = self.client_capabilities
        ws = caps.workspace if caps else None
        if ws and ws.inlay_hint and ws.inlay_hint.refresh_support:
            self.fire_request(self.workspace_inlay_hint_refresh)
        if ws and ws.code_lens and ws.code_lens.refresh_support:
            self.fire_request(self.workspace_code_lens_refresh)

    @staticmethod
    def fire_request(request: Callable[[None], Any]) -> None:
        """Send a parameterless request (a refresh) without waiting for, or failing on, its answer."""
        try:
            future = request(None)
            future.add_done_callback(lambda f: f.cancelled() or f.exception())  # mark errors as retrieved
        except (OSError, RuntimeError, JsonRpcException) as exc:  # pragma: no cover - the client is gone
            log.debug("refresh request failed: %s", exc)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        super().shutdown()

    def report_server_error(self, error: Exception, source: Any) -> None:
        """A message that is not JSON at all gets a Parse error (id null), as JSON-RPC asks; others as pygls."""
        if isinstance(error, ValueError) and not isinstance(error, JsonRpcException):
            self.protocol.send_error(None, PARSE_ERROR, f"parse error: {error}")
            return
        super().report_server_error(error, source)


def create_server() -> SpeedlensServer:
    """A fresh server with every feature registered (tests may build several)."""
    from speedlens.lsp.features import actions, commands, hints, lifecycle, sync

    server = SpeedlensServer()
    for module in (lifecycle, sync, commands, hints, actions):
        module.register(server)
    handler = LspLogHandler(server)
    logger = logging.getLogger("speedlens")
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)
    return server


def _protect_stdout() -> Any:
    """The protocol owns stdout: give pygls a private copy of fd 1 and point fd 1 (and sys.stdout) at stderr,
    so a stray print or a child process writing to its inherited stdout cannot corrupt the JSON-RPC stream."""
    try:
        fd = os.dup(sys.stdout.fileno())
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # pragma: no cover - no real stdout (embedded)
        return sys.stdout.buffer
    sys.stdout = sys.stderr
    return os.fdopen(fd, "wb", buffering=0)


def settle_heap() -> None:
    """Load what the first edit needs, then move everything alive now out of the garbage collector's sight.

    A full collection walks every tracked object; with the protocol types and the engine loaded that is ~55,000
    objects and a 40-80 ms pause on the event loop at random edits. Start-up objects live as long as the server,
    so freezing them (gc.freeze) leaves full collections only the editor state that comes and goes.
    """
    import speedlens.engine  # noqa: F401 - imported for its side effect: loaded before the freeze

    gc.collect()
    gc.freeze()


def serve(tcp: str | None = None) -> int:
    """Run the server on stdio, or on ``HOST:PORT`` (``:PORT`` means 127.0.0.1) for debugging."""
    level = os.environ.get("SPEEDLENS_LOG_LEVEL", "WARNING").upper()
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(level)  # the editor gets INFO through window/logMessage; stderr only what was asked for
    stderr.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[stderr])
    if hasattr(faulthandler, "register"):  # `kill -USR1 <pid>` prints every thread's stack to stderr
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    server = create_server()
    settle_heap()
    if tcp:
        host, _, port = tcp.rpartition(":")
        try:
            port_number = int(port)
        except ValueError:
            raise SpeedlensError(f"--tcp wants HOST:PORT, got {tcp!r}", "e.g. --tcp 127.0.0.1:2087") from None
        server.start_tcp(host or "127.0.0.1", port_number)
    else:
        stdout = _protect_stdout()
        server.start_io(sys.stdin.buffer, stdout)
    return 0
