"""speedlens's on-disk caches: bounded in size, checked for integrity, and the results store built on them.

Results are keyed by content hash, in memory and on disk, so reopening a file (or restarting) shows them at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
import time
from pathlib import Path

import platformdirs
from cachetools import LRUCache

from speedlens.files import write_atomically
from speedlens.models import Candidate, Result, Target, Verdict

log = logging.getLogger(__name__)

MB = 1 << 20


def cache_dir(*parts: str) -> Path:
    """speedlens's cache directory (XDG_CACHE_HOME respected), created on demand."""
    path = Path(platformdirs.user_cache_dir("speedlens")).joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


class BoundedDir:
    """A cache directory kept under ``max_bytes`` by evicting its least recently used entries.

    An entry is everything at ``depth`` levels below the directory (a build's directory, a result file, a model
    answer in its two-letter bucket); its last use is its modification time, refreshed by ``touch`` on every hit
    (access times are often not kept: noatime, relatime). Eviction runs after a write, at most once per
    ``interval_s``, so a busy cache does not walk its tree on every store.
    """

    def __init__(self, path: Path, max_bytes: int, depth: int = 1, interval_s: float = 30.0):
        self.path, self.max_bytes, self.depth, self.interval_s = path, max_bytes, depth, interval_s
        self._last = 0.0
        self._lock = threading.Lock()

    def touch(self, entry: Path) -> None:
        try:
            os.utime(entry)
        except OSError:
            pass

    def stored(self, keep: Path | None = None) -> None:
        """Call after writing an entry: evicts the oldest ones when the directory has grown past its bound (never
        ``keep``, the entry in use)."""
        with self._lock:
            if time.monotonic() - self._last < self.interval_s:
                return
            self._last = time.monotonic()
        self.evict(keep)

    def evict(self, keep: Path | None = None) -> int:
        """Remove least recently used entries (but ``keep``) until the whole is under the bound; returns the bytes
        freed."""
        entries = []
        for entry in self.path.glob("/".join(["*"] * self.depth)):
            try:
                entries.append((entry.stat().st_mtime, _size(entry), entry))
            except OSError:
                continue
        total, freed = sum(size for _, size, _ in entries), 0
        for _, size, entry in sorted(entries):
            if total - freed <= self.max_bytes:
                break
            if entry == keep:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            freed += size
        return freed


def _size(entry: Path) -> int:
    if not entry.is_dir() or entry.is_symlink():
        return entry.lstat().st_size
    return sum(f.lstat().st_size for f in entry.rglob("*") if not f.is_dir())


def store_checked(source: Path, target: Path) -> None:
    """Copy ``source`` into the cache as ``target`` with its sha256 beside it (atomically: a reader sees both)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.tmp{os.getpid()}")
    shutil.copy2(source, tmp)
    _checksum_file(target).write_text(_sha256(tmp) + "\n")
    tmp.replace(target)


_verified: dict[tuple[str, int, float], bool] = {}


def load_checked(target: Path) -> Path | None:
    """``target`` when it is present, non-empty and matches its stored sha256; else removed and None.

    A 0-byte or altered binary (a full disk, a crash mid-copy, tampering) is rebuilt instead of being run as if it
    were the program: running it would "pass" nothing or something else. Checked once per process per version.
    """
    try:
        st = target.stat()
    except OSError:
        return None
    key = (str(target), st.st_size, st.st_mtime)
    if key not in _verified:
        try:
            expected = _checksum_file(target).read_text().strip()
            _verified[key] = st.st_size > 0 and expected == _sha256(target)
        except OSError:
            _verified[key] = False
    if _verified[key]:
        return target
    target.unlink(missing_ok=True)
    return None


def _checksum_file(target: Path) -> Path:
    return target.with_name(target.name + ".sha256")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ResultStore:
    def __init__(self, directory: Path | None = None, memory_entries: int = 512, max_mb: int = 256):
        self.directory = directory or cache_dir("results")
        self.bound = BoundedDir(self.directory, max_mb * MB)
        self._memory: LRUCache[str, list[Result]] = LRUCache(maxsize=memory_entries)

    def get(self, key: str) -> list[Result] | None:
        if key in self._memory:
            return self._memory[key]
        path = self.directory / f"{key}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            results = [_result_from_json(item, key) for item in data]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring unreadable cached results %s: %s", path, exc)
            return None
        self._memory[key] = results
        self.bound.touch(path)
        return results

    def put(self, key: str, results: list[Result]) -> None:
        self._memory[key] = results
        data = [_result_to_json(r) for r in results]
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomically(self.directory / f"{key}.json", json.dumps(data))
            self.bound.stored()
        except OSError as exc:
            log.warning("could not persist results: %s", exc)


def _result_to_json(result: Result) -> dict:
    target = result.target
    return {
        "target": {**target.to_json(), "language": target.language, "text": target.text},
        "code": result.candidate.code,
        "proposer": result.candidate.proposer,
        "description": result.candidate.description,
        "meta": result.candidate.meta,
        "verdict": result.verdict.to_json(),
    }


def _result_from_json(data: dict, key: str) -> Result:
    t = data["target"]
    target = Target(t["name"], t["kind"], t["language"], t["start_line"], t["end_line"], t["text"])
    candidate = Candidate(target, data["code"], data["proposer"], data.get("description", ""), data.get("meta", {}))
    return Result(candidate, Verdict.from_json(data["verdict"]), key)
