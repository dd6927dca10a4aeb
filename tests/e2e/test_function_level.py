"""Library functions end to end, through the CLI and the language server, on one copy of samples/cmake per module
(a CMake project without a build directory: speedlens configures its own under the cache and never writes the
project).

Every test shares the copy and the session's cache, so the CMake configure, the shadow build and the original's
harness are paid once: the first test is the cold one, the rest re-verify warm. A test that edits the copy puts it
back; the one that applies a rewrite runs last.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsprotocol import types

from tests.e2e.conftest import capabilities, execute, open_doc, session

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "cmake"
SOURCE = Path("src") / "textstats.cpp"
HEADER = Path("include") / "textstats" / "textstats.h"
FAST_TIMING = "[timing]\nbudget_s = 8.0\nmax_repetitions = 8\n"

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("cmake") is None, reason="needs cmake")]


def sample_copy(directory: Path, record: bool = True) -> Path:
    """A copy of samples/cmake (without any build directory) under ``directory``, timed briefly; ``record``: the
    project's tests and benchmarks' arguments recorded as inputs (the default; tests about other things leave that
    build out)."""
    root = directory / "textstats"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("build"))
    (root / "speedlens.toml").write_text(FAST_TIMING + ("" if record else "[cpp]\nrecord_arguments = false\n"))
    return root


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_copy(tmp_path_factory.mktemp("function-level"))


def speedlens(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "speedlens", *args], capture_output=True, text=True, cwd=cwd,
                          env=os.environ.copy(), timeout=900)


def best_of_optimize(root: Path, *args: str) -> dict:
    """``speedlens optimize ARGS --json`` in ``root``, which must exit 0 with no problem: its best result."""
    done = speedlens("optimize", *args, "--json", cwd=root)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert not report["problems"], report["problems"]
    return report["results"][0]


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def line_of(root: Path, needle: str) -> int:
    lines = (root / SOURCE).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def with_function_replaced(root: Path, old: str, new: str, name: str = "candidate") -> Path:
    text = (root / SOURCE).read_text()
    assert old in text
    candidate = root.parent / f"{name}.cpp"
    candidate.write_text(text.replace(old, new))
    return candidate


LONG_WORDS_TEST = """
TEST(LongWords, CountAndJoin) {  // its arguments serialize to over 1 MB: speedlens records no tuple that large
    const std::vector<std::string> words(60, std::string(20000, 'a'));
    EXPECT_EQ(count_with_prefix(words, "aa"), 60u);
    EXPECT_EQ(join(words, ",").size(), 60u * 20000 + 59);
}
"""
LONG_WORDS = "!words.empty() && words[0].size() > 10000"  # only LongWords passes words that long


@contextlib.contextmanager
def with_long_words_test(root: Path) -> Iterator[None]:
    """The project's tests with a case whose arguments are too large to record: what only it reaches, only the
    project's tests (ctest in speedlens's copy) can catch."""
    tests = root / "tests" / "textstats_test.cpp"
    original = tests.read_text()
    tests.write_text(original + LONG_WORDS_TEST)
    try:
        yield
    finally:
        tests.write_text(original)


def fast_join_reading_past_the_end(root: Path, guard: str) -> Path:
    """join appending in place (much faster) that reads one int past a heap block, whenever ``guard`` holds (always
    when empty): right values in the optimized build, an AddressSanitizer report in a sanitized one."""
    past_the_end = ("std::vector<int> probe(1); probe.shrink_to_fit(); "
                    "volatile int past_the_end = probe.data()[probe.size()]; (void)past_the_end;")
    text = (root / SOURCE).read_text()
    for old, new in [
        ("            out = out + separator;\n", "            out += separator;\n"),
        ("        out = out + words[i];\n", "        out += words[i];\n"),
        ("    std::string out;\n", f"    std::string out;\n    if ({guard or 'true'}) {{ {past_the_end} }}\n"),
    ]:
        assert text.count(old) == 1
        text = text.replace(old, new)
    candidate = root.parent / "candidate.cpp"
    candidate.write_text(text)
    return candidate


def test_optimize_verifies_a_function_and_writes_nothing(project: Path):
    before = snapshot(project)
    done = speedlens("optimize", str(SOURCE), "--line", str(line_of(project, "std::string join(")), "--json",
                     "--no-cache", cwd=project)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    best = report["results"][0]
    assert best["target"] == {"name": "textstats::join", "kind": "function", "start_line": 14, "end_line": 23}
    assert best["status"] == "verified" and best["bound_level"] == "input" and best["speedup_lower"] > 2
    assert "also under AddressSanitizer and UBSan" in best["detail"]  # the project's tests, sanitized
    # Timed by the sample's own BM_Join, built twice: its 9 instances are the inputs of the bound.
    assert best["timed_by"] == "google_benchmark" and best["n_timed"] == 9, best["detail"]
    assert "textstats_bench" in best["detail"] and "BM_Join/4096" in [m["name"] for m in best["per_input"]]
    assert snapshot(project) == before  # neither the sources nor a build directory


def test_wrong_rewrite_is_incorrect(project: Path):
    candidate = with_function_replaced(project, "        if (!seen) {\n", "        if (true) {\n")
    done = speedlens("verify", str(SOURCE), str(candidate), "--json", cwd=project)
    assert done.returncode == 1, done.stderr
    verdict = json.loads(done.stdout)
    assert verdict["status"] == "incorrect" and "wrong output" in verdict["detail"]


def test_rewrite_failing_a_project_test_is_incorrect(project: Path):
    """Wrong only on arguments neither the generators build nor the recording keeps (words of 20,000 letters,
    over 1 MB serialized; a wrong answer on a test's smaller argument is caught on its recorded tuple,
    tests/e2e/test_recorded_args.py): the project's GoogleTest test, built and run by ctest in speedlens's copy
    of the project, catches it."""
    with with_long_words_test(project):
        candidate = with_function_replaced(project, "    std::size_t count = 0;\n",
                                           f"    std::size_t count = 0;\n    if ({LONG_WORDS}) return 0;\n")
        before = snapshot(project)
        done = speedlens("verify", str(SOURCE), str(candidate), "--json", cwd=project)
        assert snapshot(project) == before
    assert done.returncode == 1, done.stderr
    verdict = json.loads(done.stdout)
    assert verdict["status"] == "incorrect" and "LongWords.CountAndJoin" in verdict["detail"], verdict["detail"]


def test_undefined_behaviour_that_prints_the_right_values_is_a_runtime_error(project: Path):
    """A much faster join (appends in place) that also reads one past the end of a heap block: the optimized build
    prints the right values and times faster, the sanitizer build (run for what would be offered) stops at the
    read."""
    candidate = fast_join_reading_past_the_end(project, guard="")
    done = speedlens("verify", str(SOURCE), str(candidate), "--json", cwd=project)
    verdict = json.loads(done.stdout)
    assert done.returncode == 1 and verdict["status"] == "runtime_error", verdict["detail"]
    assert "AddressSanitizer" in verdict["detail"]


def test_undefined_behaviour_only_a_project_test_reaches_is_a_runtime_error(project: Path):
    """A faster join that reads past a heap block only for words of 20,000 letters: the generated inputs never
    build them and the recording does not keep them (over 1 MB), the project's GoogleTest test passes them. Its
    plain build passes; its AddressSanitizer build (run only for a rewrite about to be offered, after the
    original's passed) fails, and the verdict names the test and the error."""
    with with_long_words_test(project):
        candidate = fast_join_reading_past_the_end(project, guard=LONG_WORDS)
        done = speedlens("verify", str(SOURCE), str(candidate), "--json", cwd=project)
    verdict = json.loads(done.stdout)
    assert done.returncode == 1 and verdict["status"] == "runtime_error", verdict["detail"]
    assert "LongWords.CountAndJoin" in verdict["detail"]
    assert "AddressSanitizer: heap-buffer-overflow" in verdict["detail"]
    assert str(project) not in verdict["detail"] and ".cache" not in verdict["detail"]


def test_identical_copy_does_not_verify(project: Path):
    candidate = with_function_replaced(project, "    std::size_t count = 0;\n",
                                       "    std::size_t count = 0;  // the same code: an A/A run\n")
    done = speedlens("verify", str(SOURCE), str(candidate), "--json", cwd=project)
    assert done.returncode == 1, done.stderr
    verdict = json.loads(done.stdout)
    assert verdict["status"] == "not_faster" and abs(verdict["speedup"] - 1) < 0.1


def test_memoizing_rewrite_is_flagged(project: Path):
    candidate = with_function_replaced(
        project, "    std::vector<int> unique;\n",
        "    static std::vector<int> cache;  // state kept between calls\n    std::vector<int> unique;\n")
    done = speedlens("verify", str(SOURCE), str(candidate), "--json", cwd=project)
    verdict = json.loads(done.stdout)
    assert done.returncode == 1 and verdict["status"] == "incorrect" and "mutable static" in verdict["detail"]


def test_fewer_than_nine_benchmark_instances_give_a_run_level_bound(project: Path):
    """BM_Dedupe cut to two instances: the rewrite is still timed by the real benchmark executable, built twice
    and run A/B, but two inputs are too few for an input-level bound, and the verdict says so."""
    bench = project / "bench" / "textstats_bench.cpp"
    original = bench.read_text()
    nine = "BENCHMARK(BM_Dedupe)->RangeMultiplier(2)->Range(16, 4096);"
    assert nine in original
    candidate = with_function_replaced(project, """    std::vector<int> unique;
    for (int value : values) {
        bool seen = false;
        for (int kept : unique) {
            if (kept == value) {
                seen = true;
                break;
            }
        }
        if (!seen) {
            unique.push_back(value);
        }
    }
""", """    std::vector<int> unique;
    std::unordered_set<int> seen;
    for (int value : values) {
        if (seen.insert(value).second) {
            unique.push_back(value);
        }
    }
""", name="dedupe_hashed")
    candidate.write_text("#include <unordered_set>\n" + candidate.read_text())
    bench.write_text(original.replace(nine, "BENCHMARK(BM_Dedupe)->Arg(1000)->Arg(4000);"))
    try:
        done = speedlens("verify", str(SOURCE), str(candidate), "--json", cwd=project)
    finally:
        bench.write_text(original)
    verdict = json.loads(done.stdout)
    assert verdict["timed_by"] == "google_benchmark" and verdict["n_timed"] == 2, verdict["detail"]
    assert verdict["bound_level"] == "run" and "run-level bound" in verdict["detail"]
    assert [m["name"] for m in verdict["per_input"] if m["timed"]] == ["BM_Dedupe/1000", "BM_Dedupe/4000"]
    assert done.returncode == 0 and verdict["status"] == "verified", verdict["detail"]


async def test_language_server_offers_and_runs_optimize_on_each_function(project: Path, tmp_path: Path):
    """The server shares the CLI tests' cache (and so their builds), as a user's editor and terminal would."""
    async for lsp in session(tmp_path, capabilities(), cache=Path(os.environ["XDG_CACHE_HOME"])):
        uri = open_doc(lsp, project / SOURCE)
        lenses = await lsp.text_document_code_lens_async(types.CodeLensParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))
        commands = [(lens.range.start.line, lens.command.title, lens.command.command) for lens in lenses
                    if lens.command]
        assert commands == [(line, "⚡ Optimize", "speedlens.optimizeTarget") for line in (4, 14, 25)]
        summary = await execute(lsp, "speedlens.optimizeTarget", uri, 14, timeout=900)
        assert summary["state"] == "done" and summary["verified"] >= 1, summary
        assert summary["results"][0]["target"] == "textstats::join"
        assert summary["results"][0]["status"] == "verified"


def test_apply_updates_the_header_declaration(project: Path):
    """Last: it writes the shared copy (the rewrite and its header)."""
    line = line_of(project, "std::size_t count_with_prefix(")
    done = speedlens("optimize", str(SOURCE), "--line", str(line), "--apply", "--no-cache", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "textstats.h" in done.stdout  # the diff shows the header too
    expected = "count_with_prefix(const std::vector<std::string>& words, const std::string& prefix)"
    assert expected in (project / SOURCE).read_text()
    assert expected in (project / HEADER).read_text()
