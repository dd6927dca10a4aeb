"""Pull diagnostics (LSP 3.17 ``textDocument/diagnostic``) with a client that asks for them, end to end.

A client that can pull gets nothing pushed (it would show every diagnostic twice); each pull waits for the
analysis of the current text and answers "unchanged" when nothing the client shows has moved.
"""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types

from tests.e2e.conftest import change_doc, execute, open_doc, wait_for

pytestmark = [pytest.mark.timeout(120)]

PROGRAM = """\
#include <bits/stdc++.h>
using namespace std;
// a comment line to type in
long long total(const vector<long long>& v) {
    long long s = 0;
    for (size_t k = 0; k < v.size(); k++) s += v[k];
    return s;
}
int main() {
    int n; cin >> n;
    vector<long long> v(n);
    for (auto& x : v) cin >> x;
    cout << total(v) << endl;
}
"""


async def pull(client, uri: str, previous: str | None = None):
    return await asyncio.wait_for(client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        text_document=types.TextDocumentIdentifier(uri=uri), identifier="speedlens", previous_result_id=previous)),
        timeout=30)


def codes_by_line(report) -> list[tuple[int, str]]:
    return sorted((d.range.start.line, str(d.code)) for d in report.items)


def at(line: int, character: int) -> types.Range:
    return types.Range(start=types.Position(line=line, character=character),
                       end=types.Position(line=line, character=character))


async def test_pulls_answer_full_then_unchanged_and_nothing_is_pushed(puller):
    assert puller.init_result.capabilities.diagnostic_provider.identifier == "speedlens"
    path = puller.workspace_dir / "prog.cpp"
    path.write_text(PROGRAM)
    uri = open_doc(puller, path)
    first = await pull(puller, uri)
    assert first.kind == "full" and first.result_id
    found = codes_by_line(first)
    assert (5, "hoist-loop-bound") in found and any(code == "sync-stdio" for _, code in found), found

    # Typing at the end of the comment moves no finding: only the result id comes back.
    comment = PROGRAM.splitlines()[2]
    change_doc(puller, uri, 2, " more", at(2, len(comment)))
    same = await pull(puller, uri, first.result_id)
    assert same.kind == "unchanged" and same.result_id == first.result_id

    # A new line above everything moves every finding down: a full report with a new id.
    change_doc(puller, uri, 3, "\n", at(0, 0))
    moved = await pull(puller, uri, same.result_id)
    assert moved.kind == "full" and moved.result_id != first.result_id
    assert codes_by_line(moved) == [(line + 1, code) for line, code in found]

    # A client that lost its state (no previous id) always gets the full report.
    again = await pull(puller, uri)
    assert again.kind == "full" and codes_by_line(again) == codes_by_line(moved)
    await asyncio.sleep(0.3)
    assert uri not in puller.diagnostics  # nothing was pushed


async def test_a_pull_waits_for_the_newest_edit(puller):
    path = puller.workspace_dir / "prog.cpp"
    path.write_text(PROGRAM)
    uri = open_doc(puller, path)
    first = await pull(puller, uri)
    # Ten quick edits, the last of which removes the loop; the pull sent right after answers for the last one.
    lines = PROGRAM.splitlines()
    for version in range(2, 11):
        change_doc(puller, uri, version, " ", at(2, len(lines[2])))
        lines[2] += " "
    loop_line = lines[5]
    change_doc(puller, uri, 11, "", types.Range(start=types.Position(line=5, character=0),
                                                 end=types.Position(line=5, character=len(loop_line))))
    latest = await pull(puller, uri, first.result_id)
    assert latest.kind == "full"
    assert not any(code == "hoist-loop-bound" for _, code in codes_by_line(latest))


async def test_unopened_file_pulls_empty_and_problems_trigger_a_refresh(puller):
    ghost = puller.workspace_dir / "never_opened.cpp"
    empty = await pull(puller, ghost.as_uri())
    assert empty.kind == "full" and not empty.items

    path = puller.workspace_dir / "lonely.cpp"
    path.write_text("#include <iostream>\nint main() { int n; std::cin >> n; std::cout << n; }\n")
    uri = open_doc(puller, path)
    before = await pull(puller, uri)
    assert not [d for d in before.items if d.severity == types.DiagnosticSeverity.Warning]
    summary = await execute(puller, "speedlens.optimizeFile", uri)
    assert summary["problems"], summary
    await wait_for(lambda: puller.diagnostic_refresh_count, what="workspace/diagnostic/refresh")
    after = await pull(puller, uri, before.result_id)
    warnings = [d for d in after.items if d.severity == types.DiagnosticSeverity.Warning]
    assert after.kind == "full" and len(warnings) == 1 and "no test inputs" in warnings[0].message
