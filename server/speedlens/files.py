"""Writing a file so that a reader (or a crash) sees the old content or the new, never half of either; and the
content digest of a file, for keys that must change when a file the result depends on does."""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def replaced_atomically(path: Path, *, durable: bool = False) -> Iterator[BinaryIO]:
    """A binary file to write ``path``'s new content to: a temporary file in the same directory, renamed over
    ``path`` (keeping its permissions) when the block ends, removed if it raises.

    ``durable``: synced to disk before the rename, for the user's own files (a cache entry may be lost instead).
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            if durable:
                f.flush()
                os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomically(path: Path, text: str, *, durable: bool = False) -> None:
    """``text`` (UTF-8) as ``path``'s new content, atomically (``replaced_atomically``)."""
    with replaced_atomically(path, durable=durable) as f:
        f.write(text.encode("utf-8"))


def content_digest(path: Path) -> str:
    """A short digest of ``path``'s content ("missing" when it cannot be read), memoised on (path, mtime, size) so
    that the editor's many lookups of an unchanged file read it once."""
    try:
        st = path.stat()
    except OSError:
        return "missing"
    return _digest(str(path), st.st_mtime_ns, st.st_size)


@functools.lru_cache(maxsize=4096)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    except OSError:
        return "missing"
