"""Verification decides: wrong candidates are rejected with a reason, faster correct ones are verified."""

from __future__ import annotations

import asyncio
import dataclasses
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


def run_verify(write_program, candidate: str, sizes=SIZES, outputs=None, **overrides):
    settings = apply_overrides(Settings(), {"timing": {"min_time_ms": 1, "budget_s": 20}, **overrides})
    path = write_program(ORIGINAL, make_inputs(sizes), outputs=outputs)
    verifier = CppVerifier(settings)

    async def run():
        baseline = await verifier.baseline(ORIGINAL, path, discover(path, settings))
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


def test_identical_program_is_not_faster(write_program):
    verdict = run_verify(write_program, ORIGINAL + "\n// a byte-different copy\n")
    assert verdict.status == Status.NOT_FASTER, verdict.detail
    assert 0.8 < verdict.speedup < 1.25


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
    candidate = FAST.replace('cout << s << "\\n";', 'cout << s + (random_device{}() % 1000000 == 7) * 0 + (random_device{}() % 1000) << "\\n";')
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
    verdict = run_verify(write_program, candidate)
    assert verdict.status == Status.RUNTIME_ERROR
    assert "signed integer overflow" in verdict.detail and "sanitizer" in verdict.detail


def test_out_of_bounds_read_is_rejected(write_program):
    candidate = FAST.replace('cout << s', 'volatile long long sink = a.data()[n]; (void)sink;\n    cout << s')
    verdict = run_verify(write_program, candidate)
    assert verdict.status == Status.RUNTIME_ERROR and "AddressSanitizer" in verdict.detail


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
    """The real sandbox, except that one timing round reports its first run as ``status`` (a stall, a crash)."""

    def __init__(self, status: str):
        super().__init__()
        self.status, self.rounds = status, 0

    async def run_batch(self, jobs, **kwargs):
        runs = await super().run_batch(jobs, **kwargs)
        self.rounds += 1
        if self.rounds == 2:
            runs[0] = dataclasses.replace(runs[0], status=self.status)
        return runs


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


def test_a_crash_while_timing_is_never_retried(write_program):
    verdict = verify_with(write_program, StallOnce("signal"))
    assert verdict.status == Status.RUNTIME_ERROR
    assert "while being timed" in verdict.detail
