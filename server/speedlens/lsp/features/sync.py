"""Document sync: open/change/save/close keep diagnostics fresh (pushed, or pulled with textDocument/diagnostic);
an edit cancels the document's running job."""

from __future__ import annotations

from lsprotocol import types

from speedlens.lsp.documents import uri_to_path


def register(server) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls, params: types.DidOpenTextDocumentParams):
        ls.diagnostics.schedule(params.text_document.uri, 0)
        ls.jobs.announce_later(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls, params: types.DidChangeTextDocumentParams):
        uri = params.text_document.uri
        ls.jobs.cancel_nowait(uri)
        ls.diagnostics.schedule(uri)
        ls.jobs.announce_later(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls, params: types.DidSaveTextDocumentParams):
        path = uri_to_path(params.text_document.uri)
        if path is not None and ls.settings_manager.is_config_file(path):
            ls.settings_manager.invalidate()
            ls.results_view.invalidate()
            for uri in list(ls.workspace.text_documents):
                ls.diagnostics.recompute(uri)
            ls.refresh_views()

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(identifier="speedlens", inter_file_dependencies=False, workspace_diagnostics=False),
    )
    async def diagnostic(ls, params: types.DocumentDiagnosticParams):
        uri = params.text_document.uri
        result_id, items = await ls.diagnostics.report(uri, params.previous_result_id)
        if items is None:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return ls.encoded_full_report(result_id, ls.diagnostics.encoded(uri, items))

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls, params: types.DidCloseTextDocumentParams):
        uri = params.text_document.uri
        ls.jobs.cancel_nowait(uri)
        ls.diagnostics.close(uri)
        ls.results_view.forget(uri)
