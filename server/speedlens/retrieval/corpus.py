"""PIE-format corpora of slow→fast C++ pairs (README.md, "Retrieval"): the bundled one and the official splits.

The official train split is ~77K pairs in ~1 GB of jsonl, so everything here streams line by line, and a pair
can be re-read later from its byte offset (``PairRef``): the retrieval index keeps offsets, not a gigabyte of
code in memory.

The bundled corpus ships compressed (``bundled.jsonl.gz``, built from ``corpus/pairs`` by ``corpus/build.py``), so
the package does not carry the pairs' sources twice; it is unpacked once into the cache, by content, and read
there like any jsonl (``read_pair`` seeks to byte offsets, which a compressed stream cannot do cheaply).
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.resources
import json
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from speedlens.errors import ConfigError
from speedlens.files import replaced_atomically

log = logging.getLogger(__name__)

BUNDLED_NAME = "bundled.jsonl.gz"


@dataclass(frozen=True)
class Pair:
    """One slow→fast pair with PIE's field names, plus our ``category``/``description``/``inputs``."""

    problem_id: str
    src_id: str
    tgt_id: str
    src_code: str  # slow
    tgt_code: str  # fast
    category: str = ""
    description: str = ""
    inputs: tuple[str, ...] = ()
    speedup: float | None = None
    src_agg_runtime: float | None = None
    tgt_agg_runtime: float | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Pair:
        """A pair from one PIE record; ValueError when the record is not a usable pair."""
        src, tgt = data.get("src_code"), data.get("tgt_code")
        if not isinstance(src, str) or not isinstance(tgt, str) or not src.strip() or not tgt.strip():
            raise ValueError("src_code and tgt_code must be non-empty strings")
        src_rt, tgt_rt = _number(data.get("src_agg_runtime")), _number(data.get("tgt_agg_runtime"))
        speedup = _number(data.get("speedup"))
        if speedup is None and src_rt and tgt_rt:
            speedup = src_rt / tgt_rt
        inputs = data.get("inputs") or ()
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("inputs must be a list of strings")
        return cls(
            problem_id=str(data.get("problem_id", "")),
            src_id=str(data.get("src_id", "")),
            tgt_id=str(data.get("tgt_id", "")),
            src_code=src,
            tgt_code=tgt,
            category=str(data.get("category") or ""),
            description=str(data.get("description") or ""),
            inputs=tuple(str(i) for i in inputs),
            speedup=speedup,
            src_agg_runtime=src_rt,
            tgt_agg_runtime=tgt_rt,
        )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


@dataclass
class LoadStats:
    """What a streaming load saw: how many pairs it kept and how many lines it skipped."""

    loaded: int = 0
    skipped: int = 0
    first_errors: list[str] = field(default_factory=list)  # a few "file:line: why" for the log

    def skip(self, where: str, why: str) -> None:
        self.skipped += 1
        if len(self.first_errors) < 5:
            self.first_errors.append(f"{where}: {why}")


@dataclass(frozen=True)
class PairRef:
    """Where a pair lives: enough to re-read it without loading the whole file."""

    path: str
    offset: int


def iter_pairs(path: Path, stats: LoadStats | None = None) -> Iterator[tuple[PairRef, Pair]]:
    """Stream ``(ref, pair)`` from one jsonl file, skipping (and counting) malformed lines."""
    stats = stats if stats is not None else LoadStats()
    offset = 0
    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            start, offset = offset, offset + len(line)
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                if not isinstance(data, dict):
                    raise ValueError("not a JSON object")
                pair = Pair.from_json(data)
            except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
                stats.skip(f"{path}:{number}", str(exc)[:100])
                continue
            stats.loaded += 1
            yield PairRef(str(path), start), pair
    if stats.skipped:
        log.warning(
            "%s: skipped %d malformed line(s), e.g. %s", path, stats.skipped, "; ".join(stats.first_errors[:2])
        )


@lru_cache(maxsize=1024)
def read_pair(ref: PairRef) -> Pair:
    """The pair at ``ref`` (cached: retrieval asks for the same few pairs again and again)."""
    with open(ref.path, "rb") as f:
        f.seek(ref.offset)
        return Pair.from_json(json.loads(f.readline()))


def bundled_path() -> Path | None:
    """The corpus shipped in the package, unpacked (a jsonl in the cache), or None when the package has none."""
    resource = importlib.resources.files("speedlens.retrieval") / "data" / BUNDLED_NAME
    if not resource.is_file():
        return None
    # A package installed as a directory (pip, editable) gives a real path.
    packed = Path(str(resource))
    st = packed.stat()
    return _unpacked(str(packed), st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=4)
def _unpacked(packed: str, size: int, mtime_ns: int) -> Path:
    """``packed`` decompressed into the cache, named by its content (unpacked once per corpus, not per process)."""
    from speedlens.sandbox.run import cache_dir

    digest = hashlib.sha256(Path(packed).read_bytes()).hexdigest()[:16]
    directory = cache_dir("corpus")
    target = directory / f"bundled-{digest}.jsonl"
    if not target.is_file():  # concurrent unpackers write the same bytes: the last rename wins
        with gzip.open(packed, "rb") as source, replaced_atomically(target) as unpacked:
            shutil.copyfileobj(source, unpacked)
    return target


def pie_paths(pie_path: str) -> list[Path]:
    """The jsonl files named by ``pie_path``: files or directories of *.jsonl, separated by os.pathsep."""
    paths: list[Path] = []
    for part in filter(None, (p.strip() for p in pie_path.split(os.pathsep))):
        path = Path(part).expanduser()
        if path.is_dir():
            found = sorted(path.glob("*.jsonl"))
            if not found:
                raise ConfigError(
                    f"pie_path: {path} holds no *.jsonl files",
                    "point pie_path at PIE's split files (e.g. train.jsonl) or the folder that holds them",
                )
            paths.extend(found)
        elif path.is_file():
            paths.append(path)
        else:
            raise ConfigError(
                f"pie_path: {path} does not exist",
                "download PIE's splits (github.com/LearningToOptimize/pie) and set pie_path to a .jsonl file "
                "or its folder, or leave pie_path empty to use the bundled corpus only",
            )
    return paths


def corpus_sources(settings: Any) -> list[Path]:
    """Every jsonl file the corpus for ``settings`` reads: the bundled one first, then ``pie_path``."""
    bundled = bundled_path()
    return ([bundled] if bundled else []) + pie_paths(getattr(settings, "pie_path", "") or "")


def bundled_corpus() -> list[Pair]:
    """The pairs shipped with speedlens (empty when the package carries none)."""
    path = bundled_path()
    return [pair for _, pair in iter_pairs(path)] if path else []


def load_corpus(settings: Any) -> list[Pair]:
    """All pairs in memory: the bundled corpus plus ``settings.pie_path`` (for tools; retrieval streams)."""
    return [pair for path in corpus_sources(settings) for _, pair in iter_pairs(path)]
