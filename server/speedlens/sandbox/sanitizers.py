"""Reading AddressSanitizer / UndefinedBehaviorSanitizer reports: what failed, where in the candidate, and the kind.

A report's first line ("heap-buffer-overflow on address …") says little on its own: the user (and a model in a
feedback round) needs the access ("READ of size 8 at …"), the first frames inside the candidate with its own file
name and line, and those lines of the candidate's source. Frames in the C++ library or the sanitizer runtime, the
shadow-byte dump and addresses of other files are left out: they are noise, and the verdict's detail must carry
nothing but facts about the candidate itself.
"""

from __future__ import annotations

import re

from speedlens.sandbox.cpp import SOURCE_NAME
from speedlens.sandbox.run import RunResult

MAX_FRAMES = 3

_ASAN_ERROR = re.compile(r"ERROR: (\w*Sanitizer): ([\w-]+)(.*)")
_UBSAN_ERROR = re.compile(r"^(?:\S*?([^/\s:]+):(\d+):(?:\d+:)?\s*)?runtime error: (.*)$")
_ACCESS = re.compile(r"^\s*((?:READ|WRITE) of size \d+ at 0x[0-9a-f]+)")
_FRAME = re.compile(r"^\s*#\d+ 0x[0-9a-f]+ in (.+?) (\S+):(\d+)(?::\d+)?\s*$")
_UBSAN_KIND = re.compile(r"[a-z][a-z -]*[a-z]")
_NOISE = re.compile(r"\s+at pc 0x[0-9a-f]+ bp 0x[0-9a-f]+ sp 0x[0-9a-f]+|\s+\(pc 0x[0-9a-f]+ .*\)$")


def failure_kind(result: RunResult) -> str:
    """What went wrong in a run, coarse enough to compare two programs: "AddressSanitizer: stack-overflow",
    "runtime error: signed integer overflow", else the run's status ("signal", "timeout", "exit", …)."""
    text = result.stderr.decode(errors="replace")
    asan = _ASAN_ERROR.search(text)
    if asan:
        return f"{asan.group(1)}: {asan.group(2)}"
    for line in text.splitlines():
        ubsan = _UBSAN_ERROR.match(line.strip())
        if ubsan:
            kind = _UBSAN_KIND.match(ubsan.group(3))
            return "runtime error: " + (kind.group(0) if kind else ubsan.group(3)[:40])
    return result.status


def sanitizer_detail(stderr: str, source: str, file_name: str) -> str:
    """The facts of a sanitizer report: the error, the access, the candidate's frames and its source lines."""
    lines = stderr.splitlines()
    out: list[str] = []
    excerpt_line: int | None = None
    for line in lines:
        asan = _ASAN_ERROR.search(line)
        if asan:
            out.append(without_addresses(f"{asan.group(1)}: {asan.group(2)}{asan.group(3)}"))
            break
        ubsan = _UBSAN_ERROR.match(line.strip())
        if ubsan:
            where = f"{file_name}:{ubsan.group(2)}: " if ubsan.group(1) == SOURCE_NAME else ""
            out.append(f"{where}runtime error: {ubsan.group(3)}")
            excerpt_line = int(ubsan.group(2)) if where else None
            break
    for line in lines:
        access = _ACCESS.match(line)
        if access:
            out.append(access.group(1))
            break
    frames = _own_frames(lines, file_name)
    out += [f"  at {function} ({file_name}:{number})" for function, number in frames]
    if frames:
        excerpt_line = frames[0][1]
    if excerpt_line is not None:
        out += excerpt(source, excerpt_line)
    return "\n".join(out)


def without_addresses(line: str) -> str:
    """A report line without its pc/bp/sp registers: they differ on every run and tell the user nothing."""
    return _NOISE.sub("", line).rstrip()


def _own_frames(lines: list[str], file_name: str) -> list[tuple[str, int]]:
    """The first frames of the first stack trace that lie in the candidate's own source, deduplicated (a stack
    overflow repeats one frame thousands of times)."""
    frames: list[tuple[str, int]] = []
    in_stack = False
    for line in lines:
        frame = _FRAME.match(line)
        if frame is None:
            if in_stack and not line.strip().startswith("#"):
                break  # the first trace ended: later ones are where the memory was allocated or freed
            continue
        in_stack = True
        function, path, number = frame.groups()
        if path.rsplit("/", 1)[-1] != SOURCE_NAME:
            continue
        entry = (function.split("(", 1)[0], int(number))
        if entry not in frames:
            frames.append(entry)
        if len(frames) == MAX_FRAMES:
            break
    return frames


def excerpt(source: str, line: int, before: int = 1) -> list[str]:
    """Lines ``line - before`` to ``line`` (1-based) of ``source``, numbered, the reported one marked with '>'."""
    text = source.split("\n")
    return [
        f"{'>' if n == line else ' '} {n:>4} | {text[n - 1].rstrip()}"
        for n in range(max(1, line - before), min(line, len(text)) + 1)
    ]
