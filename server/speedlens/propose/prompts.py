"""Prompts in the style of PIE (Shypula et al., "Learning Performance-Improving Code Edits") and a forgiving
parser for what models answer.

A prompt shows retrieved slow→fast pairs as "# slower version:" / "# optimized version of the same code:", then
the target in the same frame, so the model continues the pattern. Options: a short analysis before the code
(chain of thought) and PIE's performance conditioning (ask for the top score). A feedback prompt continues the
conversation with the rejected candidate and the sandbox's verdict.

Models answer with prose, several fences, diffs, truncated code or the wrong language. ``extract_code`` returns
usable code or None with the reason, and never raises on any answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from speedlens.harness.driver import MODEL_ARGS, args_struct
from speedlens.harness.model_generator import DECLARATION, fields, structs_used
from speedlens.harness.signature import Signature
from speedlens.models import STATUS_RANK, Result, Status, Target, Verdict
from speedlens.retrieval.corpus import Pair
from speedlens.retrieval.index import normalize

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You are an expert C++ performance engineer who writes competitive-programming solutions. You make programs "
    "faster without changing their behaviour: for every valid input the output must stay byte-for-byte the same."
)

EXAMPLE_CHARS = 6000  # a retrieved pair longer than this (slow + fast) is left out of the prompt
EXAMPLES_BUDGET = 20000  # all examples together
CONTEXT_CHARS = 8000  # a function target's file shown whole below this; above, other function bodies elided
DETAIL_CHARS = 1500  # verdict details (compiler errors, outputs) fed back to the model

SLOWER = "# slower version:"
OPTIMIZED = "# optimized version of the same code:"


# ---------------------------------------------------------------------------------------------------------------
# prompts
# ---------------------------------------------------------------------------------------------------------------


def build_messages(source: str, target: Target, examples: Sequence[Pair], settings: Any) -> list[dict[str, str]]:
    """The chat messages asking for a faster ``target`` (a whole program or one function of ``source``)."""
    parts = [
        "Below are programs, each followed by an optimized version of the same code: it reads the same input and "
        "prints exactly the same output, but runs faster."
    ]
    for pair in _fitting(examples):
        parts.append(_example(pair))
    if target.kind == "function":
        parts.append(_function_task(source, target))
    else:
        parts.append(f"{SLOWER}\n{fence(target.text)}\n\n{OPTIMIZED}")
    parts.append(_instructions(target, settings))
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": "\n\n".join(parts)}]


def feedback_messages(
    source: str,
    target: Target,
    examples: Sequence[Pair],
    settings: Any,
    history: Sequence[Result],
) -> list[dict[str, str]] | None:
    """The conversation continued with the most promising rejected candidate and why it was rejected.

    None when there is nothing to repair (no rejected candidate in ``history``).
    """
    rejected = [r for r in history if not r.verdict.verified]
    if not rejected:
        return None
    focus = max(rejected, key=lambda r: (STATUS_RANK[r.verdict.status], r.verdict.speedup or 0.0))
    messages = build_messages(source, target, examples, settings)
    messages.append({"role": "assistant", "content": fence(focus.candidate.code)})
    text = [
        "I compiled and tested your version against the original.",
        describe_verdict(focus.verdict, getattr(settings, "min_speedup", 1.1)),
    ]
    if len(history) > 1 or focus.verdict.original_seconds:
        text.append("Measurements so far:\n" + measurements(history))
    text.append(
        "Repair it, or try a different optimization if this one cannot work. "
        + _answer_format(target, getattr(settings, "chain_of_thought", False))
    )
    messages.append({"role": "user", "content": "\n\n".join(text)})
    return messages


def argument_generator_messages(source: str, target: Target, signature: Signature) -> list[dict[str, str]]:
    """Ask for the C++ argument generator of a library function's harness (``harness/model_generator.py``): the
    function, the file around it, its parameters as the driver holds them, the project structs they name, and the
    exact declaration to implement."""
    structs = structs_used(signature)
    shown = f"\nThe project's structs it takes:\n{fence(structs)}\n" if structs else ""
    prompt = f"""The function `{target.name}` below is part of this file (other function bodies may be elided):
{fence(function_context(source, target))}

The function to test:
{fence(target.text)}
{shown}
A test harness calls `{target.name}` on argument tuples held in this struct:
{fence(args_struct(signature))}
{fields(signature)}

Write the C++17 function

{fence(DECLARATION + ";")}

that returns ONE random argument tuple on which `{target.name}` is meant to be called: respect every precondition
its code assumes (sorted inputs, indices in range, valid formats, non-empty containers, no overflow ...), and
otherwise vary sizes and values widely (duplicates, edge cases, found and not-found cases).
- `rng` is a `std::mt19937_64`: use only it for randomness (the same seed must give the same tuple).
- `n` (200 to 2000) is the intended size of the largest container or string; scale the inputs with it.
- `speedlens_harness::make<T>(rng, n)` builds a random value of a standard type or project struct where any
  value will do.
- No I/O, no static or global state, no clocks, no environment; it must not call `{target.name}` itself.
Answer with the function (and any helpers before it, each `static`) in one ```cpp code block."""
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": prompt}]


def extract_argument_generator(answer: str) -> tuple[str | None, str]:
    """The generator's code from the model's answer (the first C++ block defining it), or None and why."""
    for block in code_blocks(answer):
        if block.lang not in CPP_TAGS or MODEL_ARGS not in block.body:
            continue
        if not block.closed or not balanced(block.body):
            return None, "truncated generator (the code block never closes, or its braces do not balance)"
        return block.body.strip("\n") + "\n", "ok"
    return None, f"no C++ `{MODEL_ARGS}` function in the answer"


def describe_verdict(verdict: Verdict, min_speedup: float = 1.1) -> str:
    """One paragraph a model can act on: what failed, and the evidence (errors, input, expected vs got)."""
    detail = clip(verdict.detail.strip(), DETAIL_CHARS)
    s = verdict.status
    if s == Status.COMPILE_ERROR:
        return f"It does not compile:\n{fence(detail, 'text')}"
    if s == Status.INCORRECT:
        first = next((m.name for m in verdict.per_input if not m.passed), "")
        where = f" on input {first}" if first else ""
        return f"It compiles but prints a wrong answer{where}:\n{fence(detail, 'text')}"
    if s == Status.RUNTIME_ERROR:
        return f"It crashes (runtime error or sanitizer report):\n{fence(detail, 'text')}"
    if s == Status.TIMEOUT:
        return f"It is too slow: it timed out.\n{detail}".strip()
    if s == Status.NOT_FASTER:
        speed = f"only {verdict.speedup:.2f}x faster" if verdict.speedup else "not measurably faster"
        bound = (
            f" (lower bound {verdict.speedup_lower:.2f}x at {1 - verdict.alpha:.0%})"
            if verdict.speedup_lower
            else ""
        )
        return (
            f"It is correct on all {verdict.n_inputs} inputs but {speed}{bound}; it must be at least "
            f"{min_speedup:.2f}x faster. Find a bigger improvement (a better algorithm, faster I/O, less work)."
        )
    if s == Status.NO_TESTS:
        return f"It could not be tested: {detail}"
    if s == Status.TAMPERING:
        return (
            "It was not run: it uses what only a program that games the checks needs (sanitizer internals or "
            "options, /proc/self, .incbin, absolute includes). Optimize the algorithm instead.\n"
            + fence(detail, "text")
        )
    return f"It was verified: {verdict.speedup or 0:.2f}x faster. Make it faster still."


def measurements(history: Iterable[Result]) -> str:
    """A compact list of every candidate so far and what the sandbox measured."""
    lines = []
    for i, r in enumerate(history, 1):
        v = r.verdict
        line = f"- attempt {i}: {v.status.value}"
        if v.speedup:
            line += f", {v.speedup:.2f}x"
            if v.speedup_lower:
                line += f" (>= {v.speedup_lower:.2f}x at {1 - v.alpha:.0%})"
        if v.n_inputs:
            line += f", {v.inputs_passed}/{v.n_inputs} inputs passed"
        if v.original_seconds:
            line += f"; original {v.original_seconds:.3g} s"
            if v.candidate_seconds:
                line += f", candidate {v.candidate_seconds:.3g} s"
        lines.append(line)
    return "\n".join(lines)


def _example(pair: Pair) -> str:
    label = OPTIMIZED
    notes = [f"{pair.speedup:.1f}x faster" if pair.speedup else "", pair.category.replace("_", " ")]
    notes = [n for n in notes if n]
    if notes:
        label = f"{OPTIMIZED[:-1]} ({', '.join(notes)}):"
    return f"{SLOWER}\n{fence(pair.src_code)}\n\n{label}\n{fence(pair.tgt_code)}"


def _fitting(examples: Sequence[Pair]) -> list[Pair]:
    """The examples that fit the prompt budget, in retrieval order."""
    kept, used = [], 0
    for pair in examples:
        size = len(pair.src_code) + len(pair.tgt_code)
        if size > EXAMPLE_CHARS or used + size > EXAMPLES_BUDGET:
            continue
        kept.append(pair)
        used += size
    return kept


def _function_task(source: str, target: Target) -> str:
    context = function_context(source, target)
    return (
        f"The function `{target.name}` below is part of this file (other function bodies may be elided):\n"
        f"{fence(context)}\n\n{SLOWER}\n{fence(target.text)}\n\n{OPTIMIZED}"
    )


def _instructions(target: Target, settings: Any) -> str:
    what = "program" if target.kind != "function" else f"function `{target.name}`"
    lines = [
        f"Write the optimized version of the last {what}. Keep its exact behaviour: same input format, "
        "byte-identical output, no undefined behaviour."
    ]
    if getattr(settings, "performance_conditioning", False):
        lines.append(
            "Aim for a score of 10/10 optimized: as fast as the fastest accepted solutions to this problem."
        )
    lines.append(_answer_format(target, getattr(settings, "chain_of_thought", False)))
    return "\n".join(lines)


def _answer_format(target: Target, chain_of_thought: bool) -> str:
    whole = (
        f"the complete definition of `{target.name}` only (add any helper it needs before it)"
        if target.kind == "function"
        else "the complete program (never elide parts of it)"
    )
    if chain_of_thought:
        return (
            "First write a short analysis (at most 5 bullet points: where the time goes, which optimization "
            f"applies), then {whole} in one ```cpp code block."
        )
    return f"Answer with {whole} in one ```cpp code block and nothing else."


def fence(code: str, lang: str = "cpp") -> str:
    ticks = "````" if "```" in code else "```"
    return f"{ticks}{lang}\n{code.rstrip()}\n{ticks}"


def clip(text: str, limit: int) -> str:
    """``text`` cut to about ``limit`` characters, keeping its head and tail (errors are at both ends)."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n[... {len(text) - 2 * half} characters cut ...]\n{text[-half:]}"


# ---------------------------------------------------------------------------------------------------------------
# function targets: context and extraction (tree-sitter)
# ---------------------------------------------------------------------------------------------------------------

_parser = None


def _parse(code: str):
    global _parser
    if _parser is None:
        import tree_sitter
        import tree_sitter_cpp

        _parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_cpp.language()))
    return _parser.parse(code.encode())


def _functions(node) -> Iterable[Any]:
    """Every function_definition under ``node`` (namespaces, classes and templates included)."""
    for child in node.children:
        if child.type == "function_definition":
            yield child
        if child.child_count:
            yield from _functions(child)


def _function_name(node) -> str:
    declarator = node.child_by_field_name("declarator")
    while declarator is not None and declarator.type != "function_declarator":
        declarator = declarator.child_by_field_name("declarator")
    name = declarator.child_by_field_name("declarator") if declarator is not None else None
    return name.text.decode(errors="replace") if name is not None else ""


def _same_name(found: str, wanted: str) -> bool:
    return found == wanted or found.split("::")[-1] == wanted.split("::")[-1]


def find_function(code: str, name: str) -> str | None:
    """The text of the definition of function ``name`` in ``code`` (with its template header), if any."""
    data = code.encode()
    for node in _functions(_parse(code).root_node):
        if _same_name(_function_name(node), name):
            outer = node.parent if node.parent is not None and node.parent.type == "template_declaration" else node
            return data[outer.start_byte : outer.end_byte].decode(errors="replace")
    return None


def function_context(source: str, target: Target, limit: int = CONTEXT_CHARS) -> str:
    """``source`` as context for rewriting ``target``: whole when short, else other function bodies elided."""
    if len(source) <= limit:
        return source
    data = source.encode()
    lines = source.splitlines(keepends=True)
    start = len("".join(lines[: target.start_line]).encode())
    end = len("".join(lines[: target.end_line + 1]).encode())
    cuts = []
    for node in _functions(_parse(source).root_node):
        body = node.child_by_field_name("body")
        if body is None or (node.start_byte < end and node.end_byte > start):
            continue
        cuts.append((body.start_byte, body.end_byte))
    out, pos = [], 0
    for a, b in sorted(cuts):
        if a < pos:
            continue  # nested in an elided body
        out.append(data[pos:a])
        out.append(b"{ /* ... */ }")
        pos = b
    out.append(data[pos:])
    return clip(b"".join(out).decode(errors="replace"), 2 * limit)


# ---------------------------------------------------------------------------------------------------------------
# answer parsing
# ---------------------------------------------------------------------------------------------------------------

_FENCE = re.compile(
    r"^[ \t]*(?P<f>`{3,}|~{3,})[ \t]*(?P<lang>[\w+#.-]*)[^\n]*\n(?P<body>.*?)(?:(?P<close>^[ \t]*(?P=f)[ \t]*$)|\Z)",
    re.MULTILINE | re.DOTALL,
)
CPP_TAGS = {"", "cpp", "c++", "cc", "cxx", "hpp", "h", "c"}
DIFF_TAGS = {"diff", "patch", "udiff"}
_MAIN = re.compile(r"\bmain\s*\(")
_ELIDED = re.compile(
    r"^\s*(//|/\*)\s*(\.\.\.|…|rest of|same as|unchanged|other (code|functions))", re.IGNORECASE | re.MULTILINE
)
_PY = re.compile(r"^(def |import |from \w+ import |print\(|if __name__)", re.MULTILINE)


@dataclass
class Block:
    lang: str
    body: str
    closed: bool = True


def code_blocks(answer: str) -> list[Block]:
    """The fenced blocks of ``answer``; with no fence, the part that looks like code as one block."""
    blocks = [
        Block(m.group("lang").lower(), m.group("body"), m.group("close") is not None)
        for m in _FENCE.finditer(answer)
    ]
    if blocks:
        return blocks
    start = answer.find("#include")
    if start < 0:
        m = re.search(r"^(?:---|@@|(?:template|using|typedef|struct|class|static|inline|int|long|void|auto)\b)",
                      answer, re.MULTILINE)
        if m is None:
            return []
        start = m.start()
    code = answer[start:]
    if not looks_like_diff(code) and "}" in code:
        code = code[: code.rindex("}") + 1] + "\n"  # prose after the code
    return [Block("", code)]


def extract_code(answer: str | None, target: Target) -> tuple[str | None, str]:
    """Usable replacement text for ``target`` from a model's ``answer``, or None and why it is unusable."""
    try:
        return _extract(answer or "", target)
    except Exception as exc:  # a parser bug must cost one answer, never the run (logged with its traceback)
        log.warning("could not parse an answer", exc_info=True)
        return None, f"unparseable answer ({type(exc).__name__}: {exc})"


def _extract(answer: str, target: Target) -> tuple[str | None, str]:
    blocks = code_blocks(answer)
    if not blocks:
        return None, "no code in the answer"
    usable: list[str] = []
    reasons: list[str] = []
    for block in blocks:
        code, reason = _from_block(block, target)
        if code is None:
            reasons.append(reason)
        else:
            usable.append(code)
    if not usable:
        return None, reasons[0] if len(set(reasons)) == 1 else "; ".join(dict.fromkeys(reasons))
    # Several usable blocks: the longest is the full version (the others are usually excerpts).
    best = max(usable, key=len)
    if _same_code(best, target.text):
        return None, "unchanged: the answer is the original code"
    return best, "ok"


def _from_block(block: Block, target: Target) -> tuple[str | None, str]:
    body = block.body
    if block.lang in DIFF_TAGS or looks_like_diff(body):
        patched = apply_unified_diff(target.text, body)
        if patched is None:
            return None, "a diff that does not apply to the target"
        body = patched
    elif block.lang not in CPP_TAGS:
        return None, f"a {block.lang} block, not C++"
    elif _PY.search(body) and ";" not in body:
        return None, "Python code, not C++"
    if not block.closed:
        return None, "truncated (the code block never closes)"
    if not balanced(body):
        return None, "truncated or malformed (unbalanced braces)"
    if _ELIDED.search(body):
        return None, "incomplete: parts of the code are elided"
    if target.kind == "function":
        return _function_from(body, target)
    if not _MAIN.search(body):
        return None, "not a whole program (no main)"
    return body.rstrip() + "\n", "ok"


def _function_from(code: str, target: Target) -> tuple[str | None, str]:
    """The function's new definition: the block itself, or the definition cut out of a whole program."""
    if _MAIN.search(code) and not _MAIN.search(target.text):
        found = find_function(code, target.name)
        if found is None:
            return None, f"no definition of `{target.name}` in the answer"
        return found.rstrip() + "\n", "ok"
    if find_function(code, target.name) is None:
        return None, f"no definition of `{target.name}` in the answer"
    return code.strip("\n") + "\n", "ok"


def balanced(code: str) -> bool:
    """True when braces, parentheses and brackets pair up (comments and literals ignored)."""
    depth = {"{": 0, "(": 0, "[": 0}
    closer = {"}": "{", ")": "(", "]": "["}
    for tok in normalize(code):
        if tok in depth:
            depth[tok] += 1
        elif tok in closer:
            depth[closer[tok]] -= 1
            if depth[closer[tok]] < 0:
                return False
    return not any(depth.values())


def _same_code(a: str, b: str) -> bool:
    return a.split() == b.split()


def looks_like_diff(text: str) -> bool:
    lines = text.lstrip().splitlines()
    if not lines:
        return False
    if lines[0].startswith("--- ") and len(lines) > 1 and lines[1].startswith("+++ "):
        return True
    has_hunk = any(row.startswith("@@") for row in lines)
    return has_hunk and any(row[:1] in "+-" for row in lines if not row.startswith("@@"))


def apply_unified_diff(original: str, diff: str) -> str | None:
    """``original`` patched by a unified ``diff``, matching hunks by content (models get line numbers wrong).

    None when a hunk's old lines are not found in order.
    """
    hunks: list[list[str]] = []
    for line in diff.splitlines():
        if line.startswith(("--- ", "+++ ", "diff ", "index ", "\\")):
            continue
        if line.startswith("@@"):
            hunks.append([])
            continue
        if not hunks:
            hunks.append([])
        hunks[-1].append(line)
    lines = original.splitlines()
    pos = 0
    for hunk in hunks:
        old = [row[1:] if row[:1] in " -" else row for row in hunk if not row.startswith("+")]
        new = [row[1:] if row[:1] in " +" else row for row in hunk if not row.startswith("-")]
        while old and not old[-1].strip() and new and not new[-1].strip():  # trailing blank context
            old.pop()
            new.pop()
        at = _find(lines, old, pos)
        if at is None:
            return None
        lines[at : at + len(old)] = new
        pos = at + len(new)
    if not hunks or all(not any(row[:1] in "+-" for row in h) for h in hunks):
        return None
    return "\n".join(lines) + "\n"


def _find(lines: list[str], seq: list[str], start: int) -> int | None:
    if not seq:
        return start
    want = [s.strip() for s in seq]
    for i in range(start, len(lines) - len(seq) + 1):
        if all(lines[i + j].strip() == want[j] for j in range(len(seq))):
            return i
    return None
