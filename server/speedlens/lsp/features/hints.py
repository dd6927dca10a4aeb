"""Inlay hints and code lenses for verified results: a cheap list, details filled in on resolve."""

from __future__ import annotations

import logging

from lsprotocol import types

from speedlens.engine import best_per_target
from speedlens.errors import SpeedlensError
from speedlens.lsp import convert
from speedlens.lsp.documents import get_doc
from speedlens.models import Result

log = logging.getLogger("speedlens.lsp")

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
    return doc, best_per_target(await ls.results_view.get(doc, wait))


async def _lookup(ls, data) -> Result | None:
    if not isinstance(data, dict) or not isinstance(data.get("uri"), str):
        return None
    _, best = await _best(ls, data["uri"])
    return next((r for r in best if r.content_hash == data.get("hash")
                 and r.candidate.proposer == data.get("proposer")), None)


async def _targets(ls, doc) -> list:
    """The document's targets, programs first (a program's lens on ``main`` wins over the function's)."""
    if not doc.analysable:
        return []
    try:
        engine = ls.settings_manager.engine_for(doc.path)
        if engine.language_of(doc.path, doc.text) is None:
            return []
        targets = await ls.in_thread(engine.targets, doc.path, doc.text)
    except (SpeedlensError, OSError) as exc:  # a malformed speedlens.toml is reported by diagnostics
        log.debug("no targets for %s: %s", doc.uri, exc)
        return []
    except Exception:  # a worker-thread boundary: no "Optimize" lenses, and the failure goes to the log
        log.exception("finding the targets of %s failed", doc.uri)
        return []
    return sorted(targets, key=lambda t: (t.kind != "program", t.anchor_line))


def _data(uri: str, result) -> dict:
    return {"uri": uri, "hash": result.content_hash, "proposer": result.candidate.proposer}


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT, types.InlayHintOptions(resolve_provider=True))
    async def inlay_hints(ls, params: types.InlayHintParams):
        doc, best = await _best(ls, params.text_document.uri, "inlay_hint")
        rng = params.range
        return [convert.inlay_hint(r, doc.lines, _data(doc.uri, r), doc.units) for r in best
                if rng.start.line <= r.target.anchor_line <= rng.end.line]

    @server.feature(types.INLAY_HINT_RESOLVE)
    async def inlay_hint_resolve(ls, hint: types.InlayHint):
        result = await _lookup(ls, hint.data)
        if result is not None:
            hint.tooltip = types.MarkupContent(kind=types.MarkupKind.Markdown, value=convert.result_tooltip(result))
        return hint

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=True))
    async def code_lenses(ls, params: types.CodeLensParams):
        doc, best = await _best(ls, params.text_document.uri, "code_lens")
        if doc is None:
            return []
        lenses = [convert.code_lens(r, _data(doc.uri, r)) for r in best]
        taken = {r.target.anchor_line for r in best}
        for target in await _targets(ls, doc):
            if target.anchor_line not in taken:
                taken.add(target.anchor_line)
                lenses.append(convert.optimize_lens(target, doc.uri))
        return lenses

    @server.feature(types.CODE_LENS_RESOLVE)
    async def code_lens_resolve(ls, lens: types.CodeLens):
        if lens.command is not None:  # an "Optimize" lens comes complete
            return lens
        data = lens.data if isinstance(lens.data, dict) else {}
        lens.command = convert.lens_command(await _lookup(ls, data), str(data.get("uri", "")))
        return lens
