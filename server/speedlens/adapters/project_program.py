"""A program whose ``main`` belongs to a CMake executable target (an app, a test or benchmark main): built as the
project builds that target, with its compile flags and linked with its libraries, not as one translation unit
alone (which fails with undefined references to the project's own functions).

The target, its flags and its link line come from the File API of the shadow copy's build (``project_build``);
the libraries it depends on are built there, in the sandbox; then the original and every candidate are compiled
as usual (``sandbox.cpp.Compiler``) with those flags and that link line, the program's own file being the only
one that changes.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from speedlens.config import Settings
from speedlens.errors import InputError
from speedlens.models import ProgressFn
from speedlens.project import cmake, file_api
from speedlens.sandbox.cpp import Toolchain, own_headers, system_file
from speedlens.sandbox.run import Sandbox

from .project_build import ShadowBuild

_LIBRARIES = frozenset({"STATIC_LIBRARY", "SHARED_LIBRARY", "OBJECT_LIBRARY", "MODULE_LIBRARY"})


async def target_toolchain(path: Path, settings: Settings, sandbox: Sandbox, progress: ProgressFn,
                           warnings: list[str]) -> Toolchain | None:
    """The toolchain of the executable target whose source ``path`` is, its libraries built; None when ``path``
    is in no CMake project, or no executable target compiles it (a standalone program: one translation unit).

    Raises InputError with the build's first error when the target's libraries do not build. A project that
    does not configure is a warning (the program may well be standalone), and the program is built alone."""
    root = cmake.cmake_root(path)
    if root is None or not settings.cpp.use_compile_commands or shutil.which("cmake") is None:
        return None
    project = ShadowBuild(root, settings, sandbox)
    progress(f"configuring {root.name} in speedlens's copy (to find the target of {path.name})", None)
    async with project.lock:
        _digest, failed = await project.prepare({})
        if failed is not None:
            warnings.append(f"{path.name} was built alone: {failed}")
            return None
        targets = project.targets()
        copy = project.copy_of(path)
        owner = next((t for t in file_api.owners(targets, copy) if t.type == "EXECUTABLE"), None)
        compiled = owner.compile_flags(copy) if owner is not None else None
        if owner is None or compiled is None:
            return None
        libraries = _libraries(targets, owner)
        if libraries:
            names = ", ".join(t.name for t in libraries)
            progress(f"building {names} (what {owner.name} links) in speedlens's copy", None)
            problem = await project.build(libraries)
            if problem is not None:
                raise InputError(f"the libraries of {owner.name} ({names}) do not build: {problem}",
                                 "fix the build error (cmake --build shows it)")
    return _toolchain(path, settings, compiled, owner.link)


def _libraries(targets: list[file_api.CMakeTarget], owner: file_api.CMakeTarget) -> list[file_api.CMakeTarget]:
    """The project's library targets ``owner`` depends on (CMake builds their own dependencies first)."""
    by_id = {t.id: t for t in targets}
    return [by_id[d] for d in owner.dependencies if d in by_id and by_id[d].type in _LIBRARIES]


def _toolchain(path: Path, settings: Settings, compiled: tuple[tuple[str, ...], tuple[Path, ...]],
               link: tuple[str, ...]) -> Toolchain:
    """The target's flags and link line on the compiler the file's compile entry (or the settings) names."""
    base = Toolchain.for_source(path, settings)
    flags, includes = compiled
    include_dirs = tuple(dict.fromkeys((path.parent.resolve(), *includes)))
    linked = tuple(Path(arg) for arg in link if not arg.startswith("-") and Path(arg).is_file())
    digest = hashlib.sha256()
    for library in linked:
        digest.update(library.read_bytes())
    deps = own_headers(base.compiler, flags, include_dirs, path) + tuple(
        library for library in linked if not system_file(library))
    return Toolchain(base.compiler, flags, base.version, include_dirs, deps, link, digest.hexdigest()[:16])
