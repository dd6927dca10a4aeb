"""Hostile or careless clients: each case gets a correct answer or a clean error, never a crash or a leak."""

from __future__ import annotations

import asyncio
import os
import random
import time

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tests.e2e.conftest import change_doc, execute, open_doc, wait_for, wait_until_sandbox_busy, write_sample

pytestmark = [pytest.mark.timeout(180)]

SMALL = "#include <iostream>\nint main() {\n    int n; std::cin >> n;\n    std::cout << n << std::endl;\n}\n"


def hint_params(uri: str, last_line: int = 10) -> types.InlayHintParams:
    return types.InlayHintParams(text_document=types.TextDocumentIdentifier(uri=uri), range=types.Range(
        start=types.Position(line=0, character=0), end=types.Position(line=last_line, character=0)))


def action_params(uri: str, line: int = 0) -> types.CodeActionParams:
    pos = types.Position(line=line, character=0)
    return types.CodeActionParams(text_document=types.TextDocumentIdentifier(uri=uri),
                                  range=types.Range(start=pos, end=pos),
                                  context=types.CodeActionContext(diagnostics=[]))


async def timed(awaitable) -> tuple[float, object]:
    start = time.perf_counter()
    result = await awaitable
    return time.perf_counter() - start, result


async def alive(lsp) -> None:
    """The server still answers promptly."""
    elapsed, _ = await timed(asyncio.wait_for(lsp.text_document_inlay_hint_async(
        hint_params((lsp.workspace_dir / "nothing.cpp").as_uri())), timeout=10))
    assert elapsed < 5
    assert lsp.error is None


async def test_requests_for_unopened_file_answer_from_disk(lsp):
    path = lsp.workspace_dir / "unopened.cpp"
    path.write_text(SMALL)
    uri = path.as_uri()
    assert not await lsp.text_document_inlay_hint_async(hint_params(uri))
    assert not await lsp.text_document_code_action_async(action_params(uri, 2))
    lenses = await lsp.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert all(lens.command is not None and lens.command.title == "⚡ Optimize" for lens in lenses)  # no results
    report = await execute(lsp, "speedlens.showReport", uri)
    assert "speedlens report" in report
    # Optimizing an unopened file reads it from disk (here: it has no tests, which the summary says).
    summary = await execute(lsp, "speedlens.optimizeFile", uri)
    assert summary["state"] == "done" and summary["verified"] == 0
    assert any("no test inputs" in p for p in summary["problems"])


async def test_requests_for_deleted_file(lsp):
    path = lsp.workspace_dir / "gone.cpp"
    path.write_text(SMALL)
    uri = open_doc(lsp, path)
    await wait_for(lambda: uri in lsp.diagnostics, what="diagnostics")
    lsp.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    path.unlink()
    assert not await lsp.text_document_inlay_hint_async(hint_params(uri))
    assert not await lsp.text_document_code_action_async(action_params(uri))
    summary = await execute(lsp, "speedlens.optimizeFile", uri)
    assert summary["state"] == "error" and "cannot read" in summary["message"]
    never = (lsp.workspace_dir / "never" / "was.cpp").as_uri()
    assert (await execute(lsp, "speedlens.optimizeTarget", never, 3))["state"] == "error"
    assert "speedlens report" in await execute(lsp, "speedlens.showReport", never)
    assert (await execute(lsp, "speedlens.cancel", never)) == {"cancelled": []}
    await alive(lsp)


async def test_out_of_range_positions(lsp):
    path = lsp.workspace_dir / "small.cpp"
    path.write_text(SMALL)
    uri = open_doc(lsp, path)
    far = types.Position(line=10**6, character=10**6)
    assert not await lsp.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=types.Range(start=far, end=far)))
    assert not await lsp.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=types.Range(start=far, end=far),
        context=types.CodeActionContext(diagnostics=[])))
    summary = await execute(lsp, "speedlens.optimizeTarget", uri, 10**6)
    assert summary["state"] == "error" and "outside the document" in summary["message"]
    for bad in ([uri, -1], [uri, "x"], [uri], [42]):
        with pytest.raises(JsonRpcException):
            await execute(lsp, "speedlens.optimizeTarget", *bad)
    await alive(lsp)


async def test_huge_file_does_not_stall(lsp):
    line = "int f%d(int x) { return x * %d + 1; }  // some padding to make lines longer ..........\n"
    text = "".join(line % (i, i) for i in range(110_000))  # ~10 MB
    assert len(text) > 10_000_000
    path = lsp.workspace_dir / "huge.cpp"
    path.write_text(text)
    small = lsp.workspace_dir / "small.cpp"
    small.write_text(SMALL)

    uri = open_doc(lsp, path, text)
    diagnostics = await wait_for(lambda: lsp.diagnostics.get(uri), timeout=30, what="huge-file diagnostic")
    assert len(diagnostics) == 1 and diagnostics[0].severity == types.DiagnosticSeverity.Information
    assert "too large" in diagnostics[0].message

    # Typing in the huge file while another file is being edited: the small file's answers stay prompt.
    small_uri = open_doc(lsp, small)
    await wait_for(lambda: small_uri in lsp.diagnostics, what="small-file diagnostics")
    for version in range(2, 12):
        pos = types.Position(line=50_000 + version, character=0)
        change_doc(lsp, uri, version, "// typed\n", types.Range(start=pos, end=pos))
    elapsed, _ = await timed(lsp.text_document_inlay_hint_async(hint_params(small_uri)))
    assert elapsed < 5, f"a request took {elapsed:.2f}s behind edits of a 10 MB file"
    assert (await execute(lsp, "speedlens.optimizeFile", uri))["state"] == "error"
    await alive(lsp)


async def test_binary_garbage(lsp):
    rng = random.Random(7)
    garbage = bytes(rng.randrange(256) for _ in range(200_000))
    path = lsp.workspace_dir / "garbage.cpp"
    path.write_bytes(garbage)
    uri = open_doc(lsp, path, garbage.decode("latin-1"))
    diagnostics = await wait_for(lambda: lsp.diagnostics.get(uri), what="garbage diagnostics")
    assert any("binary" in d.message for d in diagnostics)
    # Garbage without NUL bytes goes through the parser, which must cope.
    printable = "".join(chr(rng.randrange(1, 0x2FFF)) for _ in range(50_000))
    other = lsp.workspace_dir / "printable.cpp"
    other_uri = open_doc(lsp, other, printable)
    await wait_for(lambda: other_uri in lsp.diagnostics, what="printable-garbage diagnostics")
    assert not await lsp.text_document_inlay_hint_async(hint_params(other_uri))
    assert not await lsp.text_document_code_action_async(action_params(other_uri))
    summary = await execute(lsp, "speedlens.optimizeFile", uri)
    assert summary["state"] == "error"
    await alive(lsp)


async def test_two_hundred_open_documents(lsp):
    uris = []
    for i in range(200):
        path = lsp.workspace_dir / f"doc{i:03d}.cpp"
        path.write_text(SMALL.replace("int n", f"int n{i} = {i}, n"))
        uris.append(open_doc(lsp, path))
    await wait_for(lambda: all(u in lsp.diagnostics for u in uris), timeout=90, what="diagnostics for 200 documents")
    await alive(lsp)
    for uri in uris:
        lsp.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    await wait_for(lambda: all(not lsp.diagnostics.get(u) for u in uris), timeout=30, what="diagnostics cleared")


async def test_fifty_edits_per_second(lsp):
    path = lsp.workspace_dir / "typing.cpp"
    base = SMALL * 100
    path.write_text(base)
    uri = open_doc(lsp, path)
    await wait_for(lambda: uri in lsp.diagnostics, what="first diagnostics")
    text = base
    start = time.perf_counter()
    worst = 0.0
    for version in range(2, 102):  # 100 edits at 50 per second
        pos = types.Position(line=1, character=12)
        change_doc(lsp, uri, version, "x", types.Range(start=pos, end=pos))
        cut = text.index("\n") + 1 + 12
        text = text[:cut] + "x" + text[cut:]
        if version % 10 == 0:
            elapsed, _ = await timed(lsp.text_document_inlay_hint_async(hint_params(uri)))
            worst = max(worst, elapsed)
        await asyncio.sleep(max(0.0, start + (version - 1) * 0.02 - time.perf_counter()))
    assert worst < 2.0, f"a request waited {worst:.2f}s while typing"
    # Diagnostics for the last version arrive (coalesced: far fewer analyses than edits).
    await wait_for(lambda: lsp.diagnostic_versions.get(uri) == 101, timeout=10, what="diagnostics of version 101")
    assert lsp.error is None
    await alive(lsp)


async def test_shutdown_during_optimize_leaves_no_processes(lsp):
    path = write_sample(lsp.workspace_dir, numbers=300_000)
    uri = open_doc(lsp, path)
    run = asyncio.ensure_future(execute(lsp, "speedlens.optimizeFile", uri))
    seen = set(await wait_until_sandbox_busy(lsp))
    await asyncio.wait_for(lsp.shutdown_session(), timeout=30)
    run.cancel()
    await asyncio.sleep(0.2)
    still = _outlived(seen)
    assert not still, f"processes outlived the server: {still}"
    lsp.capabilities = None  # already shut down: the fixture must not do it again


def _outlived(pids: set[int]) -> list[int]:
    """Those of ``pids`` still running (present in /proc and not zombies)."""
    return [p for p in pids if os.path.exists(f"/proc/{p}") and _state(p) != "Z"]


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
        return stat[stat.rfind(")") + 2]
    except OSError:
        return "Z"


async def test_bad_settings_shown_once(lsp):
    lsp.set_configuration({"speedlens": {"alpha": 7}})
    lsp.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    path = lsp.workspace_dir / "cfg.cpp"
    path.write_text(SMALL)
    uri = open_doc(lsp, path)
    await wait_for(lambda: any("alpha" in m.message for m in lsp.messages), what="a showMessage about alpha")
    # The first publish may predate the settings; the warning must follow.
    await wait_for(lambda: any(d.severity == types.DiagnosticSeverity.Warning and "alpha" in d.message
                               for d in lsp.diagnostics.get(uri, [])), what="a Warning diagnostic about alpha")
    change_doc(lsp, uri, 2, SMALL + "\n")
    await asyncio.sleep(0.3)
    assert sum("alpha" in m.message for m in lsp.messages) == 1
    # Fixing the setting clears the warning.
    lsp.set_configuration({"speedlens": {"alpha": 0.2}})
    lsp.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await wait_for(lambda: not any(d.severity == types.DiagnosticSeverity.Warning
                                   for d in lsp.diagnostics.get(uri, [])), what="warning cleared")
    await alive(lsp)
