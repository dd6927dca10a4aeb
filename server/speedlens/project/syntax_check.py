"""Syntax errors confirmed by the project's compiler before an editor shows them.

Tree-sitter parses C++ without the preprocessor, so a header built of macros (``NS_BEGIN``, X-macros, attribute
macros) parses with ERROR nodes although it compiles: its guesses are only guesses. Where the file has a
compile_commands.json entry (its own, or one a header borrows), the guesses are put to the compiler with that
entry's flags (``-fsyntax-only``, the buffer on stdin, so unsaved text is checked and nothing is written): the
compiler's own errors in the file replace them, and a file that compiles shows none. The compiler only parses the
user's own code here (nothing is run), so it is a plain subprocess, not a sandboxed one.

Typing must not start a compiler per keystroke: a check runs only when asked with ``exact`` (the editor asks so
after a pause in typing, ARCHITECTURE.md, "Data flow of one optimize"), one at a time in the process, and its
answer is kept per (file, text, flags), so the unchanged text is never compiled twice.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cachetools

from speedlens.models import Finding

from .compile_db import CompileEntry

CHECK_TIMEOUT_S = 30
MAX_ERRORS = 20
CONFIRMED = "warning"  # the compiler's own error

# "<stdin>:12:5: error: expected ';' before '}' token" (gcc and clang alike; "fatal error" too).
_DIAGNOSTIC = re.compile(r"^<stdin>:(\d+):(\d+): (?:fatal )?error: (.*)$", re.MULTILINE)
_TOKEN = re.compile(r"\w+|\S")


@dataclass(frozen=True)
class SyntaxCheck:
    """How to ask the compiler about one file: the compiler, its entry's flags, the directory it compiles in."""

    compiler: str
    flags: tuple[str, ...]
    directory: Path
    path: Path

    @classmethod
    def of(cls, entry: CompileEntry, path: Path) -> SyntaxCheck:
        return cls(entry.compiler, entry.flags, entry.directory, path.resolve())

    def argv(self, gcc: bool) -> list[str]:
        """``-fsyntax-only`` with the entry's flags, the file's own directory first for ``#include "x.h"`` (the
        text comes on stdin), warnings off (a ``-Werror`` project's warnings are not syntax errors), and the
        language named (stdin has no suffix; a header is parsed as C++ source, as clangd does)."""
        columns = ["-fdiagnostics-column-unit=byte"] if gcc else []
        return [self.compiler, *self.flags, "-fsyntax-only", "-w", "-fno-diagnostics-color", *columns,
                "-iquote", str(self.path.parent), "-x", "c++", "-"]


def compiler_errors(check: SyntaxCheck, text: str, timeout: float = CHECK_TIMEOUT_S) -> list[Finding] | None:
    """The compiler's errors located in ``text`` itself, as Warning findings; None when it could not say (it is
    not installed, it timed out)."""
    resolved = shutil.which(check.compiler)
    gcc = "clang" not in Path(resolved or check.compiler).resolve().name
    try:
        done = subprocess.run(check.argv(gcc), input=text, capture_output=True, text=True, timeout=timeout,
                              cwd=check.directory if check.directory.is_dir() else None, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = text.split("\n")
    errors = [_finding(lines, int(m[1]) - 1, int(m[2]) - 1, m[3]) for m in _DIAGNOSTIC.finditer(done.stderr)]
    if done.returncode != 0 and not errors and "error" not in done.stderr:
        return None  # the compiler failed without an error about the text (e.g. a flag it does not know)
    return list(dict.fromkeys(errors))[:MAX_ERRORS]


def _finding(lines: Sequence[str], line: int, byte_col: int, message: str) -> Finding:
    """An error at a 0-based line and byte column, spanning the token there (columns in characters)."""
    line = max(0, min(line, len(lines) - 1))
    data = lines[line].encode("utf-8")
    col = len(data[: max(0, byte_col)].decode("utf-8", errors="ignore"))
    token = _TOKEN.match(lines[line], col)
    end = token.end() if token else col
    return Finding("syntax", message.strip(), line, col, line, end, CONFIRMED)


class SyntaxConfirmer:
    """Tree-sitter's syntax-error guesses of a file, confirmed (replaced) by its compiler's errors."""

    def __init__(self, max_texts: int = 64) -> None:
        self._answers: cachetools.LRUCache[tuple, list[Finding] | None] = cachetools.LRUCache(max_texts)
        self._lock = threading.Lock()  # guards the cache (the language server analyses from a thread pool)
        self._compiling = threading.Lock()  # one compiler at a time in the process, however many files pause
        self.compiles = 0  # compilers started (tests read it)

    def confirm(self, guesses: list[Finding], text: str, check: SyntaxCheck | None, exact: bool) -> list[Finding]:
        """What to show of ``guesses`` (tree-sitter's, Information): with no ``check`` (no compile_commands
        entry), the guesses; with one, the compiler's errors once it answered for this text (asked only when
        ``exact``), and nothing before (a guess it may refute is not shown)."""
        if not guesses:
            return []
        if check is None:
            return guesses
        key = (check, hashlib.sha256(text.encode("utf-8")).digest())
        with self._lock:
            if key in self._answers:
                answer = self._answers[key]
                return guesses if answer is None else answer
        if not exact:
            return []
        with self._compiling:
            with self._lock:
                if key in self._answers:  # answered while this one waited for the compiler
                    answer = self._answers[key]
                    return guesses if answer is None else answer
            self.compiles += 1
            answer = compiler_errors(check, text)
            with self._lock:
                self._answers[key] = answer
        return guesses if answer is None else answer
