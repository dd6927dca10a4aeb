"""A persistent, per-device record of measured schedule traces, the way MetaSchedule keeps a tuning database.

Every search leaves its measured traces here (steps, the heuristic's parameters, the speedup over the original
measured interleaved with it, the latency); the next search of the same workload on the same device starts from
the best of them, and one of a workload of the same *shape class* (same blocks and loop kinds, other extents) from
the best there, since a good tiling of one GEMM is a good first guess for another. Traces that do not fit the new
extents are rejected by TVM before measurement, so a stale guess costs no sample.

One JSON file per device (the runner, the target or this CPU's model) in the user's cache, rewritten atomically;
each keeps the best ``PER_WORKLOAD`` traces of its ``WORKLOADS`` most recently tuned workloads, and the folder is
bounded like the other caches (``cache.BoundedDir``).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from pathlib import Path

from speedlens.cache import BoundedDir, cache_dir
from speedlens.files import write_atomically

PER_WORKLOAD = 16
WORKLOADS = 256
MAX_BYTES = 32 << 20


def op_class(info: dict) -> str:
    """A workload's shape class from the worker's loop description: block names, loop kinds, reductions; the
    extents left out, so GEMMs of every size (or convolutions of every image size) share one class."""
    blocks = info.get("blocks", [])
    return json.dumps([[b["name"], [loop["kind"] for loop in b["loops"]], b["reduction"]] for b in blocks])


def _valid(entry: object) -> bool:
    """A stored entry as ``add`` writes it (the file may be damaged or from another version)."""
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("steps"), list)
        and all(isinstance(s, dict) for s in entry["steps"])
        and isinstance(entry.get("speedup"), (int, float))
        and math.isfinite(entry["speedup"])
        and isinstance(entry.get("config"), (dict, type(None)))
    )


class TuningRecord:
    """The record of one device; ``warm`` reads the best traces for a workload, ``add`` stores a search's."""

    def __init__(self, device: str, directory: Path | None = None):
        self.device = device
        self.directory = directory or cache_dir("tvm-records")
        self.path = self.directory / f"{hashlib.sha256(device.encode()).hexdigest()[:24]}.json"
        self.bounded = BoundedDir(self.directory, MAX_BYTES)

    def _workloads(self) -> dict[str, dict]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            return {}
        if not isinstance(data, dict) or data.get("device") != self.device or not isinstance(data.get("workloads"),
                                                                                              dict):  # fmt: skip
            return {}
        workloads = {}
        for key, value in data["workloads"].items():
            if isinstance(value, dict) and isinstance(value.get("entries"), list):
                entries = [e for e in value["entries"] if _valid(e)]
                workloads[key] = {**value, "entries": entries}
        return workloads

    def warm(self, workload: str, shape_class: str, limit: int = 4) -> list[dict]:
        """Up to ``limit`` distinct traces to try first: this workload's best, then its shape class's best."""
        workloads = self._workloads()
        exact = workloads.get(workload, {}).get("entries", [])
        similar = [e for key, w in workloads.items() if key != workload and w.get("class") == shape_class
                   for e in w["entries"]]  # fmt: skip
        out: list[dict] = []
        seen: set[str] = set()
        for entry in sorted(exact, key=lambda e: -e["speedup"]) + sorted(similar, key=lambda e: -e["speedup"]):
            key = json.dumps(entry["steps"], sort_keys=True)
            if key not in seen and len(out) < limit:
                seen.add(key)
                out.append({**entry, "exact": entry in exact})
        return out

    def add(self, workload: str, shape_class: str, entries: list[dict]) -> None:
        """Merge a search's measured traces into the workload's (a trace measured again: its newest numbers)."""
        if not workload or not entries:
            return
        workloads = self._workloads()
        merged = {json.dumps(e["steps"], sort_keys=True): e for e in workloads.get(workload, {}).get("entries", [])}
        merged.update({json.dumps(e["steps"], sort_keys=True): e for e in entries if _valid(e)})
        best = sorted(merged.values(), key=lambda e: -e["speedup"])[:PER_WORKLOAD]
        workloads[workload] = {"class": shape_class, "updated": time.time(), "entries": best}
        recent = sorted(workloads.items(), key=lambda kv: -float(kv[1].get("updated", 0)))[:WORKLOADS]
        self.directory.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, json.dumps({"device": self.device, "workloads": dict(recent)}))
        self.bounded.stored()
