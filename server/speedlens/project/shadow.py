"""A speedlens-owned copy of a project, where candidates are built and the project's tests run: the user's tree
and build directory are never written. Files are synchronised by content, so an unchanged file keeps its
timestamp and an incremental build recompiles only what a candidate touched."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from speedlens.files import content_digest

SKIPPED = frozenset({".git", ".hg", ".svn", ".cache", "node_modules", "__pycache__"})


def shadow_dir(root: Path, cache: Path) -> Path:
    """The copy's directory for the project at ``root``: ``src/`` (the copy) and ``build/`` beside it."""
    return cache / hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]


def _skipped(relative: Path) -> bool:
    return any(part in SKIPPED or part.startswith("build") or part.startswith("cmake-build") for part in
               relative.parts)


def project_files(root: Path) -> list[Path]:
    """The project's files as the copy holds them (build directories and VCS metadata left out), relative.

    Skipped directories are pruned, not walked: a build tree or ``.git`` can hold far more files than the sources,
    and the editor's result lookup asks for this list (``project_digest``)."""
    found: list[Path] = []
    for directory, subdirectories, names in os.walk(root):
        here = Path(directory).relative_to(root)
        subdirectories[:] = [d for d in subdirectories if not _skipped(here / d)]
        found += [here / name for name in names if not _skipped(here / name) and (root / here / name).is_file()]
    return found


def project_digest(root: Path, excluding: Path) -> str:
    """The content of the project at ``root`` but ``excluding`` (the edited file, keyed by its buffer's text):
    what a result verified by building the project depends on, so editing a library source, a test or a benchmark
    retires the results it judged. File contents are memoised on (path, mtime, size): an unchanged project is
    only stat'ed."""
    skipped = excluding.resolve()
    digest = hashlib.sha256()
    for relative in sorted(project_files(root)):
        path = root / relative
        if path.resolve() != skipped:
            digest.update(f"{relative}\0{content_digest(path)}\0".encode())
    return digest.hexdigest()[:16]


def synchronise(root: Path, copy: Path, replaced: dict[Path, str]) -> str:
    """Make ``copy`` hold ``root``'s files (build directories and VCS metadata left out), with the files of
    ``replaced`` (absolute paths in ``root``) holding the given text instead; files gone from ``root`` go.

    Returns the digest of the copy's content (every path and its bytes): what a build of it is stored under."""
    digest = hashlib.sha256()
    wanted: dict[Path, bytes | None] = dict.fromkeys(project_files(root))  # read lazily, each once
    for path, text in replaced.items():
        wanted[path.resolve().relative_to(root.resolve())] = text.encode("utf-8")
    for relative, content in sorted(wanted.items()):
        data = content if content is not None else (root / relative).read_bytes()
        digest.update(f"{relative}\0{len(data)}\0".encode())
        digest.update(data)
        target = copy / relative
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for path in list(copy.rglob("*")) if copy.is_dir() else []:
        if path.is_file() and path.relative_to(copy) not in wanted:
            path.unlink()
    return digest.hexdigest()[:24]


def remove(copy: Path) -> None:
    shutil.rmtree(copy, ignore_errors=True)
