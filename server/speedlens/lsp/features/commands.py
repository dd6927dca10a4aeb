"""workspace/executeCommand: optimizeFile, optimizeTarget, cancel, showReport, createTests.

Their results are described in protocol.schema.json.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from pygls.exceptions import JsonRpcInvalidParams

from speedlens.errors import SpeedlensError
from speedlens.lsp.documents import get_doc, uri_to_path
from speedlens.report import render_markdown
from speedlens.testcases import create_example

OPTIMIZE_FILE = "speedlens.optimizeFile"
OPTIMIZE_TARGET = "speedlens.optimizeTarget"
CANCEL = "speedlens.cancel"
SHOW_REPORT = "speedlens.showReport"
CREATE_TESTS = "speedlens.createTests"


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
        if stored is not None and (doc is None or same_text(stored.key, doc.key)):
            return render_markdown(stored.report)
        results = await ls.results_view.get(doc) if doc is not None else []
        # Only when the current text has no results of its own is the old run's report worth a word.
        changed = stored is not None and not results
        note = ["the file changed since the last run: run speedlens again"] if changed else []
        path = doc.path if doc is not None and doc.path is not None else uri
        language = None
        if doc is not None and doc.analysable:
            try:
                language = ls.settings_manager.engine_for(doc.path).language_of(doc.path, doc.text)
            except (SpeedlensError, OSError):  # a malformed speedlens.toml: the report still renders
                language = None
        return render_markdown(SimpleNamespace(file=str(path), language=language, model="", results=results,
                                               problems=note))

    @server.command(CREATE_TESTS)
    async def create_tests(ls, *args):
        """Create NAME.tests/01.in beside the file: the editor opens it for the user to write an example input."""
        uri = _uri(args)
        path = uri_to_path(uri)
        if path is None or not path.parent.is_dir():
            raise JsonRpcInvalidParams(f"not a file on disk: {uri}")
        example = create_example(path)
        doc = get_doc(ls, uri)
        if doc is not None:
            ls.diagnostics.set_problems(doc, [])  # the "no test inputs" warning is answered
        return {"uri": example.as_uri(), "path": str(example),
                "message": f"write an example input for {path.name} (what it reads on stdin) in "
                           f"{example.parent.name}/{example.name}, save it, then optimize"}


def same_text(a: tuple, b: tuple) -> bool:
    """Whether two ``Doc.key``s are the same text (the version may differ: an undo, a save, a reopen)."""
    return a[0] == b[0] and a[2:] == b[2:]
