"""Buffers as the server sees them: open documents, or the file on disk for requests about unopened ones."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pygls.uris import to_fs_path

from speedlens.errors import SpeedlensError
from speedlens.lsp.convert import Units, utf16_len
from speedlens.models import source_lines

if TYPE_CHECKING:  # pragma: no cover
    from speedlens.lsp.server import SpeedlensServer

log = logging.getLogger("speedlens.lsp")

# Above this size a buffer gets no analysis (one Information diagnostic says so): typing must never lag.
MAX_ANALYSIS_CHARS = 1_000_000
# Unopened files larger than this are not read from disk at all.
MAX_DISK_BYTES = 16_000_000
# Files whose first bytes hold NUL characters are binary, not source.
BINARY_PROBE = 8192
# Result lookups slower than this (big files) are deferred until typing pauses for TYPING_PAUSE_S.
SLOW_LOOKUP_S = 0.02
TYPING_PAUSE_S = 0.3


@dataclass
class Doc:
    uri: str
    path: Path | None
    text: str
    version: int | None
    opened: bool
    _lines: list[str] | None = field(default=None, repr=False)
    units: Units = utf16_len  # the length of a text in the client's column units

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = source_lines(self.text)
        return self._lines

    @property
    def key(self) -> tuple:
        """Identifies this exact text (str hashes are cached, so this is cheap after the first call)."""
        return (self.uri, self.version, len(self.text), hash(self.text))

    @property
    def too_large(self) -> bool:
        return len(self.text) > MAX_ANALYSIS_CHARS

    @property
    def binary(self) -> bool:
        return "\x00" in self.text[:BINARY_PROBE]

    @property
    def analysable(self) -> bool:
        return self.path is not None and not self.too_large and not self.binary


def uri_to_path(uri: str) -> Path | None:
    try:
        fs = to_fs_path(uri)
    except ValueError:  # urlparse rejects it, e.g. a malformed IPv6 host
        return None
    return Path(fs) if fs else None


def get_doc(ls: SpeedlensServer, uri: str) -> Doc | None:
    """The open buffer for ``uri``, else the file on disk; None for deleted, unreadable or non-file URIs."""
    path = uri_to_path(uri)
    units = ls.workspace.position_codec.client_num_units
    opened = ls.workspace.text_documents.get(uri)
    if opened is not None:
        try:
            text = opened.source
        except (OSError, ValueError):  # pragma: no cover - an open document always has its source
            return None
        return Doc(uri=uri, path=path, text=text, version=opened.version, opened=True, units=units)
    if path is None:
        return None
    try:
        if not path.is_file() or path.stat().st_size > MAX_DISK_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    return Doc(uri=uri, path=path, text=data.decode("utf-8", errors="replace"), version=None, opened=False,
               units=units)


class ResultsView:
    """The engine's cached results for a buffer's current text, memoised per text version.

    ``engine.cached_results`` only returns results whose content hash matches the text, so an edited buffer never
    sees a stale rewrite. Looking them up re-hashes the buffer, which on a big file costs more than a keystroke
    may: lookups run in a worker thread, newest text first (a lookup for a text that was edited meanwhile is
    dropped), and a request that cannot wait (``wait_s``) answers "nothing yet"; when the lookup then finds
    results the views are refreshed so the client asks again.
    """

    def __init__(self, ls: SpeedlensServer) -> None:
        self.ls = ls
        self._memo: dict[str, tuple[tuple, list]] = {}
        self._pending: dict[str, tuple[tuple, asyncio.Future, bool]] = {}
        self._cost: dict[str, float] = {}  # seconds the last lookup of each document took

    def invalidate(self, uri: str | None = None) -> None:
        if uri is None:
            self._memo.clear()
            self._pending.clear()
        else:
            self._memo.pop(uri, None)
            self._pending.pop(uri, None)

    def forget(self, uri: str) -> None:
        self.invalidate(uri)
        self._cost.pop(uri, None)

    def _key(self, doc: Doc) -> tuple:
        return (*doc.key, self.ls.settings_manager.generation)

    def peek(self, doc: Doc) -> list | None:
        memo = self._memo.get(doc.uri)
        return memo[1] if memo is not None and memo[0] == self._key(doc) else None

    async def get(self, doc: Doc, wait_s: float | None = None) -> list:
        """Results for exactly ``doc``'s text; with ``wait_s``, [] if the lookup takes longer (then a refresh)."""
        if not doc.analysable:
            return []
        cached = self.peek(doc)
        if cached is not None:
            return cached
        key = self._key(doc)
        pending = self._pending.get(doc.uri)
        if pending is None or pending[0] != key:
            # Expensive lookups (big files) wait for a pause in typing when the caller can take "nothing yet".
            deferred = wait_s is not None and self._cost.get(doc.uri, 0.0) > SLOW_LOOKUP_S
            lookup = asyncio.ensure_future(self._lookup(doc, key, TYPING_PAUSE_S if deferred else 0.0))
            self._pending[doc.uri] = pending = (key, lookup, deferred)
        key, future, deferred = pending
        if wait_s is None:
            return await asyncio.shield(future)
        if not deferred:
            done, _ = await asyncio.wait([future], timeout=wait_s)
            if done:
                return future.result()
        # Answer "nothing yet" now; if the lookup finds results, the client is asked to re-request.
        future.add_done_callback(self._refresh_if_found)
        return []

    def _is_current(self, doc: Doc, key: tuple) -> bool:
        """Whether ``doc``'s text is still the document's text (and the settings are unchanged)."""
        now = get_doc(self.ls, doc.uri) if doc.opened else doc
        return now is not None and self._key(now) == key

    def _refresh_if_found(self, future: asyncio.Future) -> None:
        if not future.cancelled() and future.exception() is None and future.result():
            self.ls.refresh_views()

    async def _lookup(self, doc: Doc, key: tuple, delay: float = 0.0) -> list:
        results = None
        try:
            if delay:
                await asyncio.sleep(delay)
                if not self._is_current(doc, key):
                    return []
            if doc.path is None:  # not analysable: get() never looks such a document up
                return []
            engine = self.ls.settings_manager.engine_for(doc.path)
            results = await self.ls.in_thread(self._load, engine, doc, key)
        except (SpeedlensError, OSError) as exc:  # a malformed speedlens.toml is reported by diagnostics
            log.debug("no cached results for %s: %s", doc.uri, exc)
            results = []
        except Exception:  # a worker-thread boundary: no hints, and the failure goes to the log
            log.exception("looking up cached results for %s failed", doc.uri)
            results = []
        finally:
            if self._pending.get(doc.uri, (None,))[0] == key:
                del self._pending[doc.uri]
        if results is None:  # skipped: the buffer changed before the lookup started
            return []
        if len(self._memo) > 512:
            self._memo.clear()
        if key == self._key(doc):  # settings unchanged meanwhile
            self._memo[doc.uri] = (key, results)
        return results

    def _load(self, engine, doc: Doc, key: tuple) -> list | None:
        if not self._is_current(doc, key):
            return None
        if engine.language_of(doc.path, doc.text) is None:
            return []
        start = time.perf_counter()
        results = list(engine.cached_results(doc.path, doc.text))
        self._cost[doc.uri] = time.perf_counter() - start
        return results
