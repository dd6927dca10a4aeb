"""The language server end to end, driven by pytest-lsp over stdio: the user's flow and its failure modes."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig
from speedlens import __version__
from speedlens.models import Target

from tests.e2e.conftest import (
    SERVER_COMMAND,
    apply_text_edits,
    capabilities,
    change_doc,
    descendants,
    execute,
    make_client,
    open_doc,
    server_env,
    server_pid,
    wait_for,
    wait_until_sandbox_busy,
    whole_range,
    write_sample,
)

pytestmark = [pytest.mark.timeout(180)]


async def test_initialize_advertises_features(lsp):
    result: types.InitializeResult = lsp.init_result
    assert result.server_info.name == "speedlens" and result.server_info.version == __version__
    caps = result.capabilities
    assert set(caps.execute_command_provider.commands) >= {
        "speedlens.optimizeFile", "speedlens.optimizeTarget", "speedlens.cancel", "speedlens.showReport"}
    assert caps.inlay_hint_provider.resolve_provider
    assert caps.code_lens_provider.resolve_provider
    assert types.CodeActionKind.QuickFix in caps.code_action_provider.code_action_kinds
    assert caps.text_document_sync.change == types.TextDocumentSyncKind.Incremental


async def test_optimize_hint_and_code_action(lsp, tmp_path):
    path = write_sample(lsp.workspace_dir)
    text = path.read_text()
    uri = open_doc(lsp, path)

    # Static findings arrive at once, as hints/information with the rule's explanation.
    diagnostics = await wait_for(lambda: lsp.diagnostics.get(uri), what="diagnostics")
    assert any(d.source == "speedlens" for d in diagnostics)
    assert all(d.severity in (types.DiagnosticSeverity.Hint, types.DiagnosticSeverity.Information)
               for d in diagnostics)

    summary = await execute(lsp, "speedlens.optimizeFile", uri)
    assert summary["state"] == "done", summary
    assert summary["verified"] >= 1, summary

    # Work-done progress: begin, reports naming target/candidate/input, end.
    reports = [v for values in lsp.progress_reports.values() for v in values]
    assert any(isinstance(v, types.WorkDoneProgressBegin) for v in reports)
    assert any(isinstance(v, types.WorkDoneProgressReport) and "target 1/1" in (v.message or "") for v in reports)
    assert any(isinstance(v, types.WorkDoneProgressEnd) for v in reports)
    assert "inlayHint" in lsp.refreshes
    assert any(s.get("state") == "done" and s.get("bestSpeedup", 0) > 1 for s in lsp.status_updates)

    hints = await lsp.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=whole_range(text)))
    assert hints, "no inlay hint after a verified optimization"
    label = hints[0].label
    assert isinstance(label, str) and label.startswith("⚡ ") and "faster" in label and "5/5 inputs" in label
    resolved = await lsp.inlay_hint_resolve_async(hints[0])
    assert resolved.tooltip is not None

    lenses = await lsp.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert lenses and lenses[0].command is None  # cheap list ...
    lens = await lsp.code_lens_resolve_async(lenses[0])
    assert lens.command is not None and lens.command.title == label  # ... detail on resolve

    actions = await lsp.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line=6, character=0), end=types.Position(line=6, character=0)),
        context=types.CodeActionContext(diagnostics=[])))
    assert actions, "no code action offered"
    best = actions[0]
    assert isinstance(best, types.CodeAction)
    assert best.kind == types.CodeActionKind.QuickFix and best.is_preferred
    assert best.title.startswith("Apply verified ") and "speedup" in best.title
    doc_edit = best.edit.document_changes[0]
    assert doc_edit.text_document.version == 1
    new_text = apply_text_edits(text, list(doc_edit.edits))
    assert "sync_with_stdio(false)" in new_text

    # The buffer now equals the best verified candidate (the engine's own replacement of the target's lines).
    best_result = next(r for r in summary["results"] if r["status"] == "verified")
    target = Target(best_result["target"], "program", "cpp", best_result["startLine"], best_result["endLine"], "")
    assert new_text == target.replace_in(text, best_result["code"])
    report = await execute(lsp, "speedlens.showReport", uri)
    assert isinstance(report, str) and "verified" in report and "```" in report

    change_doc(lsp, uri, 2, new_text)
    # After the edit the old result is stale: hints and actions for the new text come only from results whose
    # hash matches, and the rewritten program has none.
    await asyncio.sleep(0.2)
    hints_after = await lsp.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=whole_range(new_text)))
    assert not hints_after


async def test_stale_result_not_offered_after_edit(lsp):
    path = write_sample(lsp.workspace_dir)
    text = path.read_text()
    uri = open_doc(lsp, path)
    summary = await execute(lsp, "speedlens.optimizeFile", uri)
    assert summary["state"] == "done" and summary["verified"] >= 1, summary

    def actions_request(t: str):
        return lsp.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=whole_range(t),
            context=types.CodeActionContext(diagnostics=[])))

    assert await actions_request(text)
    edited = text.replace("// Sum of weighted numbers", "// Sum of weighted integers")
    change_doc(lsp, uri, 2, edited)
    assert not await actions_request(edited)
    # Undo: the original text's hash matches again, so the verified rewrite is back (from the cache).
    change_doc(lsp, uri, 3, text)
    assert await actions_request(text)


async def test_cancel_leaves_no_child_processes(lsp):
    path = write_sample(lsp.workspace_dir, inputs=5, numbers=300_000)
    uri = open_doc(lsp, path)
    pid = server_pid(lsp)
    run = asyncio.ensure_future(execute(lsp, "speedlens.optimizeFile", uri))
    # Wait until the sandbox is busy (the server has child processes), then cancel.
    await wait_until_sandbox_busy(lsp)
    result = await execute(lsp, "speedlens.cancel", uri)
    assert result == {"cancelled": [uri]}
    summary = await asyncio.wait_for(run, timeout=30)
    assert summary["state"] == "cancelled"
    assert descendants(pid) == [], "cancelled optimization left processes behind"
    assert any(s.get("state") == "idle" for s in lsp.status_updates)


async def test_cancel_request_stops_the_job_and_its_processes(lsp):
    """$/cancelRequest on the executeCommand request: answered -32800 AND the job stops, leaving no process."""
    path = write_sample(lsp.workspace_dir, inputs=5, numbers=300_000)
    uri = open_doc(lsp, path)
    pid = server_pid(lsp)
    params = types.ExecuteCommandParams(command="speedlens.optimizeFile", arguments=[uri])
    run = asyncio.ensure_future(
        lsp.protocol.send_request_async(types.WORKSPACE_EXECUTE_COMMAND, params, msg_id="optimize-1"))
    await wait_until_sandbox_busy(lsp)
    lsp.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="optimize-1"))
    with pytest.raises(JsonRpcException) as answer:
        await asyncio.wait_for(run, timeout=30)
    assert answer.value.code == -32800
    await wait_for(lambda: not descendants(pid), timeout=15, what="the job's processes to exit")
    updates = [(s["state"], s["message"]) for s in lsp.status_updates if s.get("uri") == uri]
    assert any("cancelled" in u for u in updates), updates  # stopped by the cancel ...
    assert not any(state == "done" for state, _ in updates), updates  # ... not run to the end


async def test_edit_cancels_running_job(lsp):
    path = write_sample(lsp.workspace_dir, numbers=300_000)
    text = path.read_text()
    uri = open_doc(lsp, path)
    pid = server_pid(lsp)
    run = asyncio.ensure_future(execute(lsp, "speedlens.optimizeFile", uri))
    await wait_until_sandbox_busy(lsp)
    change_doc(lsp, uri, 2, text + "\n")
    summary = await asyncio.wait_for(run, timeout=30)
    assert summary["state"] == "cancelled"
    await wait_for(lambda: not descendants(pid), timeout=10, what="processes to exit")
    # Python logging reaches the client's output panel through window/logMessage.
    await wait_for(lambda: any("cancels its running optimization" in m.message for m in lsp.log_messages),
                   what="the cancellation in window/logMessage")


async def test_work_done_progress_cancel(lsp):
    path = write_sample(lsp.workspace_dir, numbers=300_000)
    uri = open_doc(lsp, path)
    pid = server_pid(lsp)
    run = asyncio.ensure_future(execute(lsp, "speedlens.optimizeFile", uri))
    token = await wait_for(lambda: next(iter(lsp.progress_reports), None), what="a progress token")
    await wait_until_sandbox_busy(lsp)
    lsp.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    summary = await asyncio.wait_for(run, timeout=30)
    assert summary["state"] == "cancelled"
    await wait_for(lambda: not descendants(pid), timeout=10, what="processes to exit")
    assert isinstance(lsp.progress_reports[token][-1], types.WorkDoneProgressEnd)


async def test_blocking_problem_is_one_warning(lsp):
    path = lsp.workspace_dir / "lonely.cpp"
    path.write_text("#include <iostream>\nint main() { int n; std::cin >> n; std::cout << n; }\n")
    uri = open_doc(lsp, path)
    summary = await execute(lsp, "speedlens.optimizeFile", uri)
    assert summary["verified"] == 0 and summary["problems"], summary

    def warnings():
        return [d for d in lsp.diagnostics.get(uri, []) if d.severity == types.DiagnosticSeverity.Warning]

    found = await wait_for(warnings, what="a warning diagnostic")
    assert len(found) == 1 and "no test inputs" in found[0].message and "lonely.tests" in found[0].message


async def test_results_survive_restart(lsp, tmp_path):
    """Verified results persist on disk by content hash: a new server shows the hint without re-running."""
    path = write_sample(lsp.workspace_dir)
    text = path.read_text()
    uri = open_doc(lsp, path)
    summary = await execute(lsp, "speedlens.optimizeFile", uri)
    assert summary["verified"] >= 1, summary

    config = ClientServerConfig(server_command=SERVER_COMMAND, server_env=server_env(tmp_path),
                                client_factory=make_client)
    second = await config.start()
    try:
        await asyncio.wait_for(second.initialize_session(types.InitializeParams(
            capabilities=capabilities(), root_uri=lsp.workspace_dir.as_uri())), timeout=60)
        open_doc(second, path)
        params = types.InlayHintParams(text_document=types.TextDocumentIdentifier(uri=uri), range=whole_range(text))
        seen = len(second.refreshes)
        hints = await asyncio.wait_for(second.text_document_inlay_hint_async(params), timeout=30)
        for _ in range(5):  # a slow lookup answers "nothing yet" and asks the client to refresh: ask again then
            if hints:
                break
            await wait_for(lambda: len(second.refreshes) > seen, timeout=30, what="an inlay hint refresh")
            seen = len(second.refreshes)
            hints = await asyncio.wait_for(second.text_document_inlay_hint_async(params), timeout=30)
        assert hints and hints[0].label.startswith("⚡ ")
        assert not second.progress_reports, "the restarted server re-ran verification"
        await asyncio.wait_for(second.shutdown_session(), timeout=30)
    finally:
        if second._server is not None and second._server.returncode is None:
            second._server.kill()  # a failed assertion must not leave the second server running
        await second.stop()
