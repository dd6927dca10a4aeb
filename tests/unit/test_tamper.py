"""The one tamper check (``analysis.tamper``): every candidate is refused for probing the checks; a function's
rewrite also for what lets it carry results between calls or change while timed."""

from __future__ import annotations

from speedlens.analysis.tamper import function_tamper_findings, tamper_findings

PROGRAM = "#include <cstdio>\nint main() { int n; scanf(\"%d\", &n); printf(\"%d\\n\", n * 2); }\n"
FUNCTION = "int f(int x) { return x * 2; }\n"


def test_program_candidates_are_refused_for_probing_the_sandbox():
    assert tamper_findings(PROGRAM, PROGRAM) == []
    probe = PROGRAM.replace("int n;", 'int n; if (getenv("ASAN_OPTIONS")) return 1;')
    assert [f for f in tamper_findings(probe, PROGRAM) if f.startswith("line 2: reads")]
    assert tamper_findings('#include "/etc/passwd"\n' + PROGRAM, PROGRAM)
    # A program may time itself or keep a global table: that is the program's business, not a probe.
    timed = "#include <chrono>\nstatic int table[100];\n" + PROGRAM.replace("int n;", "auto t = std::chrono::"
                                                                             "steady_clock::now(); int n;")
    assert tamper_findings(timed, PROGRAM) == []


def test_function_rewrites_may_not_add_state_clocks_or_the_environment():
    assert function_tamper_findings(FUNCTION, FUNCTION) == []
    memo = "int f(int x) { static std::map<int, int> memo; return memo[x] = x * 2; }\n"
    assert any("mutable static" in f for f in function_tamper_findings(memo, FUNCTION))
    assert function_tamper_findings("int f(int x) { static const int k = 2; return x * k; }\n", FUNCTION) == []
    assert any("global" in f for f in function_tamper_findings("int cache[100];\nint f(int x) { return x; }\n",
                                                               FUNCTION))
    clock = "int f(int x) { auto t = std::chrono::now(); return x; }"
    assert any("clock" in f for f in function_tamper_findings(clock, FUNCTION))
    environment = 'int f(int x) { return getenv("X") ? x : 0; }'
    assert any("environment" in f for f in function_tamper_findings(environment, FUNCTION))
    assert any("process id" in f for f in function_tamper_findings("int f(int x) { return x + getpid(); }",
                                                                   FUNCTION))


def test_function_rewrites_are_refused_for_every_probe_a_program_is():
    """The function check is the program check and more: a sanitizer probe in a rewrite is named either way."""
    probe = "int f(int x) {\n#ifdef __SANITIZE_ADDRESS__\nreturn 0;\n#endif\nreturn x * 2; }\n"
    assert tamper_findings(probe, FUNCTION)
    assert set(tamper_findings(probe, FUNCTION)) <= set(function_tamper_findings(probe, FUNCTION))
    # What the original already does is not held against the rewrite.
    reads = 'int f(int x) { return getenv("THREADS") ? x : 2 * x; }'
    assert function_tamper_findings(reads.replace("2 * x", "x + x"), reads) == []
