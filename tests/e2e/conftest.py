"""End-to-end fixtures: the real server as a subprocess driven by pytest-lsp, and a small slow C++ program.

The program reads ~1.5e5 numbers with ``cin`` and never calls ``sync_with_stdio(false)``: the offline rules
find (and the sandbox verifies) a ~3-4× speedup in seconds, so each test stays well under a minute.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

import pytest_asyncio
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from speedlens.models import source_lines

SERVER_COMMAND = [sys.executable, "-m", "speedlens", "serve"]

SLOW_CIN = """\
#include <iostream>
using namespace std;

// Sum of weighted numbers read from stdin.
int main() {
    int n;
    cin >> n;
    long long s = 0;
    for (int i = 0; i < n; i++) {
        long long x;
        cin >> x;
        s += x * (i % 7 + 1);
    }
    cout << s << "\\n";
    return 0;
}
"""

# Keep verification short on shared machines: no sanitizer build, few repetitions.
FAST_TOML = """\
sanitize = false
[timing]
min_repetitions = 3
max_repetitions = 5
budget_s = 5
"""


def write_sample(directory: Path, name: str = "sumprog", inputs: int = 5, numbers: int = 150_000) -> Path:
    """NAME.cpp (the slow-cin program) with NAME.tests/*.in and a speedlens.toml for quick timing."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.cpp"
    path.write_text(SLOW_CIN)
    tests = directory / f"{name}.tests"
    tests.mkdir(exist_ok=True)
    for k in range(inputs):
        rng = random.Random(k)
        values = " ".join(str(rng.randint(-10**9, 10**9)) for _ in range(numbers))
        (tests / f"{k:02d}.in").write_text(f"{numbers}\n{values}\n")
    (directory / "speedlens.toml").write_text(FAST_TOML)
    return path


def capabilities() -> types.ClientCapabilities:
    """What a modern editor advertises: progress, refresh requests, configuration, versioned edits."""
    return types.ClientCapabilities(
        window=types.WindowClientCapabilities(work_done_progress=True),
        workspace=types.WorkspaceClientCapabilities(
            configuration=True,
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True),
            inlay_hint=types.InlayHintWorkspaceClientCapabilities(refresh_support=True),
            code_lens=types.CodeLensWorkspaceClientCapabilities(refresh_support=True),
        ),
        text_document=types.TextDocumentClientCapabilities(
            synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
            inlay_hint=types.InlayHintClientCapabilities(
                resolve_support=types.ClientInlayHintResolveOptions(properties=["tooltip"])
            ),
            code_lens=types.CodeLensClientCapabilities(),
            code_action=types.CodeActionClientCapabilities(
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(value_set=["quickfix"])
                ),
                is_preferred_support=True,
            ),
        ),
    )


def make_client() -> LanguageClient:
    """pytest-lsp's client, plus handlers for the refresh requests and the speedlens/status notification."""
    client = LanguageClient(converter_factory=default_converter)
    client.status_updates: list[dict[str, Any]] = []  # type: ignore[misc]
    client.refreshes: list[str] = []  # type: ignore[misc]
    client.diagnostic_versions: dict[str, int | None] = {}  # type: ignore[misc]
    # Every publication, in order: (uri, version, diagnostics), for tests about what was ever shown.
    client.diagnostic_log: list[tuple[str, int | None, list[types.Diagnostic]]] = []  # type: ignore[misc]

    def publish_diagnostics(ls, params: types.PublishDiagnosticsParams):
        ls.diagnostics[params.uri] = params.diagnostics
        ls.diagnostic_versions[params.uri] = params.version
        ls.diagnostic_log.append((params.uri, params.version, params.diagnostics))

    features = {**DEFAULT_CLIENT_FEATURES, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish_diagnostics}
    register_lsp_features(client, features)

    @client.feature(types.WORKSPACE_INLAY_HINT_REFRESH)
    def inlay_refresh(ls, params):
        ls.refreshes.append("inlayHint")

    @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
    def lens_refresh(ls, params):
        ls.refreshes.append("codeLens")

    @client.feature("speedlens/status")
    def status(ls, params):
        ls.status_updates.append(params if isinstance(params, dict) else _as_dict(params))

    return client


def _as_dict(obj: Any) -> dict[str, Any]:
    return {k: getattr(obj, k) for k in dir(obj) if not k.startswith("_") and not callable(getattr(obj, k))}


def server_env(tmp_path: Path, cache: Path | None = None) -> dict[str, str]:
    return {**os.environ, "XDG_CACHE_HOME": str(cache or tmp_path / "cache"), "PYTHONUNBUFFERED": "1"}


async def session(tmp_path: Path, caps: types.ClientCapabilities, cache: Path | None = None):
    """An initialized client talking to ``speedlens serve`` (a subprocess with its own cache dir, or ``cache``:
    a test sharing builds with the CLI's runs), shut down after."""
    config = ClientServerConfig(server_command=SERVER_COMMAND, server_env=server_env(tmp_path, cache),
                                client_factory=make_client)
    client = await config.start()
    workspace = tmp_path / "ws"
    workspace.mkdir()
    client.set_configuration({"speedlens": {}})
    client.init_result = await client.initialize_session(  # type: ignore[attr-defined]
        types.InitializeParams(
            capabilities=caps,
            root_uri=workspace.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="ws")],
        )
    )
    client.workspace_dir = workspace  # type: ignore[attr-defined]
    yield client
    try:
        await asyncio.wait_for(client.shutdown_session(), timeout=30)
    finally:
        await client.stop()


@pytest_asyncio.fixture
async def lsp(tmp_path):
    """A session with a client that receives pushed diagnostics (like Neovim 0.7)."""
    async for client in session(tmp_path, capabilities()):
        yield client


@pytest_asyncio.fixture
async def puller(tmp_path):
    """A session with a client that pulls diagnostics (LSP 3.17 ``textDocument/diagnostic``, like VS Code)."""
    caps = capabilities()
    caps.text_document.diagnostic = types.DiagnosticClientCapabilities(related_document_support=True)
    caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    async for client in session(tmp_path, caps):
        yield client


# ------------------------------------------------------------------------------------------- helpers
def open_doc(client: LanguageClient, path: Path, text: str | None = None, language: str = "cpp",
             version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id=language, version=version,
        text=path.read_text(errors="replace") if text is None else text)))
    return uri


def change_doc(client: LanguageClient, uri: str, version: int, text: str, rng: types.Range | None = None) -> None:
    change: Any = (types.TextDocumentContentChangeWholeDocument(text=text) if rng is None
                   else types.TextDocumentContentChangePartial(range=rng, text=text))
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[change]))


async def wait_for(predicate, timeout: float = 30.0, interval: float = 0.02, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


async def execute(client: LanguageClient, command: str, *arguments: Any, timeout: float = 120.0) -> Any:
    return await asyncio.wait_for(client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command, arguments=list(arguments))), timeout=timeout)


def whole_range(text: str) -> types.Range:
    lines = text.splitlines()
    return types.Range(start=types.Position(line=0, character=0),
                       end=types.Position(line=max(len(lines) - 1, 0), character=len(lines[-1]) if lines else 0))


def apply_text_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP edits (UTF-16 columns equal code points for the sources used here; lines end at "\\n")."""
    lines = source_lines(text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(pos: types.Position) -> int:
        if pos.line >= len(lines):
            return len(text)
        return starts[pos.line] + pos.character

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


def descendants(pid: int) -> list[int]:
    """All live descendants of ``pid``, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if fields[0] == "Z":
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


async def wait_until_sandbox_busy(client: LanguageClient, timeout: float = 60.0) -> list[int]:
    """Wait for a progress report from the engine and live child processes of the server."""
    pid = server_pid(client)

    def busy():
        reported = any(isinstance(v, types.WorkDoneProgressReport)
                       for values in client.progress_reports.values() for v in values)
        return reported and descendants(pid)

    return await wait_for(busy, timeout=timeout, interval=0.01, what="sandbox processes")


def server_pid(client: LanguageClient) -> int:
    return client._server.pid  # type: ignore[union-attr]
