"""The one static tamper check: what a candidate's source may not do, or add, to be believed.

Two strengths, one list of patterns. Every candidate (a whole program, or the generated harness around a function)
is checked by ``tamper_findings`` for attempts to tell the checking runs from the timed ones or to reach outside
its file: the sandbox already makes the runs look alike (no sanitizer options in the environment, the same stdin
and stdout kinds) and hides the host; this check names the attempts themselves, so that a candidate which probes
for the sanitizers or includes files by absolute path is rejected with a reason instead of being run at all.
A function's rewrite is called many times in one process, so ``function_tamper_findings`` also refuses what lets
it carry results from one call to the next or behave differently while timed: state that outlives a call, clocks,
the process id. A rewrite of ordinary algorithmic code never needs any of these.

Static analysis of source text, so it lives with the parse helpers (``analysis.cpp``, for declarations); the
verifier (``verify.py``) and the function adapter apply it.
"""

from __future__ import annotations

import re

from speedlens.analysis import cpp

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


# What a function rewrite may not add besides the probes above: a clock or the process id (behaviour that can change
# between the checking and the timed calls). State that outlives a call is found on the parse (``mutable_statics``).
_FUNCTION_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(chrono|clock_gettime|gettimeofday|rdtsc|__rdtsc|clock\s*\(|time\s*\()"), "reads a clock"),
    (re.compile(r"\bgetpid\b"), "reads the environment (its process id)"),
)


def mutable_statics(code: str) -> list[str]:
    """Declarations in ``code`` of state that outlives a call: ``static``/``thread_local`` variables that are
    not const, and variables declared outside any function."""
    found = []
    for node in cpp.walk(cpp.parse(code).root_node):
        if node.type != "declaration" or cpp.function_declarator(node) is not None:
            continue
        specifiers = {cpp.text(c) for c in node.children if c.type in ("storage_class_specifier", "type_qualifier")}
        in_function = any(a.type == "function_definition" for a in cpp.ancestors(node))
        lasting = not in_function or bool(specifiers & {"static", "thread_local"})
        if lasting and not specifiers & {"const", "constexpr"}:
            found.append(" ".join(cpp.text(node).split())[:80])
    return found


def function_tamper_findings(candidate: str, original: str) -> list[str]:
    """What a function's rewrite ``candidate`` adds over ``original`` that a verified rewrite may not add: mutable
    static or global state, a clock, the process id, and every probe ``tamper_findings`` names ([] when clean)."""
    findings = [f"adds mutable static or global state (`{decl}`)"
                for decl in mutable_statics(candidate) if decl not in mutable_statics(original)]
    for pattern, what in _FUNCTION_PATTERNS:
        added = set(pattern.findall(candidate)) - set(pattern.findall(original))
        if added:
            findings.append(f"{what} (`{sorted(str(a) for a in added)[0]}`)")
    return findings + tamper_findings(candidate, original)
