"""Library functions the generated harness cannot verify get one clear, actionable message (exit 2, ``error:`` and
``fix:``, no traceback, no misleading "undefined reference") and the file is left alone (issue 12, item 9): a
template, a member function, a function using the file's mutable globals, one returning a pointer. A header-only
library's inline function is a target like any other."""

from __future__ import annotations

from pathlib import Path

import pytest

from speedlens.adapters import CppFunctionAdapter
from speedlens.config import Settings
from speedlens.errors import InputError
from speedlens.harness.signature import NotGeneratable, check_no_mutable_globals, definition_at
from speedlens.sandbox.run import Sandbox
from tests.cli.test_cli import speedlens
from tests.conftest import needs

TEMPLATE = """#include <vector>
template <typename T>
T total(const std::vector<T>& v) {
    T s{};
    for (const T& x : v) s += x;
    return s;
}
"""
MEMBER = """#include <vector>
struct Acc {
    long sum = 0;
    long add(const std::vector<int>& v);
};
long Acc::add(const std::vector<int>& v) {
    for (int x : v) sum += x;
    return sum;
}
"""
GLOBALS = """#include <vector>
static long counter = 0;
long bump(const std::vector<int>& v) {
    for (int x : v) counter += x;
    return counter;
}
"""
POINTER_RETURN = """#include <vector>
const int* first_negative(const std::vector<int>& v) {
    for (const int& x : v) if (x < 0) return &x;
    return nullptr;
}
"""
HEADER_ONLY = """#pragma once
#include <vector>
inline long total(std::vector<int> v) {
    long s = 0;
    for (int x : v) s += x;
    return s;
}
"""


@needs("g++")
@pytest.mark.parametrize("source, words, fix", [
    (TEMPLATE, "total is a template", "a program that calls it"),
    (MEMBER, "Acc::add is a member function", "a program that calls it"),
    (GLOBALS, "bump uses mutable global state (`counter`)", "pass the state as a parameter"),
    (POINTER_RETURN, "first_negative returns a pointer", "return an index or a value"),
])
def test_unverifiable_functions_get_one_clear_message(tmp_path: Path, source: str, words: str, fix: str):
    path = tmp_path / "lib.cpp"
    path.write_text(source)
    result = speedlens("optimize", str(path), "--no-cache")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert words in result.stderr and "fix:" in result.stderr and fix in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "undefined reference" not in result.stderr
    assert path.read_text() == source


def check(source: str, line: int) -> None:
    definition = definition_at(source, line)
    assert definition is not None
    check_no_mutable_globals(definition)


def test_only_mutable_globals_the_function_uses_are_refused():
    with pytest.raises(NotGeneratable, match="counter"):
        check(GLOBALS, 2)
    check(GLOBALS.replace("static long counter = 0;", "static const long counter = 0;"), 2)  # a constant
    check(GLOBALS.replace("counter", "seen").replace("for (int x", "long seen = 0;\n    for (int x"), 2)  # local
    check("int table[4];\nint other(int x) { return x * 2; }\n", 1)  # a global it does not touch
    with pytest.raises(NotGeneratable, match="hits"):
        check("namespace lib {\nint hits;\nint f(int x) { ++hits; return x; }\n}\n", 2)


def test_a_header_only_librarys_inline_function_is_a_target(tmp_path: Path):
    header = tmp_path / "total.h"
    adapter = CppFunctionAdapter(Settings(), Sandbox())
    assert adapter.handles(header, HEADER_ONLY)
    assert [t.name for t in adapter.targets(header, HEADER_ONLY)] == ["total"]


def test_no_function_at_the_line_is_an_input_error(tmp_path: Path):
    from speedlens.adapters import Job
    from speedlens.models import Target

    job = Job(tmp_path / "lib.cpp", GLOBALS, Target("bump", "function", "cpp", 0, 0, ""))
    with pytest.raises(InputError, match="no function definition starts at line 1"):
        CppFunctionAdapter(Settings(), Sandbox()).plan(job)
