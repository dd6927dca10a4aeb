"""A check for candidates that try to tell the checking runs from the timed ones, or to reach outside their file.

The sandbox already makes the runs look alike (no sanitizer options in the environment, the same stdin and stdout
kinds) and hides the host; this check names the attempts themselves, so that a candidate which probes for the
sanitizers or includes files by absolute path is rejected with a reason instead of being run at all. A rewrite of
ordinary algorithmic code never needs any of these.
"""

from __future__ import annotations

import re

# (pattern, what it is) — matched against the source with comments left in: a name in a comment is harmless, but a
# candidate has no reason to mention these at all, and stripping comments reliably would need a preprocessor.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), reason)
    for pattern, reason in (
        (r"__(asan|ubsan|lsan|msan|tsan|sanitizer)\w*", "refers to sanitizer internals"),
        (r"\b[AULMT]SAN_OPTIONS\b|\bUBSAN_OPTIONS\b", "reads sanitizer options"),
        (r"__SANITIZE_(ADDRESS|THREAD)__|__has_feature\s*\(\s*\w*sanitizer", "asks whether sanitizers are on"),
        (r"no_sanitize|__attribute__\s*\(\(\s*no_sanitize", "turns sanitizers off for its own code"),
        (r"/proc/self|/proc/\d+|/proc/\"", "inspects its own process through /proc"),
        (r"\bgetenv\s*\(|\benviron\b|\bsecure_getenv\b", "reads its environment"),
        (r"\.incbin\b", "embeds another file with .incbin"),
        (r"#\s*(include|embed)\s*[<\"]\s*/", "includes a file by absolute path"),
        (r"#\s*(include|embed)\s*[<\"][^>\"]*\.\./", "includes a file outside the project"),
        (r"#\s*(include|embed)\s*[<\"][^>\"]*\.(env|pem|key|ssh)\b", "includes a secrets file"),
        (r"\bdlsym\s*\(|\bdlopen\s*\(", "looks up symbols at run time"),
        (r"\bptrace\s*\(|\bprocess_vm_(readv|writev)\b", "inspects other processes"),
        (
            r"\bfstat\w*\s*\(\s*(1|0|STDOUT_FILENO|STDIN_FILENO|fileno\s*\(\s*std(out|in)\s*\))\s*,",
            "inspects what its stdin or stdout is",
        ),  # fmt: skip
        (r"\bisatty\s*\(", "checks whether it writes to a terminal"),
        (r"\.jobs\b", "looks for the sandbox's job files"),
    )
)


def tamper_findings(source: str, original: str | None = None) -> list[str]:
    """Why ``source`` looks like it probes the sandbox, one line per finding with its line number; [] when clean.

    With ``original``, what the original itself does is not held against the candidate (a program that reads an
    environment variable for its thread count may keep doing so): only constructs the original lacks are flagged.
    """
    inherited = {m.group(0) for pattern, _ in _PATTERNS for m in pattern.finditer(original or "")}
    findings = []
    for number, line in enumerate(source.split("\n"), start=1):
        for pattern, reason in _PATTERNS:
            match = pattern.search(line)
            if match and match.group(0) not in inherited:
                findings.append(f"line {number}: {reason} ({match.group(0).strip()[:40]})")
    return findings
