"""Argument tuples recorded from a project's calls: every type the generators build serializes and reads back
exactly, a wrapped function records its arguments as they are on entry, and the driver calls the function on a
recorded tuple."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from speedlens.adapters import project_recording
from speedlens.analysis import cpp
from speedlens.harness.aggregates import structs_in, support_source
from speedlens.harness.driver import driver_source, recorded_input
from speedlens.harness.recording import MAX_TUPLES, Recordable, instrumented, recordable, tuples
from speedlens.harness.signature import Param, Signature, signature_of, with_structs

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")

GEN = Path(__file__).resolve().parents[2] / "server" / "speedlens" / "harness" / "gen.hpp"
POINT = "struct Point { double x; int y; std::string label; };\n"

# (type, extra values written by hand: the edges the seeded generators never build)
TYPES = [
    ("bool", ["true", "false"]), ("char", ["'\\0'", "'\\n'", "':'", "(char)-128"]), ("signed char", ["-128"]),
    ("unsigned char", ["255"]), ("short", ["-32768"]), ("int", ["-2147483647 - 1"]), ("unsigned", ["4294967295u"]),
    ("long long", ["-9223372036854775807LL - 1"]), ("unsigned long long", ["18446744073709551615ULL"]),
    ("std::int8_t", ["-7"]), ("std::uint64_t", ["1ULL << 63"]), ("std::size_t", ["0"]),
    ("float", ["0.1f", "-0.0f", "1e-45f", "std::numeric_limits<float>::infinity()"]),
    ("double", ["0.1", "-0.0", "4.9e-324", "-std::numeric_limits<double>::infinity()", "1.7976931348623157e308"]),
    ("long double", ["0.1L", "1e-4950L"]),
    ("std::string", ['std::string("a\\0b\\n c:3:x", 10)', '""', 'std::string(3, \'\\xff\')']),
    ("std::vector<int>", ["{}"]), ("std::vector<std::string>", ['{"", " ", "x y"}']), ("std::array<double, 3>", []),
    ("std::deque<int>", []), ("std::list<std::string>", []), ("std::map<std::string, int>", ['{{"k v", 1}}']),
    ("std::set<long>", []), ("std::unordered_map<int, std::string>", []), ("std::unordered_set<std::string>", []),
    ("std::pair<int, std::string>", []), ("std::tuple<int, double, std::string>", []), ("Point", []),
    ("std::vector<Point>", []), ("std::map<int, std::vector<Point>>", []),
]

ROUND_TRIP = r"""
#include <cmath>
#include <cstdint>
#include <limits>
POINT_STRUCT
GEN_HPP
SUPPORT
template <class T> int check(const char* name, const T& value) {
    std::ostringstream written;
    speedlens_harness::write(written, value);
    std::istringstream in(written.str());
    T back{};
    std::ostringstream shown, shown_back, rewritten;
    speedlens_harness::show(shown, value);
    if (!speedlens_harness::read(in, back)) { std::cout << "FAIL " << name << ": does not read back\n"; return 1; }
    speedlens_harness::show(shown_back, back);
    speedlens_harness::write(rewritten, back);
    bool same = shown.str() == shown_back.str();
    if constexpr (std::is_floating_point_v<T>)
        same = same && std::signbit(value) == std::signbit(back) && value == back;
    if constexpr (!speedlens_harness::is_unordered<T>::value) same = same && written.str() == rewritten.str();
    std::string rest;
    if (in >> rest) same = false;  // all of it was read
    std::cout << (same ? "ok " : "FAIL ") << name;
    std::cout << (same ? "" : ": " + shown.str() + " != " + shown_back.str()) << '\n';
    return same ? 0 : 1;
}
int main() {
    int failed = 0;
    speedlens_harness::Rng rng(7);
CHECKS
    return failed;
}
"""


def compile_and_run(tmp_path: Path, source: str, stdin: bytes = b"", name: str = "prog") -> subprocess.CompletedProcess:
    (tmp_path / f"{name}.cpp").write_text(source)
    subprocess.run(["g++", "-std=c++17", "-O1", "-o", str(tmp_path / name), str(tmp_path / f"{name}.cpp")],
                   check=True, capture_output=True, text=True)
    return subprocess.run([str(tmp_path / name)], input=stdin, capture_output=True, check=False, cwd=tmp_path)


def test_every_generated_type_round_trips_exactly(tmp_path: Path):
    checks = []
    for type_text, extras in TYPES:
        for size in (0, 3, 40):
            checks.append(f'    failed += check<{type_text}>("{type_text} generated n={size}", '
                          f"speedlens_harness::make<{type_text}>(rng, {size}));")
        for k, extra in enumerate(extras):
            checks.append(f"    {{ {type_text} v = {extra}; "
                          f"failed += check<{type_text}>(\"{type_text} edge {k}\", v); }}")
    structs = structs_in([POINT])
    program = (ROUND_TRIP.replace("POINT_STRUCT", "#include <string>\n" + POINT)
               .replace("GEN_HPP", GEN.read_text()).replace("SUPPORT", support_source(list(structs.values())))
               .replace("CHECKS", "\n".join(checks)))
    run = compile_and_run(tmp_path, program)
    output = run.stdout.decode()
    assert run.returncode == 0 and "FAIL" not in output, output
    assert output.count("ok ") == len(checks)


LIBRARY = """#include <string>
#include <vector>
namespace lib {
struct Point { double x; int y; std::string label; };
double scaled(const std::vector<Point>& points, std::string& log, const int* weights, int n, double factor) {
    double sum = 0;
    for (const Point& p : points) sum += p.x * p.y;
    for (int i = 0; i < n; ++i) sum += weights[i];
    log += "+";
    return sum * factor;
}
}  // namespace lib
"""

CALLS = """
int main() {
    std::string log = "before";
    int weights[] = {1, 2, 3};
    std::vector<lib::Point> points = {{0.1, 2, "a b"}, {-0.0, 3, std::string("z\\0", 2)}};
    for (int round = 0; round < 3; ++round) lib::scaled(points, log, weights, 3, 1.5);  // log differs each round
    lib::scaled(points, log, weights, 3, 1.5);
    return 0;
}
"""


def test_a_wrapped_function_records_its_arguments_on_entry_and_the_driver_replays_them(tmp_path: Path):
    definition = next(cpp.function_definitions(cpp.file_nodes(cpp.parse(LIBRARY))))
    signature = with_structs(signature_of(definition), [LIBRARY])
    assert recordable(definition, signature)
    output = tmp_path / "scaled.tuples"
    wrapped = instrumented(LIBRARY, [Recordable(definition, signature, output)])
    assert "speedlens_recorded_scaled" in wrapped
    assert compile_and_run(tmp_path, wrapped + CALLS, name="recording").returncode == 0

    recorded = tuples(output.read_bytes())
    assert len(recorded) == 4  # one per distinct entry state: log grows by a "+" each call
    assert b"6:before" in recorded[0] and b"7:before+" in recorded[1]  # by-reference argument: as it was on entry
    driver = driver_source(LIBRARY, signature, repetitions=(1,) * 24)
    replay = compile_and_run(tmp_path, driver, stdin=recorded_input(21, recorded[1]), name="driver")
    assert replay.returncode == 0, replay.stderr
    # 0.1*2 + 0*3 + (1+2+3) = 6.2, times 1.5; the written log printed after the call
    assert replay.stdout.decode().splitlines() == ["return: 9.3000000000000007", "log: 8:before++"]


def test_unrecordable_definitions_are_left_alone():
    one_int = Signature("f", (Param("int", "a", "value"),))
    for source in ["int lib::f(int a) { return a; }", "int f(int) { return 1; }", "int f(int a, ...) { return a; }",
                   "template <class T> T f(T a) { return a; }", "struct S { int f(int a) { return a; } };",
                   'extern "C" { int f(int a) { return a; } }']:
        definition = next(cpp.function_definitions(cpp.file_nodes(cpp.parse(source))))
        assert not recordable(definition, one_int), source
    pointer = next(cpp.function_definitions(cpp.file_nodes(cpp.parse("int f(int (*g)(int), int x) { return 1; }"))))
    assert not recordable(pointer, signature_of(pointer))  # the signature does not know the pointer's name


def test_recording_files_are_read_distinct_bounded_and_never_past_a_truncated_record():
    def record(text: bytes) -> bytes:
        return str(len(text)).encode() + b"\n" + text + b"\n"
    assert tuples(record(b"1 2") + record(b"3\n4 ") + record(b"1 2") + b"5\n12") == [b"1 2", b"3\n4 "]
    many = b"".join(record(str(i).encode()) for i in range(MAX_TUPLES + 5))
    assert len(tuples(many)) == MAX_TUPLES
    assert tuples(record(b"x" * ((1 << 20) + 1)) + record(b"y")) == [b"y"]


def test_a_files_recorded_inputs_are_what_the_editor_keys_by_and_each_function_uses_its_own(tmp_path: Path):
    source, text = tmp_path / "lib.cpp", "int f(int a) { return a; }\nint g(int b) { return b; }\n"
    assert project_recording.known(source, text) == []  # nothing recorded for this text yet
    recorded = project_recording.Recorded({"lib::f": [b"1 ", b"2 "], "lib::g": [b"3 "]})
    cases = project_recording.store(source, text, recorded, seeds=20)
    assert project_recording.known(source, text) == cases  # the key of an optimize and of the editor's lookup
    assert project_recording.known(source, text + " ") == []
    own = project_recording.own(cases, "lib::f")
    assert [c.input.read_bytes() for c in own] == [b"recorded 20\n1 ", b"recorded 21\n2 "]  # slots after the seeds
    assert [c.input.read_bytes() for c in project_recording.own(cases, "lib::g")] == [b"recorded 20\n3 "]
