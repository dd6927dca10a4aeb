"""Forward Python logging to the client's ``window/logMessage`` (the editor's output panel)."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:  # pragma: no cover
    from pygls.lsp.server import LanguageServer


def _message_type(level: int) -> types.MessageType:
    if level >= logging.ERROR:
        return types.MessageType.Error
    if level >= logging.WARNING:
        return types.MessageType.Warning
    if level >= logging.INFO:
        return types.MessageType.Info
    return types.MessageType.Log


class LspLogHandler(logging.Handler):
    """Sends records as ``window/logMessage``; safe from any thread and never recursive."""

    def __init__(self, ls: LanguageServer, level: int = logging.INFO) -> None:
        super().__init__(level)
        self.ls = ls
        self._local = threading.local()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.setFormatter(logging.Formatter("[%(name)s] %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(self._local, "busy", False) or self.ls.protocol.writer is None:
            return
        try:
            params = types.LogMessageParams(type=_message_type(record.levelno), message=self.format(record))
        except (TypeError, ValueError, KeyError):  # pragma: no cover - a message whose arguments do not fit it
            self.handleError(record)
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None:
            self.loop = running
            self._send(params)
        elif self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self._send, params)

    def _send(self, params: types.LogMessageParams) -> None:
        self._local.busy = True
        try:
            self.ls.window_log_message(params)
        except OSError:  # the client's pipe is gone (pygls logs and absorbs any other send error itself)
            pass
        finally:
            self._local.busy = False
