"""`speedlens verify` of a library function whose arguments have a precondition, with a model configured: the
argument generator the model writes (asked over real HTTP of the local OpenAI-compatible server) builds every
input, and a bad one is discarded with a note, falling back to the type-directed generators."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.test_cli import speedlens
from tests.support.openai_server import OpenAIServer

SOURCE = """#include <vector>
int lower_index(const std::vector<int>& sorted, int x) {
    int i = 0;
    while (i < static_cast<int>(sorted.size()) && sorted[i] < x) ++i;
    return i;
}
"""
CANDIDATE = """#include <algorithm>
#include <vector>
int lower_index(const std::vector<int>& sorted, int x) {
    return static_cast<int>(std::lower_bound(sorted.begin(), sorted.end(), x) - sorted.begin());
}
"""
SORTED = """static SpeedlensArgs speedlens_model_args(speedlens_harness::Rng& rng, std::size_t n) {
    SpeedlensArgs args;
    args.a0 = speedlens_harness::make<std::vector<int>>(rng, n);
    std::sort(args.a0.begin(), args.a0.end());
    args.a1 = speedlens_harness::make<int>(rng, n);
    return args;
}
"""
DOES_NOT_COMPILE = SORTED.replace("std::sort(", "std::srot(")
CRASHES = SORTED.replace("args.a1 = speedlens_harness::make<int>(rng, n);", "args.a1 = args.a0.at(10 * n);")
SAME_EVERY_SEED = """static SpeedlensArgs speedlens_model_args(speedlens_harness::Rng&, std::size_t) {
    SpeedlensArgs args;
    args.a0 = {1, 3, 5, 7};
    args.a1 = 4;
    return args;
}
"""

MODES = """#include <vector>
enum class Mode : int {};  // a strong typedef: its values are the constants below
constexpr Mode Sum{0}, Max{1};
long long reduce(Mode mode, const std::vector<int>& values) {
    long long out = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (mode == Sum) out += values[i];
        else if (i == 0 || values[i] > out) out = values[i];
    }
    return out;
}
"""
MODES_REWRITE = """#include <vector>
enum class Mode : int {};  // a strong typedef: its values are the constants below
constexpr Mode Sum{0}, Max{1};
long long reduce(Mode mode, const std::vector<int>& values) {
    long long out = 0;
    if (mode == Sum) {
        for (int v : values) out += v;
        return out;
    }
    for (std::size_t i = 0; i < values.size(); ++i) if (i == 0 || values[i] > out) out = values[i];
    return out;
}
"""
MODES_GENERATOR = """static SpeedlensArgs speedlens_model_args(speedlens_harness::Rng& rng, std::size_t n) {
    SpeedlensArgs args;
    args.a0 = rng() % 2 ? Sum : Max;
    args.a1 = speedlens_harness::make<std::vector<int>>(rng, n);
    return args;
}
"""
SAME_OUTPUT = """static SpeedlensArgs speedlens_model_args(speedlens_harness::Rng& rng, std::size_t n) {
    SpeedlensArgs args;  // an empty vector: every x has index 0
    args.a1 = speedlens_harness::make<int>(rng, n);
    return args;
}
"""
READS_PAST_A_BUFFER = SORTED.replace("    return args;", """    std::vector<int> small(4, 1);
    volatile int past = small.data()[4];  // a heap overflow only the sanitizers see
    (void)past;
    return args;""")

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")]


def answer(code: str) -> str:
    return f"The vector must be sorted for a lower bound.\n```cpp\n{code}```\n"


def run_verify(tmp_path: Path, server: OpenAIServer | None, source: str, candidate: str
               ) -> subprocess.CompletedProcess:
    (tmp_path / "lib.cpp").write_text(source)
    (tmp_path / "candidate.cpp").write_text(candidate)
    model = f'model = "openai/test"\napi_base = "{server.url}"\n' if server is not None else ""
    (tmp_path / "speedlens.toml").write_text(model + "[timing]\nbudget_s = 8.0\nmax_repetitions = 8\n")
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "OPENAI_API_KEY": "sk-test",
           "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    return speedlens("verify", "lib.cpp", "candidate.cpp", "--json", cwd=tmp_path, env=env)


def verify(tmp_path: Path, server: OpenAIServer | None, source: str = SOURCE, candidate: str = CANDIDATE
           ) -> tuple[int, dict]:
    done = run_verify(tmp_path, server, source, candidate)
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)


def test_without_a_model_random_unsorted_vectors_make_the_right_rewrite_incorrect(tmp_path: Path):
    code, verdict = verify(tmp_path, None)
    assert code == 1 and verdict["status"] == "incorrect", verdict
    assert not any("generator" in note for note in verdict["notes"])


def test_the_models_generator_of_sorted_vectors_verifies_the_right_rewrite_and_is_cached(tmp_path: Path):
    with OpenAIServer([answer(SORTED)]) as server:
        code, verdict = verify(tmp_path, server)
        assert code == 0 and verdict["status"] == "verified", verdict
        assert verdict["inputs_passed"] == verdict["n_inputs"] == 20
        assert any("argument tuples from a generator written by openai/test" in n for n in verdict["notes"])
        prompt = server.prompts()[0]
        assert "int lower_index(const std::vector<int>& sorted, int x)" in prompt
        assert "static SpeedlensArgs speedlens_model_args(speedlens_harness::Rng& rng, std::size_t n)" in prompt
        assert "a0: parameter `sorted` (std::vector<int>, const ref)" in prompt

        code, verdict = verify(tmp_path, server)  # the same function and signature: the answer is cached
        assert code == 0 and len(server.requests) == 1


@pytest.mark.parametrize(("generator", "why"), [
    (DOES_NOT_COMPILE, "it does not compile"),
    (CRASHES, "on its seed 0 the original"),
    (SAME_EVERY_SEED, "it makes the same argument tuples for every seed"),
    (SAME_OUTPUT, "the original prints the same for every seed"),
    (READS_PAST_A_BUFFER, "under AddressSanitizer/UBSan"),
    ("static SpeedlensArgs speedlens_model_args(speedlens_harness::Rng& rng, std::size_t n) {\n"
     "    SpeedlensArgs args; args.a1 = static_cast<int>(time(nullptr)); return args;\n}\n", "reads a clock"),
])
def test_a_bad_generator_is_discarded_with_a_note_and_the_typed_inputs_judge(tmp_path: Path, generator: str, why: str):
    with OpenAIServer([answer(generator)]) as server:
        code, verdict = verify(tmp_path, server)
    assert code == 1 and verdict["status"] == "incorrect", verdict  # judged on the type-directed (unsorted) inputs
    notes = " ".join(verdict["notes"])
    assert "the argument generator written by openai/test was discarded" in notes and why in notes, notes


def test_a_type_without_a_generator_is_harnessed_through_the_models_generator(tmp_path: Path):
    done = run_verify(tmp_path, None, MODES, MODES_REWRITE)  # offline: no enumerators, no type the harness builds
    assert done.returncode == 2 and "`Mode`" in done.stderr and "configure a model" in done.stderr, done.stderr
    with OpenAIServer([answer(MODES_GENERATOR)]) as server:
        code, verdict = verify(tmp_path, server, MODES, MODES_REWRITE)
    assert verdict["status"] != "incorrect" and verdict["inputs_passed"] == verdict["n_inputs"] == 20, verdict
    assert any("argument tuples from a generator written by openai/test" in n for n in verdict["notes"])


def test_without_a_usable_generator_such_a_type_is_still_refused_saying_why(tmp_path: Path):
    with OpenAIServer([answer(DOES_NOT_COMPILE)]) as server:
        done = run_verify(tmp_path, server, MODES, MODES_REWRITE)
    assert done.returncode == 2 and "`Mode`" in done.stderr and "was discarded" in done.stderr, done.stderr


def test_optimize_asks_once_for_the_generator_and_verifies_the_models_rewrite_on_its_inputs(tmp_path: Path):
    def reply(body: dict) -> str:
        prompt = "\n".join(str(m.get("content", "")) for m in body["messages"])
        return answer(SORTED) if "speedlens_model_args" in prompt else answer(CANDIDATE.split("\n", 1)[1])

    (tmp_path / "lib.cpp").write_text(SOURCE)
    (tmp_path / "speedlens.toml").write_text("candidates = 1\nfeedback_rounds = 0\n[timing]\nbudget_s = 8.0\n"
                                             "max_repetitions = 8\n")
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "OPENAI_API_KEY": "sk-test",
           "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    with OpenAIServer(default=reply) as server:
        done = speedlens("optimize", "lib.cpp", "--model", "openai/test", "--api-base", server.url, "--json",
                         cwd=tmp_path, env=env)
        prompts = server.prompts()
    assert done.stdout, done.stderr
    results = [r for r in json.loads(done.stdout)["results"] if r["proposer"] == "llm:openai/test"]
    assert done.returncode == 0 and results and results[0]["status"] == "verified", done.stdout
    assert any("generator written by openai/test" in note for note in results[0]["notes"])
    assert sum("speedlens_model_args" in p for p in prompts) == 1
