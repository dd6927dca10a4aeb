"""Engine <-> LSP conversion: the only place that knows both speedlens models and lsprotocol types.

Engine lines are 0-based like LSP lines, so they map directly; engine columns count characters and are
converted to the position encoding the client agreed on (``Units``: UTF-16 unless it prefers UTF-8 or UTF-32).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from typing import Any

from lsprotocol import types
from pygls.protocol import default_converter

from speedlens import format as fmt
from speedlens.models import Finding, Result, Target, source_lines

SOURCE = "speedlens"
_CONVERTER = default_converter()  # the one pygls encodes messages with

_SEVERITY = {
    "hint": types.DiagnosticSeverity.Hint,
    "information": types.DiagnosticSeverity.Information,
    "info": types.DiagnosticSeverity.Information,
    "warning": types.DiagnosticSeverity.Warning,
    "error": types.DiagnosticSeverity.Error,
}


# ---------------------------------------------------------------------------------------------- text
def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (LSP's default column unit)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


# The length of a text in the client's column units: the position encoding the server and client agreed on
# (UTF-16 unless the client prefers UTF-8 or UTF-32; the server passes pygls's codec).
Units = Callable[[str], int]


def client_column(line: str, chars: int, units: Units = utf16_len) -> int:
    """A column counted in characters (as the engine counts them), in the client's units."""
    return chars if line.isascii() else units(line[:chars])  # ASCII: the same count in every encoding


def _strip_eol(line: str) -> str:
    return line.rstrip("\r\n")


def line_end(lines: list[str], line: int, units: Units = utf16_len) -> types.Position:
    """The position at the end of ``line`` (before its line break), clamped to the buffer."""
    if not lines:
        return types.Position(line=0, character=0)
    line = max(0, min(line, len(lines) - 1))
    return types.Position(line=line, character=units(_strip_eol(lines[line])))


# ------------------------------------------------------------------------------------- diagnostics
def finding_to_diagnostic(finding: Finding, lines: list[str], units: Units = utf16_len) -> types.Diagnostic:
    n = len(lines)
    start_line = max(0, min(finding.start_line, max(n - 1, 0)))
    end_line = max(start_line, min(finding.end_line, max(n - 1, 0)))
    start_col = client_column(lines[start_line] if lines else "", max(0, finding.start_col), units)
    end_col = client_column(lines[end_line] if lines else "", max(0, finding.end_col), units)
    if end_line == start_line:
        end_col = max(end_col, start_col)
    return types.Diagnostic(
        range=types.Range(
            start=types.Position(line=start_line, character=start_col),
            end=types.Position(line=end_line, character=end_col),
        ),
        message=finding.message,
        severity=_SEVERITY.get(finding.severity, types.DiagnosticSeverity.Hint),
        source=SOURCE,
        code=finding.rule,
    )


_DIAGNOSTIC_JSON = (
    '{"range": {"start": {"line": %d, "character": %d}, "end": {"line": %d, "character": %d}}, '
    '"message": %s, "severity": %d, "code": %s, "source": %s}'
)


@functools.lru_cache(maxsize=256)
def _json_string(text: str) -> str:
    return json.dumps(text)


def diagnostic_json(diagnostic: types.Diagnostic) -> str:
    """The diagnostic as JSON text, as pygls would encode it in a message (ASCII only).

    The diagnostics this module makes (range, message, severity, code, source) by a template, ten times faster
    than pygls's general encoder; anything else through that encoder.
    """
    d, start, end = diagnostic, diagnostic.range.start, diagnostic.range.end
    if (d.tags or d.related_information or d.code_description or d.data is not None or d.severity is None
            or not isinstance(d.code, str) or d.source is None):
        return json.dumps(_CONVERTER.unstructure(d))
    return _DIAGNOSTIC_JSON % (start.line, start.character, end.line, end.character, _json_string(d.message),
                               d.severity, _json_string(d.code), _json_string(d.source))


def problem_to_diagnostic(
    message: str, lines: list[str], line: int = 0, code: str = "blocked", units: Units = utf16_len
) -> types.Diagnostic:
    """A blocking problem (no tests, original does not compile, compiler missing): one Warning with the fix."""
    return types.Diagnostic(
        range=types.Range(start=types.Position(line=min(line, max(len(lines) - 1, 0)), character=0),
                          end=line_end(lines, line, units)),
        message=message,
        severity=types.DiagnosticSeverity.Warning,
        source=SOURCE,
        code=code,
    )


def info_diagnostic(message: str, code: str) -> types.Diagnostic:
    return types.Diagnostic(
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
        message=message,
        severity=types.DiagnosticSeverity.Information,
        source=SOURCE,
        code=code,
    )


# ------------------------------------------------------------------------------------------ labels
def _x(value: float | None) -> str:
    return fmt.speedup(value)


def coverage_percent(alpha: float) -> int:
    return round((1 - alpha) * 100)


def _population(result: Result) -> str:
    return "runs" if result.verdict.bound_level == "run" else "inputs"


def hint_label(result: Result) -> str:
    """``⚡ 2.9× faster · ≥2.3× on 90% of inputs · 19/19 inputs``"""
    v = result.verdict
    parts = [fmt.faster(v)]
    if v.speedup_lower is not None:
        parts.append(f"≥{_x(v.speedup_lower)} on {coverage_percent(v.alpha)}% of {_population(result)}")
    parts.append(v.checked_on)
    return " · ".join(parts)


def action_title(result: Result) -> str:
    """``Apply verified 2.9× speedup (≥2.3× @90%)``"""
    v = result.verdict
    title = f"Apply verified {_x(v.speedup)} speedup"
    if v.speedup_lower is not None:
        title += f" ({fmt.bound(v.speedup_lower, v.alpha)})"
    return title


def preview_title(result: Result) -> str:
    """``Preview verified 2.9× speedup``: the code action beside Apply that opens a diff."""
    return f"Preview verified {_x(result.verdict.speedup)} speedup"


def result_tooltip(result: Result) -> str:
    """Markdown detail shown when a hint is resolved."""
    v = result.verdict
    c = result.candidate
    lines = [f"**{action_title(result)}** for `{c.target.name}`", ""]
    lines.append(f"Proposed by `{c.proposer}`" + (f": {c.description}" if c.description else ""))
    if v.speedup_lower is not None:
        lines.append(
            f"With probability ≥ {coverage_percent(v.alpha)}%, a new {_population(result)[:-1]} like these runs at "
            f"least {_x(v.speedup_lower)} faster (conformal bound, n = {v.n_timed or v.n_inputs})."
        )
    if v.correct_confidence is not None:
        lines.append(f"Correct on all {v.inputs_passed} inputs (confidence {v.correct_confidence:.0%} for a new one).")
    if v.detail:
        lines.append("")
        lines.append(v.detail)
    return "\n".join(lines)


# ---------------------------------------------------------------------------------- results -> LSP
def verified(results: Iterable[Result]) -> list[Result]:
    return [r for r in results if r.verdict.verified]


def inlay_hint(result: Result, lines: list[str], data: dict[str, Any], units: Units = utf16_len) -> types.InlayHint:
    return types.InlayHint(
        position=line_end(lines, result.target.anchor_line, units),
        label=hint_label(result),
        padding_left=True,
        data=data,
    )


def code_lens(result: Result, data: dict[str, Any]) -> types.CodeLens:
    pos = types.Position(line=result.target.anchor_line, character=0)
    return types.CodeLens(range=types.Range(start=pos, end=pos), data=data)


OPTIMIZE_TITLE = "⚡ Optimize"


def optimize_lens(target: Target, uri: str) -> types.CodeLens:
    """The lens on a target that has no verified result (yet): runs the optimization of that target."""
    pos = types.Position(line=target.anchor_line, character=0)
    if target.kind == "program":  # optimizing "the target at main's line" would pick the function main
        command = types.Command(title=OPTIMIZE_TITLE, command="speedlens.optimizeFile", arguments=[uri])
    else:
        command = types.Command(title=OPTIMIZE_TITLE, command="speedlens.optimizeTarget",
                                arguments=[uri, target.start_line])
    return types.CodeLens(range=types.Range(start=pos, end=pos), command=command)


def lens_command(result: Result | None, uri: str) -> types.Command:
    if result is None:
        return types.Command(title="⚡ result is stale: run speedlens again", command="speedlens.optimizeFile",
                             arguments=[uri])
    return types.Command(title=hint_label(result), command="speedlens.showReport", arguments=[uri])


def target_edit(target: Target, text: str, new_code: str, units: Units = utf16_len) -> types.TextEdit:
    """A TextEdit that turns ``text`` into ``target.replace_in(text, new_code)``: the target's lines replaced."""
    lines = source_lines(text)
    start = min(target.start_line, len(lines))
    end = min(target.end_line + 1, len(lines))
    head = "".join(lines[:start])
    tail = "".join(lines[end:])
    new_full = target.replace_in(text, new_code)
    new_mid = new_full[len(head): len(new_full) - len(tail)] if tail else new_full[len(head):]
    if end < len(lines) or (end > 0 and lines[end - 1] != _strip_eol(lines[end - 1])):
        # The target's last line ends with a line break: the range ends at the start of the next line.
        end_pos = types.Position(line=end, character=0)
    else:
        end_pos = line_end(lines, end - 1, units) if lines else types.Position(line=0, character=0)
    return types.TextEdit(
        range=types.Range(start=types.Position(line=start, character=0), end=end_pos), new_text=new_mid
    )


def whole_text_edit(text: str, new_text: str, units: Units = utf16_len) -> types.TextEdit:
    """A TextEdit that turns all of ``text`` into ``new_text``."""
    last = text[text.rfind("\n") + 1:]
    end = types.Position(line=text.count("\n"), character=units(last))
    return types.TextEdit(range=types.Range(start=types.Position(line=0, character=0), end=end), new_text=new_text)


# A header the rewrite's declaration edits change: (uri, version of its open buffer or None, its text now, its text
# after the edit).
HeaderChange = tuple[str, int | None, str, str]


def code_action(
    result: Result,
    uri: str,
    version: int | None,
    text: str,
    preferred: bool,
    document_changes: bool = True,
    units: Units = utf16_len,
    headers: Iterable[HeaderChange] = (),
) -> types.CodeAction:
    """The quick fix: the target's lines replaced and, in the same WorkspaceEdit, every header whose declarations
    the rewrite changed (ARCHITECTURE.md, "Adapters"), so applying it leaves a project that compiles."""
    edits = [(uri, version, target_edit(result.target, text, result.candidate.code, units))]
    edits += [(h_uri, h_version, whole_text_edit(now, new, units)) for h_uri, h_version, now, new in headers]
    if document_changes:
        workspace_edit = types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=e_uri, version=e_version),
                    edits=[edit],
                )
                for e_uri, e_version, edit in edits
            ]
        )
    else:
        workspace_edit = types.WorkspaceEdit(changes={e_uri: [edit] for e_uri, _, edit in edits})
    return types.CodeAction(
        title=action_title(result),
        kind=types.CodeActionKind.QuickFix,
        is_preferred=preferred,
        edit=workspace_edit,
        data={"uri": uri, "hash": result.content_hash, "proposer": result.candidate.proposer},
    )


def preview_action(result: Result, uri: str, text: str, command: str) -> types.CodeAction:
    """Runs the client's diff command with (uri, title, rewritten text): the original beside the rewrite."""
    title = preview_title(result)
    return types.CodeAction(
        title=title, kind=types.CodeActionKind.QuickFix, is_preferred=False,
        command=types.Command(title=title, command=command,
                              arguments=[uri, f"{result.target.name}: {fmt.faster(result.verdict)[2:]} (verified)",
                                         result.target.replace_in(text, result.candidate.code)]),
    )


def create_tests_action(diagnostic: types.Diagnostic, uri: str) -> types.CodeAction:
    """The "no test inputs" warning's fix: the server's ``speedlens.createTests`` command."""
    from speedlens.lsp.documents import uri_to_path
    from speedlens.testcases import default_tests_dir

    path = uri_to_path(uri)
    name = default_tests_dir(path).name if path is not None else "NAME.tests"
    title = f"Create {name}/ with an example input"
    return types.CodeAction(title=title, kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                            is_preferred=True,
                            command=types.Command(title=title, command="speedlens.createTests", arguments=[uri]))


def ranges_overlap(start_line: int, end_line: int, rng: types.Range) -> bool:
    return start_line <= rng.end.line and end_line >= rng.start.line
