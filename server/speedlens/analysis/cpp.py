"""C++ analysis on a tree-sitter parse: the targets of a buffer, its units and its syntax errors.

The rules' findings are computed above this layer (``propose.findings``), on the helpers here.

Lines are 0-based and count ``\\n`` only, as tree-sitter does. Tree-sitter positions are utf-8 byte offsets;
findings are reported in characters (Python ``str`` indices) so the LSP edge can convert them like any text.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator

import tree_sitter
import tree_sitter_cpp

from speedlens.models import Finding, Target, source_lines

LANGUAGE = tree_sitter.Language(tree_sitter_cpp.language())

# The one list of C++ file suffixes: sources (what ``verify`` builds) and headers (optimizable when they hold a
# program, analysed for findings always).
CPP_SOURCES = frozenset({".cpp", ".cc", ".cxx", ".c++"})
CPP_HEADERS = frozenset({".h", ".hpp", ".hh", ".hxx"})
CPP_SUFFIXES = CPP_SOURCES | CPP_HEADERS

# Scopes whose names qualify the functions defined inside them.
_NAMED_SCOPES = {"namespace_definition", "class_specifier", "struct_specifier", "union_specifier"}
_MAX_SYNTAX_ERRORS = 20
GUESS = "information"  # the severity of a syntax error tree-sitter alone saw: never a Warning

_local = threading.local()  # a tree_sitter.Parser is not thread-safe: one per thread


def _parser() -> tree_sitter.Parser:
    if not hasattr(_local, "parser"):
        _local.parser = tree_sitter.Parser(LANGUAGE)
    return _local.parser


@functools.lru_cache(maxsize=16)
def parse(source: str) -> tree_sitter.Tree:
    """The tree of ``source`` (cached: findings, targets and the rules proposer parse the same buffer)."""
    return _parser().parse(source.encode("utf-8"))


def parse_bytes(source: bytes) -> tree_sitter.Tree:
    """A fresh, uncached parse of ``source`` (a region re-parsed around an edit)."""
    return _parser().parse(source)


_READ_SLICE = 4096


def parse_yielding(source: bytes, old_tree: tree_sitter.Tree | None = None) -> tree_sitter.Tree:
    """A parse that lets other threads run: tree-sitter holds the GIL while it parses bytes (36 ms for 3,000
    lines, during which a language server's event loop answers nothing), but calls back into Python for each
    slice it reads from a callable, and a thread that waits takes the GIL over there."""
    read = lambda offset, _position: source[offset : offset + _READ_SLICE]  # noqa: E731
    return _parser().parse(read, old_tree) if old_tree is not None else _parser().parse(read)


# ---- small tree helpers, shared with the rules proposer ----


def walk(node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    """``node`` and all its descendants, in source order (a cursor: much faster than ``children`` lists)."""
    cursor = node.walk()
    while True:
        current = cursor.node  # never None while the cursor stands on a node (it starts on one, never leaves)
        if current is not None:
            yield current
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():  # a cursor cannot leave the node it started at
                return


class NodeIndex:
    """The nodes under ``root`` by type, in source order: one walk, then every rule's question is a lookup."""

    def __init__(self, root: tree_sitter.Node) -> None:
        self.root = root
        self._by_type: dict[str, list[tree_sitter.Node]] | None = None

    def __call__(self, *types: str) -> list[tree_sitter.Node]:
        if self._by_type is None:
            by_type: dict[str, list[tree_sitter.Node]] = {}
            for node in walk(self.root):
                by_type.setdefault(node.type, []).append(node)
            self._by_type = by_type  # only once complete: the file's index is shared between threads
        found = [node for kind in types for node in self._by_type.get(kind, [])]
        return sorted(found, key=lambda n: (n.start_byte, -n.end_byte)) if len(types) > 1 else found


@functools.lru_cache(maxsize=16)
def file_nodes(tree: tree_sitter.Tree) -> NodeIndex:
    """The index of the whole file (cached: targets, findings and rewrites ask about the same tree)."""
    return NodeIndex(tree.root_node)


def text(node: tree_sitter.Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text is not None else ""


def ancestors(node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def char_column(source: bytes, row_start: int, byte_offset: int) -> int:
    """The character column of a byte offset, given the byte offset where its line starts."""
    return len(source[row_start:byte_offset].decode("utf-8", "replace"))


def node_finding(source: bytes, node: tree_sitter.Node, rule: str, message: str, severity: str) -> Finding:
    """A finding covering ``node``, with character (not byte) columns."""
    start_row_byte = node.start_byte - node.start_point.column
    end_row_byte = node.end_byte - node.end_point.column
    return Finding(
        rule=rule,
        message=message,
        start_line=node.start_point.row,
        start_col=char_column(source, start_row_byte, node.start_byte),
        end_line=node.end_point.row,
        end_col=char_column(source, end_row_byte, node.end_byte),
        severity=severity,
    )


# ---- targets ----


def function_definitions(nodes: NodeIndex) -> Iterator[tree_sitter.Node]:
    """Every function definition with a body (free functions, methods, templates; not lambdas)."""
    for node in nodes("function_definition"):
        if node.child_by_field_name("body") is not None:
            yield node


def function_declarator(definition: tree_sitter.Node) -> tree_sitter.Node | None:
    """The ``function_declarator`` of a definition, under any pointer/reference declarators."""
    declarator = definition.child_by_field_name("declarator")
    while declarator is not None and declarator.type != "function_declarator":
        inner = declarator.child_by_field_name("declarator")
        if inner is None and declarator.type == "reference_declarator" and declarator.named_children:
            inner = declarator.named_children[-1]  # tree-sitter gives `&`'s declarator no field name
        declarator = inner
    return declarator


def function_name(definition: tree_sitter.Node) -> str:
    """The name as written (``run``, ``Solver::run``, ``operator<``), or ``operator T`` for conversions."""
    declarator = function_declarator(definition)
    if declarator is None:  # conversion operators: `operator bool() const {...}`
        declarator = definition.child_by_field_name("declarator")
        return " ".join(text(declarator).split("(")[0].split()) if declarator is not None else "?"
    return "".join(text(declarator.child_by_field_name("declarator")).split())


def qualified_name(definition: tree_sitter.Node) -> str:
    """The name qualified by its enclosing namespaces and classes: ``ns::Solver::run``."""
    scopes = []
    for scope in ancestors(definition):
        if scope.type in _NAMED_SCOPES:
            name = scope.child_by_field_name("name")
            if name is not None:
                scopes.append("".join(text(name).split()))
    return "::".join([*reversed(scopes), function_name(definition)])


def is_main(definition: tree_sitter.Node) -> bool:
    """Whether this is the program's ``main``: named main, outside any namespace or class."""
    return function_name(definition) == "main" and not any(a.type in _NAMED_SCOPES for a in ancestors(definition))


def main_function(tree: tree_sitter.Tree) -> tree_sitter.Node | None:
    return next((d for d in function_definitions(file_nodes(tree)) if is_main(d)), None)


def has_main(source: str) -> bool:
    return main_function(parse(source)) is not None


def _first_line(definition: tree_sitter.Node) -> int:
    """The definition's first line, including its `template <...>` lines."""
    node = definition
    while node.parent is not None and node.parent.type == "template_declaration":
        node = node.parent
    return node.start_point.row


def find_targets(source: str, name: str = "program") -> list[Target]:
    """The program (when the file defines ``main``) first, then every function definition with a body."""
    tree = parse(source)
    lines = source_lines(source)
    targets = []
    if main_function(tree) is not None:
        targets.append(Target(name, "program", "cpp", 0, max(len(lines) - 1, 0), source))
    for definition in function_definitions(file_nodes(tree)):
        start, end = _first_line(definition), definition.end_point.row
        targets.append(
            Target(qualified_name(definition), "function", "cpp", start, end, "".join(lines[start : end + 1]))
        )
    return targets


def target_at(targets: list[Target], line: int) -> Target | None:
    """The innermost function target containing ``line``, else the program target, else None."""
    functions = [t for t in targets if t.kind == "function" and t.start_line <= line <= t.end_line]
    if functions:
        return min(functions, key=lambda t: (t.end_line - t.start_line, -t.start_line))
    return next((t for t in targets if t.kind == "program"), None)


# ---- units: what the rules' findings (``propose.findings``) are computed by ----


def units(tree: tree_sitter.Tree) -> list[tree_sitter.Node]:
    """The file's top-level definitions, and those inside its namespaces: what findings are computed by."""
    return [unit for top in tree.root_node.named_children for unit, _ in units_with_namespaces(top)]


def units_with_namespaces(top: tree_sitter.Node) -> list[tuple[tree_sitter.Node, tuple[tree_sitter.Node, ...]]]:
    """The units in one top-level node, each with the namespaces around it (outermost first)."""
    found: list[tuple[tree_sitter.Node, tuple[tree_sitter.Node, ...]]] = []

    def visit(node: tree_sitter.Node, namespaces: tuple[tree_sitter.Node, ...]) -> None:
        body = opened_body(node)
        if body is not None:
            for child in body.named_children:
                visit(child, (*namespaces, node))
        else:
            found.append((node, namespaces))

    visit(top, ())
    return found


def syntax_errors(source: str) -> list[Finding]:
    """ERROR and MISSING nodes, so the caller can say the file does not parse (and where)."""
    return tree_syntax_errors(parse(source), source.encode("utf-8"))


def tree_syntax_errors(tree: tree_sitter.Tree, source: bytes) -> list[Finding]:
    """Tree-sitter's ERROR and MISSING nodes, as Information: a parse without the preprocessor is a guess (a
    header of macros that compiles has them), so only a compiler's confirmation makes one a Warning
    (``project.syntax_check``)."""
    errors: list[Finding] = []
    cursor = tree.walk()
    while len(errors) < _MAX_SYNTAX_ERRORS:
        node = cursor.node
        if node is None:  # pragma: no cover - a cursor on a tree stands on a node
            return errors
        if node.is_missing:
            errors.append(node_finding(source, node, "syntax", f"missing '{node.type}'", GUESS))
        elif node.is_error:
            snippet = " ".join(text(node).split())[:40]
            errors.append(node_finding(source, node, "syntax", f"syntax error near '{snippet}'", GUESS))
        if node.has_error and cursor.goto_first_child():  # only broken subtrees hold ERROR or MISSING nodes
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return errors
    return errors


def opened_body(node: tree_sitter.Node) -> tree_sitter.Node | None:
    """The body of a namespace whose units are its items, else None: a namespace is opened only when nothing
    outside its body is broken, so every node a rule could match lies in exactly one unit."""
    body = node.child_by_field_name("body") if node.type == "namespace_definition" else None
    if body is None or any(c.has_error for c in node.children if c != body):
        return None
    return body


