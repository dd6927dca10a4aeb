"""A program inside a CMake project (samples/cmake's ``wordstats`` app, whose main calls the project's library) is
built as its target builds it: the target's flags, linked with ``libtextstats.a`` built in speedlens's copy. Alone,
one translation unit would not find the library's header nor link its functions. Through the CLI, on a copy of
the sample; the copy is never written."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from speedlens.cache import cache_dir
from tests.e2e.test_function_level import SOURCE, best_of_optimize, sample_copy, snapshot, speedlens

APP = Path("apps") / "wordstats.cpp"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600),
              pytest.mark.skipif(shutil.which("cmake") is None, reason="needs cmake")]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The sample with ten inputs for the app: a prefix, then 150 000 words (reading them is the slow part)."""
    root = sample_copy(tmp_path, record=False)
    tests = root / "apps" / "wordstats.tests"
    tests.mkdir()
    for k in range(10):
        rng = random.Random(k)
        words = ("".join(rng.choice("abcdefgh") for _ in range(rng.randint(2, 9))) for _ in range(150_000))
        (tests / f"{k:02d}.in").write_text("ab\n" + " ".join(words) + "\n")
    return root


def test_optimize_and_verify_a_program_that_links_its_targets_library(project: Path):
    before = snapshot(project)
    best = best_of_optimize(project, str(APP))
    assert best["status"] == "verified" and best["target"]["kind"] == "program", best

    candidate = project.parent / "wordstats_fast.cpp"
    candidate.write_text(best["code"])
    verified = speedlens("verify", str(APP), str(candidate), "--json", cwd=project)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert json.loads(verified.stdout)["status"] == "verified"
    assert snapshot(project) == before  # nothing written in the project: no build directory, no edit


def test_the_projects_shared_library_is_kept_with_each_build_that_loads_it(project: Path):
    """Built as a shared library, the project's code lives in a build directory no sandboxed run is shown: each
    build keeps the libraries it links beside its binary (found through ``$ORIGIN``), sanitizer build included, for
    a program of the project and for the benchmark executables that time a library function (original and
    candidate each run with the library they were built with)."""
    cmake_lists = project / "CMakeLists.txt"
    assert cmake_lists.read_text().count("add_library(textstats ") == 1
    cmake_lists.write_text(cmake_lists.read_text().replace("add_library(textstats ", "add_library(textstats SHARED "))
    # The program against itself: it runs on every input (it failed each with exit 127 when its library was not
    # found) and its sanitizer build works (it was skipped), so the verdict is an honest not_faster.
    same = project.parent / "wordstats_same.cpp"
    same.write_text((project / APP).read_text())
    program = json.loads(speedlens("verify", str(APP), str(same), "--json", cwd=project).stdout)
    assert program["status"] == "not_faster" and program["inputs_passed"] == program["n_inputs"] == 10, program
    assert "sanitizer checks skipped" not in program["detail"] and "excluded" not in program["detail"], program
    # A library function timed by the benchmark executables, each run with the library it was built with.
    text = (project / SOURCE).read_text()
    candidate = project.parent / "textstats_join.cpp"
    candidate.write_text(text.replace("out = out + separator;", "out += separator;")
                         .replace("out = out + words[i];", "out += words[i];"))
    function = json.loads(speedlens("verify", str(SOURCE), str(candidate), "--json", cwd=project).stdout)
    assert function["status"] == "verified" and function["timed_by"] == "google_benchmark", function
    assert list(cache_dir("shadow").rglob("binaries/build/*/libtextstats.so")), "kept beside the executables"
