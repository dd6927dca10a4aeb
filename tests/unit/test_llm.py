"""The LLM proposer through litellm's real HTTP client, against a local scripted OpenAI-compatible server."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from speedlens.config import Settings
from speedlens.models import Candidate, Result, Status, Target, Verdict
from speedlens.propose import ProposalRequest
from speedlens.propose import llm as llm_mod
from speedlens.propose.llm import LlmError, LlmProposer
from speedlens.propose.prompts import _fitting
from speedlens.propose.testgen import SEPARATOR, generate_inputs
from speedlens.retrieval import index as index_mod
from speedlens.retrieval.index import retrieve
from tests.support.openai_server import Reply
from tests.support.programs import SUM_PROGRAM

SLOW = SUM_PROGRAM
FAST = SLOW.replace(
    "    long long s = 0;\n    for (long long i = 1; i <= n; i++) s += i;\n", "    long long s = n * (n + 1) / 2;\n"
)
TARGET = Target("sum", "program", "cpp", 0, SLOW.count("\n") - 1, SLOW)
EXAMPLE_SLOW = (
    "#include <cstdio>\nint main() { long long n, t = 0; scanf(\"%lld\", &n); "
    "for (long long k = 0; k <= n; k++) t += k; printf(\"%lld\\n\", t); /* EXAMPLE-MARK */ }\n"
)
EXAMPLE_FAST = (
    "#include <cstdio>\nint main() { long long n; scanf(\"%lld\", &n); printf(\"%lld\\n\", n * (n + 1) / 2); }\n"
)


def good(code=FAST):
    return f"Here is a faster version:\n```cpp\n{code}```\n"


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "pie.jsonl"
    path.write_text(json.dumps({"problem_id": "p0", "src_id": "a", "tgt_id": "b", "src_code": EXAMPLE_SLOW,
                                "tgt_code": EXAMPLE_FAST, "speedup": 5.0}) + "\n")
    index_mod._indexes.clear()
    yield path
    index_mod._indexes.clear()


def settings_for(server, corpus, **kw):
    base = dict(model="openai/test", api_base=server.url, candidates=1, examples=2, pie_path=str(corpus),
                llm_retries=3, llm_timeout_s=10.0, temperature=0.2)
    return Settings(**{**base, **kw})


def first_example(settings) -> str:
    """The fast code of the first retrieved example the prompt shows (bundled corpus + the fixture)."""
    return _fitting(retrieve(SLOW, settings))[0].tgt_code.strip()


def request(settings, round=0, history=()):
    return ProposalRequest(SLOW, TARGET, Path("sum.cpp"), settings, round, list(history))


async def propose(settings, **kw):
    return await LlmProposer(settings, backoff_s=0.01).propose(request(settings, **kw))


async def test_prompt_carries_retrieved_examples_and_answers_become_candidates(openai_server, corpus):
    openai_server.add(good(), good(FAST.replace("endl", "'\\n'")))
    settings = settings_for(openai_server, corpus, candidates=2)
    candidates = await propose(settings)
    assert sorted(c.code for c in candidates) == sorted([FAST, FAST.replace("endl", "'\\n'")])
    assert all(c.proposer == "llm:openai/test" for c in candidates)
    assert len(openai_server.requests) == 2  # two prompt variants, one sample each
    body = openai_server.requests[0]
    assert body["model"] == "test" and body["temperature"] == 0.2
    prompts = openai_server.prompts()
    assert all("# slower version:" in prompt and "s += i" in prompt for prompt in prompts)
    assert any(first_example(settings) in prompt for prompt in prompts)


async def test_samples_are_asked_for_with_n_over_prompts_showing_other_examples(openai_server, corpus):
    variants = [FAST.replace("long long s", f"long long /* {i} */ s") for i in range(4)]
    openai_server.add(*(good(v) for v in variants))
    settings = settings_for(openai_server, corpus, candidates=4)
    candidates = await propose(settings)
    assert sorted(c.code for c in candidates) == sorted(variants)
    assert [body.get("n") for body in openai_server.requests] == [2, 2]  # two requests for four samples
    first, second = openai_server.prompts()
    examples = _fitting(retrieve(SLOW, settings, k=4))
    assert len(examples) >= 2
    shown = [[e.tgt_code.strip() in prompt for e in examples] for prompt in (first, second)]
    assert shown[0] != shown[1]  # each prompt shows its own slice of the top examples


async def test_identical_samples_are_counted_not_dropped(openai_server, corpus):
    openai_server.add(good(), good(), good(), good(FAST.replace("endl", "'\\n'")))
    proposer = LlmProposer(backoff_s=0.01)
    candidates = await proposer.propose(request(settings_for(openai_server, corpus, candidates=4)))
    counts = sorted(c.meta["identical_samples"] for c in candidates)
    assert counts == [0, 2] and proposer.dropped == []
    same = next(c for c in candidates if c.code == FAST)
    assert Result(same, Verdict(Status.NOT_FASTER)).to_json()["identical_samples"] == 2


async def test_rate_limit_and_server_errors_are_retried(openai_server, corpus):
    openai_server.add(Reply(status=429), Reply(status=500), good())
    candidates = await propose(settings_for(openai_server, corpus))
    assert [c.code for c in candidates] == [FAST]
    assert len(openai_server.requests) == 3


async def test_retries_exhausted_give_one_line_error(openai_server, corpus):
    openai_server.default = Reply(status=503)
    with pytest.raises(LlmError) as info:
        await propose(settings_for(openai_server, corpus, llm_retries=1))
    assert len(openai_server.requests) == 2 and "after 2 attempt" in info.value.message
    assert "\n" not in info.value.message


async def test_auth_failure_is_a_clear_error_and_not_retried(openai_server, corpus):
    openai_server.add(Reply(status=401, content="Incorrect API key provided"))
    with pytest.raises(LlmError) as info:
        await propose(settings_for(openai_server, corpus))
    assert "authentication failed" in info.value.message and "OPENAI_API_KEY" in info.value.hint
    assert "\n" not in info.value.message and len(openai_server.requests) == 1


async def test_timeout_is_retried(openai_server, corpus):
    openai_server.add(Reply(content=good(), delay_s=1.5), good())
    candidates = await propose(settings_for(openai_server, corpus, llm_timeout_s=0.5))
    assert len(candidates) == 1 and len(openai_server.requests) == 2


async def test_context_too_long_drops_examples_once(openai_server, corpus):
    openai_server.add(Reply(status=400, error_type="context_length_exceeded",
                            content="This model's maximum context length is 8192 tokens. "
                                    "However, your messages resulted in 9000 tokens."),
                      good())
    settings = settings_for(openai_server, corpus)
    candidates = await propose(settings)
    assert len(candidates) == 1
    first, second = openai_server.prompts()
    example = first_example(settings)
    assert example in first and example not in second and "s += i" in second


async def test_unchanged_target_hits_the_cache(openai_server, corpus):
    openai_server.add(good())
    settings = settings_for(openai_server, corpus)
    first = await propose(settings)
    second = await propose(settings)  # memory
    llm_mod.clear_memory_cache()
    third = await propose(settings)  # disk
    assert len(openai_server.requests) == 1
    assert [c.code for c in first] == [c.code for c in second] == [c.code for c in third] == [FAST]
    assert third[0].meta["cached"] is True


async def test_malformed_answers_are_survived(openai_server, corpus):
    openai_server.add("```python\nprint(1)\n```", "```cpp\nint main() {\n  for (;;) {\n", "I can't do that.", good())
    proposer = LlmProposer(backoff_s=0.01)
    settings = settings_for(openai_server, corpus, candidates=4)
    candidates = await proposer.propose(request(settings))
    assert [c.code for c in candidates] == [FAST]
    assert len(proposer.dropped) == 3


async def test_no_model_sends_nothing(openai_server, corpus):
    settings = settings_for(openai_server, corpus, model="")
    assert await propose(settings) == []
    assert await propose(settings, round=1, history=[]) == []
    assert openai_server.requests == []


def test_importing_the_proposer_does_not_import_litellm():
    code = "import sys, speedlens.propose.llm, speedlens.propose.testgen; assert 'litellm' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


async def test_feedback_round_carries_the_failure(openai_server, corpus):
    wrong = Candidate(TARGET, FAST.replace("n * (n + 1) / 2", "n * n / 2"), "llm:openai/test")
    verdict = Verdict(Status.INCORRECT, detail="input 02.in: expected 55, got 50", n_inputs=10, inputs_passed=1)
    openai_server.add(good())
    settings = settings_for(openai_server, corpus)
    candidates = await propose(settings, round=1, history=[Result(wrong, verdict)])
    assert [c.code for c in candidates] == [FAST] and candidates[0].meta["round"] == 1
    assert len(openai_server.requests) == 1
    messages = openai_server.requests[0]["messages"]
    assert "n * n / 2" in messages[-2]["content"] and messages[-2]["role"] == "assistant"
    assert "expected 55, got 50" in messages[-1]["content"]
    # a verified candidate ends the conversation
    ok = Result(Candidate(TARGET, FAST, "llm:openai/test"), Verdict(Status.VERIFIED, speedup=3.0))
    assert await propose(settings, round=1, history=[Result(wrong, verdict), ok]) == []
    assert len(openai_server.requests) == 1


GENERATOR = '''Here is a generator:
```python
def generate(rng, scale):
    n = max(1, int(scale * 1000))
    return f"{rng.randint(1, n)}\\n"

if __name__ == "__main__":
    print("this must not run")
```'''


async def test_generated_inputs_from_a_seeded_generator(openai_server, corpus):
    openai_server.add("```python\ndef generate(rng, scale)\n    return 1\n```", GENERATOR)
    scripts = []

    async def run_generator(script: str, seed: int) -> bytes | None:
        scripts.append(script)
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", script, str(seed),
                                                    stdout=asyncio.subprocess.PIPE)
        out, _ = await proc.communicate()
        return out if proc.returncode == 0 else None

    inputs = await generate_inputs(SLOW, TARGET, settings_for(openai_server, corpus), run_generator)
    assert len(openai_server.requests) == 2  # the first generator has a syntax error: one more sample
    assert len(inputs) >= 10 and len(set(inputs)) == len(inputs)
    assert all(i.strip().isdigit() and i.endswith("\n") for i in inputs)
    assert not any("must not run" in i or SEPARATOR in i for i in inputs)
    again = await generate_inputs(SLOW, TARGET, settings_for(openai_server, corpus), run_generator)
    assert again == inputs and len(openai_server.requests) == 2  # cached and seeded: same inputs
