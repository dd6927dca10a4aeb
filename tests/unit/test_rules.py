"""The offline rewrite rules: each fires where it should, rewrites to code that compiles, and stays quiet where
the rewrite would change behaviour."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from speedlens.analysis.cpp import find_targets
from speedlens.config import Settings
from speedlens.models import Result, Status, Verdict
from speedlens.propose import ProposalRequest
from speedlens.propose.rules import RULES, RulesProposer, applicable_rules, apply_rules, rewrite_target

# Specific headers rather than <bits/stdc++.h>: the compile checks run several times faster.
HEADERS = ("iostream", "vector", "string", "map", "set", "algorithm", "numeric", "cstring", "cmath", "cstdio", "cctype")
HEADER = "".join(f"#include <{h}>\n" for h in HEADERS) + "using namespace std;\n"


def cpp(body: str, header: str = HEADER) -> str:
    return header + textwrap.dedent(body).lstrip("\n")


def assert_compiles(code: str) -> None:
    if shutil.which("g++") is None:
        pytest.skip("g++ is not installed")
    result = subprocess.run(
        ["g++", "-std=c++17", "-fsyntax-only", "-x", "c++", "-"], input=code, capture_output=True, text=True
    )
    assert result.returncode == 0, f"{result.stderr}\n---\n{code}"


def rewrite(source: str, rule: str) -> str:
    assert rule in applicable_rules(source), f"{rule} should apply"
    out = apply_rules(source, [rule])
    assert out != source
    assert_compiles(out)
    return out


def assert_not_applied(source: str, rule: str) -> None:
    assert rule not in applicable_rules(source)
    assert apply_rules(source, [rule]) == source


# ---- 1. sync-stdio ----

READ_SUM = """
int main() {
    int n; long long s = 0;
    cin >> n;
    for (int i = 0; i < n; i++) { int x; cin >> x; s += x; }
    cout << s << "\\n";
}
"""


def test_sync_stdio_inserts_first_statement_of_main():
    out = rewrite(cpp(READ_SUM), "sync-stdio")
    assert "int main() {\n    std::ios::sync_with_stdio(false);\n    std::cin.tie(nullptr);\n    int n;" in out


@pytest.mark.parametrize(
    "body",
    [
        READ_SUM.replace('cout << s << "\\n";', 'printf("%lld\\n", s);'),
        READ_SUM.replace("cin >> n;", 'scanf("%d", &n);'),
        READ_SUM.replace("cin >> n;", "ios_base::sync_with_stdio(0); cin >> n;"),
        "int helper() { int x; cin >> x; return x; }\n",  # no main
    ],
    ids=["printf", "scanf", "already-unsynced", "no-main"],
)
def test_sync_stdio_negative(body):
    assert_not_applied(cpp(body), "sync-stdio")


# ---- 2. endl ----


def test_endl_becomes_newline_char():
    source = cpp(
        """
        int main() {
            int n; cin >> n;
            for (int i = 0; i < n; i++) cout << i * i << endl;
            std::cout << "done" << std::endl;
        }
        """
    )
    out = rewrite(source, "endl")
    assert "cout << i * i << '\\n';" in out and "std::cout << \"done\" << '\\n';" in out
    assert "endl" not in out


def test_endl_kept_when_unsynced_iostreams_mix_with_printf():
    source = cpp(
        """
        int main() {
            ios::sync_with_stdio(false);
            cout << 1 << endl;
            printf("2\\n");
        }
        """
    )
    assert_not_applied(source, "endl")


# ---- 3. const-ref-param ----


def test_const_ref_param_rewrites_definition_and_prototype():
    source = cpp(
        """
        typedef vector<long long> vll;
        long long best(vector<int> a, std::string s, map<int, int> m, vll extra, int k);
        long long best(vector<int> a, std::string s, map<int, int> m, vll extra, int k) {
            long long r = 0;
            for (int x : a) r = max(r, (long long)x * k);
            for (auto& y : extra) r += y;
            return r + s.size() + m.count(k) + a[0];
        }
        int main() { cout << best({1, 2}, "ab", {}, {3}, 2) << "\\n"; }
        """
    )
    out = rewrite(source, "const-ref-param")
    expected = "(const vector<int>& a, const std::string& s, const map<int, int>& m, const vll& extra, int k)"
    assert out.count(expected) == 2  # the prototype too, or the call would be ambiguous


def test_const_ref_param_on_methods_and_templates():
    source = cpp(
        """
        struct Solver {
            int run(vector<int> v) const { return accumulate(v.begin(), v.end(), 0); }
        };
        template <class T>
        T total(vector<T> v) { T s{}; for (const T& x : v) s += x; return s; }
        int main() { Solver sv; cout << sv.run({1, 2}) + total<int>({3}) << "\\n"; }
        """
    )
    out = rewrite(source, "const-ref-param")
    assert "int run(const vector<int>& v) const" in out and "T total(const vector<T>& v)" in out


@pytest.mark.parametrize(
    "function",
    [
        "int f(vector<int> v) { v.push_back(1); return v.size(); }",
        "int f(vector<int> v) { v[0] = 3; return v[0]; }",
        "int f(vector<int> v) { sort(v.begin(), v.end()); return v[0]; }",
        "int f(vector<int> v) { for (auto& x : v) x *= 2; return v[0]; }",
        "int f(vector<int> v) { auto& first = v[0]; first++; return v[0]; }",
        "int f(string s) { s += 'x'; return s.size(); }",
        "int f(string s) { cin >> s; return s.size(); }",
        "int f(map<int, int> m) { return m[3]; }",
        "vector<int> keep; int f(vector<int> v) { keep = std::move(v); return 0; }",
        "void g(vector<int>& w) { w.clear(); } int f(vector<int> v) { g(v); return v.size(); }",
        "int f(const vector<int>& v) { return v.size(); }",
        "int f(vector<int>* v) { return v->size(); }",
        "struct B { virtual int f(vector<int> v) { return v.size(); } };",
        "struct B { virtual int f(vector<int> v) = 0; }; struct D : B { int f(vector<int> v) override { return 1; } };",
    ],
    ids=["push_back", "element-write", "sort", "ref-range-for", "ref-alias", "append", "read-into",
         "map-index", "move", "nonconst-ref-call", "already-ref", "pointer", "virtual", "override"],
)
def test_const_ref_param_negative(function):
    assert_not_applied(cpp(function + "\nint main() { return 0; }\n"), "const-ref-param")


# ---- 4. reserve ----


def test_reserve_before_counted_push_back_loop():
    source = cpp(
        """
        int main() {
            int n; cin >> n;
            vector<long long> a, b;
            for (int i = 0; i < n; ++i) { long long x; cin >> x; a.push_back(x); }
            for (int i = 1; i <= n; i++) b.emplace_back(a[i - 1] * 2);
            cout << a.size() + b.size() << "\\n";
        }
        """
    )
    out = rewrite(source, "reserve")
    assert "    if (n > 0) a.reserve(n);\n    for (int i = 0; i < n; ++i)" in out
    assert "    if (n > 0) b.reserve(n);\n    for (int i = 1; i <= n; i++)" in out


@pytest.mark.parametrize(
    "body",
    [
        "vector<int> v; v.push_back(0); for (int i = 0; i < n; i++) v.push_back(i);",  # used before the loop
        "vector<int> v; for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) v.push_back(j);",  # nested
        "vector<int> v; int i = 0; while (i < n) v.push_back(i++);",  # not a counted for loop
        "vector<int> v(5); for (int i = 0; i < n; i++) v.push_back(i);",  # not empty
        "vector<int> v; for (int i = 0; i < n; i += 2) v.push_back(i);",  # stride
        "vector<int> v; for (int i = 0; i < f(n); i++) v.push_back(i);",  # bound calls a function
        "vector<int> v; for (int i = 0; i < n; i++) { if (i > 1) break; v.push_back(i); }",  # may stop early
    ],
    ids=["used-before", "nested", "while", "sized", "stride", "call-bound", "break"],
)
def test_reserve_negative(body):
    source = cpp(f"int f(int x) {{ return x; }}\nint main() {{ int n = 3; {body} return 0; }}\n")
    assert_not_applied(source, "reserve")


# ---- 5. string-append ----


def test_string_append_in_loop():
    source = cpp(
        """
        string repeat(const string& unit, int n) {
            string out;
            for (int i = 0; i < n; i++) out = out + unit;
            return out;
        }
        int main() { cout << repeat("ab", 3) << "\\n"; }
        """
    )
    assert "out += unit;" in rewrite(source, "string-append")


@pytest.mark.parametrize(
    "statement",
    ["s = s + a + b;", "s = t + s;", "n = n + 1;", "s = s - 1;"],
    ids=["chain", "prepend", "int", "minus"],
)
def test_string_append_negative(statement):
    source = cpp(f"int main() {{ string s, t; char a = 'x', b = 'y'; int n = 0; {statement} return 0; }}\n")
    if statement == "s = s - 1;":
        source = source.replace("string s, t;", "string t; int s = 0;")
    assert_not_applied(source, "string-append")


# ---- 6. pow-int ----


def test_pow_small_integer_exponents():
    source = cpp(
        """
        int main() {
            double x = 1.5; int a[3] = {1, 2, 3};
            double d = pow(x - a[1], 2) + std::pow(a[2], 3.0);
            cout << d << "\\n";
        }
        """
    )
    out = rewrite(source, "pow-int")
    assert "double d = ((double)(x - a[1]) * (x - a[1])) + ((double)(a[2]) * (a[2]) * (a[2]));" in out


@pytest.mark.parametrize("call", ["pow(x, 2.5)", "pow(x, n)", "pow(f(x), 2)", "pow(a[i++], 2)", "pow(x, 4)"])
def test_pow_negative(call):
    """Not a small literal exponent, or a base that is not safe to evaluate twice."""
    source = cpp(f"double f(double y) {{ return y; }}\nint main() {{ double x = 2, a[3] = {{}}; int i = 0, n = 2;"
                 f" double d = {call}; return (int)d; }}\n")
    assert_not_applied(source, "pow-int")


def test_pow_left_alone_when_the_file_defines_its_own_pow():
    source = cpp("long long pow(long long b, int e) { return e ? b * pow(b, e - 1) % 7 : 1; }\n"
                 "int main() { return (int)pow(3, 2); }\n")
    assert_not_applied(source, "pow-int")


# ---- 7. hoist-loop-bound ----


def test_hoist_strlen_both_orientations():
    source = cpp(
        """
        int upper(char* s) {
            int c = 0;
            for (int i = 0; i < strlen(s); i++) if (isupper(s[i])) c++;
            for (int i = 0; strlen(s) > i; i++) s[i] = toupper(s[i]);
            return c;
        }
        int main() { char b[] = "aBc"; cout << upper(b) << "\\n"; }
        """
    )
    out = rewrite(source, "hoist-loop-bound")
    assert "{ const auto s_len = strlen(s); for (int i = 0; i < s_len; i++) if (isupper(s[i])) c++; }" in out
    assert "{ const auto s_len = strlen(s); for (int i = 0; s_len > i; i++) s[i] = toupper(s[i]); }" in out


def test_hoist_size_in_unbraced_if_keeps_scoping():
    source = cpp(
        """
        int main() {
            vector<int> v = {1, 2, 3}; int s_size = 0; long long t = 0;
            if (!v.empty())
                for (size_t i = 0; i + 1 < v.size(); ++i) t += v[i] * v[i + 1];
            cout << t + s_size << "\\n";
        }
        """
    )
    out = rewrite(source, "hoist-loop-bound")
    assert "{ const auto v_size = v.size(); for (size_t i = 0; i + 1 < v_size; ++i)" in out


def test_hoist_nested_loops_ending_together_keep_balanced_braces():
    source = cpp(
        """
        int main() {
            vector<int> v = {1, 2}; string s = "xyz"; long long t = 0;
            for (size_t i = 0; i < v.size(); i++)
                for (size_t j = 0; j < s.size(); j++) t += v[i] * s[j];
            cout << t << "\\n";
        }
        """
    )
    out = rewrite(source, "hoist-loop-bound")
    assert "for (size_t j = 0; j < s_size; j++) t += v[i] * s[j]; } }" in out


@pytest.mark.parametrize(
    "loop",
    [
        "for (size_t i = 0; i < v.size(); i++) if (v[i] > 0) v.push_back(-v[i]);",
        "for (size_t i = 0; i < s.size(); i++) s += 'a';",
        "for (int i = 0; i < strlen(c); i++) strcat(c, \"x\");",
        "for (size_t i = 0; i < w[0].size(); i++) t += w[0][i];",
        "for (size_t i = 0; i < v.size(); i++) grow(v);",
        "for (size_t i = 0; i < order.size(); i++) visit(order[i]);",
        "for (string z = \"ab\"; z.size() < 5; ) z += 'c';",
    ],
    ids=["push_back", "append", "strcat", "indexed-object", "nonconst-ref-call", "global-modified-by-call",
         "declared-by-loop"],
)
def test_hoist_negative(loop):
    source = cpp(
        "vector<int> order = {1};\n"
        "void visit(int x) { if (x < 5) order.push_back(x + 1); }\n"
        "void grow(vector<int>& x) { if (x.size() < 9) x.push_back(1); }\n"
        "int main() { vector<int> v = {1}; vector<vector<int>> w = {{1}}; string s = \"b\"; char c[99] = \"a\";"
        f" long long t = 0; {loop} return 0; }}\n"
    )
    assert_not_applied(source, "hoist-loop-bound")


# ---- 8. unordered-map ----


def test_unordered_map_for_lookup_only_map_and_set():
    source = cpp(
        """
        map<long long, int> memo;
        int main() {
            int n; cin >> n;
            std::set<string> seen;
            for (int i = 0; i < n; i++) { memo[i]++; seen.insert(to_string(i)); }
            cout << memo.count(2) << seen.size() << (memo.find(1) != memo.end()) << "\\n";
        }
        """,
        header="#include <iostream>\n#include <map>\n#include <set>\n#include <string>\nusing namespace std;\n",
    )
    out = rewrite(source, "unordered-map")
    assert "unordered_map<long long, int> memo;" in out and "std::unordered_set<string> seen;" in out
    assert "#include <string>\n#include <unordered_map>\n#include <unordered_set>\nusing namespace std;" in out


def test_unordered_map_needs_no_include_with_bits_header():
    source = cpp("int main() { map<int, int> m; m[1] = 2; cout << m[1] << \"\\n\"; }\n",
                 header="#include <bits/stdc++.h>\nusing namespace std;\n")
    out = rewrite(source, "unordered-map")
    assert "#include <unordered_map>" not in out and "unordered_map<int, int> m;" in out


@pytest.mark.parametrize(
    "uses",
    [
        "for (auto& [k, v] : m) cout << k;",
        "cout << m.begin()->first;",
        "cout << m.lower_bound(3)->second;",
        "show(m);",
        "auto copy = m;",
    ],
    ids=["range-for", "begin", "lower_bound", "passed", "copied"],
)
def test_unordered_map_negative(uses):
    source = cpp("void show(const map<int, int>& x) {}\n"
                 f"int main() {{ map<int, int> m; m[1] = 2; {uses} return 0; }}\n")
    assert_not_applied(source, "unordered-map")


def test_unordered_map_leaves_function_return_types_alone():
    source = cpp("map<int, int> build(int n);\nint main() { return 0; }\n"
                 "map<int, int> build(int n) { map<int, int> m; m[n] = 1; return m; }\n")
    assert_not_applied(source, "unordered-map")


def test_unordered_map_skips_unhashable_keys():
    source = cpp("int main() { map<pair<int, int>, int> m; m[{1, 2}] = 3; return m.count({1, 2}); }\n")
    assert_not_applied(source, "unordered-map")


# ---- composition, encoding, robustness ----

ALL_RULES = cpp(
    """
    // Ünïcödé — “quotes” and 日本語 before every match
    typedef long long ll;
    long long total(vector<int> v, int k);
    long long total(vector<int> v, int k) {
        long long s = 0;
        for (int i = 0; i < v.size(); ++i) s += v[i] * k;
        return s;
    }
    int countUpper(char* s) {
        int c = 0;
        for (int i = 0; i < strlen(s); i++) if (s[i] >= 'A' && s[i] <= 'Z') c++;
        return c;
    }
    struct Solver {
        string build(string base, int n) {
            string out;
            for (int i = 0; i < n; ++i) out = out + base;
            return out;
        }
    };
    int main() {
        int n;
        cin >> n;
        vector<int> a;
        for (int i = 0; i < n; ++i) { int x; cin >> x; a.push_back(x); }
        map<ll, int> seen;
        for (int i = 0; i < n; ++i) seen[a[i]]++;
        double d = 0;
        for (int i = 0; i < n; ++i) d += pow(a[i] - 1.5, 2);
        char buf[] = "Hello World, ça va";
        cout << total(a, 2) << endl << countUpper(buf) << endl << seen.count(3) << endl;
        cout << Solver().build("ab", 3) << " " << d << endl;
    }
    """
)


def test_every_rule_applies_and_all_compose():
    assert applicable_rules(ALL_RULES) == list(RULES)
    assert_compiles(apply_rules(ALL_RULES, RULES))  # each rule alone is compiled in its own tests


def test_composed_program_behaves_the_same(tmp_path: Path):
    if shutil.which("g++") is None:
        pytest.skip("g++ is not installed")
    outputs = []
    for name, code in [("original", ALL_RULES), ("rewritten", apply_rules(ALL_RULES, RULES))]:
        (tmp_path / f"{name}.cpp").write_text(code, encoding="utf-8")
        subprocess.run(["g++", "-std=c++17", "-O0", "-o", tmp_path / name, tmp_path / f"{name}.cpp"], check=True)
        run = subprocess.run([tmp_path / name], input="5\n3 1 4 1 5\n", capture_output=True, text=True, check=True)
        outputs.append(run.stdout)
    assert outputs[0] == outputs[1]


def test_non_ascii_text_before_a_match_does_not_shift_edits():
    source = cpp('int main() {\n    string s = "héllo wörld 日本"; /* ça */ s = s + "!";\n'
                 "    cout << s << endl;\n}\n")
    out = apply_rules(source, ["string-append", "endl"])
    assert 'string s = "héllo wörld 日本"; /* ça */ s += "!";\n    cout << s << \'\\n\';' in out


def test_inserted_lines_keep_crlf_line_endings():
    source = cpp(READ_SUM).replace("\n", "\r\n")
    out = apply_rules(source, ["sync-stdio"])
    assert "{\r\n    std::ios::sync_with_stdio(false);\r\n    std::cin.tie(nullptr);\r\n    int n;" in out
    assert out.count("\n") == out.count("\r\n")


def test_edits_at_one_offset_compose():
    source = cpp(
        """
        int main() {
            vector<int> v; vector<int> w = {1, 2, 3};
            for (int i = 0; i < w.size(); i++) v.push_back(w[i]);
            cout << v.size() << "\\n";
        }
        """
    )
    out = apply_rules(source, ["reserve", "hoist-loop-bound"])
    assert "if (w.size() > 0) v.reserve(w.size());\n    { const auto w_size = w.size(); for" in out
    assert_compiles(out)


def test_unknown_rule_is_an_error():
    with pytest.raises(KeyError, match="unknown rules"):
        apply_rules("int main() {}", ["no-such-rule"])


def test_syntax_errors_do_not_crash():
    broken = cpp("int main() { vector<int> v; for (int i = 0; i < strlen(s; i++) { cout << endl\n")
    for rule in RULES:
        apply_rules(broken, [rule])
    applicable_rules(broken)
    assert apply_rules("", RULES) == ""


# ---- function targets and the proposer ----


def test_function_target_rewrites_only_inside_the_function():
    source = ALL_RULES
    target = next(t for t in find_targets(source) if t.name == "Solver::build")
    code = rewrite_target(source, target, RULES)
    assert code.startswith("    string build(const string& base, int n) {") and "out += base;" in code
    assert code.endswith("}\n") and "sync_with_stdio" not in code
    assert_compiles(target.replace_in(source, code))


def propose(source: str, target_name: str = "program", round: int = 0, history: list[Result] | None = None,
            feedback_rounds: int = 1):
    target = next(t for t in find_targets(source) if t.name == target_name)
    request = ProposalRequest(source=source, target=target, path=Path("x.cpp"),
                              settings=Settings(feedback_rounds=feedback_rounds), round=round,
                              history=history or [])
    return asyncio.run(RulesProposer().propose(request))


def test_proposer_one_candidate_per_rule_then_the_verified_ones_combined():
    candidates = propose(ALL_RULES)
    assert [c.proposer for c in candidates] == [f"rules:{r}" for r in RULES]
    assert all(c.code != ALL_RULES for c in candidates)
    assert len({c.code for c in candidates}) == len(candidates)
    assert candidates[0].description == RULES["sync-stdio"].title
    # The feedback round combines exactly the rules whose own candidate verified.
    verified = {"sync-stdio", "string-append", "endl"}
    history = [Result(c, Verdict(Status.VERIFIED if c.meta["rules"][0] in verified else Status.NOT_FASTER))
               for c in candidates]
    [combined] = propose(ALL_RULES, round=1, history=history)
    assert combined.proposer == "rules:combined" and combined.meta["rules"] == [r for r in RULES if r in verified]
    assert combined.code == apply_rules(ALL_RULES, verified)
    assert combined.description.startswith("Every rule that verified alone: ")
    assert_compiles(combined.code)
    # One verified rule has nothing to combine; a combination's own verdict does not seed another.
    assert propose(ALL_RULES, round=1, history=history[:1] + [Result(combined, Verdict(Status.VERIFIED))]) == []


def test_proposer_without_feedback_rounds_combines_every_rule_up_front():
    candidates = propose(ALL_RULES, feedback_rounds=0)
    assert [c.proposer for c in candidates] == [f"rules:{r}" for r in RULES] + ["rules:combined"]
    assert candidates[-1].code == apply_rules(ALL_RULES, RULES)
    assert_compiles(candidates[-1].code)


def test_proposer_function_target_and_no_feedback_rounds():
    names = [c.proposer for c in propose(ALL_RULES, "countUpper")]
    assert names == ["rules:hoist-loop-bound"]  # one rule: no combined candidate
    assert propose(ALL_RULES, round=1) == [] and propose(ALL_RULES, round=2) == []
    assert propose(cpp('int main() { printf("hi\\n"); }\n')) == []
