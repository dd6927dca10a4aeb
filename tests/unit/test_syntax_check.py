"""Syntax errors confirmed by the compiler (``project.syntax_check``): tree-sitter's guesses alone are never
Warnings; with a compile_commands.json entry, the compiler's errors replace them, and a header of macros that
compiles shows none. Real g++, real compile_commands.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from speedlens.adapters import CppFunctionAdapter
from speedlens.analysis.cpp import syntax_errors
from speedlens.config import Settings
from speedlens.project.compile_db import find_entry
from speedlens.project.syntax_check import SyntaxCheck, SyntaxConfirmer, compiler_errors
from speedlens.sandbox.run import Sandbox
from tests.conftest import needs

pytestmark = needs("g++")

# A header in the style of header-only libraries: namespace macros, X-macros, token pasting, an attribute macro
# from the command line. Tree-sitter, which has no preprocessor, sees three errors; g++ compiles it.
MACRO_HEADER = """\
#pragma once
#define LIB_BEGIN namespace lib {
#define LIB_END }
#define DECLARE_GETTER(type, name) inline type get_##name() { return type{}; }
#define FOR_EACH_FIELD(X) X(int, a) X(long, b)
#define DECLARE_FIELD(type, name) type name;

LIB_BEGIN
struct Record {
    FOR_EACH_FIELD(DECLARE_FIELD)
};
DECLARE_GETTER(int, count)
DECLARE_GETTER(long, total)
LIB_API int parse(const char *s);
LIB_END
"""
BROKEN = "#include \"macros.h\"\nint twice(int x) {\n    return x * 2\n}\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """lib.cpp includes macros.h; compile_commands.json compiles lib.cpp with -DLIB_API=... (macros.h needs it)."""
    (tmp_path / "macros.h").write_text(MACRO_HEADER)
    (tmp_path / "lib.cpp").write_text('#include "macros.h"\nint lib::parse(const char *s) { return *s; }\n')
    (tmp_path / "compile_commands.json").write_text(json.dumps([{
        "directory": str(tmp_path), "file": "lib.cpp",
        "arguments": ["g++", "-std=c++17", "-DLIB_API=[[nodiscard]]", "-Werror", "-c", "lib.cpp", "-o", "lib.o"],
    }]))
    return tmp_path


def check_for(path: Path) -> SyntaxCheck:
    entry = find_entry(path)
    assert entry is not None
    return SyntaxCheck.of(entry, path)


def test_tree_sitter_guesses_are_information_only():
    guesses = syntax_errors(MACRO_HEADER)
    assert guesses and {g.severity for g in guesses} == {"information"}


def test_a_macro_header_that_compiles_with_its_flags_shows_no_syntax_error(project: Path):
    header = project / "macros.h"
    guesses = syntax_errors(MACRO_HEADER)
    confirmer = SyntaxConfirmer()
    assert confirmer.confirm(guesses, MACRO_HEADER, check_for(header), exact=True) == []
    # The borrowed entry's -D is what makes it compile: without it the compiler reports the real error.
    bare = SyntaxCheck("g++", ("-std=c++17",), project, header.resolve())
    errors = compiler_errors(bare, MACRO_HEADER)
    assert errors and errors[0].start_line == MACRO_HEADER.splitlines().index("LIB_API int parse(const char *s);")


def test_a_real_syntax_error_is_reported_with_the_compiler_message(project: Path):
    source = project / "lib.cpp"
    guesses = syntax_errors(BROKEN)
    assert guesses
    confirmed = SyntaxConfirmer().confirm(guesses, BROKEN, check_for(source), exact=True)
    assert confirmed and all(f.severity == "warning" and f.rule == "syntax" for f in confirmed)
    first = confirmed[0]
    assert "expected ';'" in first.message.replace("\u2018", "'").replace("\u2019", "'")
    assert (first.start_line, first.start_col) == (2, 16)  # after "return x * 2", where g++ points


def test_without_a_compile_entry_the_guesses_stay_information():
    guesses = syntax_errors(BROKEN)
    assert SyntaxConfirmer().confirm(guesses, BROKEN, None, exact=True) == guesses


def test_typing_starts_no_compiler_and_an_unchanged_text_is_compiled_once(project: Path):
    check, guesses, confirmer = check_for(project / "lib.cpp"), syntax_errors(BROKEN), SyntaxConfirmer()
    for end in range(len(BROKEN) - 5, len(BROKEN)):  # keystrokes: held back until the compiler is asked
        assert confirmer.confirm(syntax_errors(BROKEN[:end]), BROKEN[:end], check, exact=False) == []
    assert confirmer.compiles == 0
    first = confirmer.confirm(guesses, BROKEN, check, exact=True)
    assert confirmer.confirm(guesses, BROKEN, check, exact=True) == first
    assert confirmer.confirm(guesses, BROKEN, check, exact=False) == first  # the answer is kept for the text
    assert confirmer.compiles == 1


def test_a_compiler_that_cannot_run_leaves_the_guesses(project: Path):
    missing = SyntaxCheck("no-such-compiler-speedlens", (), project, (project / "lib.cpp").resolve())
    guesses = syntax_errors(BROKEN)
    assert SyntaxConfirmer().confirm(guesses, BROKEN, missing, exact=True) == guesses


def test_the_cpp_adapters_confirm_syntax_errors_with_the_borrowed_entry(project: Path):
    adapter = CppFunctionAdapter(Settings(), Sandbox())
    header = project / "macros.h"
    assert not [f for f in adapter.findings(header, MACRO_HEADER, exact=True) if f.rule == "syntax"]
    broken = MACRO_HEADER.replace("struct Record {", "struct Record {{")
    found = [f for f in adapter.findings(header, broken, exact=True) if f.rule == "syntax"]
    assert found and {f.severity for f in found} == {"warning"}
