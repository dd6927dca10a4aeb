"""A free function's signature as the harness needs it: how to call it, and which arguments it may write.

Parsed with tree-sitter from the definition itself, so the driver calls exactly what the file defines. A type
is *generatable* when the seeded generators of ``gen.hpp`` can build it: arithmetic types, ``std::string`` and
the standard containers, pairs and tuples of these, and the project's enums and aggregates of these
(``aggregates.py``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace

import tree_sitter

from speedlens.analysis import cpp

from .aggregates import Aggregate, Enumeration, enums_in, qualify, recursive, structs_in

SCALARS = frozenset({
    "bool", "char", "signed char", "unsigned char", "short", "unsigned short", "int", "unsigned", "unsigned int",
    "long", "unsigned long", "long long", "unsigned long long", "float", "double", "long double", "size_t",
    "ptrdiff_t", "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t", "uint64_t",
    "short int", "long int", "long long int", "unsigned long int", "unsigned long long int", "signed", "signed int",
})
STRINGS = frozenset({"string"})
CONTAINERS = {"vector": 1, "deque": 1, "list": 1, "set": 1, "unordered_set": 1, "map": 2, "unordered_map": 2,
              "pair": 2, "tuple": -1, "array": 2}
LENGTH_NAMES = re.compile(r"^(n|len|length|size|count|num\w*|\w*_(size|len|length|count))$")


@dataclass(frozen=True)
class Param:
    """One parameter: its value type (no ``const``, no ``&``/``*``), its name, and how it is passed."""

    type: str
    name: str
    passing: str  # "value" | "const_ref" | "ref" | "rvalue" | "pointer" | "const_pointer"

    @property
    def written(self) -> bool:
        """Whether the function may change the caller's object (so the harness prints it after the call)."""
        return self.passing in ("ref", "pointer")


@dataclass(frozen=True)
class Signature:
    name: str  # qualified: ns::f
    params: tuple[Param, ...]
    structs: tuple[Aggregate, ...] = ()  # the structs visible to it (see ``with_structs``)
    returns: str = "auto"  # the returned value's type (no const, no &); "auto" when deduced
    enums: tuple[Enumeration, ...] = ()  # the enums visible to it
    returns_pointer: bool = False

    def buildable(self) -> frozenset[str]:
        """The structs the generators can build: aggregates whose fields are all buildable (a fixed point, so a
        struct of a refused struct is refused too), none containing itself (its generation would not end)."""
        names = {s.name for s in self.structs if not s.refusal and not recursive(s.name, self.structs)}
        enums = {e.name for e in self.enums}
        fields = {s.name: s.fields for s in self.structs}
        changed = True
        while changed:
            bad = {n for n in names if any(unsupported_part(t, names | enums) is not None for t, _ in fields[n])}
            names -= bad
            changed = bool(bad)
        return frozenset(names | enums)


def with_structs(signature: Signature, sources: Iterable[str]) -> Signature:
    """``signature`` knowing the structs and enums defined in ``sources`` (the file and its project headers), its
    parameter types naming them by qualified name (what the driver, at global scope, must write)."""
    texts = list(sources)
    enums = enums_in(texts)
    structs = structs_in(texts, others=enums)
    known = [*structs, *enums]
    scope = "::".join(signature.name.split("::")[:-1])
    params = tuple(replace(p, type=qualify(p.type, scope, known)) for p in signature.params)
    return replace(signature, params=params, structs=tuple(structs.values()), enums=tuple(enums.values()),
                   returns=qualify(signature.returns, scope, known))


class NotGeneratable(Exception):
    """The harness cannot call this function; the message says why and ``hint`` (when set) what would let speedlens
    verify it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def definition_at(source: str, line: int) -> tree_sitter.Node | None:
    """The function definition starting at ``line`` (0-based; its ``template`` line counts)."""
    for definition in cpp.function_definitions(cpp.file_nodes(cpp.parse(source))):
        templated = definition.parent is not None and definition.parent.type == "template_declaration"
        if (definition.parent if templated else definition).start_point.row == line:  # type: ignore[union-attr]
            return definition
    return None


def signature_of(definition: tree_sitter.Node) -> Signature:
    """The signature of a free, non-template function; ``NotGeneratable`` for anything else."""
    name = cpp.qualified_name(definition)
    if definition.parent is not None and definition.parent.type == "template_declaration":
        raise NotGeneratable(f"{name} is a template: the generated harness does not know which types to call it with")
    if any(a.type in ("class_specifier", "struct_specifier") for a in cpp.ancestors(definition)) or "::" in \
            cpp.function_name(definition):
        raise NotGeneratable(f"{name} is a member function: the generated harness calls free functions only")
    declarator = cpp.function_declarator(definition)
    parameters = declarator.child_by_field_name("parameters") if declarator is not None else None
    if declarator is None or parameters is None:
        raise NotGeneratable(f"{name}: its parameter list could not be parsed")
    params = tuple(_param(node, name, i) for i, node in enumerate(parameters.named_children) if node.type != "comment")
    return Signature(name, params, returns=_return_type(definition, declarator),
                     returns_pointer=_returns_pointer(definition, declarator))


def _return_type(definition: tree_sitter.Node, declarator: tree_sitter.Node) -> str:
    """The declared return type's name (a trailing ``-> T`` when written so)."""
    written = " ".join(cpp.text(definition.child_by_field_name("type")).split())
    trailing = next((c for c in declarator.children if c.type == "trailing_return_type"), None)
    if trailing is not None and written == "auto":
        descriptor = next((c for c in trailing.named_children if c.type == "type_descriptor"), None)
        kind = descriptor.child_by_field_name("type") if descriptor is not None else None
        return " ".join(cpp.text(kind).split()) if kind is not None else written
    return written


def _returns_pointer(definition: tree_sitter.Node, declarator: tree_sitter.Node) -> bool:
    outer = definition.child_by_field_name("declarator")
    trailing = next((c for c in declarator.children if c.type == "trailing_return_type"), None)
    return (outer is not None and outer.type == "pointer_declarator") or (
        trailing is not None and "*" in cpp.text(trailing))


def _param(node: tree_sitter.Node, function: str, index: int) -> Param:
    if node.type not in ("parameter_declaration", "optional_parameter_declaration"):
        raise NotGeneratable(f"{function}: parameter {index + 1} (`{cpp.text(node)}`) is variadic or unnamed in a "
                             "way the harness cannot call")
    const = any(c.type == "type_qualifier" and cpp.text(c) == "const" for c in node.children)
    type_text = " ".join(cpp.text(node.child_by_field_name("type")).split())
    declarator = node.child_by_field_name("declarator")
    kinds = {"reference_declarator": "ref", "pointer_declarator": "pointer"}
    passing = "value"
    if declarator is not None and declarator.type in kinds:
        passing = kinds[declarator.type]
        if passing == "ref" and cpp.text(declarator).startswith("&&"):
            passing = "rvalue"
        declarator = declarator.named_children[-1] if declarator.named_children else None
        if declarator is not None and declarator.type in kinds:
            raise NotGeneratable(f"{function}: parameter {index + 1} (`{cpp.text(node)}`) is a pointer to a pointer")
    if const and passing in ("ref", "pointer"):
        passing = "const_" + passing
    name = cpp.text(declarator) if declarator is not None and declarator.type == "identifier" else f"arg{index}"
    return Param(type_text, name, passing)


def check_generatable(signature: Signature) -> None:
    """Raises ``NotGeneratable`` naming the first parameter whose type the generators cannot build."""
    buildable = signature.buildable()
    for i, param in enumerate(signature.params):
        if param.passing in ("pointer", "const_pointer") and not _is_buffer(signature.params, i):
            raise NotGeneratable(
                f"{signature.name}: parameter `{param.name}` is a pointer without a length parameter after it; the "
                "generated harness passes pointers only as (pointer, length) buffers")
        problem = unsupported_part(param.type, buildable)
        if problem is not None:
            refusal = next((f" ({_why_not(s, signature.structs)})" for s in signature.structs if s.name == problem), "")
            raise NotGeneratable(
                f"{signature.name}: parameter `{param.name}` has type `{param.type}`, and `{problem}`{refusal} is "
                "not a type the generated harness can build (integers, floating point, bool, char, std::string, "
                "std::vector/array/deque/list/map/set/unordered_map/unordered_set/pair/tuple of these, the "
                "project's enums, and aggregates with public fields of these: no constructors, base classes, "
                "pointers or references)")


def check_comparable(signature: Signature) -> None:
    """Raises ``NotGeneratable`` when the harness cannot compare what the function returns: it compares by value,
    an address differs between two builds, and a type with no printer cannot be compared (``show`` in gen.hpp
    prints what the generators build). No argument generator changes that, a model's included."""
    buildable = signature.buildable()
    if signature.returns_pointer:
        raise NotGeneratable(
            f"{signature.name} returns a pointer (`{signature.returns}*`): the generated harness compares what a call "
            "returns by value, and an address is not a value two builds share",
            "verify it through a program that calls it (a file with main and test inputs), or return an index or a "
            "value")
    if signature.returns in ("void", "auto", "decltype(auto)"):
        return  # nothing to compare, or a deduced type the compile of the harness judges
    problem = unsupported_part(signature.returns, buildable)
    if problem is not None:
        raise NotGeneratable(
            f"{signature.name} returns `{signature.returns}`, and `{problem}` is not a type the generated harness can "
            "print and compare (the types it builds: integers, floating point, bool, char, std::string, the standard "
            "containers, pairs and tuples of these, the project's enums and aggregates of these)",
            "verify it through a program that calls it (a file with main and test inputs)")


def _why_not(struct: Aggregate, structs: tuple[Aggregate, ...]) -> str:
    """Why a project struct the generators cannot build is refused: its own reason, recursion, or a field."""
    if struct.refusal:
        return struct.refusal
    return "it contains itself" if recursive(struct.name, structs) else "a field's type cannot be built"


def check_no_mutable_globals(definition: tree_sitter.Node) -> None:
    """Raises ``NotGeneratable`` when the function reads or writes a mutable variable of its file's namespace
    scope: the harness neither sets that state before a call nor compares it after, and its repeated calls would
    carry it from one call to the next, so neither correctness nor timing would mean what they say."""
    root = definition
    while root.parent is not None:
        root = root.parent
    shared = _mutable_globals(root)
    if not shared:
        return
    body = definition.child_by_field_name("body")
    local = {cpp.text(n) for n in cpp.walk(definition) if n.type == "identifier" and n.parent is not None
             and n.parent.type in ("init_declarator", "parameter_declaration", "declaration",
                                   "reference_declarator", "pointer_declarator", "array_declarator")}
    used = sorted({cpp.text(n) for n in cpp.walk(body) if n.type == "identifier"} & (shared - local)) if body else []
    if used:
        name = cpp.qualified_name(definition)
        raise NotGeneratable(
            f"{name} uses mutable global state ({', '.join(f'`{u}`' for u in used)}): the generated harness "
            "passes arguments and compares results and arguments only, so it can neither set that state nor check "
            "what a rewrite does to it",
            "verify it through a program that calls it (a file with main and test inputs), or pass the state as a "
            "parameter (a reference the harness generates and compares)")


def _mutable_globals(root: tree_sitter.Node) -> set[str]:
    """The names of the variables declared at namespace scope (outside functions and classes) without const."""
    names: set[str] = set()
    for node in cpp.walk(root):
        if node.type != "declaration" or cpp.function_declarator(node) is not None:
            continue
        if any(a.type in ("function_definition", "field_declaration_list", "compound_statement")
               for a in cpp.ancestors(node)):
            continue
        qualifiers = {cpp.text(c) for c in node.children if c.type in ("type_qualifier", "storage_class_specifier")}
        if qualifiers & {"const", "constexpr"}:
            continue
        for declarator in node.children_by_field_name("declarator"):
            identifier = next((n for n in cpp.walk(declarator) if n.type == "identifier"), None)
            if identifier is not None:
                names.add(cpp.text(identifier))
    return names


def _is_buffer(params: tuple[Param, ...], index: int) -> bool:
    following = params[index + 1] if index + 1 < len(params) else None
    return (following is not None and following.passing == "value" and _scalar(following.type)
            and bool(LENGTH_NAMES.match(following.name)))


def is_buffer_length(params: tuple[Param, ...], index: int) -> bool:
    """Whether parameter ``index`` is the length of the pointer before it (the harness passes the buffer's)."""
    return index > 0 and params[index - 1].passing in ("pointer", "const_pointer") and _is_buffer(params, index - 1)


def _scalar(type_text: str) -> bool:
    return _strip_std(type_text) in SCALARS


def _strip_std(type_text: str) -> str:
    return " ".join(type_text.replace("std::", "").split())


def unsupported_part(type_text: str, structs: Collection[str] = ()) -> str | None:
    """The first part of a type the generators cannot build, or None when all of it can be built (``structs``: the
    qualified names of the buildable project aggregates)."""
    name, args = _split_template(_strip_std(type_text))
    if not args:
        return None if name in SCALARS or name in STRINGS or name in structs else name
    arity = CONTAINERS.get(name)
    if arity is None or (arity > 0 and len(args) != arity):
        return name
    if name == "array":
        return None if args[1].isdigit() else args[1] if unsupported_part(args[0], structs) is None else args[0]
    return next((part for part in (unsupported_part(a, structs) for a in args) if part is not None), None)


def _split_template(type_text: str) -> tuple[str, list[str]]:
    """``map<string, vector<int>>`` → ("map", ["string", "vector<int>"])."""
    if "<" not in type_text:
        return type_text.strip(), []
    name, rest = type_text.split("<", 1)
    inner = rest.rsplit(">", 1)[0]
    args, depth, current = [], 0, ""
    for char in inner:
        depth += char == "<"
        depth -= char == ">"
        if char == "," and depth == 0:
            args.append(current.strip())
            current = ""
        else:
            current += char
    return name.strip(), [*args, current.strip()] if current.strip() else args
