"""Argument tuples recorded from the project's own tests and benchmarks: the calls a project makes are the
arguments its users care about, and the seeded generators miss values only a test writes (a ``"ap"`` prefix).

In a recording build every recordable function of the file is renamed ``speedlens_recorded_<name>`` and a wrapper
with the original name and signature serializes its arguments as they are on entry (``gen.hpp``'s ``write``,
what the driver reads back) and then calls the renamed one. Each function's wrapper appends to its own file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import tree_sitter

from speedlens.analysis import cpp

from .aggregates import ordered, support_source
from .signature import Signature, is_buffer_length

PREFIX = "speedlens_recorded_"
MAX_TUPLES = 32  # per function: a few distinct calls say what the project passes; more only cost time
MAX_BYTES = 1 << 20  # a tuple serialized larger than this is skipped (gen.hpp's RECORD_MAX_BYTES says the same)
_SUPPORT = Path(__file__).with_name("gen.hpp")
_SCOPES = frozenset({"translation_unit", "namespace_definition", "declaration_list"})  # closed and reopened by name


@dataclass(frozen=True)
class Recordable:
    """A function of the file whose calls can be recorded: its definition, signature and the file it records to."""

    definition: tree_sitter.Node
    signature: Signature
    output: Path


def recordable(definition: tree_sitter.Node, signature: Signature) -> bool:
    """Whether a wrapper can stand in for the definition: a plain name (not ``ns::f`` defined outside its
    namespace), at namespace scope (not a template, a member or in an ``extern "C"`` block), none variadic, and
    every parameter named as the signature names it (the wrapper forwards them by name: a function pointer's
    name, say, is not one the signature knows). Its types being generatable is ``check_generatable``'s check."""
    declarator = cpp.function_declarator(definition)
    name = declarator.child_by_field_name("declarator") if declarator is not None else None
    params = declarator.child_by_field_name("parameters") if declarator is not None else None
    if name is None or name.type != "identifier" or params is None:
        return False
    if any(a.type not in _SCOPES for a in cpp.ancestors(definition)):
        return False  # a template, a class member, an extern "C" block
    parts = [p for p in params.children if p.type not in ("(", ")", ",", "comment")]
    declarators = [p.child_by_field_name("declarator") if p.type == "parameter_declaration" else None for p in parts]
    names = [next((cpp.text(n) for n in cpp.walk(d) if n.type == "identifier"), "") if d else "" for d in declarators]
    return names == [p.name for p in signature.params]


def instrumented(text: str, functions: Sequence[Recordable]) -> str:
    """``text`` with every function of ``functions`` renamed and wrapped: ``gen.hpp`` first (it includes standard
    headers only), the structs' serializers at global scope just before the first function (its namespaces closed
    and reopened around them: the structs of the file before it are declared by then)."""
    if not functions:
        return text
    source = text.encode("utf-8")
    edits: list[tuple[int, int, bytes]] = []
    first = min(functions, key=lambda f: f.definition.start_byte)
    for function in functions:
        body = function.definition.child_by_field_name("body")
        declarator = cpp.function_declarator(function.definition)
        name = declarator.child_by_field_name("declarator") if declarator is not None else None
        assert body is not None and name is not None, "recordable() checked the definition"
        start = function.definition.start_byte
        header = source[start:body.start_byte]
        renamed = header[:name.start_byte - start] + PREFIX.encode() + header[name.start_byte - start:]
        wrapper = header + _wrapper_body(function).encode("utf-8")
        before = _serializers(functions, first.definition).encode("utf-8") if function is first else b""
        edits.append((start, function.definition.end_byte,
                      before + renamed + source[body.start_byte:function.definition.end_byte] + b"\n" + wrapper))
    support = "\n".join(["// ---- speedlens: argument recording ----", _SUPPORT.read_text(encoding="utf-8"), ""])
    edits.append((0, 0, support.encode("utf-8")))
    for begin, end, replacement in sorted(edits, key=lambda e: e[0], reverse=True):
        source = source[:begin] + replacement + source[end:]
    return source.decode("utf-8")


def _serializers(functions: Sequence[Recordable], definition: tree_sitter.Node) -> str:
    """The structs' ``write``/``read`` specializations (``aggregates.support_source``), written where
    ``definition`` is: its namespaces closed before them and reopened after."""
    structs = {s.name: s for f in functions for s in f.signature.structs}
    names = sorted({n for f in functions for n in f.signature.buildable()})
    if not names:
        return ""
    namespaces = [a for a in cpp.ancestors(definition) if a.type == "namespace_definition"][::-1]
    opened = " ".join(("inline " if n.children[0].type == "inline" else "") + "namespace "
                      + cpp.text(n.child_by_field_name("name")) + " {" for n in namespaces)
    return "\n".join(["}" * len(namespaces), support_source(ordered(names, structs)), opened, ""])


def _wrapper_body(function: Recordable) -> str:
    """Serialize the arguments as the driver's ``SpeedlensArgs`` holds them (a buffer as a vector, its length
    left out), record them, then forward every argument as it was passed to the renamed definition."""
    params = function.signature.params
    writes = []
    for i, param in enumerate(params):
        if is_buffer_length(params, i):
            continue
        if param.passing in ("pointer", "const_pointer"):
            writes.append(f"speedlens_harness::write_buffer(speedlens_out, {param.name}, "
                          f"static_cast<std::size_t>({params[i + 1].name}));")
        else:
            writes.append(f"speedlens_harness::write(speedlens_out, {param.name});")
    forwarded = ", ".join(f"static_cast<decltype({p.name})&&>({p.name})" for p in params)
    bare = function.signature.name.split("::")[-1]
    path = str(function.output).replace("\\", "\\\\").replace('"', '\\"')
    return "\n".join([
        "{",
        f'    static speedlens_harness::Recorder speedlens_recorder{{"{path}"}};',
        "    if (speedlens_recorder.wants()) {",
        "        std::ostringstream speedlens_out;",
        *(f"        {w}" for w in writes),
        "        speedlens_recorder.record(speedlens_out.str());",
        "    }",
        f"    return {PREFIX}{bare}({forwarded});",
        "}",
    ])


def tuples(data: bytes) -> list[bytes]:
    """The distinct recorded tuples of a recording file (``LENGTH\\n`` then the tuple then ``\\n`` each), in the order
    recorded, at most ``MAX_TUPLES``, none over ``MAX_BYTES``; a truncated last record is left out."""
    found: dict[bytes, None] = {}
    position = 0
    while len(found) < MAX_TUPLES:
        newline = data.find(b"\n", position)
        if newline < 0 or not data[position:newline].isdigit():
            break
        size = int(data[position:newline])
        start, end = newline + 1, newline + 1 + size
        if data[end:end + 1] != b"\n":
            break
        if size <= MAX_BYTES:
            found.setdefault(data[start:end])
        position = end + 1
    return list(found)
