"""The data that flows through speedlens: targets, candidates, verdicts and results.

These are plain dataclasses with no behaviour beyond (de)serialisation, so the CLI, the language server and
the benchmarks all speak the same JSON (ARCHITECTURE.md, "Contracts").
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


def source_lines(source: str) -> list[str]:
    """The lines of ``source`` with their endings, split on ``\\n`` only, as tree-sitter counts rows and LSP
    clients count lines (``str.splitlines`` also breaks at form feeds, U+2028 and others)."""
    *complete, last = source.split("\n")
    return [line + "\n" for line in complete] + ([last] if last else [])


# ``main``'s definition: a return type (or nothing, for K&R leftovers) then ``main(`` at the start of a line.
_MAIN = re.compile(r"^[ \t]*(?:(?:[\w:<>]+[ \t*&]+)+)?(?P<main>main)[ \t]*\(", re.MULTILINE)


class Status(str, Enum):
    VERIFIED = "verified"
    INCORRECT = "incorrect"
    COMPILE_ERROR = "compile_error"
    RUNTIME_ERROR = "runtime_error"
    TIMEOUT = "timeout"
    NOT_FASTER = "not_faster"
    NO_TESTS = "no_tests"
    TAMPERING = "tampering"  # mentions what only a cheat needs (sanitizer internals, /proc/self…): never built


# How far a failed verdict got: used to pick "the best failed verdict" of a target (results are sorted best first;
# ARCHITECTURE.md, "Data flow of one optimize").
STATUS_RANK = {
    Status.VERIFIED: 6,
    Status.NOT_FASTER: 5,
    Status.INCORRECT: 4,
    Status.RUNTIME_ERROR: 3,
    Status.TIMEOUT: 3,
    Status.COMPILE_ERROR: 2,
    Status.NO_TESTS: 1,
    Status.TAMPERING: 0,
}


@dataclass(frozen=True)
class Target:
    """A unit that gets rewritten and verified: a whole program, a function or a TVM prim_func.

    Lines are 0-based and inclusive; ``text`` is exactly lines ``start_line..end_line`` of the buffer.
    """

    name: str
    kind: str  # "program" | "function" | "prim_func"
    language: str  # "cpp" | "tvm"
    start_line: int
    end_line: int
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "start_line": self.start_line, "end_line": self.end_line}

    @property
    def anchor_line(self) -> int:
        """The line an editor shows this target's lens and hint on: the line of ``main`` for a whole program
        (its first lines are usually includes or a comment), else the first line of the definition."""
        if self.kind == "program":
            match = _MAIN.search(self.text)
            if match is not None:
                return self.start_line + self.text.count("\n", 0, match.start("main"))
        return self.start_line

    def replace_in(self, source: str, new_text: str) -> str:
        """The buffer ``source`` with this target's lines replaced by ``new_text``."""
        lines = source_lines(source)
        head = "".join(lines[: self.start_line])
        tail = "".join(lines[self.end_line + 1 :])
        if new_text and not new_text.endswith("\n") and tail:
            new_text += "\n"
        return head + new_text + tail


@dataclass(frozen=True)
class Finding:
    """A static observation about the code (shown as a Hint/Information diagnostic)."""

    rule: str
    message: str
    start_line: int
    start_col: int
    end_line: int
    end_col: int
    severity: str = "hint"  # "hint" | "information" | "warning"


@dataclass(frozen=True)
class Candidate:
    """A proposed replacement for a target's text; unverified until the sandbox says otherwise."""

    target: Target
    code: str
    proposer: str  # "rules:<rule>" | "llm:<model>" | "tvm-search:<policy>"
    description: str = ""
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def stale_header(self, current: Callable[[str], str | None]) -> str | None:
        """The first header whose declarations this rewrite edits and whose text (``current(path)``: the editor's
        buffer or the file; None when unreadable) is no longer the text the edit was made on, else None. Applying
        the rewrite without that header's edit would leave a declaration that no longer matches: it is refused."""
        return next((e["path"] for e in self.meta.get("header_edits", ()) if current(e["path"]) != e["original"]),
                    None)

    def diff(self, path: str = "file") -> str:
        """The target's diff, then the diff of every header declaration the rewrite had to change with it."""
        text = unified_diff(self.target.text, self.code, path)
        for edit in self.meta.get("header_edits", ()):
            text += unified_diff(edit["original"], edit["text"], edit["path"].rsplit("/", 1)[-1])
        return text


@dataclass
class InputMeasurement:
    """What one test input showed: correctness and, when timed, the median times and their ratio."""

    name: str
    passed: bool
    timed: bool = False
    original: float | None = None  # median seconds (or instructions) of the original
    candidate: float | None = None
    speedup: float | None = None
    repetitions: int = 0


@dataclass
class Verdict:
    """The sandbox's answer for one candidate; its JSON is the `verify --json` contract."""

    status: Status
    detail: str = ""
    speedup: float | None = None
    speedup_lower: float | None = None
    speedup_upper: float | None = None
    alpha: float = 0.1
    bound_level: str | None = None  # "input" | "run" | "deterministic"
    n_inputs: int = 0
    inputs_passed: int = 0
    n_timed: int = 0
    correct_confidence: float | None = None
    metric: str = "cpu_time"  # "cpu_time" | "instructions"
    original_seconds: float | None = None
    candidate_seconds: float | None = None
    network_isolated: bool = False
    filesystem_isolated: bool = False
    per_input: list[InputMeasurement] = field(default_factory=list)
    samples: int | None = None  # measured samples spent (TVM search)
    # What the sandbox achieved (``Isolation.to_json()``: method, user namespace, seccomp, notes); None = not said
    isolation: dict[str, Any] | None = None
    # What the verdict's numbers rest on beyond the detail's headline: timing stopped early, failures of the
    # original itself under the sanitizers that were not held against the candidate.
    notes: list[str] = field(default_factory=list)
    # What timed a library function: "google_benchmark" (the project's benchmark executables A/B, each instance
    # one input) or "harness" (the generated per-call harness, each seed one input); None for other targets.
    timed_by: str | None = None

    @property
    def verified(self) -> bool:
        return self.status == Status.VERIFIED

    @property
    def checked_on(self) -> str:
        """What correctness was checked on: ``19/19 inputs``, or the project's tests for a function checked by them
        alone (it has no inputs of its own)."""
        return f"{self.inputs_passed}/{self.n_inputs} inputs" if self.n_inputs else "the project's tests"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        for optional in ("samples", "isolation", "timed_by"):
            if data[optional] is None:
                data.pop(optional)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verdict:
        data = dict(data)
        data["status"] = Status(data["status"])
        data["per_input"] = [InputMeasurement(**m) for m in data.get("per_input", [])]
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class Result:
    """A candidate with its verdict: what the CLI prints and the editor offers."""

    candidate: Candidate
    verdict: Verdict
    content_hash: str = ""  # hash of the target + everything that affects the verdict

    @property
    def target(self) -> Target:
        return self.candidate.target

    def to_json(self, path: str = "file") -> dict[str, Any]:
        return {
            "target": self.target.to_json(),
            "proposer": self.candidate.proposer,
            "description": self.candidate.description,
            "diff": self.candidate.diff(path),
            "code": self.candidate.code,
            **self.verdict.to_json(),
            **({"identical_samples": self.candidate.meta["identical_samples"]}
               if "identical_samples" in self.candidate.meta else {}),
        }


def sort_results(results: list[Result]) -> list[Result]:
    """Best first: verified before failed, then by lower bound, then by headline speedup."""

    def key(r: Result):
        v = r.verdict
        return (STATUS_RANK[v.status], v.speedup_lower or 0.0, v.speedup or 0.0)

    return sorted(results, key=key, reverse=True)


def unified_diff(old: str, new: str, path: str = "file") -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{path}", f"b/{path}"
        )
    )


def content_hash(*parts: Any) -> str:
    """Stable hash of text and settings: results are keyed by it, so any edit makes them stale."""
    h = hashlib.sha256()
    for part in parts:
        h.update(repr(part).encode())
        h.update(b"\0")
    return h.hexdigest()[:32]


# Progress callback: a human-readable message and an optional percentage (0-100).
ProgressFn = Callable[[str, "int | None"], None]


def no_progress(message: str, percentage: int | None = None) -> None:
    """The default progress callback: say nothing."""
