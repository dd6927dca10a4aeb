"""The generated differential harness: signatures, what can be generated, the driver program and the header
declarations a re-signatured function drags along."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from speedlens.analysis import cpp
from speedlens.harness.driver import driver_source
from speedlens.harness.signature import (
    NotGeneratable,
    check_comparable,
    check_generatable,
    signature_of,
    unsupported_part,
    with_structs,
)
from speedlens.project import declarations

LIBRARY = """#include <map>
#include <string>
#include <vector>
namespace lib {
long long total(const std::vector<int>& values, std::map<std::string, int>& counts, int* data, int n) {
    long long sum = 0;
    for (int v : values) sum += v;
    counts["total"] = static_cast<int>(sum);
    for (int i = 0; i < n; ++i) data[i] *= 2;
    return sum;
}
}
"""


def only_definition(source: str):
    return next(cpp.function_definitions(cpp.file_nodes(cpp.parse(source))))


def test_signature_says_how_each_argument_is_passed():
    signature = signature_of(only_definition(LIBRARY))
    assert signature.name == "lib::total"
    assert [(p.type, p.name, p.passing) for p in signature.params] == [
        ("std::vector<int>", "values", "const_ref"), ("std::map<std::string, int>", "counts", "ref"),
        ("int", "data", "pointer"), ("int", "n", "value")]
    assert [p.written for p in signature.params] == [False, True, True, False]
    check_generatable(signature)  # a (pointer, length) pair is a buffer


@pytest.mark.parametrize(("type_text", "problem"), [
    ("std::vector<std::pair<int, std::string>>", None), ("std::array<double, 4>", None),
    ("std::unordered_map<long long, std::set<char>>", None), ("Widget", "Widget"),
    ("std::vector<Widget>", "Widget"), ("std::function<int(int)>", "function"),
])
def test_unsupported_part_names_what_cannot_be_built(type_text, problem):
    assert unsupported_part(type_text) == problem


def test_templates_members_and_unknown_types_are_refused_with_a_reason():
    with pytest.raises(NotGeneratable, match="template"):
        signature_of(only_definition("template <class T> T twice(T x) { return x + x; }"))
    with pytest.raises(NotGeneratable, match="member function"):
        signature_of(only_definition("struct S { int f(int x) { return x; } };"))
    with pytest.raises(NotGeneratable, match="`Widget`"):
        check_generatable(signature_of(only_definition("int area(Widget w) { return 0; }")))


@pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")
def test_driver_prints_the_return_value_and_written_arguments(tmp_path: Path):
    signature = signature_of(only_definition(LIBRARY))
    (tmp_path / "prog.cpp").write_text(driver_source(LIBRARY, signature, (3, 5)))
    subprocess.run(["g++", "-std=c++17", "-O1", "prog.cpp", "-o", "prog"], cwd=tmp_path, check=True)
    run = lambda stdin: subprocess.run(["./prog"], cwd=tmp_path, input=stdin, capture_output=True, text=True,  # noqa: E731
                                       check=True).stdout
    first = run("1\n")
    assert first == run("1\n")  # deterministic per seed
    assert first != run("0\n")  # another seed, other arguments
    assert first.count("return: ") == 4 and first.count("counts: {") == 0 and first.count("counts: [") == 4
    assert first.count("data: [") == 4
    assert int(run("0 -1\n").strip()) >= 1  # calibration mode prints a repetition count


GEO_HEADER = """#pragma once
#include <string>
#include <vector>
namespace geo {
struct Point { double x; double y; };
struct Word { std::string text; int count; Point at; };
class Sealed { int hidden; public: int shown; };
struct Built { Built(int v) : v(v) {} int v; };
}
"""
GEO = """#include "geo.hpp"
namespace geo {
Word best(const std::vector<Point>& points, std::vector<Word>& words) {
    Word w{"", 0, {0, 0}};
    for (const auto& p : points) w.at.x += p.x;
    for (auto& x : words) { x.count += 1; w.count += x.count; }
    return w;
}
}
"""


@pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")
def test_project_aggregates_are_generated_and_compared_field_by_field(tmp_path: Path):
    signature = with_structs(signature_of(only_definition(GEO)), [GEO, GEO_HEADER])
    assert [p.type for p in signature.params] == ["std::vector<geo::Point>", "std::vector<geo::Word>"]
    check_generatable(signature)
    (tmp_path / "geo.hpp").write_text(GEO_HEADER)
    (tmp_path / "prog.cpp").write_text(driver_source(GEO, signature, (1,)))
    subprocess.run(["g++", "-std=c++17", "-O1", "prog.cpp", "-o", "prog"], cwd=tmp_path, check=True)
    run = lambda stdin: subprocess.run(["./prog"], cwd=tmp_path, input=stdin, capture_output=True, text=True,  # noqa: E731
                                       check=True).stdout
    first = run("2\n")
    assert first == run("2\n") and first != run("3\n")  # seeded: deterministic per seed
    assert first.count("return: {text=") == 1 and first.count("words: [{text=") == 1 and " at={x=" in first


@pytest.mark.parametrize(("declaration", "reason"), [
    ("class Sealed", "non-public field"), ("struct Built", "constructor"), ("struct Base", "base class"),
    ("struct Linked", "pointer, reference or array"), ("struct Tree", "contains itself"),
])
def test_structs_that_are_not_plain_aggregates_are_refused_naming_why(declaration, reason):
    name = declaration.split()[1]
    source = GEO_HEADER + f"""namespace geo {{
struct Base : Point {{ int z; }};
struct Linked {{ Linked* next; }};
struct Tree {{ std::vector<Tree> kids; }};
int use(const std::vector<{name}>& values) {{ return 0; }}
}}
"""
    definition = [d for d in cpp.function_definitions(cpp.file_nodes(cpp.parse(source)))
                  if cpp.function_name(d) == "use"][0]
    with pytest.raises(NotGeneratable, match=f"`geo::{name}`.*{reason}.*aggregates with public fields"):
        check_generatable(with_structs(signature_of(definition), [source]))


def test_header_declarations_follow_a_changed_parameter_list(tmp_path: Path):
    header = "#pragma once\n#include <vector>\nnamespace lib {\nint sum(std::vector<int> v);\nint other(int);\n}\n"
    source = "int sum(std::vector<int> values) { int s = 0; for (int x : values) s += x; return s; }\n"
    old = declarations.parameter_types(declarations.parameter_list(only_definition(source)))
    assert old == ("std::vector<int>",)
    edited = declarations.edit_declarations(header, "sum", old, "(const std::vector<int>& values)")
    assert edited is not None and "int sum(const std::vector<int>& values);" in edited and "int other(int);" in edited
    assert declarations.edit_declarations(header, "missing", old, "()") is None
    (tmp_path / "include").mkdir()
    (tmp_path / "include" / "lib.h").write_text(header)
    file_text = '#include "lib.h"\n#include <vector>\n' + source
    headers = declarations.project_headers(file_text, tmp_path, (tmp_path / "include",))
    assert [path.name for _, path in headers] == ["lib.h"]
    inlined = declarations.with_headers_inlined(file_text, {headers[0][1]: edited}, headers)
    assert "#pragma once" not in inlined and "const std::vector<int>& values);" in inlined


@pytest.mark.parametrize(("definition", "name", "returns"), [
    ("const std::vector<int>& same(const std::vector<int>& v) { return v; }", "same", "std::vector<int>"),
    ("auto tail(int x) -> std::vector<int> { return {x}; }", "tail", "std::vector<int>"),
    ("static inline unsigned long long wide(int x) { return x; }", "wide", "unsigned long long"),
    ("void nothing(std::string& s) { s.clear(); }", "nothing", "void"),
])
def test_return_types_are_read_however_they_are_written(definition, name, returns):
    signature = signature_of(only_definition(definition))
    assert (signature.name, signature.returns, signature.returns_pointer) == (name, returns, False)
    check_comparable(signature)


@pytest.mark.parametrize(("definition", "refusal"), [
    ("const int* first(const std::vector<int>& v) { return v.data(); }", "returns a pointer"),
    ("auto last(const std::vector<int>& v) -> const int* { return &v.back(); }", "returns a pointer"),
    ("std::unique_ptr<int> boxed(int x) { return std::make_unique<int>(x); }", "`unique_ptr` is not a type"),
    ("Widget make(int x) { return Widget{x}; }", "`Widget` is not a type"),
])
def test_a_return_value_the_harness_cannot_compare_is_refused_before_any_build(definition, refusal):
    with pytest.raises(NotGeneratable, match=refusal):
        check_comparable(signature_of(only_definition(definition)))


SHAPES = """#include <vector>
namespace shapes {
enum class Kind : unsigned char { Circle, Square = 4, Triangle = 9 };
enum Unit { mm, cm };
struct Shape { Kind kind; int size; };
int total(const std::vector<Shape>& shapes, Unit unit, Kind& last) {
    int sum = 0;
    for (const Shape& s : shapes) { sum += static_cast<int>(s.kind) * s.size; last = s.kind; }
    return unit == mm ? sum : sum / 10;
}
}
"""


@pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")
def test_project_enums_are_generated_as_their_enumerators(tmp_path: Path):
    """An enum (scoped or not, a struct's field or a parameter, written through a reference) is generated as one
    of its enumerators, never a value no caller could name, and compared by its underlying value."""
    definition = [d for d in cpp.function_definitions(cpp.file_nodes(cpp.parse(SHAPES)))][0]
    signature = with_structs(signature_of(definition), [SHAPES])
    assert [p.type for p in signature.params] == ["std::vector<shapes::Shape>", "shapes::Unit", "shapes::Kind"]
    check_generatable(signature)
    (tmp_path / "prog.cpp").write_text(driver_source(SHAPES, signature, (1,)))
    subprocess.run(["g++", "-std=c++17", "-O1", "prog.cpp", "-o", "prog"], cwd=tmp_path, check=True)
    outputs = [subprocess.run(["./prog"], cwd=tmp_path, input=f"{seed}\n", capture_output=True, text=True,
                              check=True).stdout for seed in range(6)]
    kinds = {word for out in outputs for word in re.findall(r"last: (\d+)", out)}  # written through a reference
    assert kinds <= {"0", "4", "9"} and len(kinds) >= 2, kinds  # and compared after each call


def test_an_enum_without_enumerators_is_not_generated():
    source = "enum class Opaque : int {};\nint f(Opaque o) { return static_cast<int>(o); }\n"
    with pytest.raises(NotGeneratable, match="`Opaque`"):
        check_generatable(with_structs(signature_of(only_definition(source)), [source]))
