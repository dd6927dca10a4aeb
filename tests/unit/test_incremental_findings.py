"""Incremental findings (what the editor gets after each keystroke) equal a from-scratch analysis after any edit,
and an edit re-runs the rules only for the definitions it touched (or whose answers about the file changed)."""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

import pytest

from speedlens.analysis.cpp import node_finding, parse, parse_bytes, syntax_errors, units, walk
from speedlens.models import Finding
from speedlens.propose import findings as incremental
from speedlens.propose.findings import IncrementalFindings, findings

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "cpp"

# Every rule fires somewhere, and several findings depend on other definitions: the typedefs (string-append,
# const-ref-param), the global map used only for lookups (unordered-map), the prototype of touch (const-ref-param
# of keep), which main is the program's (sync-stdio), C stdio use (endl).
PROGRAM = textwrap.dedent(
    """\
    #include <bits/stdc++.h>
    using namespace std;
    typedef string str;
    typedef long long ll;
    typedef vector<int> vi;
    map<int, int> seen;
    void touch(vector<int>& v);

    /* naïve — 日本 */ int total(vector<int> v) { int s = 0; for (int i = 0; i < v.size(); i++) s += v[i]; return s; }

    int countA(char* s) {
        int c = 0;
        for (int i = 0; i < strlen(s); i++) c += s[i] == 'a';
        return c;
    }

    namespace geo { namespace inner {
    double area(double r) { return 3.14 * pow(r, 2); }
    str label(str name, int n) {
        str out;
        for (int i = 0; i < n; i++) out = out + name;
        return out;
    }
    }}

    struct Board {
        vector<int> cells;
        int sum(vector<int> extra) const { return extra.size() + cells.size(); }
    };

    vector<ll> squares(int n) {
        vector<ll> out;
        for (int i = 0; i < n; i++) out.push_back((ll)i * i);
        return out;
    }

    bool known(int k) { return seen.count(k) > 0; }
    int firstOf(vi v) { return v[0]; }
    int keep(vector<int> v) { touch(v); return v[0]; }

    int main() {
        int n; cin >> n;
        vector<int> a;
        for (int i = 0; i < n; i++) a.push_back(i);
        seen[n] = 1;
        cout << total(a) << geo::inner::area(n) << known(3) << endl;
        cout << squares(n).size() << endl;
    }
    """
)

# Lines the random edits insert: statements, whole functions, declarations other definitions depend on, and
# fragments that break the syntax.
STATEMENTS = [
    "    cout << n << endl;",
    "    x = x + \"é\";",
    "    for (int k = 0; k < s.size(); k++) t += s[k];",
    "    printf(\"%d\\n\", 1);",
    "    ios::sync_with_stdio(false);",
    "    for (auto& p : seen) n += p.second;",
    "    vector<int> w; for (int j = 0; j < n; j++) w.push_back(j);",
    "    double q = pow(n, 3);",
    "    touch(v);",
    "    str z; z = z + \"a\";",
]
DECLARATIONS = [
    "typedef int str;",
    "typedef string str;",
    "using ll = int;",
    "void touch(vector<int>& v);",
    "map<long long, int> memo;",
    "string x;",
    "double pow(double a, int b) { return a * b; }",
    "int main() { return 0; }",
    "int helper(vector<int> v) { for (int i = 0; i < v.size(); i++) touch(v); return v[0]; }",
    "void dump(string s) {\n    for (int i = 0; i < s.length(); i++) cout << s[i] << endl;\n}",
    "/* ü */ int inline_one(set<int> s) { return s.count(1); } int inline_two(str s) { return s.size(); }",
]
BREAKERS = ["    for (int i = 0; i <", "}", "{", "int broken(", "    if (n) {", "namespace open {"]


def full_analysis(text: str) -> list[Finding]:
    return syntax_errors(text) + findings(text)


def random_edit(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    at = rng.randrange(len(lines) + 1)
    kind = rng.random()
    if kind < 0.3:
        lines.insert(at, rng.choice(STATEMENTS))
    elif kind < 0.45 and len(lines) > 1:
        del lines[min(at, len(lines) - 1)]
    elif kind < 0.6:
        lines.insert(at, rng.choice(DECLARATIONS))
    elif kind < 0.7:  # remove a whole top-level definition
        tree = parse(text)
        candidates = [u for u in units(tree) if u.type in ("function_definition", "declaration", "type_definition")]
        if candidates:
            unit = rng.choice(candidates)
            del lines[unit.start_point.row : unit.end_point.row + 1]
    elif kind < 0.8:
        lines.insert(at, rng.choice(BREAKERS))
    elif kind < 0.9 and lines:  # type or delete inside a line
        row = min(at, len(lines) - 1)
        col = rng.randrange(len(lines[row]) + 1)
        if rng.random() < 0.5:
            lines[row] = lines[row][:col] + rng.choice([" ", "x", "ß", ";", "(", "n + 1"]) + lines[row][col:]
        else:
            lines[row] = lines[row][:col] + lines[row][col + rng.randint(1, 5) :]
    else:  # undo-like: back to a known good text now and then
        return PROGRAM
    return "\n".join(lines)


@pytest.mark.parametrize("seed", range(8))
def test_random_edits_give_exactly_the_full_analysis(seed):
    rng = random.Random(seed)
    analyser = IncrementalFindings()
    text = PROGRAM
    assert analyser.findings("doc", text) == full_analysis(text)
    for step in range(60):
        text = random_edit(rng, text)
        assert analyser.findings("doc", text) == full_analysis(text), f"seed {seed}, step {step}:\n{text}"


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("*.cpp")))
def test_random_edits_of_the_samples(sample):
    rng = random.Random(sample)
    analyser = IncrementalFindings()
    text = (SAMPLES / sample).read_text()
    for step in range(25):
        text = random_edit(rng, text) if rng.random() < 0.9 else (SAMPLES / sample).read_text()
        assert analyser.findings("doc", text) == full_analysis(text), f"{sample}, step {step}:\n{text}"


# Characters typed or deleted anywhere, including those that join a definition to the next one or split it.
TYPED = [";", "}", "{", "else ", "\\\n", "/*", "*/", "\"", "#define Y ", "x", "\n", "template<class T> ", "int ",
         ",", "(", ")", " ", "namespace q { ", "struct S {} ", "if (n) ", ":"]


def random_keystroke(rng: random.Random, text: str) -> str:
    at = rng.randrange(len(text) + 1)
    if rng.random() < 0.7:
        return text[:at] + rng.choice(TYPED) + text[at:]
    return text[:at] + text[at + rng.randint(1, 3) :]


def layout(chunks) -> list[tuple]:
    """Every item, nested ones in namespaces too, as the document now has it: its node's S-expression (a
    namespace holding items: its header), extent, row and column."""
    found = []
    for c in chunks:
        found.append((c.node.type, c.header or item_text(c), c.start, c.end, (c.row, c.col)))
        if c.children is not None:
            found.append(layout(c.children))
    return found


def fresh_chunks(data: bytes) -> list[tuple]:
    return layout(incremental._chunks(parse_bytes(data), data))


def item_text(chunk) -> str:
    """The item's nodes as S-expressions (the named node, then the unnamed ones after it)."""
    nodes, node, end = [chunk.node], chunk.node, chunk.node.start_byte + chunk.size
    while node.next_sibling is not None and not node.next_sibling.is_named and node.next_sibling.end_byte <= end:
        node = node.next_sibling
        nodes.append(node)
    return " ".join(map(str, nodes))


@pytest.mark.parametrize("edit", [random_edit, random_keystroke])
def test_re_parsing_around_an_edit_gives_the_top_level_nodes_of_a_fresh_parse(edit):
    """Only the chunks an edit touched are re-parsed; all of them, where they now are, equal a fresh parse's."""
    texts = [PROGRAM] + [p.read_text() for p in sorted(SAMPLES.glob("*.cpp"))]
    local = 0
    for seed in range(40):
        rng = random.Random(seed)
        text = rng.choice(texts)
        data = text.encode("utf-8")
        chunks = incremental._chunks(parse_bytes(data), data)
        for _ in range(30):
            edited = edit(rng, text)
            new = edited.encode("utf-8")
            if parse_bytes(new).root_node.has_error:
                continue  # only error-free texts are re-parsed locally (and a keystroke mostly breaks one)
            rechunked = incremental._rechunk(data, chunks, new)
            if rechunked is None:  # the edit joined the chunk after it: parsed whole
                rechunked = incremental._chunks(parse_bytes(new), new)
            else:
                local += 1
            assert layout(rechunked) == fresh_chunks(new), f"seed {seed}:\n{edited}"
            text, data, chunks = edited, new, rechunked
    assert local > 200  # the local path is what is tested


def test_typing_inside_a_definition_re_parses_that_definition_only():
    analyser = IncrementalFindings()
    analyser.findings("doc", PROGRAM)
    assert analyser.reparsed_whole
    typed = PROGRAM.replace("int c = 0;", "int c = 0; ")
    assert analyser.findings("doc", typed) == full_analysis(typed)
    assert not analyser.reparsed_whole
    broken = typed.replace("int c = 0; ", "int c = 0; for (")
    assert analyser.findings("doc", broken) == full_analysis(broken)
    assert analyser.reparsed_whole  # a syntax error: the whole text, as a fresh parse would see it


def test_a_whole_re_parse_is_the_tree_of_a_fresh_parse():
    """Tree-sitter's incremental re-parse can recover from a syntax error differently than a fresh parse does."""
    texts = [PROGRAM] + [p.read_text() for p in sorted(SAMPLES.glob("*.cpp"))]
    for seed in range(40):
        rng = random.Random(seed)
        text = rng.choice(texts)
        data = text.encode("utf-8")
        tree = incremental._reparse_whole(b"", None, data)
        for _ in range(30):
            text = random_edit(rng, text)
            new = text.encode("utf-8")
            tree = incremental._reparse_whole(data, tree, new)
            assert str(tree.root_node) == str(parse_bytes(new).root_node), f"seed {seed}:\n{text}"
            data = new


def test_an_edit_inside_namespaces_around_a_large_file_re_parses_around_it():
    """Real code puts everything in a namespace: the items of its body are re-parsed like top-level ones."""
    body = "\n".join(f"int f{i}(vector<int> v) {{ return v.size() + {i}; }}" for i in range(600))
    text = f"#include <vector>\nusing namespace std;\nnamespace big {{ namespace inner\n{{\n{body}\n}} }}\n"
    analyser = IncrementalFindings()
    analyser.findings("doc", text)
    edits = [("+ 300;", "+ 300 ;"), ("int f301(", "\nint f301("), ("int f0(", "int g(vector<int> w) {}\nint f0(")]
    for old, new in edits:
        text = text.replace(old, new)
        assert analyser.findings("doc", text) == full_analysis(text)
        assert not analyser.reparsed_whole
    assert analyser.reanalysed == [first_line(text, "int g(")]
    text = text.replace("namespace inner", "namespace outer")  # a header: the whole namespace again
    assert analyser.findings("doc", text) == full_analysis(text)


def test_syntax_errors_match_a_walk_of_every_node():
    """``syntax_errors`` descends only into broken subtrees: it must find what a walk of every node finds."""
    rng = random.Random(7)
    text = PROGRAM
    for _ in range(40):
        text = random_edit(rng, text)
        data = text.encode("utf-8")
        broken = [n for n in walk(parse(text).root_node) if n.is_missing or n.is_error][:20]
        expected = [node_finding(data, n, "syntax", "", "information") for n in broken]
        assert [(f.start_line, f.start_col, f.end_line, f.end_col) for f in syntax_errors(text)] == [
            (f.start_line, f.start_col, f.end_line, f.end_col) for f in expected
        ]


def first_line(text: str, needle: str) -> int:
    """The first line containing ``needle``; with a trailing newline, the first line that is exactly it."""
    if needle.endswith("\n"):
        return text.split("\n").index(needle[:-1])
    return next(i for i, line in enumerate(text.split("\n")) if needle in line)


def test_an_edit_inside_one_function_reruns_the_rules_for_that_function_only():
    analyser = IncrementalFindings()
    analyser.findings("doc", PROGRAM)
    assert len(analyser.reanalysed) == len(units(parse(PROGRAM)))

    typed = PROGRAM.replace("    int c = 0;\n", "    int c = 0; \n")  # a keystroke in countA
    assert typed != PROGRAM
    assert analyser.findings("doc", typed) == full_analysis(typed)
    assert analyser.reanalysed == [first_line(typed, "int countA")]

    # A new line in countA moves every later definition: their findings move too, without re-running the rules.
    grown = typed.replace("    int c = 0; \n", "    int c = 0;\n    c += 2;\n")
    assert grown != typed
    assert analyser.findings("doc", grown) == full_analysis(grown)
    assert analyser.reanalysed == [first_line(grown, "int countA")]

    # Inside a namespace, only the namespace member is re-analysed.
    inner = grown.replace("return 3.14 * pow(r, 2);", "return 3.14 * pow(r, 2) + 1;")
    assert inner != grown
    assert analyser.findings("doc", inner) == full_analysis(inner)
    assert analyser.reanalysed == [first_line(inner, "double area")]


def test_a_fact_another_definition_read_reruns_that_definition():
    analyser = IncrementalFindings()
    seen = first_line(PROGRAM, "map<int, int> seen")
    assert any(f.rule == "unordered-map" and f.start_line == seen for f in analyser.findings("doc", PROGRAM))

    # Iterating `seen` in main makes the global map's order matter: its declaration's finding goes, though the
    # declaration's text did not change.
    iterated = PROGRAM.replace("    seen[n] = 1;\n", "    seen[n] = 1;\n    for (auto& p : seen) n += p.second;\n")
    assert iterated != PROGRAM
    found = analyser.findings("doc", iterated)
    assert found == full_analysis(iterated)
    assert not any(f.rule == "unordered-map" and f.start_line == seen for f in found)
    assert analyser.reanalysed == [first_line(iterated, "map<int, int> seen"), first_line(iterated, "int main")]

    # The typedef decides whether `out = out + name` appends to a string.
    retyped = iterated.replace("typedef string str;", "typedef int str;")
    found = analyser.findings("doc", retyped)
    assert found == full_analysis(retyped)
    assert not any(f.rule == "string-append" for f in found)
    assert first_line(retyped, "str label") in analyser.reanalysed
    assert first_line(retyped, "int countA") not in analyser.reanalysed


@pytest.mark.parametrize(
    "edit, dependent",
    [
        (("typedef vector<int> vi;", "typedef int vi;"), "int firstOf"),  # vi is no container anymore
        (("typedef string str;", "typedef int str;"), "str label"),  # `out = out + name` adds ints
        (("void touch(vector<int>& v);", "void touch(const vector<int>& v);"), "int keep"),  # touch(v) only reads
        (("bool known(int k)", "int main() { return 0; }\nbool known(int k)"), "int main() {\n"),  # a main before
        (("    seen[n] = 1;\n", "    for (auto& p : seen) n += p.second;\n"), "map<int, int> seen"),  # iterated
        (("int countA(char* s) {", "void dump() { printf(\"-\"); }\nint countA(char* s) {"), "int main"),  # printf
        (("int countA(char* s) {", "double pow(double, int);\nint countA(char* s) {"), ""),  # a prototype only
        (("int countA(char* s) {", "double pow(double a, int b) { return a; }\nint countA(char* s) {"), "double area"),
    ],
)
def test_a_fact_another_definition_read_reruns_that_definition_only(edit, dependent):
    analyser = IncrementalFindings()
    analyser.findings("doc", PROGRAM)
    edited = PROGRAM.replace(*edit)
    assert edited != PROGRAM
    found = analyser.findings("doc", edited)
    assert found == full_analysis(edited)
    if dependent:
        assert found != full_analysis(PROGRAM)
        assert first_line(edited, dependent) in analyser.reanalysed
    assert len(analyser.reanalysed) <= 3


def test_forget_drops_the_document():
    analyser = IncrementalFindings(max_documents=2)
    analyser.findings("a", PROGRAM)
    analyser.findings("a", PROGRAM + "\n")
    assert analyser.reanalysed == []
    analyser.forget("a")
    analyser.findings("a", PROGRAM)
    assert len(analyser.reanalysed) == len(units(parse(PROGRAM)))
    analyser.findings("b", PROGRAM)
    analyser.findings("c", PROGRAM)  # at most two documents are kept: "a" goes
    analyser.findings("a", PROGRAM)
    assert len(analyser.reanalysed) == len(units(parse(PROGRAM)))


def test_findings_move_with_their_definition_on_its_first_line():
    """A definition that starts mid-line keeps its findings' columns right when the text before it changes."""
    analyser = IncrementalFindings()
    row = first_line(PROGRAM, "int total(")
    for comment in ("/* naïve — 日本 */", "/* ü */", "", "/* a much longer comment, still naïve */"):
        text = PROGRAM.replace("/* naïve — 日本 */", comment)
        found = analyser.findings("doc", text)
        assert found == full_analysis(text)
        line = text.split("\n")[row]
        param = next(f for f in found if f.rule == "const-ref-param" and f.start_line == row)
        assert line[param.start_col : param.end_col] == "vector<int> v"
        bound = next(f for f in found if f.rule == "hoist-loop-bound" and f.start_line == row)
        assert line[bound.start_col : bound.end_col] == "i < v.size()"


def test_a_definition_moved_into_a_namespace_is_not_the_program_anymore():
    program = "#include <iostream>\nusing namespace std;\nint main() { int n; cin >> n; cout << n; }\n"
    wrapped = program.replace("int main()", "namespace tool {\nint main()").replace("n; }\n", "n; }\n}\n")
    analyser = IncrementalFindings()
    assert [f.rule for f in analyser.findings("doc", program)] == ["sync-stdio"]
    assert analyser.findings("doc", wrapped) == full_analysis(wrapped) == []
    assert [f.rule for f in analyser.findings("doc", program)] == ["sync-stdio"]


def test_exact_findings_come_from_a_whole_parse_once_per_text():
    analyser = IncrementalFindings()
    analyser.findings("doc", PROGRAM)
    typed = PROGRAM.replace("int c = 0;", "int c = 0; ")
    analyser.findings("doc", typed)
    assert not analyser.reparsed_whole
    assert analyser.findings("doc", typed, exact=True) == full_analysis(typed)
    assert analyser.reparsed_whole
    analyser.findings("doc", typed, exact=True)
    assert not analyser.reparsed_whole  # already exact: nothing to parse again


def test_an_item_read_differently_after_other_items_is_re_parsed_with_them():
    """C++ is ambiguous: ``ios::sync_;`` reads as an expression at the start of a text and as an empty declaration
    after another item. A comment before it does not count as an item."""
    old = "void f();\n// note\nios::sync_with_stdio(false);\nstruct S {\n};\n"
    new = old.replace("sync_with", "sync_;with")
    chunks = incremental._chunks(parse_bytes(old.encode()), old.encode())
    rechunked = incremental._rechunk(old.encode(), chunks, new.encode())
    assert layout(rechunked) == fresh_chunks(new.encode())
    assert rechunked[2].node.type == "qualified_identifier"  # the empty declaration, as in a fresh parse
