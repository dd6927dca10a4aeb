"""An argument generator the model writes: the prompt that asks for it, the code taken from the answer, the driver
built with it instead of the type-directed generators, and the probe that reports every tuple it makes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from speedlens.analysis import cpp
from speedlens.harness.driver import MODEL_ARGS, POOL, driver_source
from speedlens.harness.model_generator import DECLARATION, probe, probe_errors, tuple_digests
from speedlens.harness.signature import signature_of, with_structs
from speedlens.propose.prompts import argument_generator_messages, extract_argument_generator

GEO = """#include <vector>
namespace geo {
struct Point { double x; double y; };
double span(const std::vector<Point>& points, int* marks, int n) {
    double s = 0;
    for (const auto& p : points) s += p.x - p.y;
    for (int i = 0; i < n; ++i) marks[i] = 1;
    return s;
}
}
"""
SORTED_CHECK = """#include <algorithm>
#include <vector>
bool is_sorted_input(const std::vector<int>& values, int x) {
    return std::is_sorted(values.begin(), values.end()) && x >= 0;
}
"""
SORTED = f"""static SpeedlensArgs {MODEL_ARGS}(speedlens_harness::Rng& rng, std::size_t n) {{
    SpeedlensArgs args;
    args.a0 = speedlens_harness::make<std::vector<int>>(rng, n);
    std::sort(args.a0.begin(), args.a0.end());
    args.a1 = static_cast<int>(rng() % 100);
    return args;
}}
"""


def signature(source: str):
    definition = next(cpp.function_definitions(cpp.file_nodes(cpp.parse(source))))
    return with_structs(signature_of(definition), [source])


def test_the_prompt_carries_the_function_its_parameters_structs_and_the_declaration_to_write():
    target = next(t for t in cpp.find_targets(GEO, name="geo.cpp") if t.kind == "function")
    prompt = argument_generator_messages(GEO, target, signature(GEO))[-1]["content"]
    assert target.text in prompt and DECLARATION in prompt
    assert "struct geo::Point { double x; double y; };" in prompt
    assert "std::vector<geo::Point> a0{};" in prompt and "std::vector<int> a1{};" in prompt
    assert "a0: parameter `points` (std::vector<geo::Point>, const ref), passed as is" in prompt
    assert "a1: parameter `marks` (int, pointer), the buffer it points to (passed as .data())" in prompt
    assert "parameter `n` has no field: it is passed as a1.size()" in prompt


def test_the_generator_is_the_cpp_block_that_defines_it():
    answer = f"Sorted input:\n```text\nnot code\n```\n```cpp\n{SORTED}```\n"
    assert extract_argument_generator(answer) == (SORTED, "ok")
    assert extract_argument_generator("```cpp\nint f() { return 1; }\n```")[0] is None
    code, why = extract_argument_generator(f"```cpp\n{SORTED[:-3]}")
    assert code is None and "truncated" in why


@pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")
def test_the_driver_builds_every_tuple_with_the_generator_and_the_probe_reports_each(tmp_path: Path):
    sig = signature(SORTED_CHECK)

    def run(source: str, seed: int) -> subprocess.CompletedProcess:
        (tmp_path / "prog.cpp").write_text(source)
        subprocess.run(["g++", "-std=c++17", "-O1", "prog.cpp", "-o", "prog"], cwd=tmp_path, check=True)
        return subprocess.run(["./prog"], cwd=tmp_path, input=f"{seed} {POOL}\n", capture_output=True, text=True,
                              check=True)

    typed = run(driver_source(SORTED_CHECK, sig), 3).stdout
    assert "return: false" in typed  # type-directed vectors are not sorted
    modelled = run(driver_source(SORTED_CHECK, sig, generator=SORTED), 3).stdout
    assert modelled == "return: true\n" * POOL

    probed = [run(driver_source(SORTED_CHECK, sig, (POOL,), probe(SORTED, sig)), seed) for seed in (0, 1, 0)]
    assert probed[0].stdout == "return: true\n" * POOL  # the probe changes nothing the harness compares
    digests = [tuple_digests(p.stderr.encode()) for p in probed]
    assert len(digests[0]) == POOL and len(set(digests[0])) == POOL
    assert digests[0] == digests[2] != digests[1]  # the same per seed, other tuples for another seed


def test_compile_errors_name_the_function_the_model_wrote():
    errors = "prog.cpp: In function 'speedlens_model_args_unprobed(...)':\nerror: 'srot' is not a member\nx\ny\nz"
    assert probe_errors(errors) == (f"prog.cpp: In function '{MODEL_ARGS}(...)': error: 'srot' is not a member x y")
