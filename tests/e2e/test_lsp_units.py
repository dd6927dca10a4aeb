"""Fast checks of the LSP edge's pure parts: labels, edits, settings priority, report rendering."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import pytest
from lsprotocol import types

from speedlens.engine import best_per_target
from speedlens.errors import ConfigError
from speedlens.lsp import convert
from speedlens.lsp.settings import SettingsManager
from speedlens.models import Candidate, Finding, InputMeasurement, Result, Status, Target, Verdict, source_lines
from speedlens.report import render_html, render_markdown, text_chart

SOURCE = "#include <cstdio>\n// head\nint main() {\n    return 0;\n}\n// tail\n"


def make_result(status=Status.VERIFIED, speedup=2.91, lower=2.32, passed=19, n=19, code="int main() {}\n",
                start=2, end=4, level="input") -> Result:
    target = Target("prog.cpp", "program", "cpp", start, end, "".join(SOURCE.splitlines(True)[start:end + 1]))
    per_input = [InputMeasurement(f"{i:02d}", True, True, 1.0, 1.0 / s, s, 5)
                 for i, s in enumerate([2.1, 2.4, 2.9, 3.0, 3.3, 2.7, 2.5, 3.1, 2.8, 2.6])]
    verdict = Verdict(status, "detail text", speedup, lower, None, 0.1, level, n, passed, 10, 0.95,
                      per_input=per_input)
    return Result(Candidate(target, code, "rules:sync-stdio", "Unsync iostreams"), verdict, "hash1")


def test_hint_label_and_action_title_are_exact():
    r = make_result()
    assert convert.hint_label(r) == "⚡ 2.9× faster · ≥2.3× on 90% of inputs · 19/19 inputs"
    assert convert.action_title(r) == "Apply verified 2.9× speedup (≥2.3× @90%)"
    weak = make_result(level="run")
    assert "of runs" in convert.hint_label(weak)


@pytest.mark.parametrize("start,end", [(0, 0), (2, 4), (5, 5), (0, 5)])
@pytest.mark.parametrize("code", ["int main() { return 1; }\n", "int main() { return 1; }", ""])
def test_target_edit_matches_replace_in(start, end, code):
    from tests.e2e.conftest import apply_text_edits

    # A form feed and U+2028 are no line breaks to tree-sitter or an LSP client (str.splitlines breaks there).
    for source in (SOURCE, SOURCE.rstrip("\n"), SOURCE.replace("\n", "\r\n"),
                   SOURCE.replace("// head", "//\f\u2028")):
        lines = source_lines(source)
        target = Target("t", "program", "cpp", start, end, "".join(lines[start:end + 1]))
        edit = convert.target_edit(target, source, code)
        assert apply_text_edits(source, [edit]) == target.replace_in(source, code)


def test_finding_diagnostic_is_clamped():

    d = convert.finding_to_diagnostic(Finding("endl", "use '\\n'", 99, 3, 99, 1, "information"), ["a\n", "b\n"])
    assert d.range.start.line == 1 and d.range.end.character >= d.range.start.character
    assert d.severity == convert.types.DiagnosticSeverity.Information and d.code == "endl"


def test_best_per_target_only_verified():
    ok, bad = make_result(), make_result(status=Status.NOT_FASTER)
    assert best_per_target([bad, ok, make_result(speedup=1.5)]) == [ok]


def test_settings_priority(tmp_path):
    (tmp_path / "speedlens.toml").write_text('alpha = 0.3\nmin_speedup = 1.5\n[cpp]\ncompiler = "g++"\n')
    manager = SettingsManager()
    path = tmp_path / "a.cpp"
    assert manager.settings_for(path).alpha == 0.3  # speedlens.toml
    manager.set_client_settings({"speedlens": {"alpha": 0.2, "serverPath": "/x", "cpp.flags": ["-O3"]}})
    s = manager.settings_for(path)
    assert (s.alpha, s.min_speedup, s.cpp.flags) == (0.2, 1.5, ["-O3"])  # workspace/configuration beats toml
    manager.set_initialization_options({"alpha": 0.05, "candidates": 2, "trace": {"server": "verbose"}})
    s = manager.settings_for(path)
    assert (s.alpha, s.candidates) == (0.2, 2)  # the live section wins; initializationOptions beat the toml
    manager.set_client_settings({"alpha": 0.15})  # a changed setting takes effect without a restart
    assert manager.settings_for(path).alpha == 0.15
    manager.set_client_settings({"minSpeedup": "fast"})
    with pytest.raises(ConfigError):
        manager.settings_for(path)


def test_markdown_report_has_verdicts_chart_and_meaning():
    report = SimpleNamespace(file="prog.cpp", language="cpp", model="", problems=[],
                             results=[make_result(), make_result(status=Status.INCORRECT, speedup=None, lower=None,
                                                                 passed=3)])
    md = render_markdown(report)
    assert "| 1 | `rules:sync-stdio` | verified | 2.9× | ≥2.3× @90% | 19/19 inputs |" in md
    assert "Language: C++" in md
    assert "incorrect" in md and "probability ≥ 90%" in md and "```text" in md and "│ = bound" in md
    chart = text_chart(make_result())
    assert chart.count("\n") == 10 and "█" in chart
    html = render_html(report)
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "stroke-dasharray" in html
    assert "<script" not in html


def test_report_escapes_and_handles_empty():
    md = render_markdown(SimpleNamespace(file="x.cpp", language=None, model="", results=[],
                                         problems=[ConfigError("no test inputs found for x.cpp", "add x.tests")]))
    assert "no test inputs" in md
    html = render_html(SimpleNamespace(file="<b>.cpp", language="cpp", model="", results=[], problems=["<i>"]))
    assert "<b>.cpp" not in html and "&lt;i&gt;" in html


def test_converted_diagnostics_are_reused_only_where_the_line_count_cannot_matter():
    """Unmoved findings keep their diagnostic objects across edits; a finding clamped to the last line is
    converted again once the buffer grows, so what is published always equals a fresh conversion."""
    from speedlens.lsp.diagnostics import Diagnostics
    from speedlens.lsp.documents import Doc

    inside = Finding("sync-stdio", "m", 1, 0, 1, 4)
    past_end = Finding("endl", "m", 9, 2, 9, 6)  # beyond a 4-line buffer: clamped to its last line
    diagnostics = Diagnostics(SimpleNamespace())
    short = Doc("file:///a.cpp", None, "a\nb\nc\nd\n", 1, True)
    first = diagnostics._convert(short, [inside, past_end])
    assert first[1].range.start.line == 3
    longer = Doc("file:///a.cpp", None, "a\n" * 20, 2, True)
    second = diagnostics._convert(longer, [inside, past_end])
    assert second[0] is first[0]  # reused
    assert second == [convert.finding_to_diagnostic(f, longer.lines) for f in (inside, past_end)]
    assert second[1].range.start.line == 9


def test_a_pause_confirms_the_diagnostics_with_a_whole_parse_and_sends_them_only_if_they_changed(monkeypatch):
    """While typing the engine re-parses around each edit; a pause in typing asks it for an exact analysis, whose
    diagnostics are sent only when they differ from what the client shows, and an edit cancels the pending one."""
    from speedlens.lsp import diagnostics as module

    monkeypatch.setattr(module, "CONFIRM_AFTER_S", 0.05)
    uri = "file:///tmp/a.cpp"

    def run(exact_differs: bool, edit_during_pause: bool = False) -> tuple[list, list]:
        published, asked = [], []

        class Engine:
            def language_of(self, path, text):
                return "cpp"

            def findings(self, path, text, exact=False):
                asked.append(exact)
                line = 1 if exact and exact_differs else 0
                return [Finding("endl", "m", line, 0, line, 4)]

        async def in_thread(fn, *args):
            return fn(*args)

        buffer = SimpleNamespace(source="a\nb\nc\n", version=1)
        ls = SimpleNamespace(
            workspace=SimpleNamespace(text_documents={uri: buffer},
                                      position_codec=SimpleNamespace(client_num_units=len)),
            client_capabilities=None,
            publish_encoded_diagnostics=lambda uri, version, encoded: published.append(
                [d["range"]["start"]["line"] for d in json.loads("[" + ",".join(encoded) + "]")]),
            settings_manager=SimpleNamespace(engine_for=lambda path: Engine()), in_thread=in_thread)

        async def scenario():
            diagnostics = module.Diagnostics(ls)
            diagnostics.schedule(uri)
            await asyncio.sleep(0.02)
            if edit_during_pause:
                buffer.source, buffer.version = "a\nb\nc\nd\n", 2
                diagnostics.schedule(uri)
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.2)

        asyncio.run(scenario())
        return published, asked

    assert run(exact_differs=True) == ([[0], [1]], [False, True])  # the correction is sent
    assert run(exact_differs=False) == ([[0]], [False, True])  # confirmed: nothing new to send
    published, asked = run(exact_differs=False, edit_during_pause=True)
    assert asked == [False, False, True]  # the edit cancelled the first confirmation; one after the last edit


@pytest.mark.parametrize("diagnostic", [
    convert.finding_to_diagnostic(Finding("endl", 'say "é" \\ \n twice 日本', 2, 1, 3, 4, "information"),
                                  ["a\n"] * 5),
    convert.problem_to_diagnostic("no test inputs found", ["a\n", "b"], 1),
    convert.info_diagnostic("binary content", "binary"),
    types.Diagnostic(range=types.Range(start=types.Position(line=0, character=0),
                                       end=types.Position(line=0, character=1)),
                     message="m", code=7, tags=[types.DiagnosticTag.Unnecessary]),
])
def test_diagnostic_json_is_what_pygls_sends(diagnostic):
    from pygls.protocol import default_converter

    encoded = convert.diagnostic_json(diagnostic)
    assert encoded.isascii()
    assert json.loads(encoded) == default_converter().unstructure(diagnostic)


def test_a_conversion_is_not_reused_where_the_text_before_a_finding_changed_width():
    """A finding's columns count characters; the client's count UTF-16 units (by default). Replacing a letter
    before it by an emoji keeps the finding equal but moves its diagnostic one unit right."""
    from speedlens.lsp.diagnostics import Diagnostics
    from speedlens.lsp.documents import Doc

    finding = Finding("endl", "m", 1, 3, 1, 7)
    diagnostics = Diagnostics(SimpleNamespace())
    first = diagnostics._convert(Doc("file:///a.cpp", None, "a\nab cdefg\nz\n", 1, True), [finding])
    second = diagnostics._convert(Doc("file:///a.cpp", None, "a\n\U0001F600b cdefg\nz\n", 2, True), [finding])
    assert (first[0].range.start.character, second[0].range.start.character) == (3, 4)
    assert (first[0].range.end.character, second[0].range.end.character) == (7, 8)
