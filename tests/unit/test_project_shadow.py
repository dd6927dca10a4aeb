"""The shadow copy: the project's files without build directories, replaced files swapped in, unchanged files
untouched (so an incremental build recompiles only what a candidate changed), deleted files gone."""

from __future__ import annotations

from pathlib import Path

from speedlens.project.cmake import cmake_root
from speedlens.project.shadow import synchronise


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
