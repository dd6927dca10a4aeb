"""C++ targets, findings and syntax errors from the tree-sitter parse."""

from __future__ import annotations

import textwrap

from speedlens.analysis.cpp import find_targets, has_main, parse, source_lines, syntax_errors, target_at
from speedlens.propose.findings import findings
from speedlens.propose.rules import RULES

SOURCE = textwrap.dedent(
    """\
    #include <bits/stdc++.h>
    using namespace std;

    namespace geo::detail { namespace inner {
    template <typename T>
    T square(T x) {
        return x * x;
    }
    }}

    class Solver {
    public:
        int run(int n) const {
            auto twice = [](int v) { return 2 * v; };
            return twice(n);
        }
        void load(vector<int> data);
        Solver() = default;
    };

    void Solver::load(vector<int> data) {
        for (int x : data) cout << x;
    }

    int helper(int);

    int main() {
        Solver s;
        cout << s.run(geo::detail::inner::square(3)) << endl;
    }
    """
)


def test_program_target_first_then_functions_with_exact_lines():
    targets = find_targets(SOURCE, name="solver.cpp")
    program = targets[0]
    assert (program.kind, program.name, program.language) == ("program", "solver.cpp", "cpp")
    assert (program.start_line, program.end_line, program.text) == (0, SOURCE.count("\n") - 1, SOURCE)
    functions = {t.name: (t.start_line, t.end_line) for t in targets[1:]}
    assert functions == {
        "geo::detail::inner::square": (4, 7),  # from the template line
        "Solver::run": (12, 15),
        "Solver::load": (20, 22),
        "main": (26, 29),
    }
    lines = SOURCE.splitlines(keepends=True)
    for target in targets[1:]:
        assert target.kind == "function" and target.language == "cpp"
        assert target.text == "".join(lines[target.start_line : target.end_line + 1])
        assert target.replace_in(SOURCE, target.text) == SOURCE


def test_no_program_target_without_main():
    source = "struct A { int f() { return 1; } };\nint A_g() { return 2; }"
    targets = find_targets(source)
    assert [(t.kind, t.name) for t in targets] == [("function", "A::f"), ("function", "A_g")]
    assert targets[1].text == "int A_g() { return 2; }"
    assert not has_main(source)


def test_main_inside_a_namespace_is_not_a_program():
    assert has_main("int main() { return 0; }")
    assert not has_main("namespace tool { int main() { return 0; } }")
    assert not has_main("struct S { int main() { return 0; } };")


def test_target_at_picks_the_innermost_function():
    targets = find_targets(SOURCE)
    assert target_at(targets, 14).name == "Solver::run"
    assert target_at(targets, 21).name == "Solver::load"
    assert target_at(targets, 1).kind == "program"
    assert target_at(targets, 24).kind == "program"  # a declaration only
    functions_only = [t for t in targets if t.kind == "function"]
    assert target_at(functions_only, 1) is None


def test_findings_are_the_rules_matches_with_character_columns():
    source = 'int main() {\n    /* naïve — 日本 */ std::cout << 1 << std::endl;\n}\n'
    found = findings(source)
    endl = next(f for f in found if f.rule == "endl")
    line = source.splitlines()[1]
    assert (endl.start_line, endl.end_line) == (1, 1)
    assert line[endl.start_col : endl.end_col] == "std::endl"
    assert endl.severity == "hint" and endl.message == RULES["endl"].explanation
    sync = next(f for f in found if f.rule == "sync-stdio")
    assert sync.severity == "information"
    assert {f.rule for f in found} <= set(RULES)


def test_findings_cover_every_rule_with_useful_severities():
    source = textwrap.dedent(
        """\
        #include <bits/stdc++.h>
        using namespace std;
        int total(vector<int> v) { int s = 0; for (int i = 0; i < v.size(); i++) s += v[i]; return s; }
        int count(char* s) { int c = 0; for (int i = 0; i < strlen(s); i++) c += s[i] == 'a'; return c; }
        int main() {
            int n; cin >> n; vector<int> a; string t; map<int, int> m;
            for (int i = 0; i < n; i++) { a.push_back(i); t = t + "x"; m[i] = pow(i, 2); }
            cout << total(a) << count((char*)t.c_str()) << m.count(1) << endl;
        }
        """
    )
    found = findings(source)
    assert {f.rule for f in found} == set(RULES)
    severity = {(f.rule, f.severity) for f in found}
    assert ("const-ref-param", "information") in severity
    assert ("hoist-loop-bound", "information") in severity  # strlen
    assert ("hoist-loop-bound", "hint") in severity  # v.size()
    const_ref = next(f for f in found if f.rule == "const-ref-param")
    assert "'v'" in const_ref.message and "total" in const_ref.message
    assert source.splitlines()[2][const_ref.start_col : const_ref.end_col] == "vector<int> v"


def test_syntax_errors_are_reported_and_do_not_crash():
    assert syntax_errors(SOURCE) == []
    broken = "int main() {\n    int x = ;\n    for (int i = 0; i < 3; i++ {\n"
    errors = syntax_errors(broken)
    assert errors and all(e.severity == "information" and e.rule == "syntax" for e in errors)
    assert any(e.start_line in (1, 2) for e in errors)
    findings(broken)
    find_targets(broken)
    assert find_targets("") == [] and findings("") == []


def test_parse_is_cached_and_lines_match_tree_sitter_rows():
    assert parse(SOURCE) is parse(SOURCE)
    assert source_lines("a\nb\n") == ["a\n", "b\n"]
    assert source_lines("a\r\nb") == ["a\r\n", "b"]
    assert source_lines("") == []
