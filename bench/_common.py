"""Shared bits of the benchmarks: sample discovery, a fresh cache, one JSON line out."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "cpp"


def fresh_cache() -> str:
    """Point speedlens's cache at an empty directory so builds and results are not reused across runs."""
    path = tempfile.mkdtemp(prefix="speedlens-bench-")
    os.environ["XDG_CACHE_HOME"] = path
    return path


def sample_pairs() -> list[tuple[Path, Path]]:
    """(slow, fast) sample pairs, sorted by name."""
    fast = SAMPLES / "fast"
    return [(p, fast / p.name) for p in sorted(SAMPLES.glob("*.cpp")) if (fast / p.name).exists()]


def emit(name: str, **fields) -> None:
    print(json.dumps({"benchmark": name, "cores": os.cpu_count(), **fields}))
    sys.stdout.flush()
