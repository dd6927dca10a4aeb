"""Static findings as diagnostics, computed off the event loop and coalesced while the user types.

At most one analysis per document runs at a time; edits arriving meanwhile mark it dirty and the newest text is
analysed next, so 50 edits a second cost a handful of analyses. The engine re-parses and re-analyses only the
definitions an edit changed (a few milliseconds), so the first edit after a pause is analysed at once
(``DEBOUNCE_S``), and findings that did not move keep their converted diagnostics and their JSON. When the user
pauses (``CONFIRM_AFTER_S``), one analysis from a parse of the whole text confirms them (C++'s ambiguities could
make a re-parse around an edit read an item differently); they are sent again only if they changed. Huge or
binary buffers are not analysed: one Information diagnostic says why.

Two delivery models, chosen by the client's capabilities (never both, or a client would show each twice):
push (``textDocument/publishDiagnostics`` after every analysis) for clients without pull support, and pull
(``textDocument/diagnostic``, LSP 3.17) for those with it. A pull waits for the analysis of the current text and
answers "unchanged" when the diagnostics are what the client already has: an edit inside a line usually moves no
finding, and then nothing but a result id crosses the wire.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
from typing import TYPE_CHECKING

from lsprotocol import types

from speedlens.errors import SpeedlensError
from speedlens.lsp import convert
from speedlens.lsp.documents import MAX_ANALYSIS_CHARS, Doc, get_doc, uri_to_path
from speedlens.models import Finding

if TYPE_CHECKING:  # pragma: no cover
    from speedlens.lsp.server import SpeedlensServer

log = logging.getLogger("speedlens.lsp")

DEBOUNCE_S = 0.0  # a yield to the event loop: edits already received are applied before the analysis starts
CONFIRM_AFTER_S = 1.0  # a pause this long in typing: confirm the diagnostics with a parse of the whole text


class Diagnostics:
    def __init__(self, ls: SpeedlensServer) -> None:
        self.ls = ls
        self._tasks: dict[str, asyncio.Task] = {}
        self._dirty: set[str] = set()
        # Blocking problems from the last optimize run, valid while the text they were found on is unchanged.
        self.problems: dict[str, tuple[tuple, list[tuple]]] = {}  # (message, line[, code])
        # Per document: the diagnostic of each finding last converted, where reusable (see ``_convert``).
        self._converted: dict[str, dict[Finding, types.Diagnostic]] = {}
        self._encoded: dict[str, dict[int, tuple[types.Diagnostic, str]]] = {}  # each one's JSON, by id
        # Pull model: per document the (version, diagnostics, result id) of the newest analysis, and the requests
        # waiting for the next one. Result ids are unique to this process, so a restarted server never says
        # "unchanged" about diagnostics it did not compute.
        self._latest: dict[str, tuple[int | None, list[types.Diagnostic], str]] = {}
        self._waiters: dict[str, list[asyncio.Future]] = {}
        self._result_ids = (f"{os.getpid()}-{n}" for n in itertools.count(1))
        self._refresh_pending = False
        self._confirm_timers: dict[str, asyncio.TimerHandle] = {}
        self._confirming: set[str] = set()  # the next analysis of these is from a parse of the whole text

    @property
    def pull(self) -> bool:
        """Whether the client pulls diagnostics (``textDocument/diagnostic``) instead of receiving them."""
        caps = self.ls.client_capabilities
        return bool(caps and caps.text_document and caps.text_document.diagnostic)

    # -- scheduling ---------------------------------------------------------------------------------
    def schedule(self, uri: str, delay: float = DEBOUNCE_S) -> None:
        self._cancel_confirm(uri)
        self._dirty.add(uri)
        if uri not in self._tasks:
            self._tasks[uri] = asyncio.ensure_future(self._run(uri, delay))

    def recompute(self, uri: str) -> None:
        """The diagnostics of an unchanged text may differ (settings, an optimize run's problems): analyse again,
        and have a pulling client ask again."""
        self._latest.pop(uri, None)
        self.schedule(uri, 0)
        self._request_refresh()

    def _request_refresh(self) -> None:
        if self.pull and not self._refresh_pending:
            self._refresh_pending = True
            asyncio.get_running_loop().call_soon(self._refresh)

    def _refresh(self) -> None:
        self._refresh_pending = False
        caps = self.ls.client_capabilities
        ws = caps.workspace if caps else None
        if ws and ws.diagnostics and ws.diagnostics.refresh_support:
            self.ls.fire_request(self.ls.workspace_diagnostic_refresh)

    def set_problems(self, doc: Doc, problems: list[tuple]) -> None:
        """Each problem: (message, line) or (message, line, diagnostic code)."""
        if problems:
            self.problems[doc.uri] = (doc.key, problems)
        else:
            self.problems.pop(doc.uri, None)
        self.recompute(doc.uri)

    def _arm_confirm(self, uri: str) -> None:
        self._cancel_confirm(uri)
        self._confirm_timers[uri] = asyncio.get_running_loop().call_later(CONFIRM_AFTER_S, self._confirm, uri)

    def _cancel_confirm(self, uri: str) -> None:
        timer = self._confirm_timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        self._confirming.discard(uri)

    def _confirm(self, uri: str) -> None:
        self._confirm_timers.pop(uri, None)
        self.schedule(uri, 0)
        self._confirming.add(uri)

    def close(self, uri: str) -> None:
        self._cancel_confirm(uri)
        task = self._tasks.pop(uri, None)
        if task is not None:
            task.cancel()
        self._dirty.discard(uri)
        self.problems.pop(uri, None)
        self._converted.pop(uri, None)
        self._encoded.pop(uri, None)
        self._latest.pop(uri, None)
        self._wake(uri)
        if not self.pull:  # a pulling client drops a closed document's diagnostics itself
            self.ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        path = uri_to_path(uri)
        try:
            if path is not None:
                self.ls.settings_manager.engine_for(path).forget(path)
        except SpeedlensError:
            pass  # a broken speedlens.toml: no engine, nothing kept

    async def _run(self, uri: str, delay: float) -> None:
        try:
            while uri in self._dirty:
                await asyncio.sleep(delay)
                self._dirty.discard(uri)
                confirming = uri in self._confirming
                self._confirming.discard(uri)
                doc = get_doc(self.ls, uri)
                if doc is None or not doc.opened:
                    return
                try:
                    diagnostics = await self.compute(doc, exact=confirming)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("analysis of %s failed", uri)
                    diagnostics = None
                current = get_doc(self.ls, uri)
                if current is not None and current.version == doc.version and current.opened:
                    # A confirmation is news only if the diagnostics changed (the client already shows them).
                    latest = self._latest.get(uri)
                    news = not confirming or latest is None or latest[1] != (diagnostics or [])
                    if diagnostics is not None and not self.pull and news:
                        self._publish(uri, doc.version, diagnostics)
                    self._store(uri, doc.version, diagnostics or [])
                    if confirming and news:
                        self._request_refresh()
                    elif not confirming and uri not in self._dirty:
                        self._arm_confirm(uri)
                delay = DEBOUNCE_S
        finally:
            if self._tasks.get(uri) is asyncio.current_task():
                del self._tasks[uri]
            self._wake(uri)

    def _publish(self, uri: str, version: int | None, diagnostics: list[types.Diagnostic]) -> None:
        self.ls.publish_encoded_diagnostics(uri, version, self.encoded(uri, diagnostics))

    def encoded(self, uri: str, diagnostics: list[types.Diagnostic]) -> list[str]:
        """The diagnostics as JSON text, encoding only those not sent before (unmoved findings keep their
        diagnostic objects)."""
        known = self._encoded.get(uri, {})
        encoded = {id(d): known.get(id(d)) or (d, convert.diagnostic_json(d)) for d in diagnostics}
        self._encoded[uri] = encoded  # holds the diagnostics too: their ids stay theirs
        return [encoded[id(d)][1] for d in diagnostics]

    # -- pull model ---------------------------------------------------------------------------------
    def _store(self, uri: str, version: int | None, diagnostics: list[types.Diagnostic]) -> None:
        previous = self._latest.get(uri)
        same = previous is not None and previous[1] == diagnostics
        result_id = previous[2] if previous is not None and same else next(self._result_ids)
        self._latest[uri] = (version, diagnostics, result_id)
        self._wake(uri)

    def _wake(self, uri: str) -> None:
        for waiter in self._waiters.pop(uri, []):
            if not waiter.done():
                waiter.set_result(None)

    async def report(self, uri: str, previous_result_id: str | None) -> tuple[str, list[types.Diagnostic] | None]:
        """(result id, diagnostics) for the document's current text, waiting for its analysis; the diagnostics
        are None when they are the ones ``previous_result_id`` named (the client already shows them)."""
        while True:
            doc = get_doc(self.ls, uri)
            if doc is None or not doc.opened:
                return next(self._result_ids), []
            latest = self._latest.get(uri)
            if latest is not None and latest[0] == doc.version and uri not in self._dirty:
                _, diagnostics, result_id = latest
                return result_id, None if result_id == previous_result_id else diagnostics
            if uri not in self._tasks:
                self.schedule(uri, 0)
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.setdefault(uri, []).append(waiter)
            await waiter

    # -- computing ----------------------------------------------------------------------------------
    async def compute(self, doc: Doc, exact: bool = False) -> list[types.Diagnostic]:
        if doc.too_large:
            return [convert.info_diagnostic(
                f"speedlens: file too large to analyse ({len(doc.text) / 1e6:.1f} MB > "
                f"{MAX_ANALYSIS_CHARS / 1e6:.1f} MB); static hints are off for it", "too-large")]
        if doc.binary:
            return [convert.info_diagnostic("speedlens: binary content, not analysed", "binary")]
        if doc.path is None:
            return []
        diagnostics: list[types.Diagnostic] = []
        try:
            engine = self.ls.settings_manager.engine_for(doc.path)
        except SpeedlensError as exc:
            self.ls.show_once(exc)
            return [convert.problem_to_diagnostic(str(exc), doc.lines, code="config", units=doc.units)]
        try:
            findings = await self.ls.in_thread(self._findings, engine, doc, exact)
        except SpeedlensError as exc:
            self.ls.show_once(exc)
            return [convert.problem_to_diagnostic(str(exc), doc.lines, code="setup", units=doc.units)]
        if findings is None:
            return []
        diagnostics.extend(self._convert(doc, findings))
        stored = self.problems.get(doc.uri)
        if stored is not None and stored[0] == doc.key:
            diagnostics.extend(self._problem_diagnostic(doc, problem) for problem in stored[1])
        return diagnostics

    @staticmethod
    def _problem_diagnostic(doc: Doc, problem: tuple) -> types.Diagnostic:
        """A stored problem, (message, line) or (message, line, diagnostic code), as a diagnostic."""
        message, line, *code = problem
        if code:
            return convert.problem_to_diagnostic(message, doc.lines, line, code[0], units=doc.units)
        return convert.problem_to_diagnostic(message, doc.lines, line, units=doc.units)

    def _convert(self, doc: Doc, findings: list[Finding]) -> list[types.Diagnostic]:
        # A conversion is reused only where it cannot have changed: the finding ends before the last line (no
        # clamping, whatever the line count becomes) and its lines are ASCII now (columns in characters are then
        # the client's columns; on other lines the text before a finding can change without moving it).
        lines, last_line = doc.lines, len(doc.lines) - 1
        reusable = [f.end_line < last_line and lines[f.start_line].isascii() and lines[f.end_line].isascii()
                    for f in findings]
        known = self._converted.get(doc.uri, {})
        diagnostics = [(known.get(f) if ok else None) or convert.finding_to_diagnostic(f, lines, doc.units)
                       for f, ok in zip(findings, reusable, strict=True)]
        self._converted[doc.uri] = {f: d for f, d, ok in zip(findings, diagnostics, reusable, strict=True) if ok}
        return diagnostics

    @staticmethod
    def _findings(engine, doc: Doc, exact: bool):
        if engine.language_of(doc.path, doc.text) is None:
            return None
        return engine.findings(doc.path, doc.text, exact)
