"""The shadow copy: the project's files without build directories, replaced files swapped in, unchanged files
untouched (so an incremental build recompiles only what a candidate changed), deleted files gone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from speedlens.adapters.cpp_program import CppProgramAdapter
from speedlens.config import Settings
from speedlens.project.cmake import cmake_root
from speedlens.project.shadow import synchronise
from speedlens.sandbox.run import Sandbox


def test_synchronise_copies_replaces_and_keeps_timestamps(tmp_path: Path):
    root, copy = tmp_path / "project", tmp_path / "copy"
    (root / "src").mkdir(parents=True)
    (root / "build").mkdir()
    (root / "src" / "a.cpp").write_text("int a() { return 1; }\n")
    (root / "src" / "b.cpp").write_text("int b() { return 2; }\n")
    (root / "build" / "junk.o").write_text("binary")
    synchronise(root, copy, {})
    assert sorted(str(p.relative_to(copy)) for p in copy.rglob("*") if p.is_file()) == ["src/a.cpp", "src/b.cpp"]
    untouched = (copy / "src" / "b.cpp").stat().st_mtime_ns
    synchronise(root, copy, {root / "src" / "a.cpp": "int a() { return 3; }\n"})
    assert (copy / "src" / "a.cpp").read_text() == "int a() { return 3; }\n"
    assert (root / "src" / "a.cpp").read_text() == "int a() { return 1; }\n"  # the user's tree is only read
    assert (copy / "src" / "b.cpp").stat().st_mtime_ns == untouched
    (root / "src" / "b.cpp").unlink()
    synchronise(root, copy, {})
    assert not (copy / "src" / "b.cpp").exists() and (copy / "src" / "a.cpp").read_text() == "int a() { return 1; }\n"


def test_cmake_root_is_the_outermost_project_inside_the_checkout(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "lib" / "src").mkdir(parents=True)
    (tmp_path / "CMakeLists.txt").write_text("project(top)\n")
    (tmp_path / "lib" / "CMakeLists.txt").write_text("add_library(lib src/a.cpp)\n")
    assert cmake_root(tmp_path / "lib" / "src" / "a.cpp") == tmp_path
    assert cmake_root(tmp_path.parent / "elsewhere.cpp") is None


def test_the_digest_names_the_content_so_a_build_of_it_can_be_kept(tmp_path: Path):
    """Builds of the copy are kept under its digest: the same files give the same digest wherever they are copied
    to, a replaced file or a renamed one gives another."""
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "a.cpp").write_text("int a() { return 1; }\n")
    first = synchronise(root, tmp_path / "copy", {})
    assert synchronise(root, tmp_path / "other", {}) == first
    rewritten = synchronise(root, tmp_path / "copy", {root / "src" / "a.cpp": "int a() { return 2; }\n"})
    assert rewritten != first and synchronise(root, tmp_path / "copy", {}) == first
    (root / "src" / "a.cpp").rename(root / "src" / "b.cpp")
    assert synchronise(root, tmp_path / "copy", {}) not in (first, rewritten)


@pytest.mark.skipif(shutil.which("cmake") is None, reason="the project key is about CMake projects")
def test_a_result_in_a_cmake_project_is_keyed_by_the_projects_other_files(tmp_path: Path):
    """A program links the project's libraries and a function is judged by the project's tests: editing either
    retires a stored result (its key changes); editing the file itself does not change this part (its buffer's
    text is keyed separately, so an unsaved buffer's results stay found), nor do build directories."""
    (tmp_path / "CMakeLists.txt").write_text("project(p CXX)\nadd_library(lib lib.cpp)\nadd_executable(app app.cpp)\n")
    (tmp_path / "lib.cpp").write_text("int twice(int x) { return 2 * x; }\n")
    app = tmp_path / "app.cpp"
    app.write_text("int twice(int);\nint main() { return twice(0); }\n")
    adapter = CppProgramAdapter(Settings(), Sandbox())
    key = adapter.toolchain(app)
    app.write_text("int twice(int);\nint main() { return twice(1) - 2; }\n")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "lib.o").write_text("object")
    assert adapter.toolchain(app) == key
    (tmp_path / "lib.cpp").write_text("int twice(int x) { return x + x; }\n")
    assert adapter.toolchain(app) != key
    outside = tmp_path.parent / "standalone.cpp"
    outside.write_text("int main() {}\n")
    assert adapter.project_key(outside) == ()


def test_kept_builds_and_test_outcomes_are_keyed_by_the_compiler_too(tmp_path: Path, monkeypatch):
    """The same sources built by another compiler (an upgrade, a switch to clang) are a new build: neither its
    executables nor its tests' outcomes are taken from the old compiler's."""
    from speedlens.adapters.project_build import ShadowBuild
    from speedlens.project.file_api import CMakeTarget

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "CMakeLists.txt").write_text("project(p CXX)\n")
    project = ShadowBuild(tmp_path / "p", Settings(), Sandbox())
    target = CMakeTarget("bench::@1", "bench", "EXECUTABLE", (), (), ())
    project.build_dir.mkdir(parents=True)
    cache = project.build_dir / "CMakeCache.txt"
    cache.write_text(f"CMAKE_CXX_COMPILER:FILEPATH={shutil.which('g++')}\n")
    with_gcc = project.stored("digest", target)
    cache.write_text(f"CMAKE_CXX_COMPILER:FILEPATH={shutil.which('true')}\n")  # another program, another version
    assert project.stored("digest", target) != with_gcc
    assert project.stored("digest", target).name == "bench"


def small_project(tmp_path: Path, monkeypatch, cmake_lists: str, files: dict[str, str]):
    """A CMake project of ``files`` under ``tmp_path`` and speedlens's copy of it (``ShadowBuild``), with its own
    cache; ``build()`` configures and builds the copy in the sandbox."""
    import asyncio

    from speedlens.adapters.project_build import ShadowBuild

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    project_dir = tmp_path / "project"
    project_dir.mkdir()
    (project_dir / "CMakeLists.txt").write_text("cmake_minimum_required(VERSION 3.16)\n" + cmake_lists)
    for name, text in files.items():
        (project_dir / name).write_text(text)
    project = ShadowBuild(project_dir, Settings(), Sandbox())

    async def configure_and_build():
        _, problem = await project.prepare({})
        assert problem is None, problem
        assert await project.build([]) is None

    return project, lambda: asyncio.run(configure_and_build())


ATTACKING_TEST = r"""
#include <cstdio>
#include <string>
// Run by ctest in the build directory "build" of speedlens's copy: "../" is the rest of the copy.
int main() {
    const char* targets[] = {"../src/attack.cpp", "../binaries/build/kept/bench", "../.ccache/poisoned",
                             "../test-runs/forged.json", "../build-sanitize/planted", "planted.o"};
    for (const char* path : targets) {
        FILE* f = std::fopen(path, "w");
        std::printf("%s %s\n", path, f ? "written" : "refused");
        if (f) std::fclose(f);
    }
}
"""


@pytest.mark.skipif(shutil.which("cmake") is None or shutil.which("bwrap") is None, reason="needs cmake, bwrap")
def test_a_projects_tests_cannot_change_the_copy_and_a_build_directory_they_change_is_built_anew(
    tmp_path: Path, monkeypatch
):
    """A rewrite's code runs when ctest runs the tests: the copy's sources, ccache, the original's kept benchmark,
    the remembered test outcomes and the other build directories are read-only to it, and a build directory it
    planted a file in (an object the next build would link as it is) is deleted, to be configured and built anew."""
    import asyncio

    project, build = small_project(tmp_path, monkeypatch, "project(p CXX)\nenable_testing()\n"
                                   "add_executable(attack attack.cpp)\nadd_test(NAME attack COMMAND attack)\n",
                                   {"attack.cpp": ATTACKING_TEST})  # fmt: skip

    def build_and_test():
        build()
        return asyncio.run(project.run_built("ctest", "--test-dir", project.build_name, "--verbose"))

    kept = project.workdir / "binaries" / "build" / "kept" / "bench"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"the original's benchmark")
    for directory in (".ccache", "test-runs", "build-sanitize"):
        (project.workdir / directory).mkdir(exist_ok=True)
    source = (project.workdir / "src" / "attack.cpp")
    result = build_and_test()
    out = result.stdout.decode()
    assert result.ok, out
    for path in ("../src/attack.cpp", "../binaries/build/kept/bench", "../.ccache/poisoned",
                 "../test-runs/forged.json", "../build-sanitize/planted"):  # fmt: skip
        assert f"{path} refused" in out
    assert "planted.o written" in out  # tests may write their own build directory ...
    assert not project.build_dir.exists()  # ... which is then built anew
    assert source.read_text() == ATTACKING_TEST and kept.read_bytes() == b"the original's benchmark"
    assert not (project.workdir / ".ccache" / "poisoned").exists()
    rerun = build_and_test()
    assert rerun.ok and "planted.o written" in rerun.stdout.decode()


@pytest.mark.skipif(shutil.which("cmake") is None or not Path("/usr/include/gtest/gtest.h").exists(),
                    reason="needs cmake and GoogleTest")  # fmt: skip
def test_googletest_lists_its_tests_when_ctest_runs_and_an_ordinary_run_keeps_the_build(tmp_path: Path, monkeypatch):
    """With gtest_discover_tests the test executable runs when ctest does, not when it is linked (so a build runs
    no rewrite's code), and the list it writes then does not count as a change to the build directory."""
    import asyncio

    project, build = small_project(tmp_path, monkeypatch, "project(g CXX)\nenable_testing()\n"
                                   "find_package(GTest REQUIRED)\ninclude(GoogleTest)\n"
                                   "add_executable(g_test g_test.cpp)\n"
                                   "target_link_libraries(g_test GTest::gtest GTest::gtest_main)\n"
                                   "gtest_discover_tests(g_test)\n",
                                   {"g_test.cpp": "#include <gtest/gtest.h>\nTEST(G, One) { EXPECT_EQ(1, 1); }\n"
                                                  "TEST(G, Two) { EXPECT_EQ(2, 2); }\n"})  # fmt: skip
    build()
    assert not list(project.build_dir.rglob("*_tests.cmake"))  # nothing ran at link time
    binary = next(project.build_dir.rglob("g_test"))
    for _ in range(2):
        tested = asyncio.run(project.run_built("ctest", "--test-dir", project.build_name))
        assert tested.ok and "0 tests failed out of 2" in tested.stdout.decode(), tested.stdout.decode()
        assert binary.exists()  # the build directory was kept
    assert list(project.build_dir.rglob("*_tests.cmake"))
