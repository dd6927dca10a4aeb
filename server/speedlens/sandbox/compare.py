"""Output comparison: exact after trailing-whitespace normalisation, optionally with a numeric tolerance."""

from __future__ import annotations

import difflib
import math


def normalize(output: bytes) -> list[str]:
    """Lines with trailing whitespace stripped and trailing blank lines dropped."""
    lines = [line.rstrip() for line in output.decode("utf-8", errors="replace").splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _tokens_close(expected: str, got: str, tolerance: float) -> bool:
    a, b = expected.split(), got.split()
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if x == y:
            continue
        try:
            fx, fy = float(x), float(y)
        except ValueError:
            return False
        if not math.isclose(fx, fy, rel_tol=tolerance, abs_tol=tolerance):
            return False
    return True


def outputs_match(expected: bytes, got: bytes, tolerance: float = 0.0) -> tuple[bool, str]:
    """Whether ``got`` matches ``expected``; when not, a short diff of the first difference."""
    exp, out = normalize(expected), normalize(got)
    if exp == out:
        return True, ""
    if tolerance > 0 and len(exp) == len(out):
        if all(_tokens_close(a, b, tolerance) for a, b in zip(exp, out, strict=True)):
            return True, ""
    return False, first_difference(exp, out)


def first_difference(expected: list[str], got: list[str], context: int = 1) -> str:
    """A few lines around the first differing line, as a unified diff."""
    # The first differing line, else where the shorter output ends (comparing stops there).
    i = next(
        (k for k, (a, b) in enumerate(zip(expected, got, strict=False)) if a != b), min(len(expected), len(got))
    )
    lo = max(0, i - context)
    hi = i + context + 1
    diff = difflib.unified_diff(
        [_clip(s) for s in expected[lo:hi]], [_clip(s) for s in got[lo:hi]], "expected", "got", lineterm="", n=context
    )
    lines = list(diff)[2:]
    counts = f" (expected {len(expected)} lines, got {len(got)})" if len(expected) != len(got) else ""
    where = f"line {i + 1}{counts}"
    return f"first difference at {where}:\n" + "\n".join(lines[:8])


def _clip(line: str, width: int = 120) -> str:
    return line if len(line) <= width else line[:width] + "…"
