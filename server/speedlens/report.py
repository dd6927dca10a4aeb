"""Human-readable optimization reports: markdown (editor) and a standalone HTML page with an SVG chart (CLI).

Knows nothing of LSP. Works on anything shaped like ``engine.OptimizeReport``: ``.file``, ``.language``,
``.model``, ``.results`` (best first) and ``.problems``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from speedlens import format as fmt
from speedlens.models import Result, Status

BAR_WIDTH = 32
_EIGHTHS = " ▏▎▍▌▋▊▉█"


# ------------------------------------------------------------------------------------------ helpers
def _x(value: float | None) -> str:
    return fmt.speedup(value)


def _pct(alpha: float) -> int:
    return round((1 - alpha) * 100)


def _group(results: Iterable[Result]) -> list[tuple[Any, list[Result]]]:
    """Results grouped by target, targets in order of first appearance (the engine sorts best first)."""
    groups: dict[tuple[str, int], tuple[Any, list[Result]]] = {}
    for r in results:
        key = (r.target.name, r.target.start_line)
        groups.setdefault(key, (r.target, []))[1].append(r)
    return sorted(groups.values(), key=lambda g: g[0].start_line)


def _best(results: list[Result]) -> Result | None:
    verified = [r for r in results if r.verdict.status == Status.VERIFIED]
    return verified[0] if verified else (results[0] if results else None)


def _timed(result: Result) -> list[tuple[str, float]]:
    return sorted((m.name, m.speedup) for m in result.verdict.per_input if m.speedup is not None)


def _population(result: Result) -> str:
    return "runs" if result.verdict.bound_level == "run" else "inputs"


def bound_meaning(result: Result) -> str:
    """One or two sentences on what the verdict's numbers promise."""
    v = result.verdict
    n = v.n_timed or v.n_inputs
    parts = []
    if v.speedup_lower is not None:
        if v.bound_level == "run":
            parts.append(
                f"With {n} timed input(s), too few for a per-input bound, ≥{_x(v.speedup_lower)} is a run-level "
                f"bound: at least {_pct(v.alpha)}% of repeated runs were that much faster (a weaker promise)."
            )
        else:
            unit = "instruction counts" if v.bound_level == "deterministic" else "CPU time"
            parts.append(
                f"Split-conformal bound over {n} timed inputs ({unit}): a new input drawn like these "
                f"gets a speedup of at least {_x(v.speedup_lower)} with probability ≥ {_pct(v.alpha)}% "
                f"(alpha = {v.alpha:g})."
            )
    if v.inputs_passed == v.n_inputs and v.n_inputs:
        parts.append(
            f"It matched the expected output on all {v.n_inputs} inputs, so the chance it fails on a fresh "
            f"input is at most 1/{v.n_inputs + 1} (confidence {v.n_inputs / (v.n_inputs + 1):.0%})."
        )
    return " ".join(parts)


def text_chart(result: Result, width: int = BAR_WIDTH) -> str:
    """A unicode bar chart of per-input speedups, with the bound and 1× marked on a shared scale."""
    rows = _timed(result)
    if not rows:
        return ""
    v = result.verdict
    top = max([s for _, s in rows] + [v.speedup_lower or 0, 1.0]) * 1.05
    name_w = min(max(len(n) for n, _ in rows), 24)

    def cells(value: float) -> float:
        return max(0.0, value) / top * width

    bound_col = int(round(cells(v.speedup_lower))) if v.speedup_lower else None
    one_col = int(round(cells(1.0)))
    out = []
    for name, s in rows:
        full = cells(s)
        whole, frac = int(full), int((full - int(full)) * 8)
        bar = list("█" * whole + (_EIGHTHS[frac] if frac else "")) + [" "] * width
        bar = bar[:width]
        for col, mark in ((one_col, "┊"), (bound_col, "│")):
            if col is not None and 0 <= col < width:
                bar[col] = mark
        flag = "" if v.speedup_lower is None or s >= v.speedup_lower else "  (below bound)"
        out.append(f"{name[:name_w]:<{name_w}} {''.join(bar)} {_x(s):>7}{flag}")
    legend = "┊ = 1× (no change)"
    if v.speedup_lower is not None:
        legend += f"   │ = bound ≥{_x(v.speedup_lower)} @{_pct(v.alpha)}%"
    out.append(" " * name_w + " " + legend)
    return "\n".join(out)


def _problem_text(problem: Any) -> str:
    return str(problem).replace("\n  fix: ", " — fix: ")


def _untried(report: Any, results: list[Result]) -> list[Any]:
    """Targets of the report that got no candidate at all."""
    seen = {(r.target.name, r.target.start_line) for r in results}
    return [t for t in getattr(report, "targets", []) or [] if (t.name, t.start_line) not in seen]


def _verdict_cells(number: int, r: Result) -> list[str]:
    v = r.verdict
    bound = fmt.bound(v.speedup_lower, v.alpha) or "–"
    return [str(number), f"`{r.candidate.proposer}`", v.status.value, _x(v.speedup), bound, v.checked_on]


def _detail_line(number: int, r: Result, limit: int = 400) -> str:
    """The candidate's detail below the table (a table column squeezes the others and does not wrap)."""
    detail = " ".join((r.verdict.detail or "").split())
    if len(detail) > limit:
        detail = detail[: limit - 1] + "…"
    return f"{number}. `{r.candidate.proposer}`: {detail}" if detail else ""


_LANGUAGE_NAMES = {"cpp": "C++", "tvm": "TVM script"}


def _language_name(language: str | None) -> str:
    return _LANGUAGE_NAMES.get(language or "", language or "unknown")


def _detail_block(detail: str) -> list[str]:
    """A multi-line detail in full (a sanitizer report's access, frames and source lines, a compiler's errors, an
    output diff), as a text block: the one-line summary below the table joins its lines."""
    if "\n" not in detail:
        return []
    return ["", "```text", detail.replace("```", "ʼʼʼ"), "```"]


# ----------------------------------------------------------------------------------------- markdown
def _markdown_target(report: Any, target: Any, rs: list[Result]) -> list[str]:
    """One target's section: every candidate's verdict (details below the table), then the best one's numbers."""
    out: list[str] = []
    out.append(f"## `{target.name}` ({target.kind}, lines {target.start_line + 1}–{target.end_line + 1})")
    out.append("")
    out.append("| # | candidate | verdict | speedup | bound | checked on |")
    out.append("|---:|---|---|---:|---|---:|")
    for number, r in enumerate(rs, 1):
        out.append("| " + " | ".join(_verdict_cells(number, r)) + " |")
    out.append("")
    details = [line for number, r in enumerate(rs, 1) if (line := _detail_line(number, r))]
    if details:
        out.extend(details)
        out.append("")
    best = _best(rs)
    if best is not None:
        out += _markdown_best(report, best)
    return out


def _markdown_best(report: Any, best: Result) -> list[str]:
    """The best candidate's headline, what its bound means, its per-input chart and (verified) its diff."""
    v = best.verdict
    head = "Verified" if v.status == Status.VERIFIED else f"Best attempt ({v.status.value})"
    out = [f"**{head}: `{best.candidate.proposer}`** — {_x(v.speedup)} faster overall"
           + (f", ≥{_x(v.speedup_lower)} on {_pct(v.alpha)}% of {_population(best)}" if v.speedup_lower else "")
           + f", checked on {v.checked_on}, {v.n_timed} timed."]
    meaning = bound_meaning(best)
    if meaning:
        out += ["", meaning]
    out += _detail_block(v.detail)
    chart = text_chart(best)
    if chart:
        out += ["", "Per-input speedups (original time / candidate time):", "", "```text", chart, "```"]
    if v.status == Status.VERIFIED:
        diff = best.candidate.diff(Path(str(getattr(report, "file", "") or "file")).name)
        if diff:
            out += ["", "<details><summary>diff</summary>", "", "```diff", diff.rstrip("\n"), "```", "</details>"]
    out.append("")
    return out


def render_markdown(report: Any) -> str:
    results: list[Result] = list(getattr(report, "results", []) or [])
    problems: list[str] = list(getattr(report, "problems", []) or [])
    file = str(getattr(report, "file", "") or "")
    out = [f"# speedlens report: `{Path(file).name or file}`", ""]
    if Path(file).name != file:
        out += [f"`{file}`", ""]
    model = getattr(report, "model", "") or "offline rules"
    out.append(f"Language: {_language_name(getattr(report, 'language', None))} · proposer: {model}")
    out.append("")
    n_verified = sum(1 for r in results if r.verdict.status == Status.VERIFIED)
    targets = _group(results)
    out.append(f"{len(targets)} target(s), {len(results)} candidate(s) tried, {n_verified} verified.")
    out.append("")
    if problems:
        out.append("## Problems")
        out.extend(f"- ⚠ {_problem_text(p)}" for p in problems)
        out.append("")
    if not results and not problems:
        out.append("No results yet: run **speedlens: Optimize file**.")
    for target in _untried(report, results):
        out.append(f"- `{target.name}` ({target.kind}, lines {target.start_line + 1}–{target.end_line + 1}): "
                   "no candidate rewrite was proposed")
    if _untried(report, results):
        out.append("")
    for target, rs in targets:
        out += _markdown_target(report, target, rs)
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------------------------- HTML
def svg_chart(result: Result, width: int = 640, bar_h: int = 18) -> str:
    """An SVG bar chart of per-input speedups with a dashed line at the bound and a solid one at 1×."""
    rows = _timed(result)
    if not rows:
        return ""
    v = result.verdict
    label_w, pad, right = 150, 8, 70
    plot_w = width - label_w - right
    top = max([s for _, s in rows] + [v.speedup_lower or 0, 1.0]) * 1.05
    height = pad * 2 + len(rows) * (bar_h + 4) + 24

    def x(value: float) -> float:
        return label_w + max(0.0, value) / top * plot_w

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="per-input speedups">']
    for i, (name, s) in enumerate(rows):
        y = pad + i * (bar_h + 4)
        ok = v.speedup_lower is None or s >= v.speedup_lower
        color = "#2e8b57" if ok else "#d2691e"
        parts.append(f'<text x="{label_w - 6}" y="{y + bar_h - 5}" text-anchor="end" font-size="12">'
                     f'{html.escape(name[:22])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{x(s) - label_w:.1f}" height="{bar_h}" fill="{color}">'
                     f'<title>{html.escape(name)}: {_x(s)}</title></rect>')
        parts.append(f'<text x="{x(s) + 4:.1f}" y="{y + bar_h - 5}" font-size="11">{_x(s)}</text>')
    bottom = pad + len(rows) * (bar_h + 4)
    parts.append(f'<line x1="{x(1.0):.1f}" y1="{pad - 2}" x2="{x(1.0):.1f}" y2="{bottom}" stroke="#555"/>')
    parts.append(f'<text x="{x(1.0):.1f}" y="{bottom + 14}" font-size="11" text-anchor="middle">1×</text>')
    if v.speedup_lower is not None:
        xb = x(v.speedup_lower)
        parts.append(f'<line x1="{xb:.1f}" y1="{pad - 2}" x2="{xb:.1f}" y2="{bottom}" stroke="#b22222" '
                     f'stroke-dasharray="5,3" stroke-width="2"/>')
        parts.append(f'<text x="{xb:.1f}" y="{bottom + 14}" font-size="11" text-anchor="middle" fill="#b22222">'
                     f'bound {fmt.bound(v.speedup_lower, v.alpha)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


_CSS = """
body { font-family: system-ui, sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; font-size: 14px; vertical-align: top; }
th { background: #f4f4f4; }
td:last-child { white-space: pre-wrap; }
.verified { color: #2e8b57; font-weight: bold; }
.problem { color: #b8860b; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; }
"""


def render_html(report: Any) -> str:
    results: list[Result] = list(getattr(report, "results", []) or [])
    problems: list[str] = list(getattr(report, "problems", []) or [])
    esc = html.escape
    file = str(getattr(report, "file", ""))
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>speedlens report: {esc(file)}</title>", f"<style>{_CSS}</style></head><body>",
           f"<h1>speedlens report: <code>{esc(file)}</code></h1>"]
    model = getattr(report, "model", "") or "offline rules"
    n_verified = sum(1 for r in results if r.verdict.status == Status.VERIFIED)
    targets = _group(results)
    out.append(f"<p>Language: {esc(_language_name(getattr(report, 'language', None)))} · proposer: {esc(model)} · "
               f"{len(targets)} target(s), {len(results)} candidate(s) tried, {n_verified} verified.</p>")
    if problems:
        out.append("<h2>Problems</h2><ul>")
        out.extend(f'<li class="problem">{esc(_problem_text(p))}</li>' for p in problems)
        out.append("</ul>")
    for target in _untried(report, results):
        out.append(f"<p><code>{esc(target.name)}</code>: no candidate rewrite was proposed.</p>")
    for target, rs in targets:
        out.append(f"<h2><code>{esc(target.name)}</code> ({esc(target.kind)}, lines "
                   f"{target.start_line + 1}–{target.end_line + 1})</h2>")
        out.append("<table><tr><th>candidate</th><th>verdict</th><th>speedup</th><th>bound</th>"
                   "<th>inputs</th><th>detail</th></tr>")
        for r in rs:
            cells = _verdict_cells(0, r)[1:] + [(r.verdict.detail or "")[:400]]
            cells[0] = r.candidate.proposer
            cls = ' class="verified"' if r.verdict.status == Status.VERIFIED else ""
            out.append("<tr>" + "".join(
                f"<td{cls if i == 1 else ''}>{esc(c)}</td>" for i, c in enumerate(cells)) + "</tr>")
        out.append("</table>")
        best = _best(rs)
        if best is None:
            continue
        meaning = bound_meaning(best)
        if meaning:
            out.append(f"<p>{esc(meaning)}</p>")
        if "\n" in best.verdict.detail:
            out.append(f'<pre class="detail">{esc(best.verdict.detail)}</pre>')
        chart = svg_chart(best)
        if chart:
            out.append("<h3>Per-input speedups (original time / candidate time)</h3>")
            out.append(chart)
        if best.verdict.status == Status.VERIFIED:
            diff = best.candidate.diff(Path(file).name if file else "file")
            if diff:
                out.append(f"<details><summary>diff</summary><pre>{esc(diff)}</pre></details>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


__all__ = ["render_markdown", "render_html", "text_chart", "svg_chart", "bound_meaning"]
