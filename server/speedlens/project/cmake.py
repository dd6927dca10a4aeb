"""A CMake project's compile_commands.json without touching the user's tree: speedlens configures its own build
directory under the cache (``cmake -S ROOT -B <cache>/cmake/<digest>``) when the project has none of its own."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from speedlens.errors import InputError

from .compile_db import DB_NAME

CONFIGURE_TIMEOUT_S = 300


def cmake_root(path: Path) -> Path | None:
    """The outermost directory above ``path`` holding a CMakeLists.txt, within its git checkout: the project a
    subdirectory's CMakeLists.txt belongs to is configured from the top."""
    root = None
    for directory in path.resolve().parents:
        if (directory / "CMakeLists.txt").is_file():
            root = directory
        if (directory / ".git").exists():
            break
    return root


def own_build_dir(root: Path, cache: Path) -> Path:
    """speedlens's build directory for the project at ``root`` (one per project path)."""
    return cache / hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]


def configured_db(root: Path, cache: Path) -> Path | None:
    """The compile_commands.json of speedlens's own build, when it is newer than the top CMakeLists.txt (asked
    by the editor too, so no walk of the tree; a CMake build re-runs its configure step itself when a nested
    CMakeLists.txt changes)."""
    db = own_build_dir(root, cache) / DB_NAME
    try:
        return db if db.stat().st_mtime >= (root / "CMakeLists.txt").stat().st_mtime else None
    except OSError:
        return None


def configure(root: Path, cache: Path) -> Path:
    """Configure the project in speedlens's own build directory; its compile_commands.json. Raises InputError
    with CMake's first error when the project does not configure."""
    cmake = shutil.which("cmake")
    if cmake is None:
        raise InputError(f"{root} is a CMake project without a compile_commands.json, and cmake is not installed",
                         "install cmake, or pass --compile-commands DIR of a configured build")
    build = own_build_dir(root, cache)
    argv = [cmake, "-S", str(root), "-B", str(build), "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON",
            "-DCMAKE_BUILD_TYPE=Release"]
    if shutil.which("ccache"):
        argv.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=CONFIGURE_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise InputError(f"configuring {root} with cmake took over {CONFIGURE_TIMEOUT_S} s",
                         "pass --compile-commands DIR of a configured build") from None
    db = build / DB_NAME
    if done.returncode != 0 or not db.is_file():
        first = next((line for line in done.stderr.splitlines() if "Error" in line), done.stderr.strip()[:400])
        raise InputError(f"the CMake project {root} does not configure: {first}",
                         "fix the CMake error (cmake -S . -B build shows it), or pass --compile-commands DIR")
    db.touch()
    return db
