"""A static tamper check: candidates that mention what only a cheat needs are rejected before they are built.

Candidates are written by a model and untrusted. A program that talks to the sanitizer runtime or reads its
options can behave well only when it is being checked; one that reads its own process's files can tell a timing
run from a checking run; an assembler ``.incbin`` or an ``#include`` of an absolute path pulls another file's
content into the binary (and from there into the verdict). An honest optimization needs none of these.
"""

from __future__ import annotations

import re

# (pattern, what it gives a cheat): matched on the candidate's source text, comments included (a mention in a
# comment is harmless but costs nothing to reject, and keeps the check impossible to dodge with the preprocessor).
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"__(?:asan|ubsan|lsan|sanitizer)\w*"), "refers to sanitizer internals"),
    (re.compile(r"\b(?:ASAN|UBSAN|LSAN)_OPTIONS\b"), "reads the sanitizers' options"),
    (re.compile(r"/proc/self\b"), "inspects its own process through /proc/self"),
    (re.compile(r"\.incbin\b"), "embeds a file with the assembler's .incbin"),
    (re.compile(r'^\s*#\s*include\s*[<"]\s*/', re.MULTILINE), "includes a file by absolute path"),
]


def tamper_findings(source: str) -> list[str]:
    """What in ``source`` looks like tampering, one line each (``line N: reason (`text`)``); empty when clean."""
    found = []
    for pattern, reason in _PATTERNS:
        for match in pattern.finditer(source):
            found.append((source.count("\n", 0, match.start()) + 1, reason, match.group(0).strip()[:60]))
    return [f"line {line}: {reason} (`{text}`)" for line, reason, text in sorted(found)]
