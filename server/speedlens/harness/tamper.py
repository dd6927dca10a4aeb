"""What a candidate must not add to a function to be believed: state that outlives a call, clocks, the
environment, sanitizer internals. Any of these lets a rewrite look faster or correct without being so (a cache
carried from one repetition to the next, behaviour that changes while being timed or checked)."""

from __future__ import annotations

import re

from speedlens.analysis import cpp

_PATTERNS = {
    "reads a clock": re.compile(r"\b(chrono|clock_gettime|gettimeofday|rdtsc|__rdtsc|clock\s*\(|time\s*\()"),
    "reads the environment": re.compile(r"\b(getenv|secure_getenv|environ|getpid|/proc/)"),
    "mentions sanitizer internals": re.compile(r"\b(__asan\w*|__ubsan\w*|__sanitizer\w*|__SANITIZE_\w+|"
                                               r"__has_feature\s*\(\s*\w*sanitizer)"),
}


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


def tamper_findings(original: str, candidate: str) -> list[str]:
    """What ``candidate`` adds over ``original`` that a verified rewrite may not add (empty: nothing)."""
    findings = [f"adds mutable static or global state (`{decl}`)"
                for decl in mutable_statics(candidate) if decl not in mutable_statics(original)]
    for what, pattern in _PATTERNS.items():
        added = set(pattern.findall(candidate)) - set(pattern.findall(original))
        if added:
            findings.append(f"{what} (`{sorted(str(a) for a in added)[0]}`)")
    return findings
