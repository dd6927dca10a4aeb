"""Command line: `speedlens verify`, `speedlens optimize`, `speedlens serve` (ARCHITECTURE.md, "Contracts: CLI").

Exit codes: 0 = at least one verified speedup (verify: the candidate is verified); 1 = ran fine, nothing verified;
2 = usage or input error, with a message on stderr saying what and how to fix it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from speedlens import __version__
from speedlens import format as fmt
from speedlens.analysis.cpp import CPP_SOURCES, CPP_SUFFIXES
from speedlens.config import Settings, load_settings
from speedlens.engine import Engine, OptimizeReport
from speedlens.errors import InputError, SpeedlensError
from speedlens.files import write_atomically
from speedlens.models import ProgressFn, Result, Verdict

EXIT_OK, EXIT_NOTHING, EXIT_USAGE = 0, 1, 2

# soft_wrap: messages are never broken mid-phrase when piped (tools and tests grep them)
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


class Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit with our code 2 and a hint."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        err.print(f"[red]error:[/red] {message}\n  fix: see `{self.prog} --help`")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="speedlens", description="Find verified speedups in C++ and TVM-script code.")
    parser.add_argument("--version", action="version", version=f"speedlens {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    common = Parser(add_help=False)
    common.add_argument("--tests", type=Path, metavar="DIR", help="directory of *.in inputs (optional *.out)")
    common.add_argument("--alpha", type=float, help="1 - confidence of the bounds (default 0.1)")
    common.add_argument(
        "--deterministic", action="store_true", help="count instructions with valgrind instead of timing"
    )
    common.add_argument("--json", action="store_true", help="print one JSON object (for tools)")
    common.add_argument("--compile-commands", metavar="DIR", help="directory of the project's compile_commands.json")

    verify = sub.add_parser("verify", parents=[common], help="is CANDIDATE a correct, faster ORIGINAL?")
    verify.add_argument("original", type=Path)
    verify.add_argument("candidate", type=Path)

    optimize = sub.add_parser("optimize", parents=[common], help="find verified speedups for FILE")
    optimize.add_argument("file", type=Path)
    optimize.add_argument("--model", help="litellm model, e.g. gpt-4o-mini, anthropic/claude-…, ollama/qwen2.5-coder")
    optimize.add_argument("--api-base", help="model server URL, e.g. http://127.0.0.1:11434")
    optimize.add_argument("--line", type=_positive_int, help="optimize only the target containing this 1-based line")
    optimize.add_argument("--apply", action="store_true", help="write the best verified rewrite into FILE")
    optimize.add_argument("--report", type=Path, metavar="FILE.html", help="write a standalone HTML report")
    optimize.add_argument("--no-cache", action="store_true", help="verify again even if results are cached")
    optimize.add_argument("--save-tests", action="store_true", help="save generated test inputs to NAME.tests/")

    serve = sub.add_parser("serve", help="run the language server (stdio)")
    serve.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio (debugging)")
    # What LSP clients append to the command (vscode-languageclient: TransportKind.stdio adds --stdio).
    serve.add_argument("--stdio", action="store_true", help="talk LSP on stdin/stdout (the default)")
    for transport in ("--pipe", "--socket", "--node-ipc"):
        serve.add_argument(transport, nargs="?", const="", default=None, help=argparse.SUPPRESS)
    serve.add_argument("--clientProcessId", help=argparse.SUPPRESS)
    return parser


def _positive_int(text: str) -> int:
    """argparse type for 1-based line numbers: a usage error, not a traceback, for 0, -3 or 'x'."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a line number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"line numbers start at 1, got {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    if args.command == "serve":
        from speedlens.lsp.server import serve

        unsupported = [name for name in ("pipe", "socket", "node_ipc") if getattr(args, name) is not None]
        if unsupported:
            flag = "--" + unsupported[0].replace("_", "-")
            _print_error(SpeedlensError(
                f"speedlens serve does not support the {flag} transport",
                "use stdio (the default, or --stdio; in VS Code: TransportKind.stdio) or --tcp HOST:PORT",
            ))
            return EXIT_USAGE

        serve(args.tcp)
        return EXIT_OK
    try:
        if args.command == "verify":
            return run_verify(args)
        return run_optimize(args)
    except SpeedlensError as exc:
        _print_error(exc)
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.print("interrupted: nothing was written")
        return 130
    except OSError as exc:  # a path we could not read or write: say which, never a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        _print_error(SpeedlensError(
            f"{where}{exc.strerror or exc}",
            "check that the path exists and is readable/writable (speedlens's cache honours XDG_CACHE_HOME)",
        ))
        return EXIT_USAGE


def _print_error(exc: SpeedlensError) -> None:
    err.print("[bold red]error:[/bold red] ", end="")
    err.print(exc.message, markup=False)
    if exc.hint:
        err.print("  [bold]fix:[/bold] ", end="")
        err.print(exc.hint, markup=False)


def settings_for(path: Path, args: argparse.Namespace) -> Settings:
    overrides = {
        "alpha": args.alpha,
        "deterministic": True if args.deterministic else None,
        "model": getattr(args, "model", None),
        "api_base": getattr(args, "api_base", None),
        "cpp": {"compile_commands": str(Path(args.compile_commands).resolve())} if args.compile_commands else None,
    }
    return load_settings(path.resolve().parent, {k: v for k, v in overrides.items() if v is not None})


def check_source(path: Path, kinds: frozenset[str], what: str) -> None:
    if not path.exists():
        raise InputError(f"{path} does not exist", "check the path")
    if not path.is_file():
        raise InputError(f"{path} is not a file", f"pass a {what} file")
    if path.suffix.lower() not in kinds:
        raise InputError(f"{path} is not {what} (expected {', '.join(sorted(kinds))})", f"pass a {what} source file")


def read_source(path: Path) -> str:
    """The file as UTF-8 text; a binary or wrongly encoded file is an input error, not a traceback."""
    data = path.read_bytes()
    if b"\0" in data:
        raise InputError(f"{path} is a binary file, not source code", "pass a C++ or TVM-script source file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path} is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line})",
            "save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)",
        ) from None


def check_writable(path: Path, why: str) -> None:
    """Refuse before any work when a file we would write (or its directory) is read-only, even for root."""
    target = path if path.exists() else path.parent
    if path.exists() and not path.stat().st_mode & 0o222:
        raise InputError(f"{path} is read-only: {why} would overwrite it", f"make it writable (chmod u+w {path})")
    if not target.exists():
        raise InputError(f"{target} does not exist", "create the directory first")
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise InputError(f"cannot write {path} ({why})", "check the permissions of the file and its directory")


def check_cache_writable() -> None:
    """The cache holds builds and results; an unwritable one is a setup error the user can fix."""
    import platformdirs

    cache = Path(platformdirs.user_cache_dir("speedlens"))
    try:
        cache.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=cache, prefix=".probe-")
        probe.close()
    except OSError as exc:
        raise InputError(
            f"speedlens's cache directory {cache} is not writable ({exc.strerror or exc})",
            "set XDG_CACHE_HOME to a writable directory, or fix its permissions",
        ) from None


def run_verify(args: argparse.Namespace) -> int:
    check_source(args.original, CPP_SOURCES, "C++")
    check_source(args.candidate, CPP_SOURCES, "C++")
    for source in (args.original, args.candidate):
        read_source(source)  # fails early and clearly on binary or non-UTF-8 files
    check_cache_writable()
    engine = Engine(settings_for(args.original, args))
    original, candidate = args.original.resolve(), args.candidate.resolve()
    tests = args.tests.resolve() if args.tests else None
    with progress_display(args.json) as progress:
        verdict = asyncio.run(engine.verify(original, candidate, tests_dir=tests, progress=progress))
    if args.json:
        print(json.dumps(verdict.to_json(), ensure_ascii=False))
    else:
        print_verdict(verdict)
    return EXIT_OK if verdict.verified else EXIT_NOTHING


def run_optimize(args: argparse.Namespace) -> int:
    check_source(args.file, CPP_SUFFIXES | {".py"}, "C++ or TVM-script")
    path = args.file.resolve()
    text = read_source(path)
    if args.apply:
        check_writable(path, "--apply")
    if args.report:
        check_writable(args.report.resolve(), "--report")
    check_cache_writable()
    engine = Engine(settings_for(path, args))
    line = args.line - 1 if args.line else None
    with progress_display(args.json) as progress:
        report = asyncio.run(
            engine.optimize(
                path, text, line=line, tests_dir=args.tests.resolve() if args.tests else None,
                progress=progress, use_cache=not args.no_cache,
            )
        )
    if not report.results and report.problems:
        for problem in report.problems:
            _print_error(problem)
        return EXIT_USAGE
    if args.report:
        from speedlens.report import render_html

        write_atomically(args.report, render_html(report))
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print_report(report)
    if args.save_tests:
        from speedlens.generated_tests import save_generated

        saved = save_generated(path, text)
        err.print(f"saved generated inputs to {saved}" if saved else "no generated inputs to save")
    if args.apply:
        apply_best(path, text, report)
    return EXIT_OK if report.best_per_target() else EXIT_NOTHING


def apply_best(path: Path, original_text: str, report: OptimizeReport) -> None:
    """Write the best verified rewrite of each target into the file, atomically, if it is unchanged since."""
    best = report.best_per_target()
    if not best:
        err.print("nothing verified: the file is unchanged")
        return
    check_writable(path, "--apply")
    if read_source(path) != original_text:
        raise InputError(f"{path} changed while speedlens was running", "run optimize again on the new version")
    headers, best = header_texts(best)
    text = original_text
    for result in sorted(best, key=lambda r: r.target.start_line, reverse=True):
        text = result.target.replace_in(text, result.candidate.code)
    for header, header_text in headers.items():  # every file checked first, then each written atomically
        write_atomically(header, header_text, durable=True)
    write_atomically(path, text, durable=True)
    also = f" and {len(headers)} header(s)" if headers else ""
    err.print(f"applied {len(best)} verified rewrite(s) to {path}{also}")


def header_texts(best: list[Result]) -> tuple[dict[Path, str], list[Result]]:
    """The new text of every header a rewrite's declarations change, and the rewrites that can be applied
    together: one whose header changed since it was verified (or that another rewrite already edits) is
    skipped with a message rather than written half."""
    headers: dict[Path, str] = {}
    kept: list[Result] = []
    for result in best:
        edits = result.candidate.meta.get("header_edits", [])
        stale = result.candidate.stale_header(lambda header: Path(header).read_text(encoding="utf-8"))
        clashes = [e["path"] for e in edits if Path(e["path"]) in headers] + ([stale] if stale else [])
        if clashes:
            err.print(f"skipped the rewrite of {result.target.name}: {clashes[0]} changed; run optimize again")
            continue
        headers.update({Path(e["path"]): e["text"] for e in edits})
        kept.append(result)
    return headers, kept


@contextmanager
def progress_display(quiet: bool) -> Iterator[ProgressFn]:
    """A live spinner line on a terminal; otherwise progress goes to the log (shown with -v)."""
    if quiet or not err.is_terminal:
        logger = logging.getLogger("speedlens.progress")

        def log_progress(message: str, percentage: int | None = None) -> None:
            logger.info(message)

        yield log_progress
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("starting", total=None)

        def show_progress(message: str, percentage: int | None = None) -> None:
            bar.update(task, description=message)

        yield show_progress


def headline(verdict: Verdict) -> str:
    """`2.9× faster · ≥2.3× on 90% of inputs · 19/19 inputs` — the same words the editor shows."""
    if verdict.speedup is None:
        return verdict.status.value
    unit = {"input": "inputs", "run": "runs", "deterministic": "inputs"}.get(verdict.bound_level or "", "inputs")
    lower = verdict.speedup_lower
    bound = f" · ≥{fmt.speedup(lower)} on {fmt.confidence(verdict.alpha)} of {unit}" if lower else ""
    return f"{fmt.speedup(verdict.speedup)} faster{bound} · {verdict.checked_on}"


def print_verdict(verdict: Verdict) -> None:
    color = "green" if verdict.verified else "yellow" if verdict.status.value == "not_faster" else "red"
    out.print(f"[bold {color}]{verdict.status.value}[/bold {color}]  {headline(verdict)}")
    out.print(verdict.detail, markup=False)
    if not (verdict.network_isolated and verdict.filesystem_isolated):
        out.print(
            f"[yellow]sandbox:[/yellow] network isolated={verdict.network_isolated}, "
            f"filesystem isolated={verdict.filesystem_isolated} (install bubblewrap)"
        )


def print_report(report: OptimizeReport) -> None:
    table = Table(title=f"speedlens: {Path(report.file).name}", show_lines=False)
    for column in ("target", "proposer", "status", "speedup", "bound", "checked on"):
        table.add_column(column)
    for r in report.results:
        v = r.verdict
        bound = f"{fmt.bound(v.speedup_lower, v.alpha)} ({v.bound_level})" if v.speedup_lower else ""
        color = "green" if v.verified else "red" if v.status.value not in ("not_faster",) else "yellow"
        table.add_row(
            r.target.name,
            r.candidate.proposer,
            f"[{color}]{v.status.value}[/{color}]",
            fmt.speedup(v.speedup) if v.speedup else "",
            bound,
            v.checked_on,
        )
    out.print(table)
    for warning in report.warnings:
        out.print(f"[yellow]warning:[/yellow] {warning}", markup=True)
    for problem in report.problems:
        _print_error(problem)
    best = report.best_per_target()
    if best:
        out.print(f"\n[bold green]best:[/bold green] {best[0].candidate.proposer}: {headline(best[0].verdict)}")
        out.print(best[0].verdict.detail, markup=False)
        out.print(best[0].candidate.diff(Path(report.file).name), markup=False, highlight=False)
        out.print("apply it with --apply")
    elif report.results:
        out.print(f"\nnothing verified; best attempt: {report.results[0].candidate.proposer}: ", end="")
        out.print(report.results[0].verdict.detail, markup=False)
