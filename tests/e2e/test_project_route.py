"""A member function the generated harness cannot call (``textstats::Vocabulary::listing`` of samples/cmake),
verified by its project alone: the GoogleTest tests that link it check a rewrite (plain, then under AddressSanitizer
and UBSan), the Google Benchmark case that calls it (``BM_Listing``, 9 instances) times it A/B. Through the CLI on a
copy of the sample; the copy is never written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.e2e.test_function_level import best_of_optimize, sample_copy, snapshot, speedlens

SOURCE = Path("src") / "vocabulary.cpp"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900),
              pytest.mark.skipif(shutil.which("cmake") is None, reason="needs cmake")]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_copy(tmp_path_factory.mktemp("project-route"), record=False)


def rewritten(root: Path, old: str, new: str) -> Path:
    text = (root / SOURCE).read_text()
    assert text.count(old) == 1
    candidate = root.parent / "vocabulary_candidate.cpp"
    candidate.write_text(text.replace(old, new))
    return candidate


def test_a_member_function_is_verified_by_its_projects_tests_and_benchmarks(project: Path):
    before = snapshot(project)
    best = best_of_optimize(project, str(SOURCE))
    assert best["target"]["name"] == "textstats::Vocabulary::listing" and best["status"] == "verified", best
    assert best["timed_by"] == "google_benchmark" and best["bound_level"] == "input" and best["n_timed"] == 9
    assert best["n_inputs"] == 0 and "correctness rests on the project's tests" in best["detail"]
    assert "the project's tests pass" in best["detail"] and "also under AddressSanitizer" in best["detail"]
    assert snapshot(project) == before


def test_a_rewrite_that_fails_a_project_test_is_incorrect_and_is_not_timed(project: Path):
    candidate = rewritten(project, "        out = out + terminator;\n",
                          "        if (&word != &words_.back()) out += terminator;\n")
    done = speedlens("verify", str(SOURCE), str(candidate), "--json", cwd=project)
    verdict = json.loads(done.stdout)
    assert done.returncode == 1 and verdict["status"] == "incorrect", verdict["detail"]
    assert "Vocabulary.ListsDistinctWordsInOrder" in verdict["detail"] and verdict["speedup"] is None


def test_a_rewrite_changing_a_members_parameters_is_refused(project: Path):
    candidate = rewritten(project, "std::string Vocabulary::listing(const std::string& terminator) const {",
                          "std::string Vocabulary::listing(std::string terminator) const {")
    done = speedlens("verify", str(SOURCE), str(candidate), "--json", cwd=project)
    verdict = json.loads(done.stdout)
    assert verdict["status"] == "compile_error" and "changes the parameters" in verdict["detail"], verdict


def test_a_member_function_no_benchmark_calls_is_refused_saying_what_to_add(project: Path):
    source, header = project / SOURCE, project / "include" / "textstats" / "vocabulary.h"
    original, header_text = source.read_text(), header.read_text()
    definition = "bool textstats::Vocabulary::knows(const std::string& word) const { return !word.empty(); }"
    try:
        source.write_text(original + definition + "\n")
        declared = "    bool knows(const std::string& word) const;\n    std::size_t size() const"
        header.write_text(header_text.replace("    std::size_t size() const", declared))
        line = source.read_text().splitlines().index(definition) + 1
        done = speedlens("optimize", str(SOURCE), "--line", str(line), cwd=project)
        assert done.returncode == 2, done.stdout + done.stderr
        assert "is a member function" in done.stderr and "add a Google Benchmark case that calls" in done.stderr
    finally:
        source.write_text(original)
        header.write_text(header_text)
