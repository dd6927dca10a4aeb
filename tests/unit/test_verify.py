"""Verification decides: wrong candidates are rejected with a reason, faster correct ones are verified."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import random

import pytest

from speedlens.config import Settings, apply_overrides
from speedlens.models import Status
from speedlens.sandbox.run import Sandbox
from speedlens.testcases import discover
from speedlens.verify import CppVerifier

# Sums prefix sums mod 1000; recomputing each prefix from scratch makes the original O(n^2).
ORIGINAL = """
#include <algorithm>
#include <iostream>
#include <vector>
using namespace std;
long long prefix_mod(const vector<long long>& a, int i) {
    long long t = 0;
    for (int j = 0; j <= i; j++) t += a[j];
    return t % 1000;
}
int main() {
    int n; cin >> n;
    vector<long long> a(n);
    for (auto& x : a) cin >> x;
    long long s = 0;
    for (int i = 0; i < n; i++) s += prefix_mod(a, i);
    cout << s << "\\n";
}
"""
FAST = """
#include <algorithm>
#include <iostream>
#include <vector>
using namespace std;
int main() {
    int n; cin >> n;
    vector<long long> a(n);
    for (auto& x : a) cin >> x;
    long long s = 0, t = 0;
    for (int i = 0; i < n; i++) { t += a[i]; s += t % 1000; }
    cout << s << "\\n";
}
"""


def make_inputs(sizes):
    rng = random.Random(5)
    return [f"{n}\n" + " ".join(str(rng.randint(0, 10**12)) for _ in range(n)) + "\n" for n in sizes]


SIZES = [6000 + 1000 * k for k in range(10)]


def run_verify(
    write_program, candidate: str, sizes=SIZES, outputs=None, original=ORIGINAL, name="prog", offer_all=False,
    **overrides,
):
    """The verdict on ``candidate``; ``offer_all``: a min_speedup of 0.5 (settings refuse it), so that a copy of the
    original is offered and goes through the sanitizer check too."""
    settings = apply_overrides(Settings(), {"timing": {"min_time_ms": 1, "budget_s": 20}, **overrides})
    if offer_all:
        settings = dataclasses.replace(settings, min_speedup=0.5)
    path = write_program(original, make_inputs(sizes), name=name, outputs=outputs)
    verifier = CppVerifier(settings)

    async def run():
        baseline = await verifier.baseline(original, path, discover(path, settings))
        return await verifier.verify(baseline, candidate)

    return asyncio.run(run())


def test_faster_correct_candidate_is_verified(write_program):
    verdict = run_verify(write_program, FAST)
    assert verdict.status == Status.VERIFIED, verdict.detail
    assert verdict.speedup_lower > 1 and verdict.speedup >= verdict.speedup_lower
    assert verdict.bound_level == "input" and verdict.n_timed == 10
    assert verdict.inputs_passed == verdict.n_inputs == 10
    assert verdict.correct_confidence == pytest.approx(10 / 11)
    assert "90% confidence" in verdict.detail and "10/10 inputs passed" in verdict.detail


def test_identical_program_is_not_faster_and_stopped_early(write_program):
    verdict = run_verify(write_program, ORIGINAL + "\n// a byte-different copy\n")
    assert verdict.status == Status.NOT_FASTER, verdict.detail
    assert 0.8 < verdict.speedup < 1.25
    assert any(note.startswith("stopped early: cannot reach 1.1×") for note in verdict.notes), verdict.notes
    assert "stopped early" in verdict.detail
    assert max(m.repetitions for m in verdict.per_input if m.timed) <= 5  # not max_repetitions (30)


# Recurses once per element (~30k frames) with a 128-byte local: fits the default 8 MB stack at -O2, but
# AddressSanitizer's larger frames overflow it.
DEEP = """
#include <cstdio>
long long walk(int i, int n, const int* a) {
    if (i == n) return 0;
    volatile char pad[128];
    pad[i % 128] = (char)a[i];
    return a[i] + pad[i % 128] % 2 + walk(i + 1, n, a);
}
int main() {
    int n; if (scanf("%d", &n) != 1) return 1;
    static int a[100000];
    for (int i = 0; i < n; i++) scanf("%d", &a[i]);
    long long s = 0;
    for (int r = 0; r < 20; r++) s += walk(0, n, a);
    printf("%lld\\n", s);
}
"""


def test_deep_recursion_copy_is_not_blamed_for_the_sanitizers_stack(write_program):
    sizes = [30000 + 1000 * k for k in range(9)]
    inputs = [f"{n}\n" + " ".join(str(i % 97) for i in range(n)) + "\n" for n in sizes]
    settings = apply_overrides(Settings(), {"timing": {"min_time_ms": 1, "budget_s": 20}})
    path = write_program(DEEP, inputs, name="deep")
    verifier = CppVerifier(settings)

    async def run(candidate: str):
        baseline = await verifier.baseline(DEEP, path, discover(path, settings))
        return await verifier.verify(baseline, candidate)

    copy = DEEP + "// a copy\n"
    verdict = asyncio.run(run(copy))
    assert verdict.status == Status.NOT_FASTER, verdict.detail
    verifier.settings = dataclasses.replace(settings, min_speedup=0.5)  # offered: the sanitizer build runs too
    verdict = asyncio.run(run(copy + "// another\n"))
    assert verdict.status == Status.VERIFIED, verdict.detail
    assert "fails under the sanitizers" not in verdict.detail  # the original passes too, with the larger stack


# Overflows a signed int on every input (the answer is still right at -O2): the original's own sanitizer failure.
OVERFLOWING = ORIGINAL.replace(
    'cout << s << "\\n";', 'int h = 2147483600; h += n; volatile int sink = h; (void)sink;\n    cout << s << "\\n";'
)


def test_a_failure_the_original_shares_under_the_sanitizers_is_not_held_against_the_candidate(write_program):
    verdict = run_verify(
        write_program, OVERFLOWING + "// a copy\n", sizes=SIZES[:9], original=OVERFLOWING, offer_all=True
    )
    assert verdict.status == Status.VERIFIED, verdict.detail
    assert any("as the original does (runtime error: signed integer overflow) on inputs" in n for n in verdict.notes)
    assert "the original itself fails under the sanitizers" in verdict.detail


def test_tampering_candidate_is_rejected_unbuilt(write_program):
    candidate = FAST.replace("int main() {", 'int main() {\n    if (getenv("ASAN_OPTIONS")) return 0;')
    verdict = run_verify(write_program, candidate, sizes=SIZES[:2])
    assert verdict.status == Status.TAMPERING
    assert "line 7: reads sanitizer options" in verdict.detail and verdict.inputs_passed == 0


def test_off_by_one_is_incorrect(write_program):
    candidate = FAST.replace("for (int i = 0; i < n; i++) {", "for (int i = 1; i < n; i++) {")
    verdict = run_verify(write_program, candidate)
    assert verdict.status == Status.INCORRECT
    assert "first difference at line 1" in verdict.detail and verdict.inputs_passed == 0


def test_wrong_on_one_large_input_only(write_program):
    candidate = FAST.replace("for (int i = 0; i < n; i++) {", "for (int i = 0; i < min(n, 14500); i++) {")
    verdict = run_verify(write_program, candidate)
    assert verdict.status == Status.INCORRECT
    assert verdict.detail.startswith("input 10:") and verdict.inputs_passed < verdict.n_inputs == 10


def test_nondeterministic_output_is_incorrect(write_program):
    candidate = FAST.replace(
        'cout << s << "\\n";',
        'cout << s + (random_device{}() % 1000000 == 7) * 0 + (random_device{}() % 1000) << "\\n";',
    )
    candidate = "#include <random>\n" + candidate
    verdict = run_verify(write_program, candidate)
    assert verdict.status == Status.INCORRECT


def test_undefined_behaviour_with_the_right_answer_is_rejected(write_program):
    # Prints the right answer, but overflows a signed int on the way: the sanitizer build must catch it.
    candidate = FAST.replace(
        'cout << s << "\\n";',
        'int h = 1; for (int i = 0; i < n; i++) h = h * 1000003 + (int)(a[i] & 1023);\n'
        '    if (h == 42) cout << "";\n    cout << s << "\\n";',
    )
    verdict = run_verify(write_program, candidate, name="solution")
    assert verdict.status == Status.RUNTIME_ERROR
    assert "solution.cpp:12: runtime error: signed integer overflow" in verdict.detail
    assert "sanitizer" in verdict.detail and ">   12 |" in verdict.detail


def test_out_of_bounds_read_is_rejected_with_access_frame_and_source(write_program):
    candidate = FAST.replace('cout << s', 'volatile long long sink = a.data()[n]; (void)sink;\n    cout << s')
    verdict = run_verify(write_program, candidate, sizes=SIZES[:3], name="solution", offer_all=True)
    assert verdict.status == Status.RUNTIME_ERROR, verdict.detail
    assert "AddressSanitizer: heap-buffer-overflow" in verdict.detail
    assert "READ of size 8 at 0x" in verdict.detail
    assert "at main (solution.cpp:12)" in verdict.detail
    assert ">   12 |     volatile long long sink = a.data()[n];" in verdict.detail
    assert "   11 |     for (int i = 0; i < n; i++)" in verdict.detail


def test_compile_error_shows_the_first_errors(write_program):
    verdict = run_verify(write_program, FAST.replace("cout << s", "cout << undeclared_thing"))
    assert verdict.status == Status.COMPILE_ERROR and "undeclared_thing" in verdict.detail


def test_expected_outputs_are_the_oracle(write_program):
    # With .out files the original must match them: a wrong .out excludes that input and says why.
    sizes = SIZES[:3]
    verifier_outputs = ["0\n"] + [None] * 2
    inputs = make_inputs(sizes)
    import pathlib
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        exe = pathlib.Path(d) / "a"
        src = pathlib.Path(d) / "a.cpp"
        src.write_text(ORIGINAL)
        subprocess.run(["g++", "-O2", "-o", str(exe), str(src)], check=True)
        real = [subprocess.run([str(exe)], input=i, capture_output=True, text=True).stdout for i in inputs]
    outputs = [verifier_outputs[0], real[1], real[2]]
    verdict = run_verify(write_program, FAST, sizes=sizes, outputs=outputs)
    assert verdict.n_inputs == 2
    assert "input 1 excluded: the original does not match 1.out" in verdict.detail


def test_deterministic_mode_counts_instructions(write_program):
    import shutil

    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed on this machine")
    verdict = run_verify(write_program, FAST, sizes=SIZES[:3], deterministic=True)
    assert verdict.metric == "instructions" and verdict.status == Status.VERIFIED
    assert verdict.bound_level == "deterministic" and verdict.speedup_lower > 2


class StallOnce(Sandbox):
    """The real sandbox, except that one timed run (in the first round after the 20 warm-up runs) reports
    ``status`` (a stall, a crash), or every timed run from then on prints ``stdout``."""

    def __init__(self, status: str = "ok", stdout: bytes | None = None):
        super().__init__()
        self.status, self.stdout, self.timed = status, stdout, 0

    async def run(self, argv, **kwargs):
        result = await super().run(argv, **kwargs)
        return self._timed(result) if kwargs["workdir"].name.startswith("speedlens-time-") else result

    async def run_batch(self, jobs, **kwargs):  # where a round runs in one sandbox
        results = await super().run_batch(jobs, **kwargs)
        timed = kwargs["workdir"].name.startswith("speedlens-time-")
        return [self._timed(r) for r in results] if timed else results

    def _timed(self, result):
        self.timed += 1
        if self.timed == 25 and self.status != "ok":
            return dataclasses.replace(result, status=self.status)
        if self.timed > 20 and self.stdout is not None:
            return dataclasses.replace(result, stdout=self.stdout)
        return result


def verify_with(write_program, sandbox):
    settings = apply_overrides(Settings(), {"timing": {"min_time_ms": 1, "budget_s": 20}})
    path = write_program(ORIGINAL, make_inputs(SIZES))
    verifier = CppVerifier(settings, sandbox=sandbox)

    async def run():
        baseline = await verifier.baseline(ORIGINAL, path, discover(path, settings))
        return await verifier.verify(baseline, FAST)

    return asyncio.run(run())


def test_a_stalled_timing_round_is_run_again(write_program):
    sandbox = StallOnce("timeout")
    verdict = verify_with(write_program, sandbox)
    assert verdict.status == Status.VERIFIED, verdict.detail


class StallChecking(Sandbox):
    """The real sandbox, except that the candidate's first checking run reports a wall timeout after ``cpu_s`` of
    CPU time: kept off the CPU (a loaded machine) when that is small, spinning when it is the whole limit."""

    def __init__(self, cpu_s: float):
        super().__init__()
        self.cpu_s, self.armed, self.checks = cpu_s, False, 0

    async def run(self, argv, **kwargs):
        result = await super().run(argv, **kwargs)
        if not self.armed or kwargs["workdir"].name.startswith(("speedlens-time-", "speedlens-cc-")):
            return result
        self.checks += 1
        return dataclasses.replace(result, status="timeout", cpu_s=self.cpu_s) if self.checks == 1 else result


def check_with_a_stall(write_program, cpu_s: float):
    settings = apply_overrides(Settings(), {"timing": {"min_time_ms": 1, "budget_s": 20}})
    path = write_program(ORIGINAL, make_inputs(SIZES[:3]))
    sandbox = StallChecking(cpu_s)
    verifier = CppVerifier(settings, sandbox=sandbox)

    async def run():
        baseline = await verifier.baseline(ORIGINAL, path, discover(path, settings))
        sandbox.armed = True
        return await verifier.verify(baseline, FAST)

    return asyncio.run(run()), sandbox


def test_a_checking_run_kept_off_the_cpu_is_confirmed_before_it_counts_as_a_timeout(write_program):
    verdict, sandbox = check_with_a_stall(write_program, cpu_s=0.01)
    assert verdict.status == Status.VERIFIED, verdict.detail
    assert sandbox.checks > 3  # the stalled input was run again, then the others


def test_a_checking_run_that_spun_to_its_limit_is_a_timeout_at_once(write_program):
    verdict, sandbox = check_with_a_stall(write_program, cpu_s=2.0)
    assert verdict.status == Status.TIMEOUT and "timed out after 2 s wall" in verdict.detail, verdict.detail
    assert sandbox.checks == min(3, len(os.sched_getaffinity(0)))  # its window of runs at once, and no rerun


def test_a_crash_while_timing_is_never_retried(write_program):
    verdict = verify_with(write_program, StallOnce("signal"))
    assert verdict.status == Status.RUNTIME_ERROR
    assert "while being timed" in verdict.detail


def test_a_timed_run_with_other_output_is_wrong(write_program):
    # A candidate that knows it is being timed (and prints anything then) is caught: timed runs are checked too.
    verdict = verify_with(write_program, StallOnce(stdout=b"42\n"))
    assert verdict.status == Status.INCORRECT, verdict.detail
    assert "wrong output while being timed" in verdict.detail


def test_a_timer_of_its_own_times_the_candidate_and_its_inputs_are_the_bounds(write_program):
    """A library function timed by its project's benchmarks: the program's runs only check, the timer's instances
    (two here: a run-level bound) are what the verdict's numbers are over."""
    from speedlens.sandbox.timing import StoppingRule, Timing, interleaved

    settings = apply_overrides(Settings(), {"timing": {"min_time_ms": 1, "budget_s": 20}})
    path = write_program(ORIGINAL, make_inputs([50, 60, 70]), name="timer")
    verifier = CppVerifier(settings)
    calls = []

    async def timer(rule: StoppingRule, progress) -> Timing:
        async def measure_round(plan: list[tuple[str, str]]) -> list[float]:
            calls.append(plan)
            jitter = random.Random(len(calls))
            return [(2.0 if which == "original" else 1.0) * (1 + jitter.random() / 50) for which, _ in plan]

        return await interleaved(measure_round, ["BM_F/1", "BM_F/2"], settings.timing, 9, progress, rule)

    async def run():
        baseline = await verifier.baseline(ORIGINAL, path, discover(path, settings))
        return await verifier.verify(baseline, FAST, timer=timer)

    verdict = asyncio.run(run())
    assert verdict.status == Status.VERIFIED, verdict.detail
    assert verdict.n_timed == 2 and verdict.bound_level == "run" and 1.9 < verdict.speedup < 2.1
    checked, timed = verdict.per_input[:3], verdict.per_input[3:]  # checked ones cheapest first, then the timer's
    assert sorted(m.name for m in checked) == ["1", "2", "3"] and not any(m.timed for m in checked)
    assert [(m.name, m.timed) for m in timed] == [("BM_F/1", True), ("BM_F/2", True)]
    assert calls and verdict.inputs_passed == 3
