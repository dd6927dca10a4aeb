"""PIE-style prompts (examples, options, feedback) and the answer parser's awkward cases."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from speedlens.models import Candidate, InputMeasurement, Result, Status, Target, Verdict
from speedlens.propose.prompts import (
    apply_unified_diff,
    balanced,
    build_messages,
    extract_code,
    feedback_messages,
    function_context,
)
from speedlens.retrieval.corpus import Pair
from tests.support.programs import SUM_PROGRAM

SLOW = SUM_PROGRAM
FAST = """#include <bits/stdc++.h>
using namespace std;
int main() {
    long long n; cin >> n;
    cout << n * (n + 1) / 2 << "\\n";
}
"""
PROGRAM = Target("sum", "program", "cpp", 0, SLOW.count("\n") - 1, SLOW)

FILE = """#include <vector>
using namespace std;
static int helper(int x) {
    return x * 3;
}
long long total(const vector<int>& v) {
    long long s = 0;
    for (size_t i = 0; i < v.size(); i++) s += v[i];
    return s;
}
int main() { vector<int> v(10, helper(1)); return (int)total(v); }
"""
FUNCTION = Target("total", "function", "cpp", 5, 9, "".join(FILE.splitlines(keepends=True)[5:10]))
PAIR = Pair("p1", "s1", "t1", "int main(){ /* slow example */ }", "int main(){ /* fast example */ }",
            category="algorithmic_complexity", speedup=3.5)


def settings(**kw):
    base = dict(chain_of_thought=False, performance_conditioning=False, min_speedup=1.1)
    return SimpleNamespace(**{**base, **kw})


def user_text(messages):
    return "\n".join(m["content"] for m in messages if m["role"] == "user")


def test_prompt_shows_examples_then_target():
    messages = build_messages(SLOW, PROGRAM, [PAIR], settings())
    assert messages[0]["role"] == "system"
    text = user_text(messages)
    assert text.index("slow example") < text.index("fast example") < text.index("s += i")
    assert "# slower version:" in text and "# optimized version of the same code" in text
    assert "3.5x faster" in text and "complete program" in text
    assert "analysis" not in text and "10/10" not in text


def test_chain_of_thought_and_performance_conditioning_toggle():
    text = user_text(build_messages(SLOW, PROGRAM, [], settings(chain_of_thought=True, performance_conditioning=True)))
    assert "short analysis" in text and "10/10" in text


def test_function_prompt_gives_context_and_asks_for_the_function():
    text = user_text(build_messages(FILE, FUNCTION, [], settings()))
    assert "`total`" in text and "helper" in text and "definition of `total` only" in text


def test_long_file_context_elides_other_bodies():
    context = function_context(FILE, FUNCTION, limit=200)
    assert "return x * 3" not in context and "/* ... */" in context
    assert "s += v[i]" in context and "#include <vector>" in context


def test_feedback_carries_the_failure_and_measurements():
    wrong = Candidate(PROGRAM, FAST.replace("n * (n + 1) / 2", "n * n / 2"), "llm:test")
    verdict = Verdict(Status.INCORRECT, detail="input 03.in: expected 55, got 50", n_inputs=12, inputs_passed=2,
                      per_input=[InputMeasurement("01.in", True), InputMeasurement("03.in", False)])
    slow = Candidate(PROGRAM, SLOW.replace("endl", "'\\n'"), "llm:test")
    meh = Verdict(Status.NOT_FASTER, speedup=1.03, speedup_lower=0.98, n_inputs=12, inputs_passed=12,
                  original_seconds=0.5, candidate_seconds=0.48)
    messages = feedback_messages(SLOW, PROGRAM, [PAIR], settings(), [Result(wrong, verdict), Result(slow, meh)])
    assert messages[-2] == {"role": "assistant", "content": f"```cpp\n{slow.code.rstrip()}\n```"}
    last = messages[-1]["content"]
    assert "only 1.03x faster" in last and "1.10x" in last
    assert "expected 55, got 50" not in last  # the focus is the most promising rejection ...
    assert "incorrect" in last and "2/12 inputs passed" in last  # ... the others are listed
    messages = feedback_messages(SLOW, PROGRAM, [], settings(), [Result(wrong, verdict)])
    assert "expected 55, got 50" in messages[-1]["content"] and "03.in" in messages[-1]["content"]
    assert feedback_messages(SLOW, PROGRAM, [], settings(), []) is None


def fenced(code, lang="cpp"):
    return f"```{lang}\n{code.rstrip()}\n```"


def test_extract_prose_around_code():
    answer = f"Sure! Here is a faster version:\n\n{fenced(FAST)}\n\nIt uses Gauss's formula."
    code, reason = extract_code(answer, PROGRAM)
    assert code == FAST and reason == "ok"


def test_extract_picks_the_whole_program_among_several_fences():
    answer = (f"The key line:\n{fenced('cout << n * (n + 1) / 2;')}\nFull program:\n{fenced(FAST)}\n"
              f"Test with:\n{fenced('10', 'text')}")
    assert extract_code(answer, PROGRAM)[0] == FAST


def test_extract_applies_a_unified_diff():
    diff = """--- a/sum.cpp
+++ b/sum.cpp
@@ -4,5 +4,3 @@
     long long n; cin >> n;
-    long long s = 0;
-    for (long long i = 1; i <= n; i++) s += i;
-    cout << s << endl;
+    cout << n * (n + 1) / 2 << "\\n";
 }
"""
    assert extract_code(fenced(diff, "diff"), PROGRAM)[0] == FAST
    assert extract_code(diff, PROGRAM)[0] == FAST  # unfenced
    code, reason = extract_code(fenced(diff.replace("long long s = 0", "int s = 0"), "diff"), PROGRAM)
    assert code is None and "does not apply" in reason


@pytest.mark.parametrize("answer, why", [
    ("```cpp\n" + FAST[:-30], "truncated"),
    (fenced(FAST[:-3]), "unbalanced"),
    (fenced("def main():\n    print(sum(range(int(input()) + 1)))\n", "python"), "python"),
    (fenced("def main():\n    print(sum(range(int(input()) + 1)))\n", ""), "Python"),
    ("I cannot help with that.", "no code"),
    (fenced(SLOW), "unchanged"),
    (fenced("int main() {\n    // ... rest of the code unchanged\n}\n"), "elided"),
    (fenced("long long f(long long n) { return n * (n + 1) / 2; }\n"), "no main"),
    ("", "no code"),
    (None, "no code"),
    ("```", "no code"),
])
def test_unusable_answers_are_dropped_with_a_reason(answer, why):
    code, reason = extract_code(answer, PROGRAM)
    assert code is None and why.lower() in reason.lower()


def test_unfenced_code_with_trailing_prose():
    assert extract_code(f"Here you go:\n{FAST}\nThis is O(1).", PROGRAM)[0] == FAST


def test_function_target_from_function_or_whole_program():
    fast_total = "long long total(const vector<int>& v) {\n    return accumulate(v.begin(), v.end(), 0LL);\n}\n"
    assert extract_code(fenced(fast_total), FUNCTION)[0] == fast_total
    whole = FILE.replace(FUNCTION.text, fast_total)
    assert extract_code(fenced(whole), FUNCTION)[0] == fast_total
    code, reason = extract_code(fenced("int other(int x) { return x; }\n"), FUNCTION)
    assert code is None and "total" in reason


def test_parser_never_raises_on_garbage():
    junk_answers = [
        "```cpp\n```", "~~~\n{{{\n~~~", "@@ -1 +1 @@\n-x\n+y\n", "\x00\xff```c++\nint main(){}\n```", "}" * 50,
    ]
    for junk in junk_answers:
        code, reason = extract_code(junk, PROGRAM)
        assert code is None or "main" in code
        assert reason


def test_balanced_ignores_literals_and_comments():
    assert balanced('int main() { puts("}"); /* { */ char c = \'{\'; }')
    assert not balanced("int main() { if (x) { }")


def test_apply_diff_tolerates_wrong_line_numbers():
    assert apply_unified_diff("a\nb\nc\n", "@@ -40,3 +40,3 @@\n a\n-b\n+B\n c\n") == "a\nB\nc\n"
