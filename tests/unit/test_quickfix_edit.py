"""The quick fix's WorkspaceEdit (``lsp.convert.code_action``) holds the header declarations a rewrite changed,
and a rewrite whose header changed since it was verified is recognised (``Candidate.stale_header``)."""

from __future__ import annotations

from speedlens.lsp import convert
from speedlens.models import Candidate, Result, Status, Target, Verdict

SOURCE = "#include \"lib.h\"\nint sum(std::vector<int> v) {\n    return 0;\n}\n"
HEADER = "#pragma once\nint sum(std::vector<int> v);\n"
NEW_HEADER = "#pragma once\nint sum(const std::vector<int>& v);\n"


def rewrite() -> Result:
    target = Target("sum", "function", "cpp", 1, 3, "int sum(std::vector<int> v) {\n    return 0;\n}\n")
    edit = {"path": "/p/lib.h", "original": HEADER, "text": NEW_HEADER}
    candidate = Candidate(target, "int sum(const std::vector<int>& v) {\n    return 0;\n}\n", "rules:const-ref",
                          meta={"header_edits": [edit]})
    return Result(candidate, Verdict(Status.VERIFIED, speedup=2.0, speedup_lower=1.5, alpha=0.1), "h")


def test_the_quick_fix_edits_the_function_and_each_declaring_header():
    headers = [("file:///p/lib.h", None, HEADER, NEW_HEADER)]
    action = convert.code_action(rewrite(), "file:///p/lib.cpp", 3, SOURCE, True, headers=headers)
    changes = action.edit.document_changes
    assert [(c.text_document.uri, c.text_document.version) for c in changes] == [
        ("file:///p/lib.cpp", 3), ("file:///p/lib.h", None)]
    header_edit = changes[1].edits[0]
    assert header_edit.new_text == NEW_HEADER
    assert (header_edit.range.end.line, header_edit.range.end.character) == (2, 0)  # the whole of HEADER
    plain = convert.code_action(rewrite(), "file:///p/lib.cpp", 3, SOURCE, True, document_changes=False,
                                headers=headers)
    assert set(plain.edit.changes) == {"file:///p/lib.cpp", "file:///p/lib.h"}


def test_a_header_changed_since_verification_makes_the_rewrite_stale():
    candidate = rewrite().candidate
    assert candidate.stale_header(lambda path: HEADER) is None
    assert candidate.stale_header(lambda path: HEADER + "int other();\n") == "/p/lib.h"
    assert candidate.stale_header(lambda path: None) == "/p/lib.h"  # unreadable: refused too


def test_whole_text_edit_ends_where_the_text_does():
    edit = convert.whole_text_edit("ab\ncd", "x")
    assert (edit.range.end.line, edit.range.end.character) == (1, 2)
