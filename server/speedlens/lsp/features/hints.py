"""Inlay hints and code lenses for verified results: a cheap list, details filled in on resolve."""

from __future__ import annotations

from lsprotocol import types

from speedlens.errors import SpeedlensError
from speedlens.lsp import convert
from speedlens.lsp.documents import get_doc

WAIT_S = 0.03  # longer lookups answer "nothing yet" and refresh the client's view when they finish


def _can_refresh(ls, kind: str) -> bool:
    ws = ls.client_capabilities.workspace if ls.client_capabilities else None
    feature = getattr(ws, kind, None) if ws else None
    return bool(feature and feature.refresh_support)


async def _best(ls, uri: str, kind: str | None = None):
    doc = get_doc(ls, uri)
    if doc is None:
        return None, []
    wait = WAIT_S if kind and _can_refresh(ls, kind) else None
    return doc, convert.best_per_target(await ls.results_view.get(doc, wait))


async def _lookup(ls, data) -> object | None:
    if not isinstance(data, dict) or not isinstance(data.get("uri"), str):
        return None
    _, best = await _best(ls, data["uri"])
    return next((r for r in best if r.content_hash == data.get("hash")
                 and r.candidate.proposer == data.get("proposer")), None)


def _data(uri: str, result) -> dict:
    return {"uri": uri, "hash": result.content_hash, "proposer": result.candidate.proposer}


def _optimize_lenses(ls, doc, done: set[int]) -> list[types.CodeLens]:
    """"⚡ Optimize" on each function of a library file (no main) that has no verified result yet: a library's
    functions are targets of their own, optimized one at a time (``speedlens.optimizeTarget``)."""
    try:
        targets = ls.settings_manager.engine_for(doc.path).targets(doc.path, doc.text)
    except SpeedlensError:  # a broken speedlens.toml: its diagnostic says so, lenses just stay away
        return []
    if any(t.kind == "program" for t in targets):
        return []
    lenses = []
    for target in targets:
        if target.kind == "function" and target.start_line not in done:
            position = types.Position(line=target.start_line, character=0)
            command = types.Command(title="⚡ Optimize", command="speedlens.optimizeTarget",
                                    arguments=[doc.uri, target.start_line])
            lenses.append(types.CodeLens(range=types.Range(start=position, end=position), command=command))
    return lenses


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT, types.InlayHintOptions(resolve_provider=True))
    async def inlay_hints(ls, params: types.InlayHintParams):
        doc, best = await _best(ls, params.text_document.uri, "inlay_hint")
        rng = params.range
        return [convert.inlay_hint(r, doc.lines, _data(doc.uri, r), doc.units) for r in best
                if rng.start.line <= r.target.start_line <= rng.end.line]

    @server.feature(types.INLAY_HINT_RESOLVE)
    async def inlay_hint_resolve(ls, hint: types.InlayHint):
        result = await _lookup(ls, hint.data)
        if result is not None:
            hint.tooltip = types.MarkupContent(kind=types.MarkupKind.Markdown, value=convert.result_tooltip(result))
        return hint

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=True))
    async def code_lenses(ls, params: types.CodeLensParams):
        doc, best = await _best(ls, params.text_document.uri, "code_lens")
        lenses = [convert.code_lens(r, _data(doc.uri, r)) for r in best]
        return lenses + _optimize_lenses(ls, doc, {r.target.start_line for r in best}) if doc is not None else lenses

    @server.feature(types.CODE_LENS_RESOLVE)
    async def code_lens_resolve(ls, lens: types.CodeLens):
        data = lens.data if isinstance(lens.data, dict) else {}
        lens.command = convert.lens_command(await _lookup(ls, data), str(data.get("uri", "")))
        return lens
