"""The rewrite rules' findings on a C++ buffer: from scratch (``findings``) and incrementally for an editor
(``IncrementalFindings``).

It lives with the rules, above ``analysis.cpp``: the analysis layer parses and finds targets and syntax errors;
what the rules report is the proposers' knowledge, and ``analysis`` never imports a proposer (ARCHITECTURE.md,
"Layers").

Findings are computed one unit (a top-level definition) at a time: the rules see the unit's nodes, plus answers
about the rest of the file (``propose.rules.Scope``). A unit's findings are kept relative to where it starts, so
they can be moved with it. The from-scratch analysis and the incremental one share every step but the caching.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import cachetools
import tree_sitter

from speedlens.analysis.cpp import (
    NodeIndex,
    char_column,
    node_finding,
    opened_body,
    parse,
    parse_bytes,
    parse_yielding,
    tree_syntax_errors,
)
from speedlens.models import Finding
from speedlens.propose.rules import RULES, FileFacts, Scope, UnitFacts, file_scopes

Origin = tuple[int, int]  # where a unit starts: its line, and its character column on that line
UnitFindings = tuple[tuple[Finding, ...], ...]  # one tuple per rule, in registry order


def _origin(unit: tree_sitter.Node, source: bytes) -> Origin:
    row, column = unit.start_point
    return row, column and char_column(source, unit.start_byte - column, unit.start_byte)


def _moved(finding: Finding, origin: Origin, sign: int) -> Finding:
    """``finding`` moved by ``sign * origin``: rows all, columns only on the unit's first line (``first``)."""
    row, col = origin
    first = 0 if sign > 0 else row  # the unit's first line, in the coordinates ``finding`` is in
    return Finding(
        finding.rule,
        finding.message,
        finding.start_line + sign * row,
        finding.start_col + (sign * col if finding.start_line == first else 0),
        finding.end_line + sign * row,
        finding.end_col + (sign * col if finding.end_line == first else 0),
        finding.severity,
    )


def _unit_findings(scope, origin: Origin) -> UnitFindings:
    """Every rule's matches in one unit (a ``propose.rules.Scope``), relative to the unit's ``origin``."""
    return tuple(
        tuple(
            _moved(node_finding(scope.source, m.node, rule.id, m.message or rule.explanation,
                                m.severity or rule.severity), origin, -1)
            for m in rule.find(scope)
        )
        for rule in RULES.values()
    )


def _placed(found: UnitFindings, origin: Origin) -> UnitFindings:
    if origin == (0, 0) or not any(found):  # most units have no findings: an Enter moves hundreds of them
        return found
    return tuple(tuple([_moved(f, origin, +1) for f in rule]) if rule else rule for rule in found)


def _assemble(placed: list[UnitFindings]) -> list[Finding]:
    """All findings, rule by rule (registry order), each rule's in source order (units are in source order)."""
    return [f for r in range(len(placed[0]) if placed else 0) for unit in placed for f in unit[r]]


def findings(source: str) -> list[Finding]:
    """Every match of every rewrite rule, as a finding that explains the expected win (analysed from scratch)."""
    data = source.encode("utf-8")
    placed = []
    for scope in file_scopes(parse(source), data):
        origin = _origin(scope.unit, data)
        placed.append(_placed(_unit_findings(scope, origin), origin))
    return _assemble(placed)


def _common_prefix(a: bytes, b: bytes) -> int:
    """The length of the longest common prefix (a binary search of slice comparisons: memcmp, not a Python loop)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        mid = (low + high + 1) // 2
        if a[:mid] == b[:mid]:
            low = mid
        else:
            high = mid - 1
    return low


Place = tuple[int, int, int]  # a byte offset, a row and a character column


def _items(children: list[tree_sitter.Node]) -> list[list[tree_sitter.Node]]:
    """Sibling nodes grouped into items: each named node with the unnamed ones that follow it."""
    items: list[list[tree_sitter.Node]] = []
    for node in children:
        if node.is_named or not items:
            items.append([node])
        else:
            items[-1].append(node)
    return items


def _body_items(body: tree_sitter.Node) -> list[list[tree_sitter.Node]]:
    children = body.children
    inner = children[1 if children and children[0].type == "{" else 0 :]
    return _items(inner[:-1] if inner and inner[-1].type == "}" else inner)


@dataclass(eq=False, slots=True)
class _Chunk:
    """An item of a document (top-level, or in the body of a namespace): the parse it came from, and where it is
    in the document now.

    An item is a node and the unnamed ones after it: the grammar inlines some items (``struct S {};`` is a
    ``struct_specifier`` and a ``;`` side by side), and a text is only ever cut between items. An edit before a
    chunk moves it without re-parsing it: ``start``, ``row`` and ``col`` change; positions inside are translated
    from the node's own parse, whose text is ``source``. A namespace whose units are its items holds them as
    ``children``; an edit inside its body re-parses among them (``node`` is then the namespace as first parsed).
    """

    node: tree_sitter.Node  # the item's first node
    size: int  # its bytes, to the end of its last node
    source: bytes
    start: int  # byte offset in the document
    row: int
    col: int  # in characters
    origin: Origin  # where it starts in its parse
    key: tuple | None = None  # _unit_key of ``node`` when it is a unit (named, not a namespace holding items)
    is_unit: bool = False
    children: list[_Chunk] | None = None  # a namespace's items
    header: bytes = b""  # a namespace's text up to its body's "{" included
    tail: int = 0  # a namespace's bytes from its body's "}" to its end

    @classmethod
    def of(cls, nodes: list[tree_sitter.Node], source: bytes, anchor: Place, at: Place,
           namespaces: tuple[tree_sitter.Node, ...] = ()) -> _Chunk:
        """The item ``nodes`` of a parse of ``source``, whose place ``anchor`` is at ``at`` in the document."""
        node = nodes[0]
        node_row, node_col = origin = _origin(node, source)
        (anchor_byte, anchor_row, anchor_col), (at_byte, at_row, at_col) = anchor, at
        col = at_col + node_col - anchor_col if node_row == anchor_row else node_col
        chunk = cls(node, nodes[-1].end_byte - node.start_byte, source, at_byte + node.start_byte - anchor_byte,
                    at_row + node_row - anchor_row, col, origin)
        body = opened_body(node)
        if body is not None:
            chunk.children = [cls.of(item, source, anchor, at, (*namespaces, node)) for item in _body_items(body)]
            chunk.header = source[node.start_byte : body.start_byte + 1]
            closing = body.children[-1] if body.child_count and body.children[-1].type == "}" else body
            chunk.tail = nodes[-1].end_byte - closing.start_byte
        elif node.is_named:
            chunk.is_unit, chunk.key = True, _unit_key(node, namespaces, source)
        return chunk

    @property
    def end(self) -> int:
        return self.start + self.size

    def place(self, origin: Origin) -> Origin:
        """A position inside the chunk, from its parse's coordinates to the document's."""
        (node_row, node_col), (row, col) = self.origin, origin
        return self.row + row - node_row, (self.col + col - node_col) if row == node_row else col


def _chunks(tree: tree_sitter.Tree, source: bytes) -> list[_Chunk]:
    """The top-level items of a parse of the whole document."""
    return [_Chunk.of(nodes, source, (0, 0, 0), (0, 0, 0)) for nodes in _items(tree.root_node.children)]


def _leaves(chunks: list[_Chunk]) -> Iterator[_Chunk]:
    """The chunks that are not namespaces holding items, in document order (the units among them)."""
    for chunk in chunks:
        if chunk.children is None:
            yield chunk
        else:
            yield from _leaves(chunk.children)


def _edit_span(old: bytes, new: bytes) -> tuple[int, int, int]:
    """Where ``old`` and ``new`` differ: the start, and the end in each (the common prefix and suffix excluded)."""
    start = _common_prefix(old, new)
    suffix = min(_common_prefix(old[::-1], new[::-1]), min(len(old), len(new)) - start)
    return start, len(old) - suffix, len(new) - suffix


_SMALL_TEXT = 16_384  # bytes: below this, any re-parse is quick

# What opens or closes a token that can run over many lines: a block comment, a raw string, a line continuation.
# A re-parse of a few chunks sees only their text, and would lex an unclosed one differently than the whole does.
_LONG_TOKEN_MARKS = (b"/*", b"*/", b'R"', b')"', b"\\\n", b"\\\r")


def _may_span_lines(changed: bytes) -> bool:
    return any(mark in changed for mark in _LONG_TOKEN_MARKS)


@dataclass(frozen=True, slots=True)
class _Edit:
    """``old`` becomes ``new``: ``old[start:old_end]`` is replaced by ``new[start:new_end]``."""

    old: bytes
    new: bytes
    start: int
    old_end: int
    new_end: int
    end_row: int  # the row of ``old_end`` in ``old``
    rows: int  # lines added (negative: removed)

    @classmethod
    def between(cls, old: bytes, new: bytes) -> _Edit:
        start, old_end, new_end = _edit_span(old, new)
        added = new.count(b"\n", start, new_end) - old.count(b"\n", start, old_end)
        return cls(old, new, start, old_end, new_end, old.count(b"\n", 0, old_end), added)

    @property
    def delta(self) -> int:
        return self.new_end - self.old_end


def _rechunk(old: bytes, chunks: list[_Chunk], new: bytes) -> list[_Chunk] | None:
    """The chunks of ``new`` from those of ``old`` (an error-free text), re-parsing only around the edit.

    Re-parsed: the items the edit touches, in the innermost namespace body holding the edit (with the headers
    of the namespaces around, so the grammar sees the same context), with one unchanged item on each side. The
    left one starts where the parse of the whole text is in the same state as before the edit (the text before
    it, and its first token, are unchanged) and must come out of the re-parse as it was; the right one too, so
    the parse of the whole text is in that same state at its start again, and everything after it parses as
    before. Otherwise (a syntax error, an edit that joins the right item to what precedes it, or one that may open
    or close a long token) None: the caller parses the whole text. Also None when the re-parse would cover most
    of a large text.

    Not proven exact: where the C++ grammar is ambiguous, tree-sitter keeps both readings alive and may choose
    between them later, so text beyond the re-parsed items could decide how one reads. Since the left item is
    checked, none of 70,000 random re-parses in tests differed from a fresh parse; still, ``IncrementalFindings``
    confirms with a whole parse when asked (``exact``), which the language server does once the user pauses.
    """
    edit = _Edit.between(old, new)
    if _may_span_lines(old[max(edit.start - 1, 0) : edit.old_end + 1]) or _may_span_lines(
            new[max(edit.start - 1, 0) : edit.new_end + 1]):
        return None
    return _rechunk_among(edit, chunks, (0, 0, 0), len(old), ())


def _rechunk_among(edit: _Edit, chunks: list[_Chunk], inside: Place, inside_end: int,
                   headers: tuple[bytes, ...]) -> list[_Chunk] | None:
    """``chunks``, the items between ``inside`` and ``inside_end`` (the whole text, or a namespace's body, whose
    namespaces' headers are ``headers``), brought to ``edit.new``; None where that is not sure."""
    delta, rows = edit.delta, edit.rows
    at = bisect.bisect_right(chunks, edit.start, key=lambda c: c.start) - 1  # the last item starting at or before
    holder = chunks[at] if at >= 0 else None
    if (holder is not None and holder.children is not None
            and holder.start + len(holder.header) <= edit.start and edit.old_end <= holder.end - holder.tail):
        # The edit is inside one namespace's body: re-parse among its items.
        later = chunks[at + 1 :]
        if later and later[0].row == edit.end_row:
            return None  # a column after the namespace moves too
        header_rows = holder.header.count(b"\n")
        header_end = holder.header.rsplit(b"\n", 1)[-1].decode("utf-8", "replace")
        body = (holder.start + len(holder.header), holder.row + header_rows,
                len(header_end) + (holder.col if header_rows == 0 else 0))
        children = _rechunk_among(edit, holder.children, body, holder.end - holder.tail, (*headers, holder.header))
        if children is None:
            return None
        holder.children, holder.size = children, holder.size + delta
        _move(later, delta, rows)
        return chunks
    first = bisect.bisect_left(chunks, edit.start, key=lambda c: c.end)  # the first item the edit touches
    after = bisect.bisect_right(chunks, edit.old_end, key=lambda c: c.start)  # the first item after the edit
    while after + 1 < len(chunks) and chunks[after + 1].row == edit.end_row:  # its column moves: re-parse it too
        after += 1
    before = first - 1
    while before >= 0 and chunks[before].node.type == "comment":  # the parser starts a text in another state
        before -= 1  # than it is in after an item, and a comment does not move it out of that start state
    left = chunks[before] if before >= 0 else None
    right = chunks[after] if after < len(chunks) else None
    region_at = (left.start, left.row, left.col) if left else inside
    region_end = right.end + delta if right else inside_end + delta
    if (region_end - region_at[0]) * 4 > len(edit.new) > _SMALL_TEXT:
        return None  # most of the text: tree-sitter's re-parse of the whole is cheaper than a fresh parse of it
    prefix = b"".join(headers)
    region = edit.new[region_at[0] : region_end]
    source = prefix + region + b"}" * len(headers)
    items = _items_in(parse_bytes(source), len(headers))
    if items is None:
        return None
    if left is not None and (not items or str(items[0][0]) != str(left.node)
                             or items[0][-1].end_byte - items[0][0].start_byte != left.size):
        return None  # read differently at the start of a body than after the items before it: C++ is ambiguous
    if right is not None and (not items or items[-1][0].type != right.node.type
                              or items[-1][-1].end_byte != len(prefix) + len(region)
                              or items[-1][0].start_byte != len(prefix) + right.start + delta - region_at[0]):
        return None
    prefix_rows = prefix.count(b"\n")
    anchor = (len(prefix), prefix_rows, len(prefix.rsplit(b"\n", 1)[-1].decode("utf-8", "replace")))
    _move(chunks[after + 1 :], delta, rows)
    namespaces = _namespaces_in(items, len(headers))
    reparsed = [_Chunk.of(nodes, source, anchor, region_at, namespaces) for nodes in items]
    return chunks[: max(before, 0)] + reparsed + chunks[after + 1 :]


def _move(chunks: list[_Chunk], delta: int, rows: int) -> None:
    """Chunks after an edit, moved by it (their children too: positions inside are the parse's, not moved)."""
    for chunk in chunks:
        chunk.start += delta
        chunk.row += rows
        if chunk.children is not None:
            _move(chunk.children, delta, rows)


def _items_in(tree: tree_sitter.Tree, depth: int) -> list[list[tree_sitter.Node]] | None:
    """The items of a re-parse: at the top, or in the body of the innermost of ``depth`` nested namespaces
    (None if the parse has an error, or is not that nesting)."""
    if tree.root_node.has_error:
        return None
    items = _items(tree.root_node.children)
    for _ in range(depth):
        body = opened_body(items[0][0]) if len(items) == 1 else None
        if body is None:
            return None
        items = _body_items(body)
    return items


def _namespaces_in(items: list[list[tree_sitter.Node]], depth: int) -> tuple[tree_sitter.Node, ...]:
    """The namespaces of a re-parse around ``items`` (outermost first)."""
    if depth == 0 or not items:
        return ()
    found: list[tree_sitter.Node] = []
    node = items[0][0].parent
    while node is not None and len(found) < depth:
        if node.type == "namespace_definition":
            found.append(node)
        node = node.parent
    return tuple(reversed(found))


def _reparse_whole(old: bytes, tree: tree_sitter.Tree | None, new: bytes) -> tree_sitter.Tree:
    """The tree of ``new``, from the tree of ``old`` (tree-sitter re-parses the edited range and walks the rest).

    Exactly the tree a fresh parse gives: how tree-sitter recovers from a syntax error can depend on the subtrees
    it reuses (about 1 edit in 200 that leaves an error, in tests/unit/test_incremental_findings.py), so a text
    whose incremental tree has an error is parsed afresh.
    """
    if tree is None:
        return parse_yielding(new)
    start, old_end, new_end = _edit_span(old, new)
    tree.edit(start, old_end, new_end, _point(old, start), _point(old, old_end), _point(new, new_end))
    reparsed = parse_yielding(new, tree)
    return parse_yielding(new) if reparsed.root_node.has_error else reparsed


def _point(source: bytes, offset: int) -> tuple[int, int]:
    return source.count(b"\n", 0, offset), offset - (source.rfind(b"\n", 0, offset) + 1)


def _unit_key(unit: tree_sitter.Node, namespaces: tuple[tree_sitter.Node, ...], source: bytes) -> tuple | None:
    """What a unit's subtree is a function of: its text, and the headers of the namespaces around it.

    None for a unit with a syntax error: how tree-sitter recovers may depend on the text around it.
    """
    if unit.has_error:
        return None
    headers = tuple(source[n.start_byte : _body_start(n)] for n in namespaces)
    return headers, source[unit.start_byte : unit.end_byte]


def _body_start(namespace: tree_sitter.Node) -> int:
    body = namespace.child_by_field_name("body")
    assert body is not None, "only namespaces with a body are opened"
    return body.start_byte


@dataclass(eq=False, slots=True)
class _Unit:
    """What is kept of a unit between edits: its facts, its findings and the answers they read, where it was."""

    facts: UnitFacts
    findings: UnitFindings | None = None  # relative to the unit's origin
    reads: dict = field(default_factory=dict)  # the questions its rules asked about the file, with the answers
    checked: tuple = ()  # the (FileFacts, unit index) ``findings`` were last known to be right for
    placed: tuple = ()  # (origin, findings at that origin)


@dataclass(eq=False, slots=True)
class _Document:
    source: bytes = b""
    chunks: list[_Chunk] = field(default_factory=list)
    errors: list[Finding] | None = None  # the syntax errors of ``source``; None before the first text
    exact: bool = False  # whether ``chunks`` come from a whole parse of ``source``
    tree: tree_sitter.Tree | None = None  # the last whole parse, of ``tree_source``: a whole re-parse reuses it
    tree_source: bytes = b""
    units: dict[tuple, _Unit] = field(default_factory=dict)  # by _unit_key: the units of ``source`` only
    facts: FileFacts | None = None  # of ``unit_facts``
    unit_facts: list[UnitFacts] = field(default_factory=list)


class IncrementalFindings:
    """``syntax_errors + findings`` of the successive texts of documents, redoing only what an edit changed.

    Per document it keeps the items (top-level, and in namespace bodies; an edit re-parses those it touched, so
    the cost follows the edit, not the file, while the text parses without error) and each unit's findings, keyed
    by the unit's text: an unchanged unit keeps its findings, moved to where it now starts, unless an answer its
    rules read about the rest of the file changed (``Scope.still_holds``); then they run again.
    Memory is bounded: the units of the last text of at most ``max_documents`` documents; ``forget`` drops one.
    """

    def __init__(self, max_documents: int = 8) -> None:
        self._documents: cachetools.LRUCache[str, _Document] = cachetools.LRUCache(max_documents)
        self._lock = threading.Lock()  # the language server analyses from a thread pool
        self.reanalysed: list[int] = []  # the first lines of the units whose rules ran in the last call
        self.reparsed_whole = False  # whether the last call parsed the whole text (tests read it)

    def forget(self, document: str) -> None:
        with self._lock:
            self._documents.pop(document, None)

    def findings(self, document: str, source: str, exact: bool = False) -> list[Finding]:
        """The findings of ``source``, the document's newest text; ``exact``: from a whole parse (see ``_rechunk``),
        which costs a fresh parse only when the chunks came from a re-parse around an edit."""
        data = source.encode("utf-8")
        with self._lock:
            # Taken out while it is updated: if anything fails, the next call starts afresh rather than from
            # chunks that were moved for a text they were not re-parsed for.
            doc = self._documents.pop(document, None) or _Document()
            self._reparse(doc, data, exact)
            placed = self._update(doc)
            self._documents[document] = doc
            return (doc.errors or []) + _assemble(placed)

    def _reparse(self, doc: _Document, data: bytes, exact: bool) -> None:
        """Bring ``doc``'s chunks and syntax errors to ``data``: around the edit when the text was error-free.

        A text with a syntax error is parsed whole: how tree-sitter recovers from an error can depend on the text
        far from it, and an incremental re-parse can recover differently than a fresh parse does.
        """
        self.reparsed_whole = False
        if doc.errors is not None and data == doc.source and (doc.exact or not exact):
            return
        chunks = _rechunk(doc.source, doc.chunks, data) if doc.errors == [] and not exact else None
        if chunks is None:
            doc.tree, doc.tree_source = _reparse_whole(doc.tree_source, doc.tree, data), data
            chunks, doc.errors = _chunks(doc.tree, data), tree_syntax_errors(doc.tree, data)
            self.reparsed_whole = True
        doc.source, doc.chunks, doc.exact = data, chunks, self.reparsed_whole

    def _update(self, doc: _Document) -> list[UnitFindings]:
        """Bring ``doc``'s units to its chunks; the findings of its units, placed where they now start."""
        kept = []
        indexes: dict[int, NodeIndex] = {}  # built for the facts of new units, reused by their rules
        found = [chunk for chunk in _leaves(doc.chunks) if chunk.is_unit]
        for i, chunk in enumerate(found):
            state = doc.units.get(chunk.key) if chunk.key is not None else None
            if state is None:
                indexes[i] = NodeIndex(chunk.node)
                state = _Unit(UnitFacts.of(indexes[i]))
            kept.append(state)
        unit_facts = [state.facts for state in kept]
        if doc.facts is None or unit_facts != doc.unit_facts:
            doc.facts, doc.unit_facts = FileFacts(unit_facts), unit_facts
        self.reanalysed = []
        placed = []
        for i, (chunk, state) in enumerate(zip(found, kept, strict=True)):
            origin = chunk.place(chunk.origin)
            if state.checked != (doc.facts, i):
                # No tree: the rules' findings read only the unit and the file's facts (``Scope.file_nodes`` is
                # for building edits).
                scope = Scope(chunk.node, i, doc.facts, None, chunk.source, indexes.get(i))
                if state.findings is None or not scope.still_holds(state.reads):
                    state.reads = scope.reads = {}
                    state.findings, state.placed = _unit_findings(scope, chunk.origin), ()
                    self.reanalysed.append(origin[0])
                state.checked = (doc.facts, i)
            if not state.placed or state.placed[0] != origin:
                assert state.findings is not None  # computed above the first time the unit was checked
                state.placed = (origin, _placed(state.findings, origin))
            placed.append(state.placed[1])
        doc.units = {chunk.key: state for chunk, state in zip(found, kept, strict=True) if chunk.key is not None}
        return placed
