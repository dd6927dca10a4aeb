"""Argument tuples recorded from the project's own tests and benchmarks, through the CLI on a copy of samples/cmake:
the sample's GoogleTest test calls ``count_with_prefix(..., "ap")``, a prefix the seeded generators never build
(they write a–d), so only a recorded input can show a rewrite that is wrong on it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.e2e.test_function_level import FAST_TIMING, SAMPLE, SOURCE, snapshot, speedlens, with_function_replaced

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("cmake") is None, reason="needs cmake")]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("recorded-args") / "textstats"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("build"))
    (root / "speedlens.toml").write_text(FAST_TIMING)
    return root


def recorded_inputs() -> list[bytes]:
    directory = Path(os.environ["XDG_CACHE_HOME"]) / "speedlens" / "function-inputs" / "recorded"
    return [path.read_bytes() for path in directory.glob("*.in")]


def test_a_rewrite_wrong_only_on_an_argument_a_project_test_passes_is_incorrect_on_a_recorded_input(project: Path):
    before = snapshot(project)
    candidate = with_function_replaced(project, "    std::size_t count = 0;\n",
                                       '    std::size_t count = 0;\n    if (prefix == "ap") return 0;\n')
    done = speedlens("verify", str(SOURCE), str(candidate), "--json", cwd=project)
    assert done.returncode == 1, done.stderr
    verdict = json.loads(done.stdout)
    assert verdict["status"] == "incorrect", verdict["detail"]
    assert "input recorded-textstats.count_with_prefix-" in verdict["detail"] and "wrong output" in verdict["detail"]
    # The test's call, recorded as it was made: the words, then the prefix (length-prefixed strings).
    assert any(b"4 5:apple 7:apricot 6:banana 2:ap 2:ap " in data for data in recorded_inputs())
    assert snapshot(project) == before  # the recording build is speedlens's copy, not the project


def test_a_right_rewrite_is_checked_on_the_seeds_and_the_recorded_inputs(project: Path):
    """join appending in place: correct on every input, recorded ones included (the test's ", " separator and the
    benchmark's 4,096 words among them), and the verdict says how many were recorded."""
    candidate = with_function_replaced(project, "            out = out + separator;\n",
                                       "            out += separator;\n")
    candidate.write_text(candidate.read_text().replace("        out = out + words[i];\n", "        out += words[i];\n"))
    done = speedlens("verify", str(SOURCE), str(candidate), "--json", cwd=project)
    verdict = json.loads(done.stdout)
    assert verdict["status"] in ("verified", "not_faster"), verdict["detail"]
    assert "of the inputs recorded from the project's tests and benchmarks" in verdict["detail"]
    recorded = int(verdict["detail"].split(" of the inputs recorded")[0].rsplit(" ", 1)[-1])
    assert 3 <= recorded <= 32 and verdict["n_inputs"] >= 20 + recorded - 1  # a too-short input may be excluded
    assert any(b"3 1:a 1:b 1:c 2:, " in data for data in recorded_inputs())  # join({"a", "b", "c"}, ", ")


def test_a_function_whose_arguments_cannot_be_serialized_gets_no_recorded_inputs(project: Path):
    """A function the harness cannot build arguments for is left unwrapped: the others are still recorded."""
    extra = project / "src" / "textstats.cpp"
    original = extra.read_text()
    extra.write_text(original.replace("namespace textstats {\n", "namespace textstats {\n\n"
                                      "static int apply_twice(int (*f)(int), int x) { return f(f(x)); }\n", 1))
    try:
        candidate = with_function_replaced(project, "    std::size_t count = 0;\n",
                                           '    std::size_t count = 0;\n    if (prefix == "ap") return 0;\n')
        done = speedlens("verify", str(SOURCE), str(candidate), "--json", cwd=project)
    finally:
        extra.write_text(original)
    verdict = json.loads(done.stdout)
    assert verdict["status"] == "incorrect" and "recorded-textstats.count_with_prefix-" in verdict["detail"]
