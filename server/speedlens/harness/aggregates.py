"""Project types the harness can build: aggregates (public fields of generatable types, no constructors, bases,
references, pointers or bit-fields) and enums, declared in the file or in the project headers it includes.

Their generators and printers are emitted into the driver (``gen.hpp`` knows only the standard types), so a
function over ``Point`` or ``std::vector<Word>`` is compared field by field like any other argument. An enum is
generated as one of its enumerators (the values a caller can name), printed as its underlying value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import tree_sitter

from speedlens.analysis import cpp

_IDENTIFIER = re.compile(r"(?<![\w:])[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*")


@dataclass(frozen=True)
class Aggregate:
    """A struct by its qualified name, with its fields (qualified types) in declaration order; ``refusal`` says why
    a struct that is not an aggregate cannot be built (empty for an aggregate)."""

    name: str
    fields: tuple[tuple[str, str], ...]  # (type, name)
    refusal: str = ""


@dataclass(frozen=True)
class Enumeration:
    """An enum by its qualified name, with its enumerators as the driver (at global scope) names them."""

    name: str
    values: tuple[str, ...]


def structs_in(sources: Iterable[str], others: Iterable[str] = ()) -> dict[str, Aggregate]:
    """Every named struct/class defined in ``sources`` (the file, then its headers), by qualified name; its fields'
    types name structs and ``others`` (the enums) by qualified name too."""
    found: dict[str, Aggregate] = {}
    for node in _named_definitions(sources, ("struct_specifier", "class_specifier")):
        aggregate = _aggregate(node)
        found.setdefault(aggregate.name, aggregate)
    known = [*found, *others]
    return {name: _qualified(a, known) for name, a in found.items()}


def enums_in(sources: Iterable[str]) -> dict[str, Enumeration]:
    """Every named enum (scoped or not) with at least one enumerator defined in ``sources``, by qualified name."""
    found: dict[str, Enumeration] = {}
    for node in _named_definitions(sources, ("enum_specifier",)):
        name = "::".join([*_scope(node), cpp.text(node.child_by_field_name("name"))])
        body = node.child_by_field_name("body")
        enumerators = [e.child_by_field_name("name") for e in body.named_children if e.type == "enumerator"] \
            if body is not None else []
        values = tuple(f"{name}::{cpp.text(e)}" for e in enumerators if e is not None)  # C++11 names both kinds so
        if values:
            found.setdefault(name, Enumeration(name, values))
    return found


def _named_definitions(sources: Iterable[str], kinds: tuple[str, ...]) -> Iterable[tree_sitter.Node]:
    """The named type definitions (with a body) of ``kinds`` in ``sources``, outside functions and templates."""
    for source in sources:
        for node in cpp.walk(cpp.parse(source).root_node):
            if node.type in kinds and node.child_by_field_name("body") is not None \
                    and node.child_by_field_name("name") is not None and not any(
                        a.type in ("function_definition", "template_declaration") for a in cpp.ancestors(node)):
                yield node


def qualify(type_text: str, scope: str, known: Iterable[str]) -> str:
    """``type_text`` with every struct name written relative to ``scope`` (``geo`` for ``geo::area``) replaced by
    its qualified name, so the driver (at global scope) names it."""
    names = set(known)
    prefixes = scope.split("::") if scope else []

    def resolve(match: re.Match[str]) -> str:
        written = match.group(0)
        for depth in range(len(prefixes), -1, -1):
            candidate = "::".join([*prefixes[:depth], written])
            if candidate in names:
                return candidate
        return written
    return _IDENTIFIER.sub(resolve, type_text)


def ordered(names: Iterable[str], structs: dict[str, Aggregate]) -> list[Aggregate]:
    """The aggregates ``names`` mention, transitively, each after the structs of its fields (what C++ needs: a
    specialization is declared before it is used)."""
    result: list[Aggregate] = []
    seen: set[str] = set()

    def visit(text: str) -> None:
        for match in _IDENTIFIER.finditer(text):
            name = match.group(0)
            if name in structs and name not in seen:
                seen.add(name)
                for field_type, _ in structs[name].fields:
                    visit(field_type)
                result.append(structs[name])
    for text in names:
        visit(text)
    return result


def recursive(name: str, structs: Iterable[Aggregate]) -> bool:
    """Whether struct ``name`` contains itself through its fields' structs (``struct Node { vector<Node> kids; }``)."""
    by_name = {s.name: s for s in structs}
    return any(a.name == name for a in ordered([t for t, _ in by_name[name].fields], by_name))


def support_source(aggregates: list[Aggregate], enums: Iterable[Enumeration] = ()) -> str:
    """The ``Gen`` specializations (fields made in declaration order with the seeded rng, aggregate-initialised),
    ``show`` (fields printed in order) and ``write``/``read`` (fields serialized in order: recorded arguments)
    specializations of ``aggregates``, already ordered; before them, the generators of ``enums`` (``show``,
    ``write`` and ``read`` handle any enum)."""
    lines = ["namespace speedlens_harness {"]
    for e in enums:
        lines += [f"template <> struct Gen<{e.name}> {{",
                  f"    static {e.name} make(Rng& rng, std::size_t) {{",
                  f"        static const {e.name} values[] = {{{', '.join(e.values)}}};",
                  f"        return values[rng() % {len(e.values)}];",
                  "    }", "};"]
    for a in aggregates:
        makes = ", ".join(f"speedlens_harness::make<{t}>(rng, n)" for t, _ in a.fields)
        shows = " out << ' ';".join(f" out << \"{f}=\"; show(out, v.{f});" for _, f in a.fields)
        writes = "".join(f" write(out, v.{f});" for _, f in a.fields)
        reads = "".join(f" && read(in, v.{f})" for _, f in a.fields)
        lines += [f"template <> struct Gen<{a.name}> {{",
                  f"    static {a.name} make([[maybe_unused]] Rng& rng, [[maybe_unused]] std::size_t n) "
                  f"{{ return {a.name}{{{makes}}}; }}",
                  "};",
                  f"template <> void show<{a.name}>(std::ostream& out, const {a.name}& v) "
                  f"{{ out << '{{';{shows} out << '}}'; }}",
                  f"template <> void write<{a.name}>([[maybe_unused]] std::ostream& out, "
                  f"[[maybe_unused]] const {a.name}& v) {{{writes} }}",
                  f"template <> bool read<{a.name}>([[maybe_unused]] std::istream& in, [[maybe_unused]] {a.name}& v) "
                  f"{{ return true{reads}; }}"]
    return "\n".join([*lines, "}"])


def _scope(node: tree_sitter.Node) -> list[str]:
    scopes = [cpp.text(s.child_by_field_name("name")) for s in cpp.ancestors(node)
              if s.type in ("namespace_definition", "struct_specifier", "class_specifier")
              and s.child_by_field_name("name") is not None]
    return [*reversed(scopes)]


def _aggregate(node: tree_sitter.Node) -> Aggregate:
    """The struct's fields, or why it is not an aggregate the harness can build (the first reason found)."""
    own = cpp.text(node.child_by_field_name("name"))
    name = "::".join([*_scope(node), own])
    if any(c.type == "base_class_clause" for c in node.children):
        return Aggregate(name, (), "it has a base class")
    public = node.type == "struct_specifier"
    fields: list[tuple[str, str]] = []
    for member in node.child_by_field_name("body").named_children:  # type: ignore[union-attr]
        if member.type == "access_specifier":
            public = cpp.text(member).startswith("public")
            continue
        declarator = cpp.function_declarator(member)
        if declarator is not None:
            function = cpp.text(declarator.child_by_field_name("declarator")).split("::")[-1]
            if function == own:
                return Aggregate(name, (), "it declares a constructor")
            continue
        if member.type != "field_declaration":
            continue
        if any(c.type == "storage_class_specifier" and cpp.text(c) == "static" for c in member.children):
            continue
        if not public:
            return Aggregate(name, (), "it has a non-public field")
        if any(c.type == "type_qualifier" and cpp.text(c) == "const" for c in member.children):
            return Aggregate(name, (), "it has a const field")
        if any(c.type == "bitfield_clause" for c in member.children):
            return Aggregate(name, (), "it has a bit-field")
        field_type = " ".join(cpp.text(member.child_by_field_name("type")).split())
        for field in member.children_by_field_name("declarator"):
            if field.type != "field_identifier":
                return Aggregate(name, (), f"its field `{cpp.text(field)}` is a pointer, reference or array")
            fields.append((field_type, cpp.text(field)))
    return Aggregate(name, tuple(fields))


def _qualified(aggregate: Aggregate, known: Iterable[str]) -> Aggregate:
    scope = "::".join(aggregate.name.split("::")[:-1])
    fields = tuple((qualify(t, scope, known), f) for t, f in aggregate.fields)
    return Aggregate(aggregate.name, fields, aggregate.refusal)
