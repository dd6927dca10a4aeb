"""Code actions: apply a verified rewrite (quickfix, a versioned WorkspaceEdit), only while its hash matches; preview
it (a diff, in clients that offer one); create NAME.tests/ for the "no test inputs" warning."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from speedlens.lsp import convert
from speedlens.lsp.documents import get_doc
from speedlens.testcases import NO_TESTS_CODE

MAX_PER_TARGET = 3
AUTOMATIC_WAIT_S = 0.03  # lightbulb requests on cursor moves must not wait for a slow lookup


def register(server) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix], resolve_provider=False),
    )
    async def code_actions(ls, params: types.CodeActionParams):
        only = params.context.only
        if only and not any(types.CodeActionKind.QuickFix.value.startswith(k) for k in only):
            return []
        doc = get_doc(ls, params.text_document.uri)
        if doc is None:
            return []
        automatic = params.context.trigger_kind == types.CodeActionTriggerKind.Automatic
        results = convert.verified(await ls.results_view.get(doc, AUTOMATIC_WAIT_S if automatic else None))
        per_target: dict[tuple, int] = {}
        chosen = []
        for r in results:
            key = (r.target.name, r.target.start_line)
            if convert.ranges_overlap(r.target.start_line, r.target.end_line, params.range) and \
                    per_target.get(key, 0) < MAX_PER_TARGET:
                per_target[key] = per_target.get(key, 0) + 1
                chosen.append(r)
        caps = ls.client_capabilities
        changes = bool(caps and caps.workspace and caps.workspace.workspace_edit
                       and caps.workspace.workspace_edit.document_changes)
        actions = []
        preview = _preview_command(ls)
        for i, r in enumerate(chosen):
            headers = _header_changes(ls, r)
            if headers is None:
                continue  # a header it edits changed since: applying it would break the build
            actions.append(convert.code_action(r, doc.uri, doc.version, doc.text, preferred=(i == 0),
                                               document_changes=changes, units=doc.units, headers=headers))
            if preview:
                actions.append(convert.preview_action(r, doc.uri, doc.text, preview))
        actions.extend(convert.create_tests_action(d, doc.uri) for d in params.context.diagnostics
                       if d.source == convert.SOURCE and d.code == NO_TESTS_CODE)
        return actions


def _header_changes(ls, result) -> list[convert.HeaderChange] | None:
    """The headers the rewrite's declaration edits change, as their open buffers (or files) are now; None when one
    is no longer the text the edit was made on."""
    docs = {e["path"]: get_doc(ls, Path(e["path"]).as_uri()) for e in result.candidate.meta.get("header_edits", ())}

    def current(path: str) -> str | None:
        found = docs.get(path)
        return found.text if found is not None else None

    if result.candidate.stale_header(current):
        return None
    return [(doc.uri, doc.version if doc.opened else None, doc.text, e["text"])
            for e in result.candidate.meta.get("header_edits", ()) if (doc := docs[e["path"]]) is not None]


def _preview_command(ls) -> str | None:
    """The client's command that shows a diff, when it announced one (VS Code: ``speedlens.client.preview``, in
    ``experimental.speedlens.previewCommand`` of its capabilities); other editors get no Preview action."""
    caps = ls.client_capabilities
    experimental = caps.experimental if caps else None
    options = experimental.get("speedlens") if isinstance(experimental, dict) else None
    command = options.get("previewCommand") if isinstance(options, dict) else None
    return command if isinstance(command, str) and command else None
