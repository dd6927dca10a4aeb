"""Syntax errors in the editor are the compiler's, where a compile_commands.json entry exists: a header of macros
that compiles gets no Warning (tree-sitter alone sees errors in it), a real error is a Warning with the compiler's
message, and typing does not start a compiler per keystroke. Real server (pytest-lsp), real g++."""

from __future__ import annotations

import asyncio
import json
import sys

import pytest
from lsprotocol import types

from speedlens.lsp.diagnostics import CONFIRM_AFTER_S
from tests.conftest import needs
from tests.e2e.conftest import change_doc, open_doc, wait_for
from tests.unit.test_syntax_check import MACRO_HEADER

pytestmark = [pytest.mark.timeout(120), needs("g++")]


def syntax_warnings(diagnostics: list[types.Diagnostic]) -> list[types.Diagnostic]:
    return [d for d in diagnostics if d.code == "syntax" and d.severity == types.DiagnosticSeverity.Warning]


async def test_macro_header_gets_no_warning_and_a_real_error_gets_the_compilers(lsp):
    ws = lsp.workspace_dir
    (ws / "macros.h").write_text(MACRO_HEADER)
    (ws / "lib.cpp").write_text('#include "macros.h"\nint lib::parse(const char *s) { return *s; }\n')
    (ws / "compile_commands.json").write_text(json.dumps([{
        "directory": str(ws), "file": "lib.cpp",
        "arguments": ["g++", "-std=c++17", "-DLIB_API=[[nodiscard]]", "-c", "lib.cpp"]}]))
    uri = open_doc(lsp, ws / "macros.h")

    # Typing a real error (one keystroke at a time, no pause): the compiler is asked once typing pauses, and its
    # message is what the Warning says.
    broken = MACRO_HEADER.replace("struct Record {", "struct Record {{")
    for version, end in enumerate(range(len(broken) - 8, len(broken) + 1), start=2):
        change_doc(lsp, uri, version, broken[:end])
    last = version

    def confirmed():
        return lsp.diagnostic_versions.get(uri) == last and syntax_warnings(lsp.diagnostics.get(uri, []))

    warnings = await wait_for(confirmed, timeout=60, what="the compiler's syntax error")
    assert any("expected" in w.message for w in warnings), [w.message for w in warnings]
    assert "syntax error near" not in " ".join(w.message for w in warnings)  # the compiler's words, not a guess

    # Back to the header that compiles: the warning goes, and after the pause that has the compiler confirm it,
    # no syntax diagnostic at all (tree-sitter's three guesses are refuted, not shown).
    change_doc(lsp, uri, last + 1, MACRO_HEADER)
    await wait_for(lambda: lsp.diagnostic_versions.get(uri) == last + 1 and not syntax_warnings(
        lsp.diagnostics.get(uri, [])), timeout=60, what="the warning to go")
    await asyncio.sleep(CONFIRM_AFTER_S + 3)
    assert not [d for d in lsp.diagnostics.get(uri, []) if d.code == "syntax"]
    shown = [(v, d) for u, v, ds in lsp.diagnostic_log if u == uri for d in syntax_warnings(ds)]
    assert all(v == last for v, _ in shown), shown  # only the broken text was ever warned about
    print(f"compiler confirmations shown: {len(shown)}", file=sys.stderr)
