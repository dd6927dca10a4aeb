"""Results keyed by content hash, in memory and on disk, so reopening a file (or restarting) shows them at once."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from cachetools import LRUCache

from speedlens.files import write_atomically
from speedlens.models import Candidate, Result, Target, Verdict
from speedlens.sandbox.run import cache_dir

log = logging.getLogger(__name__)


class ResultStore:
    def __init__(self, directory: Path | None = None, memory_entries: int = 512):
        self.directory = directory or cache_dir("results")
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
        return results

    def put(self, key: str, results: list[Result]) -> None:
        self._memory[key] = results
        data = [_result_to_json(r) for r in results]
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomically(self.directory / f"{key}.json", json.dumps(data))
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
