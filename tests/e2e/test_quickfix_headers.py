"""The quick fix of a rewrite that changes a function's parameters carries the header declaration's edit in the
same WorkspaceEdit (issue 12, 3c): applying it leaves a project that compiles. Real server (pytest-lsp) on a copy
of samples/cmake; ``count_with_prefix`` takes its vector by value and the const-ref rule rewrites it."""

from __future__ import annotations

import shutil

import pytest
from lsprotocol import types

from tests.e2e.conftest import apply_text_edits, execute, open_doc
from tests.e2e.test_function_level import HEADER, SOURCE, sample_copy

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900),
              pytest.mark.skipif(shutil.which("cmake") is None, reason="needs cmake")]


async def test_quick_fix_edits_the_function_and_its_header_declaration(lsp):
    root = sample_copy(lsp.workspace_dir, record=False)  # about the edit: no recording build needed
    uri = open_doc(lsp, root / SOURCE)
    summary = await execute(lsp, "speedlens.optimizeTarget", uri, 4, timeout=900)
    assert summary["state"] == "done" and summary["verified"] >= 1, summary

    actions = await lsp.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line=4, character=0), end=types.Position(line=4, character=0)),
        context=types.CodeActionContext(diagnostics=[])))
    fixes = [a for a in actions or [] if isinstance(a, types.CodeAction) and a.edit and a.edit.document_changes]
    changed = [f for f in fixes if len(f.edit.document_changes) > 1]
    assert changed, [f.title for f in fixes]
    by_uri = {c.text_document.uri: c for c in changed[0].edit.document_changes}
    header_uri = (root / HEADER).as_uri()
    assert set(by_uri) == {uri, header_uri}
    header = apply_text_edits((root / HEADER).read_text(), by_uri[header_uri].edits)
    source = apply_text_edits((root / SOURCE).read_text(), by_uri[uri].edits)
    assert "const std::vector<std::string>& words" in header
    assert "const std::vector<std::string>& words" in source
    assert by_uri[uri].text_document.version == 1 and by_uri[header_uri].text_document.version is None
