"""initialize / initialized / didChangeConfiguration / shutdown: settings and cleanup."""

from __future__ import annotations

from lsprotocol import types

from speedlens.lsp.documents import uri_to_path


def register(server) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls, params: types.InitializeParams):
        ls.settings_manager.set_initialization_options(params.initialization_options)

    @server.feature(types.INITIALIZED)
    async def initialized(ls, params: types.InitializedParams):
        await ls.settings_manager.pull(ls)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls, params: types.DidChangeConfigurationParams):
        if params.settings:
            ls.settings_manager.set_client_settings(params.settings)
        await ls.settings_manager.pull(ls)
        ls.results_view.invalidate()
        for uri in list(ls.workspace.text_documents):
            ls.diagnostics.recompute(uri)
        ls.refresh_views()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls, params: types.DidChangeWatchedFilesParams):
        if any((p := uri_to_path(c.uri)) and ls.settings_manager.is_config_file(p) for c in params.changes):
            ls.settings_manager.invalidate()
            ls.results_view.invalidate()
            ls.refresh_views()

    @server.feature(types.WINDOW_WORK_DONE_PROGRESS_CANCEL)
    def work_done_progress_cancel(ls, params: types.WorkDoneProgressCancelParams):
        ls.jobs.cancel_token(params.token)

    @server.feature(types.SHUTDOWN)
    async def shutdown(ls, params):
        await ls.jobs.cancel_all()
