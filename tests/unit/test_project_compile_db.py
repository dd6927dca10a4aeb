"""compile_commands.json: found as clangd finds it, every argument form typed, headers borrow an including TU."""

from __future__ import annotations

import json
from pathlib import Path

from speedlens.project.compile_db import entry_for, find_compile_db, find_entry, parse_entry, split_flags


def write_db(directory: Path, entries: list[dict]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    db = directory / "compile_commands.json"
    db.write_text(json.dumps(entries))
    return db


def project(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "include" / "lib").mkdir(parents=True)
    (tmp_path / "include" / "lib" / "lib.h").write_text("int f(int);\n")
    (tmp_path / "src" / "a.cpp").write_text('#include "lib/lib.h"\nint f(int x) { return x; }\n')
    return tmp_path


def test_found_in_build_dir_of_a_parent(tmp_path):
    root = project(tmp_path)
    db = write_db(root / "build", [])
    assert find_compile_db(root / "src" / "a.cpp") == db


def test_configured_directory_wins(tmp_path):
    root = project(tmp_path)
    write_db(root / "build", [])
    other = write_db(tmp_path / "elsewhere", [])
    assert find_compile_db(root / "src" / "a.cpp", tmp_path / "elsewhere") == other.resolve()
    assert find_compile_db(root / "src" / "a.cpp", tmp_path / "missing") is None


def test_every_argument_form_is_typed(tmp_path):
    root = project(tmp_path)
    (root / "build").mkdir()
    (root / "build" / "flags.rsp").write_text("-DFROM_RSP=1 -I ../rsp_inc")
    item = {
        "directory": str(root / "build"),
        "file": "../src/a.cpp",
        "arguments": ["/usr/bin/g++", "-I", "../include", "-I../other", "-isystem", "/sys/inc", "-iquote", "q",
                      "-D", "X=1", "-DY", "-include", "../include/lib/lib.h", "-std=c++20", "-O2", "@flags.rsp",
                      "-MD", "-MF", "a.d", "-o", "a.o", "-c", "../src/a.cpp"],
    }
    entry = parse_entry(item, root / "build" / "compile_commands.json")
    assert entry is not None
    assert entry.compiler == "/usr/bin/g++"
    assert entry.file == (root / "src" / "a.cpp").resolve()
    assert entry.include_dirs == tuple(p.resolve() for p in (
        root / "include", root / "other", Path("/sys/inc"), root / "build" / "q", root / "rsp_inc"))
    assert entry.defines == ("X=1", "Y", "FROM_RSP=1")
    assert entry.forced_includes == ((root / "include" / "lib" / "lib.h").resolve(),)
    assert entry.std == "c++20"
    assert "-O2" in entry.flags and "-c" not in entry.flags and "-o" not in entry.flags and "-MF" not in entry.flags
    assert not any(f.endswith("a.cpp") for f in entry.flags)


def test_command_string_is_split_like_a_shell(tmp_path):
    root = project(tmp_path)
    db = write_db(root / "build", [{"directory": str(root), "file": "src/a.cpp",
                                    "command": "c++ -DMSG='\"hi there\"' -Iinclude -c src/a.cpp -o a.o"}])
    entry = entry_for(root / "src" / "a.cpp", db)
    assert entry is not None and entry.compiler == "c++"
    assert entry.defines == ('MSG="hi there"',)
    assert entry.include_dirs == ((root / "include").resolve(),)


def test_header_borrows_the_entry_of_an_including_unit(tmp_path):
    root = project(tmp_path)
    write_db(root / "build", [{"directory": str(root), "file": "src/a.cpp",
                               "arguments": ["g++", "-Iinclude", "-std=c++17", "-c", "src/a.cpp"]}])
    entry = find_entry(root / "include" / "lib" / "lib.h")
    assert entry is not None and entry.file == (root / "src" / "a.cpp").resolve() and entry.std == "c++17"


def test_split_flags_pairs_joined_and_separate_values():
    assert split_flags(["-Ia", "-I", "b", "-DX", "-O2", "f.cpp"]) == [
        ("-I", "a"), ("-I", "b"), ("-D", "X"), ("-O2", None), ("f.cpp", None)]


def test_program_toolchain_takes_the_entry_and_the_configured_directory(tmp_path):
    from speedlens.config import Settings
    from speedlens.sandbox.cpp import Toolchain

    root = project(tmp_path)
    write_db(tmp_path / "configured", [{"directory": str(root), "file": "src/a.cpp",
                                        "arguments": ["g++", "-Iinclude", "-DFROM_DB", "-O1", "-c", "src/a.cpp"]}])
    settings = Settings()
    assert "-DFROM_DB" not in Toolchain.for_source(root / "src" / "a.cpp", settings).flags  # nothing found
    settings.cpp.compile_commands = str(tmp_path / "configured")
    toolchain = Toolchain.for_source(root / "src" / "a.cpp", settings)
    assert toolchain.flags == ("-I", str((root / "include").resolve()), "-D", "FROM_DB", "-O1")
    assert (root / "include").resolve() in toolchain.include_dirs
