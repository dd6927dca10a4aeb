"""The CMake File API reply: the target compiling a source, the executables linking it, their ctest tests."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from speedlens.project.file_api import dependent_executables, owners, read_targets, select_tests, write_query

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "cmake"


@pytest.mark.skipif(shutil.which("cmake") is None, reason="needs cmake")
def test_source_maps_to_its_library_and_the_executables_linking_it(tmp_path: Path):
    build = tmp_path / "build"
    write_query(build)
    subprocess.run(["cmake", "-S", str(SAMPLE), "-B", str(build)], check=True, capture_output=True)
    targets = read_targets(build)
    library = owners(targets, SAMPLE / "src" / "textstats.cpp")
    assert [t.name for t in library] == ["textstats"]
    names = sorted(t.name for t in dependent_executables(targets, library))
    expected = [n for n in ("textstats_bench", "textstats_test") if any(t.name == n for t in targets)]
    assert names == expected


def test_tests_are_narrowed_to_the_executables_commands(tmp_path: Path):
    from speedlens.project.file_api import CMakeTarget

    exe = CMakeTarget("t::1", "t", "EXECUTABLE", (), (tmp_path / "t",), ())
    listing = json.dumps({"tests": [{"name": "A.b", "command": [str(tmp_path / "t"), "--gtest_filter=A.b"]},
                                    {"name": "other", "command": [str(tmp_path / "u")]}, {"name": "NOT_BUILT"}]})
    assert select_tests(listing, [exe]) == ["A.b"]
    assert select_tests("not json", [exe]) is None


def test_shared_libraries_reached_through_any_dependency_are_found():
    from speedlens.project.file_api import CMakeTarget, shared_libraries

    shared = CMakeTarget("s", "s", "SHARED_LIBRARY", (), (), ())
    static = CMakeTarget("a", "a", "STATIC_LIBRARY", (), (), ("s",))
    alone = CMakeTarget("b", "b", "STATIC_LIBRARY", (), (), ())
    exe = CMakeTarget("e", "e", "EXECUTABLE", (), (), ("a",))
    other = CMakeTarget("f", "f", "EXECUTABLE", (), (), ("b",))
    targets = [shared, static, alone, exe, other]
    assert shared_libraries(targets, exe) == [shared] and shared_libraries(targets, other) == []
