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
    expected = [n for n in ("textstats_bench", "textstats_test", "wordstats") if any(t.name == n for t in targets)]
    assert names == expected and "wordstats" in names


@pytest.mark.skipif(shutil.which("cmake") is None, reason="needs cmake")
def test_an_app_target_says_how_it_compiles_and_links(tmp_path: Path):
    """The sample's wordstats app: compiled with the target's flags and include directory, linked with the
    library's archive (an absolute path in the build directory)."""
    build = tmp_path / "build"
    write_query(build)
    subprocess.run(["cmake", "-S", str(SAMPLE), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release"], check=True,
                   capture_output=True)
    app = owners(read_targets(build), SAMPLE / "apps" / "wordstats.cpp")
    assert [t.type for t in app] == ["EXECUTABLE"]
    flags, includes = app[0].compile_flags(SAMPLE / "apps" / "wordstats.cpp") or ((), ())
    assert "-O3" in flags and any(f.startswith("-std=") for f in flags)
    assert includes == (SAMPLE / "include",) and f"-I{SAMPLE / 'include'}" in flags
    assert str((build / "libtextstats.a").resolve()) in app[0].link
    assert app[0].compile_flags(SAMPLE / "src" / "textstats.cpp") is None


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
