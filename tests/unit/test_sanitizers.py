"""Sanitizer reports keep what a user needs (the access, the candidate's own frames and lines) and drop the rest."""

from __future__ import annotations

from speedlens.models import Candidate, Result, Status, Target, Verdict
from speedlens.report import render_html, render_markdown
from speedlens.sandbox.run import RunResult
from speedlens.sandbox.sanitizers import failure_kind, sanitizer_detail

SOURCE = """#include <vector>
int main() {
    std::vector<long long> a(4, 1);
    int n = 4;
    volatile long long sink = a.data()[n];
    return (int)sink;
}
"""

ASAN = """=================================================================
==14356==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x603000000060 at pc 0x56062b1d962e \
bp 0x7ffcc116ab90 sp 0x7ffcc116ab88
READ of size 8 at 0x603000000060 thread T0
    #0 0x56062b1d962d in main /tmp/speedlens-cc-abc/prog.cpp:5
    #1 0x7f9d79845249 in __libc_start_call_main ../sysdeps/nptl/libc_start_call_main.h:58
    #2 0x56062b1d9810 in _start (/root/.cache/speedlens/builds/x/prog+0x2810)

0x603000000060 is located 0 bytes to the right of 32-byte region [0x603000000040,0x603000000060)
allocated by thread T0 here:
    #0 0x7f9d79ab94c8 in operator new(unsigned long) ../../../../src/libsanitizer/asan/asan_new_delete.cpp:95
    #1 0x56062b1d938d in main /tmp/speedlens-cc-abc/prog.cpp:3

SUMMARY: AddressSanitizer: heap-buffer-overflow /tmp/speedlens-cc-abc/prog.cpp:5 in main
Shadow bytes around the buggy address:
  0x0c067fff7fb0: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
==14356==ABORTING
"""

UBSAN = """prog.cpp:4:51: runtime error: signed integer overflow: 1 + 2147483647 cannot be represented in type 'int'
    #0 0x556053b49710 in main /tmp/speedlens-cc-abc/prog.cpp:4
    #1 0x7f3124845249 in __libc_start_call_main ../sysdeps/nptl/libc_start_call_main.h:58
"""


def test_asan_report_keeps_access_frame_and_source_lines():
    detail = sanitizer_detail(ASAN, SOURCE, "solution.cpp")
    assert detail.splitlines() == [
        "AddressSanitizer: heap-buffer-overflow on address 0x603000000060",
        "READ of size 8 at 0x603000000060",
        "  at main (solution.cpp:5)",
        "     4 |     int n = 4;",
        ">    5 |     volatile long long sink = a.data()[n];",
    ]
    assert "speedlens-cc" not in detail and "Shadow" not in detail and "allocated" not in detail


def test_ubsan_report_names_the_candidates_file_and_line():
    detail = sanitizer_detail(UBSAN, SOURCE, "solution.cpp")
    assert detail.splitlines()[0].startswith("solution.cpp:4: runtime error: signed integer overflow: 1 + 2147483647")
    assert "  at main (solution.cpp:4)" in detail and ">    4 |     int n = 4;" in detail


def test_failure_kinds_compare_two_programs_coarsely():
    assert failure_kind(RunResult("exit", stderr=ASAN.encode())) == "AddressSanitizer: heap-buffer-overflow"
    assert failure_kind(RunResult("exit", stderr=UBSAN.encode())) == "runtime error: signed integer overflow"
    assert failure_kind(RunResult("timeout")) == "timeout"


class Report:
    file = "solution.cpp"
    language = "cpp"
    model = ""
    problems: list[str] = []

    def __init__(self, results):
        self.results = results


def test_reports_show_a_multi_line_detail_as_a_block():
    target = Target("solution.cpp", "program", "cpp", 0, 6, SOURCE)
    detail = "input 1: undefined behaviour or memory error caught by the sanitizers:\n" + sanitizer_detail(
        ASAN, SOURCE, "solution.cpp"
    )
    verdict = Verdict(Status.RUNTIME_ERROR, detail=detail, n_inputs=3)
    report = Report([Result(Candidate(target, SOURCE, "rules:x"), verdict)])
    markdown = render_markdown(report)
    assert "```text\ninput 1: undefined behaviour or memory error caught by the sanitizers:\n" in markdown
    assert "READ of size 8 at 0x603000000060\n  at main (solution.cpp:5)\n     4 |     int n = 4;\n" in markdown
    assert '<pre class="detail">input 1: undefined' in render_html(report)


def test_a_tampering_verdict_is_fed_back_as_such():
    from speedlens.propose.prompts import describe_verdict

    text = describe_verdict(Verdict(Status.TAMPERING, detail="line 2: refers to sanitizer internals (`__asan_init`)"))
    assert text.startswith("It was not run") and "__asan_init" in text and "verified" not in text
