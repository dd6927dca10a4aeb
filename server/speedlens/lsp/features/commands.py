"""workspace/executeCommand: optimizeFile, optimizeTarget, cancel, showReport."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from pygls.exceptions import JsonRpcInvalidParams

from speedlens.lsp.documents import get_doc
from speedlens.report import render_markdown

OPTIMIZE_FILE = "speedlens.optimizeFile"
OPTIMIZE_TARGET = "speedlens.optimizeTarget"
CANCEL = "speedlens.cancel"
SHOW_REPORT = "speedlens.showReport"


def _uri(args: tuple[Any, ...]) -> str:
    if not args or not isinstance(args[0], str):
        raise JsonRpcInvalidParams("expected a document URI as the first argument")
    return args[0]


def _line(args: tuple[Any, ...]) -> int:
    value = args[1] if len(args) > 1 else None
    if isinstance(value, dict):  # also accept an LSP Position
        value = value.get("line")
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise JsonRpcInvalidParams("expected a 0-based line number as the second argument")
    return value


def register(server) -> None:
    @server.command(OPTIMIZE_FILE)
    async def optimize_file(ls, *args):
        untie = ls.protocol.follow_cancellation()  # $/cancelRequest on this request stops the job
        try:
            return await ls.jobs.optimize(_uri(args))
        finally:
            untie()

    @server.command(OPTIMIZE_TARGET)
    async def optimize_target(ls, *args):
        untie = ls.protocol.follow_cancellation()
        try:
            return await ls.jobs.optimize(_uri(args), _line(args))
        finally:
            untie()

    @server.command(CANCEL)
    async def cancel(ls, *args):
        uris = [_uri(args)] if args else list(ls.jobs.running)
        return {"cancelled": [u for u in uris if await ls.jobs.cancel(u)]}

    @server.command(SHOW_REPORT)
    async def show_report(ls, *args):
        uri = _uri(args)
        doc = get_doc(ls, uri)
        stored = ls.jobs.reports.get(uri)
        if stored is not None and (doc is None or stored.key == doc.key):
            return render_markdown(stored.report)
        results = await ls.results_view.get(doc) if doc is not None else []
        note = ["the file changed since the last run: run speedlens again"] if stored is not None else []
        path = doc.path if doc is not None and doc.path is not None else uri
        return render_markdown(SimpleNamespace(file=str(path), language=None, model="", results=results,
                                               problems=note))
