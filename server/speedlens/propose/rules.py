"""The offline rules proposer: rewrites from PIE's common edit categories, matched on a tree-sitter parse.

A rule only proposes; the sandbox decides. So the rules aim to be right on typical competitive-programming code
and to skip the obvious cases where a rewrite would change behaviour, without trying to be a compiler: a wrong
guess fails to compile or to match outputs, and the verifier rejects it.

Each rule finds ``Match``es; a match carries the byte-offset ``Edit``s that realise it (utf-8 offsets, as
tree-sitter reports them). ``apply_rules`` applies whole matches bottom-up, dropping a match whose edits would
overlap an earlier one, so any set of rules composes. ``propose.findings.findings`` reports the same matches.

A rule looks at one top-level definition at a time (a ``Scope``); what it may know of the rest of the file it asks
the scope (``alias``, ``defines_function``…), which answers from ``FileFacts`` and can record the answers. So a
definition's matches depend only on its text and those answers, which is what lets the editor re-analyse only the
definitions an edit touched (``propose.findings.IncrementalFindings``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from tree_sitter import Node, Tree

from speedlens.analysis.cpp import (
    NodeIndex,
    ancestors,
    file_nodes,
    function_declarator,
    function_definitions,
    function_name,
    is_main,
    parse,
    source_lines,
    text,
    units,
    walk,
)
from speedlens.models import Candidate, Target
from speedlens.propose import ProposalRequest


@dataclass(frozen=True)
class Edit:
    """Replace bytes ``start..end`` of the parsed source by ``text`` (an insertion when start == end).

    ``shared``: several matches may need this very edit (an ``#include``); it is applied once.
    """

    start: int
    end: int
    text: str
    shared: bool = False


@dataclass(frozen=True, eq=False)
class Match:
    """One place a rule applies: what a finding points at, and the edits that rewrite it.

    ``rewrite`` is the edits, or a function building them: edits that read the rest of the file (prototypes,
    includes, the names in use) are built only when something is rewritten, never for a finding.
    """

    node: Node
    rewrite: Sequence[Edit] | Callable[[], Sequence[Edit]]
    message: str = ""  # more specific than the rule's explanation, when there is something to add
    severity: str = ""  # overrides the rule's severity

    @functools.cached_property
    def edits(self) -> tuple[Edit, ...]:
        return tuple(self.rewrite() if callable(self.rewrite) else self.rewrite)


@dataclass(frozen=True)
class Rule:
    """A rewrite rule; ``find(scope)`` gets one top-level definition (see ``Scope``)."""

    id: str
    title: str
    explanation: str
    find: Callable[[Scope], list[Match]]
    severity: str = "hint"

    def find_in_file(self, tree: Tree, source: bytes) -> list[Match]:
        return [match for scope in file_scopes(tree, source) for match in self.find(scope)]


# ---- tree helpers ----

LOOPS = {"for_statement", "for_range_loop", "while_statement", "do_statement"}


def last_name(node: Node | None) -> str:
    """The unqualified name of an identifier, ``std::x``/``a::b::x``, ``x<T>`` or ``obj.x``: ``x``."""
    if node is None:
        return ""
    if node.type in ("identifier", "type_identifier", "field_identifier", "namespace_identifier"):
        return text(node)
    if node.type in ("qualified_identifier", "template_type", "template_function"):
        return last_name(node.child_by_field_name("name"))
    if node.type == "field_expression":
        return last_name(node.child_by_field_name("field"))
    return ""


def callee(call: Node) -> str:
    """The called name: ``strlen`` for ``strlen(s)``/``std::strlen(s)``, ``push_back`` for ``v.push_back(x)``."""
    return last_name(call.child_by_field_name("function"))


def member_call(call: Node) -> tuple[Node, str] | None:
    """``(object, method)`` for a call like ``obj.method(...)`` or ``ptr->method(...)``."""
    function = call.child_by_field_name("function")
    if call.type != "call_expression" or function is None or function.type != "field_expression":
        return None
    obj = function.child_by_field_name("argument")
    return (obj, last_name(function)) if obj is not None else None


def arguments(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    return [a for a in args.named_children if a.type != "comment"] if args is not None else []


def operator(node: Node) -> str:
    return text(node.child_by_field_name("operator"))


def root_name(expr: Node | None) -> str:
    """The variable an lvalue expression is rooted at: ``v`` for ``v``, ``v[i]``, ``v.x``, ``(v)``, ``v[i][j]``."""
    while expr is not None and expr.type in ("subscript_expression", "field_expression", "parenthesized_expression"):
        if expr.type == "parenthesized_expression":
            expr = expr.named_children[0] if expr.named_children else None
        else:
            expr = expr.child_by_field_name("argument")
    return text(expr) if expr is not None and expr.type in ("identifier", "this") else ""


def mentions(node: Node, names: set[str]) -> bool:
    return any(n.type == "identifier" and text(n) in names for n in walk(node))


def declarator_name(declarator: Node | None) -> Node | None:
    """The identifier a (possibly nested: init, reference, pointer, array) declarator declares."""
    while declarator is not None and declarator.type not in ("identifier", "field_identifier"):
        inner = declarator.child_by_field_name("declarator")
        if inner is None and declarator.type == "reference_declarator":  # `& x` has no field names
            inner = declarator.named_children[-1] if declarator.named_children else None
        declarator = inner
    return declarator


def has_const(declaration: Node) -> bool:
    return any(c.type == "type_qualifier" and text(c) == "const" for c in declaration.children)


def parameters(declarator: Node | None) -> list[Node]:
    """The parameters of a function declarator, comments skipped; none when there is no declarator."""
    params = declarator.child_by_field_name("parameters") if declarator is not None else None
    return [p for p in params.named_children if p.type != "comment"] if params is not None else []


def type_name(type_node: Node | None, scope: Scope) -> str:
    """The base name of a type, through ``std::``, template arguments and the file's typedefs/usings."""
    return scope.alias(last_name(type_node))


def _alias_pairs(nodes: NodeIndex) -> Iterator[tuple[str, str]]:
    """``typedef long long ll;``/``using vi = vector<int>;`` → ("ll", "long long"), ("vi", "vector")."""
    for node in nodes("type_definition", "alias_declaration"):
        target = node.child_by_field_name("type")
        if node.type == "type_definition":
            names = node.children_by_field_name("declarator")
        else:
            names = [n for n in [node.child_by_field_name("name")] if n is not None]
        if target is not None and target.type == "type_descriptor":
            target = target.child_by_field_name("type")
        base = last_name(target) or " ".join(text(target).split())
        for name in names:
            if name is not None and name.type in ("type_identifier", "identifier"):
                yield text(name), base


def _template_type(type_node: Node | None) -> Node | None:
    """``map<K, V>`` inside ``std::map<K, V>`` (None when the type is not a template instance)."""
    while type_node is not None and type_node.type == "qualified_identifier":
        type_node = type_node.child_by_field_name("name")
    return type_node if type_node is not None and type_node.type == "template_type" else None


def template_arguments(type_node: Node | None) -> list[Node]:
    template = _template_type(type_node)
    args = template.child_by_field_name("arguments") if template is not None else None
    return [a for a in args.named_children if a.type == "type_descriptor"] if args is not None else []


def template_name_node(type_node: Node | None) -> Node | None:
    template = _template_type(type_node)
    return template.child_by_field_name("name") if template is not None else None


def newline(source: bytes) -> str:
    """The file's line ending, so inserted lines match it."""
    return "\r\n" if b"\r\n" in source else "\n"


def line_indent(source: bytes, offset: int) -> str:
    line_start = source.rfind(b"\n", 0, offset) + 1
    line = source[line_start:offset]
    return line[: len(line) - len(line.lstrip())].decode("utf-8", "replace")


def is_simple(expr: Node, calls: frozenset[str] = frozenset()) -> bool:
    """Side-effect-free and cheap to evaluate twice: names, literals, members, indexing, arithmetic, casts.

    ``calls`` names the member functions allowed too (e.g. ``size`` for a loop bound).
    """
    for node in walk(expr):
        if node.type == "call_expression":
            member = member_call(node)
            if member is None or member[1] not in calls or arguments(node):
                return False
        elif node.type in ("assignment_expression", "update_expression", "new_expression", "delete_expression",
                           "comma_expression", "lambda_expression", "co_await_expression"):
            return False
    return True


_DECLARATIONS = frozenset({
    "declaration", "parameter_declaration", "optional_parameter_declaration", "field_declaration", "for_range_loop",
})


def declarations_in(scope: Node, name: str) -> list[Node]:
    """The type nodes of every declaration (variable, parameter, member) of ``name`` in ``scope``."""
    return [t for n, t in _declarations_in(walk(scope)) if n == name]


def _declarations_in(nodes) -> Iterator[tuple[str, Node]]:
    for node in nodes:
        if node.type in _DECLARATIONS:
            for declarator in node.children_by_field_name("declarator"):
                declared = declarator_name(declarator)
                if declared is not None:
                    yield text(declared), node.child_by_field_name("type")


# ---- what a rule may know of the rest of the file ----


@dataclass(frozen=True)
class UnitFacts:
    """What one unit (a top-level definition) tells the rules about the file: a function of its subtree alone."""

    aliases: tuple[tuple[str, str], ...]  # typedefs/usings in source order: (name, base type)
    by_ref: tuple[tuple[str, int], ...]  # (function, position) of its non-const reference/pointer parameters
    declared: tuple[tuple[str, str], ...]  # (name, base type before aliases) of every declaration
    functions: frozenset[str]  # unqualified names of the functions defined
    has_main: bool
    uses_iostreams: bool  # mentions cin or cout
    calls_sync_with_stdio: bool
    calls_c_stdio: bool
    used_beyond_lookups: frozenset[str]  # see _used_beyond_lookups

    @classmethod
    def of(cls, nodes: NodeIndex) -> UnitFacts:
        definitions = list(function_definitions(nodes))
        calls = {callee(n) for n in nodes("call_expression")}
        identifiers = [(n, text(n)) for n in nodes("identifier")]
        return cls(
            aliases=tuple(_alias_pairs(nodes)),
            by_ref=tuple(_nonconst_ref_params(nodes)),
            declared=tuple((name, last_name(type_node)) for name, type_node in _declarations_in(nodes(*_DECLARATIONS))),
            functions=frozenset(
                last_name(declarator.child_by_field_name("declarator"))
                for declarator in map(function_declarator, definitions)
                if declarator is not None
            ),
            has_main=any(is_main(d) for d in definitions),
            uses_iostreams=any(name in ("cin", "cout") for _, name in identifiers),
            calls_sync_with_stdio="sync_with_stdio" in calls,
            calls_c_stdio=not calls.isdisjoint(C_STDIO),
            used_beyond_lookups=frozenset(_used_beyond_lookups(nodes, identifiers)),
        )


class FileFacts:
    """The facts of all units, merged in file order: everything a rule may know beyond its own unit."""

    def __init__(self, unit_facts: list[UnitFacts]) -> None:
        self.aliases: dict[str, str] = {}
        self.by_ref: dict[str, set[int]] = {}
        self.declared: dict[str, list[str]] = {}
        self.functions: set[str] = set()
        self.used_beyond_lookups: set[str] = set()
        for unit in unit_facts:
            for name, base in unit.aliases:
                self.aliases[name] = self.aliases.get(base, base)
            for function, position in unit.by_ref:
                self.by_ref.setdefault(function, set()).add(position)
            for name, base in unit.declared:
                self.declared.setdefault(name, []).append(base)
            self.functions |= unit.functions
            self.used_beyond_lookups |= unit.used_beyond_lookups
        self.main_unit = next((i for i, unit in enumerate(unit_facts) if unit.has_main), None)
        self.uses_iostreams = any(unit.uses_iostreams for unit in unit_facts)
        self.calls_sync_with_stdio = any(unit.calls_sync_with_stdio for unit in unit_facts)
        self.calls_c_stdio = any(unit.calls_c_stdio for unit in unit_facts)


class Scope:
    """One unit as a rule sees it: its own nodes (``nodes``), and questions about the rest of the file.

    With ``reads`` (a dict), every question is recorded with its answer. A unit's matches are a function of its
    subtree and of those answers, so they stay valid as long as ``still_holds(reads)``.
    """

    def __init__(
        self, unit: Node, index: int, facts: FileFacts, tree: Tree | None, source: bytes,
        nodes: NodeIndex | None = None, reads: dict | None = None,
    ) -> None:
        self.unit, self.index, self.facts, self.tree, self.source = unit, index, facts, tree, source
        self.nodes = nodes or NodeIndex(unit)
        self.reads = reads

    def file_nodes(self, *types: str) -> list[Node]:
        """Nodes anywhere in the file, for building edits only: a finding must not depend on them."""
        assert self.tree is not None, "a scope built for findings only has no tree to build edits from"
        return file_nodes(self.tree)(*types)

    def still_holds(self, reads: dict) -> bool:
        """Whether every recorded question gets the recorded answer here."""
        return all(getattr(self, question)(*args) == answer for (question, *args), answer in reads.items())

    def _answer(self, answer, question: str, *args):
        if self.reads is not None:
            self.reads[(question, *args)] = answer
        return answer

    # -- the questions --

    def alias(self, name: str) -> str:
        """What a type name stands for, through the file's typedefs and usings."""
        return self._answer(self.facts.aliases.get(name, name), "alias", name)

    def by_ref_positions(self, function: str) -> frozenset[int]:
        """The positions of the non-const reference/pointer parameters of the file's functions of that name."""
        return self._answer(frozenset(self.facts.by_ref.get(function, ())), "by_ref_positions", function)

    def declared_types(self, name: str) -> tuple[str, ...]:
        """The type (through aliases) of every declaration of ``name`` in the file."""
        types = tuple(self.facts.aliases.get(t, t) for t in self.facts.declared.get(name, ()))
        return self._answer(types, "declared_types", name)

    def defines_function(self, name: str) -> bool:
        return self._answer(name in self.facts.functions, "defines_function", name)

    def used_beyond_lookups(self, name: str) -> bool:
        return self._answer(name in self.facts.used_beyond_lookups, "used_beyond_lookups", name)

    def holds_file_main(self) -> bool:
        """Whether the program's main (the file's first) is in this unit."""
        return self._answer(self.facts.main_unit == self.index, "holds_file_main")

    def uses_iostreams(self) -> bool:
        return self._answer(self.facts.uses_iostreams, "uses_iostreams")

    def calls_sync_with_stdio(self) -> bool:
        return self._answer(self.facts.calls_sync_with_stdio, "calls_sync_with_stdio")

    def mixes_c_stdio(self) -> bool:
        return self._answer(self.facts.calls_c_stdio, "mixes_c_stdio")


@functools.lru_cache(maxsize=4)
def file_scopes(tree: Tree, source: bytes) -> list[Scope]:
    """A scope for every unit of the file (``source`` is what ``tree`` was parsed from), sharing one FileFacts."""
    found = units(tree)
    indexes = [NodeIndex(unit) for unit in found]
    facts = FileFacts([UnitFacts.of(nodes) for nodes in indexes])
    pairs = enumerate(zip(found, indexes, strict=True))
    return [Scope(unit, i, facts, tree, source, nodes) for i, (unit, nodes) in pairs]


# ---- what a piece of code does to a variable ----

MUTATING_MEMBERS = frozenset({
    "push_back", "pop_back", "emplace_back", "push_front", "pop_front", "emplace_front", "insert", "emplace",
    "emplace_hint", "erase", "clear", "resize", "assign", "append", "push", "pop", "swap", "sort", "reverse",
    "replace", "splice", "merge", "remove", "remove_if", "unique", "fill", "try_emplace", "insert_or_assign",
    "extract", "shrink_to_fit", "reserve", "flip", "set", "reset",
})
# Free functions that write through (iterators into) their arguments, or move from them.
MUTATING_CALLS = frozenset({
    "sort", "stable_sort", "partial_sort", "nth_element", "reverse", "rotate", "shuffle", "random_shuffle",
    "next_permutation", "prev_permutation", "fill", "fill_n", "iota", "unique", "remove", "remove_if", "replace",
    "copy", "copy_n", "transform", "move", "swap", "exchange", "partition", "make_heap", "push_heap", "pop_heap",
    "sort_heap", "getline", "memset", "memcpy", "strcpy", "strncpy", "strcat", "strncat", "gets", "fgets", "scanf",
    "sscanf", "sprintf", "snprintf",
})


def _nonconst_ref_params(nodes: NodeIndex) -> Iterator[tuple[str, int]]:
    """``(function, position)`` of every non-const reference/pointer parameter of the functions declared here."""
    for node in nodes("function_definition", "declaration", "field_declaration"):
        declarator = function_declarator(node)
        if declarator is None:
            continue
        for index, param in enumerate(parameters(declarator)):
            shape = param.child_by_field_name("declarator")
            by_ref = shape is not None and shape.type in ("reference_declarator", "pointer_declarator")
            if by_ref and not has_const(param):
                yield last_name(declarator.child_by_field_name("declarator")), index


def modifies(
    code: Iterable[Node], name: str, scope: Scope, *, element_writes: bool, indexing_inserts: bool = False
) -> bool:
    """Whether ``code`` may change variable ``name`` (or, with ``element_writes``, its elements).

    ``indexing_inserts``: the variable is a map, whose ``operator[]`` inserts (and is not const).
    Follows non-const references bound to it (``auto& x = v[i]``, ``for (auto& x : v)``) and counts passing it
    to a file function's non-const reference parameter, to a mutating algorithm, or taking its address.
    """
    names = {name}

    def rooted(expr: Node | None) -> bool:
        if expr is None or not element_writes and expr.type == "subscript_expression":
            return False
        return root_name(expr) in names

    for part in code:
        for node in walk(part):
            kind = node.type
            if kind == "assignment_expression" and rooted(node.child_by_field_name("left")):
                return True
            if kind == "update_expression" and rooted(node.child_by_field_name("argument")):
                return True
            if kind == "binary_expression" and operator(node) == ">>" and rooted(node.child_by_field_name("right")):
                return True
            if kind == "pointer_expression" and operator(node) == "&" and mentions(node, names):
                return True
            if indexing_inserts and kind == "subscript_expression" and root_name(node) in names:
                return True
            if kind == "call_expression":
                member = member_call(node)
                if member and member[1] in MUTATING_MEMBERS and root_name(member[0]) in names:
                    return True
                if callee(node) in MUTATING_CALLS and any(mentions(a, names) for a in arguments(node)):
                    return True
                positions = scope.by_ref_positions(callee(node))
                if any(i in positions and root_name(a) in names for i, a in enumerate(arguments(node))):
                    return True
            if kind in ("declaration", "for_range_loop") and not has_const(node):
                declarator = node.child_by_field_name("declarator")
                bound_to = node.child_by_field_name("right") if kind == "for_range_loop" else declarator
                if declarator is not None and "&" in text(declarator).split("=")[0] and bound_to is not None:
                    if mentions(bound_to, names):
                        names.add(text(declarator_name(declarator)))  # a non-const alias
    return False


# ---- 1. sync-stdio ----

C_STDIO = frozenset({
    "printf", "scanf", "puts", "gets", "getchar", "putchar", "fgets", "fputs", "fprintf", "fscanf", "getc", "putc",
    "fgetc", "fputc", "fread", "fwrite", "fflush", "vprintf", "ungetc", "getchar_unlocked", "putchar_unlocked",
    "freopen", "perror",
})


def find_sync_stdio(scope: Scope) -> list[Match]:
    main = next((d for d in function_definitions(scope.nodes) if is_main(d)), None)
    if main is None or not scope.holds_file_main():
        return []
    if not scope.uses_iostreams() or scope.calls_sync_with_stdio() or scope.mixes_c_stdio():
        return []
    body = main.child_by_field_name("body")
    if body is None or body.type != "compound_statement":
        return []
    brace = body.children[0]
    statements = body.named_children
    if statements and statements[0].start_point.row > brace.start_point.row:
        indent = line_indent(scope.source, statements[0].start_byte)
    else:
        indent = line_indent(scope.source, main.start_byte) + "    "
    nl = newline(scope.source)
    insert = f"{nl}{indent}std::ios::sync_with_stdio(false);{nl}{indent}std::cin.tie(nullptr);"
    name = main.child_by_field_name("declarator") or main
    return [Match(name, (Edit(brace.end_byte, brace.end_byte, insert),))]


# ---- 2. endl ----


def find_endl(scope: Scope) -> list[Match]:
    matches = []
    for node in scope.nodes("binary_expression"):
        if operator(node) == "<<":
            right = node.child_by_field_name("right")
            is_name = right is not None and right.type in ("identifier", "qualified_identifier")
            if is_name and right is not None and last_name(right) == "endl":
                matches.append(Match(right, (Edit(right.start_byte, right.end_byte, "'\\n'"),)))
    if matches and scope.calls_sync_with_stdio() and scope.mixes_c_stdio():
        return []  # unsynced iostreams mixed with printf: the flushes keep the output in order
    return matches


# ---- 3. const-ref-param ----

CONTAINERS = frozenset({
    "vector", "string", "wstring", "basic_string", "map", "set", "multimap", "multiset", "unordered_map",
    "unordered_set", "unordered_multimap", "unordered_multiset", "deque", "list", "forward_list", "array",
    "valarray", "bitset", "priority_queue", "queue", "stack",
})
_KEYED = frozenset({"map", "unordered_map"})  # operator[] inserts: indexing is a write


def _by_value_container_params(definition: Node, scope: Scope) -> list[tuple[int, Node]]:
    return [
        (index, param)
        for index, param in enumerate(parameters(function_declarator(definition)))
        if param.type in ("parameter_declaration", "optional_parameter_declaration")
        and (declarator := param.child_by_field_name("declarator")) is not None
        and declarator.type == "identifier"
        and type_name(param.child_by_field_name("type"), scope) in CONTAINERS
    ]


def _by_ref_edits(param: Node) -> list[Edit]:
    """``T v`` → ``const T& v`` (also for a nameless ``T`` in a prototype)."""
    type_node = param.child_by_field_name("type")
    declarator = param.child_by_field_name("declarator")
    if type_node is None:
        return []
    edits = [] if has_const(param) else [Edit(type_node.start_byte, type_node.start_byte, "const ")]
    if declarator is None:
        return edits + [Edit(type_node.end_byte, type_node.end_byte, "&")]
    return edits + [Edit(type_node.end_byte, declarator.start_byte, "& ")]


def _prototype_params(scope: Scope, definition: Node, index: int, param: Node) -> list[Node]:
    """The same parameter in the function's separate declarations (prototypes, in-class declarations)."""
    own = function_declarator(definition)
    name = last_name(own.child_by_field_name("declarator") if own is not None else None)
    count = len(parameters(own))
    wanted = " ".join(text(param.child_by_field_name("type")).split())
    found = []
    for node in scope.file_nodes("declaration", "field_declaration"):
        declarator = function_declarator(node)
        if declarator is None or last_name(declarator.child_by_field_name("declarator")) != name:
            continue
        params = parameters(declarator)
        if len(params) == count and " ".join(text(params[index].child_by_field_name("type")).split()) == wanted:
            declared = params[index].child_by_field_name("declarator")
            if declared is None or declared.type == "identifier":
                found.append(params[index])
    return found


def _is_virtual(definition: Node) -> bool:
    """Changing an override's signature would silently stop it overriding."""
    declarator = function_declarator(definition)
    return any(c.type == "virtual" for c in definition.children) or (
        declarator is not None and any(n.type == "virtual_specifier" for n in walk(declarator))
    )


def _const_ref_edits(scope: Scope, definition: Node, index: int, param: Node) -> list[Edit]:
    """The parameter, and the same parameter in the function's prototypes elsewhere in the file."""
    edits = _by_ref_edits(param)
    for prototype in _prototype_params(scope, definition, index, param):
        edits += _by_ref_edits(prototype)
    return edits


def find_const_ref_param(scope: Scope) -> list[Match]:
    matches = []
    for definition in function_definitions(scope.nodes):
        if is_main(definition) or _is_virtual(definition):
            continue
        body = definition.child_by_field_name("body")
        if body is None:
            continue
        for index, param in _by_value_container_params(definition, scope):
            name = text(param.child_by_field_name("declarator"))
            keyed = type_name(param.child_by_field_name("type"), scope) in _KEYED
            if modifies([body], name, scope, element_writes=True, indexing_inserts=keyed):
                continue
            message = (
                f"'{name}' is copied on every call to {function_name(definition)}"
                " and never modified: pass it as a const reference"
            )
            matches.append(Match(param, functools.partial(_const_ref_edits, scope, definition, index, param), message))
    return matches


# ---- 4. reserve ----


def _counted_loop(loop: Node) -> tuple[str, str] | None:
    """``(counter, iteration count)`` of ``for (int i = 0; i < n; ++i)`` and its 1-based/``<=`` variants."""
    init, condition, update = (loop.child_by_field_name(f) for f in ("initializer", "condition", "update"))
    if init is None or condition is None or update is None:
        return None
    if init.type == "declaration" and len(init.children_by_field_name("declarator")) == 1:
        declarator = init.child_by_field_name("declarator")
        if declarator is None:
            return None
        counter, start = declarator.child_by_field_name("declarator"), declarator.child_by_field_name("value")
    elif init.type == "assignment_expression" and operator(init) == "=":
        counter, start = init.child_by_field_name("left"), init.child_by_field_name("right")
    else:
        return None
    if counter is None or counter.type != "identifier" or text(start) not in ("0", "1"):
        return None
    name = text(counter)
    if condition.type != "binary_expression":
        return None
    left, op, right = condition.child_by_field_name("left"), operator(condition), condition.child_by_field_name("right")
    flipped = {">": "<", ">=": "<="}
    if text(right) == name and op in flipped:
        left, op, right = right, flipped[op], left
    if right is None or text(left) != name or op not in ("<", "<="):
        return None
    if not is_simple(right, frozenset({"size", "length"})):
        return None
    increment = "".join(text(update).split())
    if increment not in (f"++{name}", f"{name}++", f"{name}+=1"):
        return None
    atomic = right.type in ("identifier", "number_literal", "call_expression", "field_expression")
    bound = text(right) if atomic else f"({text(right)})"
    count = {("0", "<"): bound, ("1", "<="): bound, ("0", "<="): f"{bound} + 1", ("1", "<"): f"{bound} - 1"}
    return name, count[(text(start), op)]


def _pushes_into(loop: Node, vector: str) -> bool:
    """Whether the loop's own body (not a nested loop's) appends to ``vector``."""
    body = loop.child_by_field_name("body")
    for node in walk(body) if body is not None else ():
        member = member_call(node) if node.type == "call_expression" else None
        if member and member[1] in ("push_back", "emplace_back") and text(member[0]) == vector:
            if next(a for a in ancestors(node) if a.type in LOOPS) == loop:
                return True
    return False


def _may_exit_early(loop: Node) -> bool:
    """A loop that can stop early may push far fewer than its count: reserving the count could exhaust memory."""
    exits = ("break_statement", "return_statement", "goto_statement", "throw_statement")
    body = loop.child_by_field_name("body")
    return body is not None and any(n.type in exits for n in walk(body))


def find_reserve(scope: Scope) -> list[Match]:
    matches = []
    for block in scope.nodes("compound_statement"):
        statements = block.named_children
        for position, declaration in enumerate(statements):
            if declaration.type != "declaration":
                continue
            if type_name(declaration.child_by_field_name("type"), scope) != "vector":
                continue
            for declarator in declaration.children_by_field_name("declarator"):
                if declarator.type != "identifier":
                    continue  # only empty declarations: `vector<int> v;`
                vector = text(declarator)
                first_use = next((s for s in statements[position + 1 :] if mentions(s, {vector})), None)
                if first_use is None or first_use.type != "for_statement":
                    continue
                counted, condition = _counted_loop(first_use), first_use.child_by_field_name("condition")
                if counted is None or condition is None or mentions(condition, {vector}):
                    continue
                if counted[0] == vector or not _pushes_into(first_use, vector) or _may_exit_early(first_use):
                    continue
                count = counted[1]
                indent = line_indent(scope.source, first_use.start_byte)
                insert = f"if ({count} > 0) {vector}.reserve({count});{newline(scope.source)}{indent}"
                message = f"'{vector}' grows one push_back at a time; reserve its {count} elements before the loop"
                matches.append(Match(declarator, (Edit(first_use.start_byte, first_use.start_byte, insert),), message))
    return matches


# ---- 5. string-append ----


def find_string_append(scope: Scope) -> list[Match]:
    matches = []
    for node in scope.nodes("assignment_expression"):
        if operator(node) != "=":
            continue
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or left.type != "identifier" or right is None or right.type != "binary_expression":
            continue
        if operator(right) != "+" or text(right.child_by_field_name("left")) != text(left):
            continue  # only `s = s + x`: in `s = s + a + b` chars a + b would add as integers after the rewrite
        types = scope.declared_types(text(left))
        if not types or not all(t == "string" for t in types):
            continue
        plus, assign = right.child_by_field_name("operator"), node.child_by_field_name("operator")
        if plus is None or assign is None:
            continue
        edit = Edit(assign.start_byte, plus.end_byte, "+=")
        matches.append(Match(node, (edit,)))
    return matches


# ---- 6. pow-int ----

_SMALL_EXPONENTS = {"2": 2, "2.0": 2, "2.": 2, "3": 3, "3.0": 3, "3.": 3}


def find_pow_int(scope: Scope) -> list[Match]:
    matches = []
    for node in scope.nodes("call_expression"):
        if member_call(node) is not None or callee(node) != "pow":
            continue
        args = arguments(node)
        if len(args) != 2 or text(args[1]) not in _SMALL_EXPONENTS or not is_simple(args[0]):
            continue
        base = text(args[0])
        factors = " * ".join([f"(double)({base})"] + [f"({base})"] * (_SMALL_EXPONENTS[text(args[1])] - 1))
        matches.append(Match(node, (Edit(node.start_byte, node.end_byte, f"({factors})"),)))
    if matches and scope.defines_function("pow"):
        return []  # the file's own pow (often a modular power) is not the floating-point one
    return matches


# ---- 7. hoist-loop-bound ----


def _recomputed_bound(call: Node) -> tuple[Node, str] | None:
    """``(object, kind)`` for ``strlen(s)``, ``s.size()`` or ``s.length()`` on a plain variable or member."""
    member = member_call(call)
    if member is not None:
        obj, kind = member
        if kind not in ("size", "length") or arguments(call):
            return None
    else:
        args = arguments(call)
        if callee(call) != "strlen" or len(args) != 1:
            return None
        obj, kind = args[0], "strlen"
    plain = all(n.type in ("identifier", "field_identifier", "field_expression", "this", ".", "->") for n in walk(obj))
    return (obj, kind) if plain and root_name(obj) else None


def _fresh_name(base: str, taken: set[str]) -> str:
    name, suffix = base, 1
    while name in taken:
        suffix += 1
        name = f"{base}{suffix}"
    taken.add(name)
    return name


def _invariant_in(loop: Node, obj: Node, scope: Scope) -> bool:
    """Whether the loop leaves ``obj``'s length alone: not declared by the loop, not modified in it, and, unless
    it is a local variable or parameter, no function of this file (which might modify it) is called in the loop."""
    name = root_name(obj)
    init = loop.child_by_field_name("initializer")
    if init is not None and declarations_in(init, name):
        return False
    loop_code = [n for n in (loop.child_by_field_name(f) for f in ("condition", "update", "body")) if n is not None]
    if modifies(loop_code, name, scope, element_writes=False):
        return False
    function = next((a for a in ancestors(loop) if a.type == "function_definition"), None)
    if function is not None and name != "this" and declarations_in(function, name):
        return True
    calls = (n for part in loop_code for n in walk(part) if n.type == "call_expression")
    return not any(scope.defines_function(callee(n)) for n in calls)


@functools.lru_cache(maxsize=16)
def _names_in_use(tree: Tree) -> frozenset[str]:
    return frozenset(text(n) for n in file_nodes(tree)("identifier"))


def _hoist_edits(scope: Scope, loop: Node, bounds: list[tuple[Node, str]]) -> list[Edit]:
    """One block around the loop: a variable (named fresh in the file) per distinct call, the calls replaced."""
    taken = set(_names_in_use(scope.tree))
    hoisted: dict[str, str] = {}  # call text -> variable
    for call, base in bounds:
        if text(call) not in hoisted:
            hoisted[text(call)] = _fresh_name(base, taken)
    declarations = " ".join(f"const auto {var} = {call};" for call, var in hoisted.items())
    return [
        Edit(loop.start_byte, loop.start_byte, f"{{ {declarations} "),
        *(Edit(call.start_byte, call.end_byte, hoisted[text(call)]) for call, _ in bounds),
        Edit(loop.end_byte, loop.end_byte, " }"),
    ]


def find_hoist_loop_bound(scope: Scope) -> list[Match]:
    matches = []
    for loop in scope.nodes("for_statement"):
        condition = loop.child_by_field_name("condition")
        if condition is None:
            continue
        bounds: list[tuple[Node, str]] = []  # (call, base name of the variable that will hold its value)
        kinds = set()
        for call in walk(condition):
            bound = _recomputed_bound(call) if call.type == "call_expression" else None
            if bound is None or not _invariant_in(loop, bound[0], scope):
                continue
            obj, kind = bound
            suffix = "len" if kind in ("strlen", "length") else "size"
            bounds.append((call, f"{text(obj.child_by_field_name('field') or obj)}_{suffix}"))
            kinds.add(kind)
        if not bounds:
            continue
        edits = functools.partial(_hoist_edits, scope, loop, bounds)
        calls = ", ".join(f"'{c}'" for c in dict.fromkeys(text(call) for call, _ in bounds))
        if "strlen" in kinds:
            message = f"{calls} walks the whole string on every iteration (quadratic): compute it once before the loop"
            matches.append(Match(condition, edits, message, "information"))
        else:
            matches.append(Match(condition, edits, f"{calls} is re-evaluated on every iteration: compute it once"))
    return matches


# ---- 8. unordered-map ----

_HASHABLE_KEYS = frozenset({
    "int", "long", "short", "char", "unsigned", "signed", "long long", "unsigned int", "unsigned long",
    "unsigned long long", "long int", "long long int", "unsigned char", "signed char", "size_t", "int64_t",
    "uint64_t", "int32_t", "uint32_t", "string",
})
# Members that look a key up (or insert/erase one) without relying on the order of the keys.
_LOOKUP_MEMBERS = frozenset({
    "count", "find", "end", "cend", "insert", "emplace", "erase", "at", "size", "empty", "clear", "contains",
    "try_emplace", "insert_or_assign",
})
_HASHED = {"map": "unordered_map", "set": "unordered_set"}


def _map_declarations(nodes: NodeIndex) -> list[tuple[Node, str, Node, list[Node]]]:
    """``(declaration, "map" or "set", its type, the names it declares)`` for the std::map/set variables here."""
    found = []
    for declaration in nodes("declaration"):
        type_node = declaration.child_by_field_name("type")
        kind = last_name(type_node)
        if type_node is None or kind not in _HASHED or not template_arguments(type_node):
            continue
        declarators = declaration.children_by_field_name("declarator")
        if any(d.type == "function_declarator" for d in declarators):
            continue  # a function returning a map
        names = [name for d in declarators if (name := declarator_name(d)) is not None]
        if names and len(names) == len(declarators):
            found.append((declaration, kind, type_node, names))
    return found


def _used_beyond_lookups(nodes: NodeIndex, identifiers: list[tuple[Node, str]]) -> set[str]:
    """The names used here other than to look a key up (``m[k]``, ``m.count(k)``…) or to declare a map or set.

    ``identifiers``: the identifier nodes here, with their names.
    """
    declared_at = {n.start_byte for *_, names in _map_declarations(nodes) for n in names}
    used: set[str] = set()
    for node, name in identifiers:
        if name in used or node.start_byte in declared_at:
            continue
        parent = node.parent
        if parent is None:
            continue
        if parent.type == "subscript_expression" and parent.child_by_field_name("argument") == node:
            continue
        grandparent = parent.parent
        if (parent.type == "field_expression" and parent.child_by_field_name("argument") == node
                and last_name(parent) in _LOOKUP_MEMBERS and grandparent is not None
                and grandparent.type == "call_expression"):
            continue
        used.add(name)
    return used


def _hash_table_edits(scope: Scope, kind: str, name_node: Node) -> list[Edit]:
    """``map`` → ``unordered_map``, and its header unless the file includes it (or bits/stdc++.h)."""
    edits = [Edit(name_node.start_byte, name_node.end_byte, _HASHED[kind])]
    includes = scope.file_nodes("preproc_include")
    header = f"<{_HASHED[kind]}>"
    if not any(text(i.child_by_field_name("path")) in (header, "<bits/stdc++.h>") for i in includes):
        at = includes[-1].end_byte if includes else 0
        edits.append(Edit(at, at, f"#include {header}{newline(scope.source)}", shared=True))
    return edits


def find_unordered_map(scope: Scope) -> list[Match]:
    matches = []
    for _, kind, type_node, names in _map_declarations(scope.nodes):
        key = " ".join(text(template_arguments(type_node)[0]).replace("std::", "").split())
        if scope.alias(key) not in _HASHABLE_KEYS:
            continue
        if any(scope.used_beyond_lookups(text(n)) for n in names):
            continue
        name_node = template_name_node(type_node)
        if name_node is None:
            continue
        message = (
            f"{', '.join(repr(text(n)) for n in names)} is only used for lookups: a hash table "
            f"(std::{_HASHED[kind]}) answers them in O(1) instead of O(log n)"
        )
        matches.append(Match(name_node, functools.partial(_hash_table_edits, scope, kind, name_node), message))
    return matches


# ---- the registry ----

RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "sync-stdio",
            "Unsync iostreams from C stdio and untie cin",
            "cin/cout are synchronized with C stdio and cin flushes cout before every read; for a program that"
            " uses only iostreams, `std::ios::sync_with_stdio(false); std::cin.tie(nullptr);` at the start of"
            " main makes reading and writing several times faster.",
            find_sync_stdio,
            "information",
        ),
        Rule(
            "endl",
            "Write '\\n' instead of std::endl",
            "std::endl writes a newline and flushes the stream: one system call per line. '\\n' lets the"
            " stream buffer the output (it is flushed at exit anyway).",
            find_endl,
        ),
        Rule(
            "const-ref-param",
            "Pass containers by const reference",
            "A container or string parameter passed by value is copied on every call (O(size) time and an"
            " allocation); the function never modifies it, so a const reference does the same without the copy.",
            find_const_ref_param,
            "information",
        ),
        Rule(
            "reserve",
            "Reserve vector capacity before a counted push_back loop",
            "The vector is filled one push_back at a time in a loop whose iteration count is known: reserving"
            " it up front avoids the repeated reallocations and copies while it grows.",
            find_reserve,
        ),
        Rule(
            "string-append",
            "Append to strings in place (s += x)",
            "`s = s + x` builds a whole new string and copies s into it (quadratic in a loop); `s += x` appends"
            " in place in amortized O(|x|).",
            find_string_append,
        ),
        Rule(
            "pow-int",
            "Multiply instead of calling pow for squares and cubes",
            "pow(x, 2) and pow(x, 3) call the general floating-point power routine; multiplying is several"
            " times faster and gives the same double result.",
            find_pow_int,
        ),
        Rule(
            "hoist-loop-bound",
            "Compute the loop bound once, outside the loop",
            "The loop condition recomputes a length that the loop does not change; strlen walks the whole"
            " string each time, which makes the loop quadratic. Computing it once before the loop is enough.",
            find_hoist_loop_bound,
        ),
        Rule(
            "unordered-map",
            "Use a hash table for lookup-only maps and sets",
            "This std::map/std::set is only used for lookups and never iterated in order, so a hash table"
            " (std::unordered_map/std::unordered_set) answers the same queries in O(1) instead of O(log n).",
            find_unordered_map,
        ),
    )
}


# ---- applying rules ----


def _overlaps(a: Edit, b: Edit) -> bool:
    return a.start < b.end and b.start < a.end


def _accepted_edits(tree: Tree, source: bytes, rule_ids: Iterable[str], span: tuple[int, int] | None) -> list[Edit]:
    """The edits of the rules' matches (those inside ``span``), skipping whole matches that would collide."""
    wanted = set(rule_ids)
    if wanted - RULES.keys():
        raise KeyError(f"unknown rules {sorted(wanted - RULES.keys())}; known: {', '.join(RULES)}")
    accepted: list[Edit] = []
    for rule in RULES.values():
        if rule.id not in wanted:
            continue
        for match in rule.find_in_file(tree, source):
            if span is not None and not all(span[0] <= e.start and e.end <= span[1] for e in match.edits):
                continue
            new = [e for e in match.edits if not (e.shared and e in accepted)]
            if not any(_overlaps(e, a) for e in new for a in accepted):
                accepted.extend(new)
    return accepted


def apply_edits(source: bytes, edits: list[Edit]) -> bytes:
    """Apply non-overlapping edits bottom-up; insertions at one offset keep their order."""
    ordered = sorted(enumerate(edits), key=lambda pair: (pair[1].start, pair[1].end, pair[0]))
    for _, edit in reversed(ordered):
        source = source[: edit.start] + edit.text.encode("utf-8") + source[edit.end :]
    return source


def apply_rules(source: str, rule_ids: Iterable[str]) -> str:
    """``source`` rewritten by every match of the given rules."""
    data = source.encode("utf-8")
    return apply_edits(data, _accepted_edits(parse(source), data, rule_ids, None)).decode("utf-8")


def applicable_rules(source: str, span: tuple[int, int] | None = None) -> list[str]:
    """The rules with at least one match (inside the byte ``span``, when given), in registry order."""
    tree, data = parse(source), source.encode("utf-8")
    return [rule.id for rule in RULES.values() if _accepted_edits(tree, data, [rule.id], span)]


def _target_span(source: str, target: Target) -> tuple[int, int] | None:
    """The byte range of a function target's lines; None for a program (the whole file)."""
    if target.kind == "program":
        return None
    lines = source_lines(source)
    start = len("".join(lines[: target.start_line]).encode("utf-8"))
    return start, start + len("".join(lines[target.start_line : target.end_line + 1]).encode("utf-8"))


def rewrite_target(source: str, target: Target, rule_ids: Iterable[str]) -> str:
    """The target's new text under the given rules.

    A program is the whole file. For a function, only matches whose edits all lie inside the function apply (a
    prototype elsewhere or a missing ``#include`` makes the rewrite a whole-program one), and the function's
    new text is cut out of the rewritten file.
    """
    data = source.encode("utf-8")
    span = _target_span(source, target)
    rewritten = apply_edits(data, _accepted_edits(parse(source), data, rule_ids, span))
    if span is None:
        return rewritten.decode("utf-8")
    return rewritten[span[0] : len(rewritten) - (len(data) - span[1])].decode("utf-8")


class RulesProposer:
    """One candidate per applicable rule; then one with every rule whose own candidate verified.

    The combination waits for the single rules' verdicts (the first feedback round) because a rule that alone is
    not faster, or not correct, only costs the combination its timing or its correctness: combined with the rules
    that did verify it is at best the same speedup, timed again for nothing. With ``feedback_rounds = 0`` there is
    no such round, and every applicable rule is combined up front."""

    name = "rules"

    async def propose(self, request: ProposalRequest) -> list[Candidate]:
        target = request.target
        if request.round > 1 or target.language != "cpp" or target.kind not in ("program", "function"):
            return []
        if request.round == 0:
            rule_ids = applicable_rules(request.source, _target_span(request.source, target))
            plans = [(f"rules:{rule_id}", RULES[rule_id].title, [rule_id]) for rule_id in rule_ids]
            combined = [] if request.settings.feedback_rounds > 0 else rule_ids
            label = "All applicable rules"
        else:
            plans, label = [], "Every rule that verified alone"
            combined = [r.candidate.meta["rules"][0] for r in request.history
                        if r.verdict.verified and len(r.candidate.meta.get("rules", ())) == 1]
        if len(combined) >= 2:
            titles = "; ".join(RULES[rule_id].title for rule_id in combined)
            plans.append(("rules:combined", f"{label}: {titles}", combined))
        original = "".join(source_lines(request.source)[target.start_line : target.end_line + 1])
        candidates, seen = [], {original, target.text}
        for proposer, description, ids in plans:
            code = rewrite_target(request.source, target, ids)
            if code not in seen:
                seen.add(code)
                candidates.append(Candidate(target, code, proposer, description, {"rules": ids}))
        return candidates
